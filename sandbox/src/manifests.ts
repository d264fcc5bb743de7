import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { clone, groupOf, isObject, type Json, type JsonObject, type K8sObject } from './objects.ts';
import { jsonPatch } from './patch.ts';
import { StandInError } from './stand-in-error.ts';

/** One object read from a manifest source. */
export interface ManifestDoc {
  object: K8sObject;
  /** File path, or `-` for stdin. */
  source: string;
  /** 1-based line of the document's start. */
  line: number;
}

/** Where manifests come from (`-f`, `-k`, `-R`). */
export interface ManifestInput {
  files: string[];
  kustomize?: string;
  recursive?: boolean;
  cwd: string;
  /** Reads standard input (for `-f -`). */
  readStdin: () => string;
}

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

/**
 * Parses multi-document YAML (or JSON) text into objects, validating each document for
 * `apiVersion`, `kind` and `metadata.name` the way `kubectl apply` does; `List` documents are
 * expanded. Empty documents are skipped.
 * @param text the manifest text
 * @param source its file name (for messages)
 * @returns the documents
 */
export function parseManifests(text: string, source: string): ManifestDoc[] {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: false });
  const out: ManifestDoc[] = [];
  for (const doc of docs) {
    const start = doc.contents?.range?.[0] ?? doc.range?.[0] ?? 0;
    const line = lc.linePos(start).line;
    const err = doc.errors[0];
    if (err) {
      const at = err.linePos?.[0]?.line ?? line;
      throw new StandInError(
        `error: error parsing ${source}: error converting YAML to JSON: yaml: line ${at}: ${err.message.split('\n')[0]}`,
      );
    }
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (value === null || value === undefined) continue;
    for (const obj of expandList(value)) {
      validateDoc(obj, source, line);
      out.push({ object: obj as K8sObject, source, line });
    }
  }
  return out;
}

function expandList(value: unknown): unknown[] {
  if (isObject(value) && typeof value['kind'] === 'string' && value['kind'].endsWith('List')) {
    const items = value['items'];
    if (Array.isArray(items)) return items.flatMap(expandList);
  }
  return [value];
}

function validateDoc(obj: unknown, source: string, line: number): void {
  const fail = (what: string): never => {
    throw new StandInError(
      `error: error validating "${source}" (line ${line}): error validating data: ${what}; if you choose to ignore these errors, turn validation off with --validate=false`,
    );
  };
  if (!isObject(obj)) fail(`invalid object: expected a map, got ${JSON.stringify(obj)}`);
  const o = obj as JsonObject;
  if (typeof o['apiVersion'] !== 'string' || o['apiVersion'] === '') fail('apiVersion not set');
  if (typeof o['kind'] !== 'string' || o['kind'] === '') fail('kind not set');
  const md = o['metadata'];
  if (!isObject(md)) fail('metadata not set');
  const m = md as JsonObject;
  if (typeof m['name'] !== 'string' || m['name'] === '') {
    throw new StandInError(
      `error: error when retrieving current configuration of ${String(o['kind'])} from "${source}" (line ${line}): resource name may not be empty`,
    );
  }
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(m['name'] as string)) {
    throw new StandInError(
      `The ${String(o['kind'])} "${String(m['name'])}" is invalid: metadata.name: Invalid value: "${String(m['name'])}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.' (${source}:${line})`,
    );
  }
  if (m['namespace'] !== undefined && typeof m['namespace'] !== 'string') {
    fail('metadata.namespace must be a string');
  }
}

/**
 * Reads the manifests named by `-f` (files, directories, `-`) and `-k` (a kustomization
 * directory), in order.
 * @param input the sources
 * @returns the documents
 */
export function readManifests(input: ManifestInput): ManifestDoc[] {
  const out: ManifestDoc[] = [];
  for (const f of input.files) {
    if (f === '-') {
      out.push(...parseManifests(input.readStdin(), '-'));
      continue;
    }
    if (/^https?:\/\//.test(f)) {
      throw new StandInError(
        `error: unsupported by the sandbox: \`-f ${f}\` (no network; vendor the manifest into the repository)`,
      );
    }
    const abs = path.resolve(input.cwd, f);
    if (!existsSync(abs)) throw new StandInError(`error: the path "${f}" does not exist`);
    if (statSync(abs).isDirectory()) {
      for (const file of listManifestFiles(abs, input.recursive ?? false)) {
        out.push(...parseManifests(readFileSync(file, 'utf8'), path.relative(input.cwd, file)));
      }
    } else {
      out.push(...parseManifests(readFileSync(abs, 'utf8'), f));
    }
  }
  if (input.kustomize !== undefined)
    out.push(...kustomize(path.resolve(input.cwd, input.kustomize), input.cwd));
  return out;
}

function listManifestFiles(dir: string, recursive: boolean): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (recursive) out.push(...listManifestFiles(p, true));
    } else if (MANIFEST_EXT.test(e.name)) out.push(p);
  }
  return out;
}

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const KUSTOMIZE_FIELDS = new Set([
  'apiVersion',
  'kind',
  'resources',
  'namespace',
  'commonLabels',
  'labels',
  'commonAnnotations',
  'images',
  'patches',
]);

/**
 * Whether a directory holds a kustomization.
 * @param dir the directory
 * @returns the kustomization file, or undefined
 */
export function kustomizationFile(dir: string): string | undefined {
  for (const f of KUSTOMIZATION_FILES) {
    const p = path.join(dir, f);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/**
 * Builds a kustomization: `resources` (files and nested kustomization directories), `namespace`,
 * `commonLabels`, `labels`, `commonAnnotations`, `images` and `patches` of JSON 6902 operations
 * (inline `patch` or `path`, with a `target`). Any other field (generators, strategic-merge
 * patches, helm charts, ...) is refused as unsupported by the sandbox.
 * @param dir the kustomization directory
 * @param cwd directory messages are relative to
 * @returns the documents
 */
export function kustomize(dir: string, cwd: string): ManifestDoc[] {
  const file = kustomizationFile(dir);
  if (!file) {
    throw new StandInError(
      `error: unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '${dir}'`,
    );
  }
  const rel = path.relative(cwd, file) || file;
  const [parsed] = parseAllDocuments(readFileSync(file, 'utf8'));
  const k = parsed?.toJS() as unknown;
  if (!isObject(k)) throw new StandInError(`error: ${rel}: expected a kustomization map`);
  for (const key of Object.keys(k)) {
    if (!KUSTOMIZE_FIELDS.has(key)) {
      throw new StandInError(
        `error: unsupported by the sandbox: kustomization field \`${key}\` in ${rel} (supported: ${[...KUSTOMIZE_FIELDS].join(', ')})`,
      );
    }
  }
  const docs: ManifestDoc[] = [];
  const resources = k['resources'] ?? [];
  if (!Array.isArray(resources))
    throw new StandInError(`error: ${rel}: \`resources\` must be a list`);
  for (const r of resources) {
    if (typeof r !== 'string') throw new StandInError(`error: ${rel}: resources must be strings`);
    if (/^https?:\/\/|^github\.com\//.test(r)) {
      throw new StandInError(
        `error: unsupported by the sandbox: remote resource \`${r}\` in ${rel}`,
      );
    }
    const p = path.resolve(dir, r);
    if (!existsSync(p)) {
      throw new StandInError(`error: accumulating resources: '${p}' must resolve to a file`);
    }
    if (statSync(p).isDirectory()) docs.push(...kustomize(p, cwd));
    else docs.push(...parseManifests(readFileSync(p, 'utf8'), path.relative(cwd, p)));
  }
  applyKustomizePatches(docs, k['patches'], dir, rel);
  const ns = k['namespace'];
  const labels: Record<string, string> = {};
  if (isObject(k['commonLabels'])) Object.assign(labels, k['commonLabels']);
  if (Array.isArray(k['labels'])) {
    for (const l of k['labels'])
      if (isObject(l) && isObject(l['pairs'])) Object.assign(labels, l['pairs']);
  }
  const annotations = isObject(k['commonAnnotations']) ? k['commonAnnotations'] : {};
  const images = Array.isArray(k['images']) ? k['images'].filter(isObject) : [];
  return docs.map((d) => {
    const o = clone(d.object);
    if (typeof ns === 'string' && !CLUSTER_SCOPED_KINDS.has(o.kind)) o.metadata.namespace = ns;
    if (Object.keys(labels).length > 0) {
      o.metadata.labels = { ...o.metadata.labels, ...(labels as Record<string, string>) };
    }
    if (Object.keys(annotations).length > 0) {
      o.metadata.annotations = {
        ...o.metadata.annotations,
        ...(annotations as Record<string, string>),
      };
    }
    if (images.length > 0) rewriteImages(o, images);
    return { ...d, object: o };
  });
}

/**
 * Applies a kustomization's `patches` (JSON 6902 operations only) to the documents they target.
 * @param docs the documents (replaced in place)
 * @param patches the `patches` field
 * @param dir the kustomization directory (`path` is relative to it)
 * @param rel the kustomization file, for messages
 */
function applyKustomizePatches(
  docs: ManifestDoc[],
  patches: unknown,
  dir: string,
  rel: string,
): void {
  if (patches === undefined) return;
  if (!Array.isArray(patches)) throw new StandInError(`error: ${rel}: \`patches\` must be a list`);
  for (const entry of patches) {
    if (!isObject(entry)) throw new StandInError(`error: ${rel}: each patch must be a map`);
    const text =
      typeof entry['patch'] === 'string'
        ? entry['patch']
        : typeof entry['path'] === 'string'
          ? readFileSync(path.resolve(dir, entry['path']), 'utf8')
          : undefined;
    if (text === undefined)
      throw new StandInError(`error: ${rel}: a patch needs \`patch\` or \`path\``);
    const [parsed] = parseAllDocuments(text);
    const ops = parsed?.toJS() as unknown;
    if (!Array.isArray(ops)) {
      throw new StandInError(
        `error: unsupported by the sandbox: strategic-merge patches in ${rel} (JSON 6902 operation lists only)`,
      );
    }
    const target = isObject(entry['target']) ? entry['target'] : {};
    const matches = (o: K8sObject): boolean =>
      (target['kind'] === undefined || o.kind === target['kind']) &&
      (target['name'] === undefined || o.metadata.name === target['name']) &&
      (target['group'] === undefined || groupOf(o.apiVersion) === target['group']) &&
      (target['namespace'] === undefined || o.metadata.namespace === target['namespace']);
    for (const d of docs) {
      if (!matches(d.object)) continue;
      d.object = jsonPatch(clone(d.object) as unknown as Json, ops as Json) as unknown as K8sObject;
    }
  }
}

/** Kinds kustomize never gives a namespace. */
const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace',
  'PersistentVolume',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'StorageClass',
  'RuntimeClass',
  'IngressClass',
  'PriorityClass',
  'ClusterSecretStore',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'Node',
]);

function rewriteImages(obj: unknown, images: JsonObject[]): void {
  if (Array.isArray(obj)) {
    for (const x of obj) rewriteImages(x, images);
    return;
  }
  if (!isObject(obj)) return;
  for (const [key, value] of Object.entries(obj)) {
    if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
      for (const c of value) {
        if (!isObject(c) || typeof c['image'] !== 'string') continue;
        const image = c['image'];
        const at = image.lastIndexOf(':');
        const hasTag = at > image.lastIndexOf('/');
        const name = hasTag ? image.slice(0, at) : image;
        const rule = images.find((i) => i['name'] === name);
        if (!rule) continue;
        const newName = typeof rule['newName'] === 'string' ? rule['newName'] : name;
        if (typeof rule['digest'] === 'string') c['image'] = `${newName}@${rule['digest']}`;
        else if (typeof rule['newTag'] === 'string') c['image'] = `${newName}:${rule['newTag']}`;
        else c['image'] = hasTag ? `${newName}${image.slice(at)}` : newName;
      }
    } else rewriteImages(value, images);
  }
}
