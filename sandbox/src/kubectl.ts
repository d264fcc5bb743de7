import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { admit } from './admission.ts';
import {
  applyManifest,
  contextState,
  displayName,
  getObject,
  listObjects,
  requestDeletion,
  storeObject,
} from './api.ts';
import {
  boolFlag,
  type FlagSpec,
  flag,
  flags,
  type ParsedArgs,
  parseArgs,
  parseKubeDuration,
} from './argv.ts';
import { ClusterView, type PodInfo } from './cluster-view.ts';
import { enforceQuiesce, requireController } from './controller.ts';
import { renderJsonPath } from './jsonpath.ts';
import {
  type KindInfo,
  kindForManifest,
  kindForType,
  kindsOf,
  qualifiedName,
  qualifiedPlural,
} from './kinds.ts';
import { type ManifestDoc, readManifests } from './manifests.ts';
import {
  clone,
  dig,
  isObject,
  type Json,
  type JsonObject,
  type K8sObject,
  keyOf,
  objectKey,
} from './objects.ts';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.ts';
import { execInPod } from './pod-exec.ts';
import { portForward } from './port-forward.ts';
import { type Printed, printObjects } from './printers.ts';
import { reconcileState } from './reconcile-state.ts';
import { type LabelSelector, matchesSelector, parseLabelSelector } from './selectors.ts';
import { StandInError, unsupported } from './stand-in-error.ts';
import { capWait, type StandInIo } from './stand-in-io.ts';
import { nodeObject, withStatus } from './status.ts';
import { loadWorld, updateWorld, type World } from './store.ts';

/** Client version the stand-in reports. */
export const KUBECTL_VERSION = 'v1.32.0-mikado-sandbox';

const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'context', value: true },
  { name: 'namespace', short: 'n', value: true },
  { name: 'kubeconfig', value: true },
  { name: 'request-timeout', value: true },
];

const VERBS: Record<string, FlagSpec[]> = {
  apply: [
    { name: 'filename', short: 'f', value: true, multi: true },
    { name: 'kustomize', short: 'k', value: true },
    { name: 'recursive', short: 'R' },
    { name: 'server-side' },
    { name: 'force-conflicts' },
    { name: 'field-manager', value: true },
    { name: 'dry-run', optionalValue: 'client' },
    { name: 'validate', optionalValue: 'true' },
    { name: 'output', short: 'o', value: true },
    { name: 'wait' },
  ],
  get: [
    { name: 'output', short: 'o', value: true },
    { name: 'selector', short: 'l', value: true },
    { name: 'all-namespaces', short: 'A' },
    { name: 'no-headers' },
    { name: 'ignore-not-found' },
    { name: 'filename', short: 'f', value: true, multi: true },
    { name: 'show-kind' },
  ],
  delete: [
    { name: 'filename', short: 'f', value: true, multi: true },
    { name: 'kustomize', short: 'k', value: true },
    { name: 'recursive', short: 'R' },
    { name: 'selector', short: 'l', value: true },
    { name: 'all-namespaces', short: 'A' },
    { name: 'ignore-not-found' },
    { name: 'wait', optionalValue: 'true' },
    { name: 'timeout', value: true },
    { name: 'cascade', optionalValue: 'background' },
    { name: 'grace-period', value: true },
    { name: 'now' },
    { name: 'force' },
  ],
  scale: [
    { name: 'replicas', value: true },
    { name: 'selector', short: 'l', value: true },
    { name: 'timeout', value: true },
  ],
  patch: [
    { name: 'patch', short: 'p', value: true },
    { name: 'patch-file', value: true },
    { name: 'type', value: true },
    { name: 'dry-run', optionalValue: 'client' },
    { name: 'output', short: 'o', value: true },
  ],
  rollout: [
    { name: 'timeout', value: true },
    { name: 'watch', short: 'w', optionalValue: 'true' },
  ],
  wait: [
    { name: 'for', value: true, multi: true },
    { name: 'timeout', value: true },
    { name: 'selector', short: 'l', value: true },
    { name: 'all' },
    { name: 'all-namespaces', short: 'A' },
  ],
  exec: [
    { name: 'stdin', short: 'i' },
    { name: 'tty', short: 't' },
    { name: 'container', short: 'c', value: true },
    { name: 'quiet', short: 'q' },
  ],
  'port-forward': [
    { name: 'address', value: true },
    { name: 'pod-running-timeout', value: true },
  ],
  create: [
    { name: 'from-literal', value: true, multi: true },
    { name: 'from-file', value: true, multi: true },
    { name: 'type', value: true },
    { name: 'dry-run', optionalValue: 'client' },
    { name: 'output', short: 'o', value: true },
  ],
  config: [{ name: 'output', short: 'o', value: true }],
  version: [{ name: 'client' }, { name: 'output', short: 'o', value: true }],
};

/** Context-independent verbs. */
const NO_CONTEXT = new Set(['config', 'version', 'help']);

/**
 * The kubectl stand-in: keeps resource state per context on disk and supports the verbs the
 * Immich chain uses. Anything else fails with "unsupported by the sandbox".
 * @param io arguments, streams, sandbox directory, recorder
 * @returns the exit code
 */
export async function kubectl(io: StandInIo): Promise<number> {
  const { verb, rest } = splitVerb(io.argv);
  if (
    verb === undefined ||
    verb === 'help' ||
    io.argv.includes('--help') ||
    io.argv.includes('-h')
  ) {
    io.stdout.write(helpText(io.dir));
    return 0;
  }
  const specs = VERBS[verb];
  if (!specs)
    throw unsupported(`\`kubectl ${verb}\``, `supported verbs: ${Object.keys(VERBS).join(', ')}`);
  const p = parseArgs(rest, [...GLOBAL_FLAGS, ...specs], `kubectl ${verb}`);
  if (flag(p, 'kubeconfig') !== undefined)
    throw unsupported('`--kubeconfig` (the sandbox has its own contexts)');
  const world = loadWorld(io.dir);
  const ctxName = flag(p, 'context');
  if (ctxName !== undefined) io.recorder.add({ context: ctxName });
  if (!NO_CONTEXT.has(verb)) {
    if (ctxName === undefined) {
      throw new StandInError(
        `error: the sandbox kubectl has no current context; pass --context (one of: ${world.meta.clusters.map((c) => c.context).join(', ')})`,
      );
    }
    contextState(world, ctxName);
  }
  const c: Call = {
    io,
    p,
    world,
    ctx: ctxName ?? '',
    ns: flag(p, 'namespace') ?? 'default',
    nsGiven: flag(p, 'namespace'),
  };
  switch (verb) {
    case 'apply':
      return apply(c);
    case 'get':
      return get(c);
    case 'delete':
      return del(c);
    case 'scale':
      return scale(c);
    case 'patch':
      return patch(c);
    case 'rollout':
      return rollout(c);
    case 'wait':
      return wait(c);
    case 'exec':
      return exec(c);
    case 'port-forward':
      return forward(c);
    case 'create':
      return create(c);
    case 'config':
      return config(c);
    case 'version':
      return version(c);
    default:
      throw unsupported(`\`kubectl ${verb}\``);
  }
}

interface Call {
  io: StandInIo;
  p: ParsedArgs;
  world: World;
  ctx: string;
  ns: string;
  nsGiven?: string;
}

/**
 * Finds kubectl's verb among its arguments (flags may come first).
 * @param argv the arguments after `kubectl`
 * @returns the verb and the other arguments
 */
export function splitVerb(argv: string[]): { verb?: string; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '--context' || a === '-n' || a === '--namespace' || a === '--kubeconfig') {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return { verb: a, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { rest: argv };
}

function helpText(dir: string): string {
  return [
    'kubectl: the mikado sandbox stand-in (NOT the real kubectl).',
    `State: ${dir}/state (contexts minikube-indri and k3s-ringtail), calls recorded in ${dir}/calls.jsonl.`,
    '',
    'Supported:',
    '  apply -f FILE|DIR|- [-k DIR] [-R] [--server-side] [--dry-run=client|server] [-o name|yaml|json]',
    '  get TYPE[/NAME] [NAME...] [-o json|yaml|name|wide|jsonpath=...] [-l SEL] [-A] [--ignore-not-found]',
    '  delete TYPE NAME | TYPE/NAME | -f FILE | -l SEL [--ignore-not-found] [--wait=false]',
    '  scale TYPE/NAME --replicas=N',
    '  patch TYPE NAME -p PATCH [--type strategic|merge|json]',
    '  rollout status|restart TYPE/NAME [--timeout=D]',
    '  wait --for=condition=C[=V]|delete|jsonpath=EXPR=V TYPE/NAME|-l SEL [--timeout=D]',
    '  exec [-i] [-t] [-c CONTAINER] POD|deploy/NAME -- COMMAND...',
    '  port-forward POD|svc/NAME|deploy/NAME [LOCAL:]REMOTE...',
    '  create namespace NAME | create secret generic NAME --from-literal=K=V | create configmap NAME ...',
    '  config get-contexts [-o name], version',
    'Global: --context (required), -n/--namespace, -A.',
    'Anything else fails with "unsupported by the sandbox".',
    '',
  ].join('\n');
}

function kinds(c: Call): KindInfo[] {
  return kindsOf(contextState(c.world, c.ctx));
}

function kindOf(c: Call, type: string): KindInfo {
  const k = kindForType(kinds(c), type);
  if (!k) throw new StandInError(`error: the server doesn't have a resource type "${type}"`);
  return k;
}

function notFound(kind: KindInfo, name: string): StandInError {
  return new StandInError(
    `Error from server (NotFound): ${qualifiedPlural(kind)} "${name}" not found`,
  );
}

/** A resource reference from the command line. */
interface Ref {
  kind: KindInfo;
  name?: string;
}

/** Parses `TYPE NAME...`, `TYPE/NAME...`, `TYPE1,TYPE2` and `all`. */
function parseRefs(c: Call, args: string[]): Ref[] {
  if (args.length === 0) return [];
  if (args.every((a) => a.includes('/'))) {
    return args.map((a) => {
      const [t, n] = [a.slice(0, a.indexOf('/')), a.slice(a.indexOf('/') + 1)];
      return { kind: kindOf(c, t), name: n };
    });
  }
  if (args.slice(1).some((a) => a.includes('/'))) {
    throw new StandInError(
      'error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form',
    );
  }
  const [types, ...names] = args as [string, ...string[]];
  const typeList =
    types === 'all'
      ? ['pods', 'services', 'deployments', 'statefulsets', 'daemonsets']
      : types.split(',');
  const ks = typeList.map((t) => kindOf(c, t));
  if (names.length === 0) return ks.map((kind) => ({ kind }));
  if (ks.length > 1)
    throw new StandInError('error: you must specify only one resource type when naming resources');
  return names.map((name) => ({ kind: ks[0]!, name }));
}

/** Objects of a kind as `get` shows them (pods and nodes are derived). */
function objectsFor(
  c: Call,
  view: ClusterView,
  kind: KindInfo,
  namespace: string | undefined,
): K8sObject[] {
  const ns = kind.namespaced ? namespace : undefined;
  if (kind.group === '' && kind.kind === 'Pod') return view.podsIn(c.ctx, ns).map((p) => p.pod);
  if (kind.group === '' && kind.kind === 'Node') return [nodeObject(view, c.ctx)];
  return listObjects(contextState(view.world, c.ctx), kind, ns).map((o) =>
    withStatus(view, c.ctx, o),
  );
}

function selectorOf(c: Call): LabelSelector | undefined {
  const s = flag(c.p, 'selector');
  return s === undefined ? undefined : parseLabelSelector(s);
}

async function readDocs(c: Call): Promise<ManifestDoc[]> {
  const docs = readManifests({
    files: flags(c.p, 'filename'),
    kustomize: flag(c.p, 'kustomize'),
    recursive: boolFlag(c.p, 'recursive'),
    cwd: c.io.cwd,
    readStdin: () => {
      const text = c.io.readStdinText();
      c.io.recorder.add({ stdin: text });
      return text;
    },
  });
  return docs;
}

function note(
  c: Call,
  kind: KindInfo,
  obj: { metadata: { name: string; namespace?: string } },
): void {
  c.io.recorder.add({
    objects: [`${c.ctx}:${kind.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`],
  });
}

async function apply(c: Call): Promise<number> {
  if (flags(c.p, 'filename').length === 0 && flag(c.p, 'kustomize') === undefined) {
    throw new StandInError('error: must specify one of -f and -k');
  }
  const docs = await readDocs(c);
  if (docs.length === 0) throw new StandInError('error: no objects passed to apply');
  const dry = flag(c.p, 'dry-run');
  const dryRun = dry !== undefined && dry !== 'none';
  if (!dryRun) requireController(c.io.dir);
  const serverSide = boolFlag(c.p, 'server-side');
  const output = flag(c.p, 'output');
  const { lines, errors, objects } = await updateWorld(c.io.dir, (world) => {
    const lines: string[] = [];
    const errors: string[] = [];
    const objects: Printed[] = [];
    for (const d of docs) {
      try {
        const out = applyManifest(world, c.ctx, d.object, {
          serverSide,
          fieldManager:
            flag(c.p, 'field-manager') ?? (serverSide ? 'kubectl' : 'kubectl-client-side-apply'),
          namespaceFlag: c.nsGiven,
          source: d.source,
          dryRun,
        });
        note(c, out.kind, out.object);
        const suffix = dryRun ? (dry === 'server' ? ' (server dry run)' : ' (dry run)') : '';
        lines.push(`${displayName(out.kind, out.object.metadata.name)} ${out.verb}${suffix}`);
        objects.push({ kind: out.kind, obj: out.object });
      } catch (e) {
        if (!(e instanceof StandInError)) throw e;
        errors.push(e.message);
      }
    }
    if (!dryRun) reconcileState(world);
    return { changed: !dryRun, result: { lines, errors, objects } };
  });
  if (output && output !== 'name')
    c.io.stdout.write(printObjects(objects, { output, single: objects.length === 1 }));
  else for (const l of lines) c.io.stdout.write(`${output === 'name' ? l.split(' ')[0] : l}\n`);
  for (const e of errors) c.io.stderr.write(`${e}\n`);
  if (!dryRun) await enforceQuiesce(c.io.dir);
  return errors.length > 0 ? 1 : 0;
}

async function get(c: Call): Promise<number> {
  const view = new ClusterView(c.world);
  const all = boolFlag(c.p, 'all-namespaces');
  const namespace = all ? undefined : c.ns;
  const selector = selectorOf(c);
  const items: Printed[] = [];
  let single = false;
  const errors: string[] = [];
  if (flags(c.p, 'filename').length > 0) {
    for (const d of await readDocs(c)) {
      const kind =
        kindForManifest(kinds(c), d.object.apiVersion, d.object.kind) ?? kindOf(c, d.object.kind);
      const ns = d.object.metadata.namespace ?? c.ns;
      const found = objectsFor(c, view, kind, ns).find(
        (o) => o.metadata.name === d.object.metadata.name,
      );
      if (found) items.push({ kind, obj: found });
      else errors.push(notFound(kind, d.object.metadata.name).message);
    }
    single = items.length === 1;
  } else {
    const refs = parseRefs(c, c.p.args);
    if (refs.length === 0) {
      throw new StandInError(
        'You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.\n\nerror: Required resource not specified.',
      );
    }
    single = refs.length === 1 && refs[0]!.name !== undefined;
    for (const r of refs) {
      const list = objectsFor(c, view, r.kind, namespace);
      if (r.name !== undefined) {
        const o = list.find((x) => x.metadata.name === r.name);
        if (o) items.push({ kind: r.kind, obj: o });
        else if (!boolFlag(c.p, 'ignore-not-found')) errors.push(notFound(r.kind, r.name).message);
      } else {
        for (const o of list) {
          if (selector && !matchesSelector(selector, o.metadata.labels ?? {})) continue;
          items.push({ kind: r.kind, obj: o });
        }
      }
    }
  }
  const output = flag(c.p, 'output');
  if (
    items.length === 0 &&
    errors.length === 0 &&
    (output === undefined || output === 'wide') &&
    !boolFlag(c.p, 'ignore-not-found')
  ) {
    c.io.stderr.write(
      all || !parseRefs(c, c.p.args)[0]?.kind.namespaced
        ? 'No resources found\n'
        : `No resources found in ${c.ns} namespace.\n`,
    );
  } else if (
    items.length > 0 ||
    (output !== undefined && output !== 'wide' && errors.length === 0)
  ) {
    if (!(items.length === 0 && boolFlag(c.p, 'ignore-not-found'))) {
      c.io.stdout.write(
        printObjects(items, {
          output,
          allNamespaces: all,
          noHeaders: boolFlag(c.p, 'no-headers'),
          single,
        }),
      );
    }
  }
  for (const e of errors) c.io.stderr.write(`${e}\n`);
  return errors.length > 0 ? 1 : 0;
}

/** Finds the stored objects a delete/scale/patch/wait names. */
function targetsOf(
  c: Call,
  world: World,
  refs: Ref[],
  allowEmptyName: boolean,
): { kind: KindInfo; obj: K8sObject }[] {
  const ctx = contextState(world, c.ctx);
  const selector = selectorOf(c);
  const all = boolFlag(c.p, 'all-namespaces');
  const out: { kind: KindInfo; obj: K8sObject }[] = [];
  for (const r of refs) {
    if (r.name !== undefined) {
      const o = getObject(ctx, r.kind, c.ns, r.name);
      if (o) out.push({ kind: r.kind, obj: o });
      else if (!boolFlag(c.p, 'ignore-not-found')) throw notFound(r.kind, r.name);
    } else {
      if (!selector && !allowEmptyName)
        throw new StandInError('error: resource(s) were provided, but no name was specified');
      for (const o of listObjects(ctx, r.kind, r.kind.namespaced && !all ? c.ns : undefined)) {
        if (selector && !matchesSelector(selector, o.metadata.labels ?? {})) continue;
        out.push({ kind: r.kind, obj: o });
      }
    }
  }
  return out;
}

async function del(c: Call): Promise<number> {
  requireController(c.io.dir);
  let refs: Ref[] = [];
  const fromFiles = flags(c.p, 'filename').length > 0 || flag(c.p, 'kustomize') !== undefined;
  if (fromFiles) {
    for (const d of await readDocs(c)) {
      const k = kindOf(c, d.object.kind);
      refs.push({ kind: k, name: d.object.metadata.name });
      if (d.object.metadata.namespace && k.namespaced && d.object.metadata.namespace !== c.ns) {
        // honour the manifest's namespace
        refs = refs.slice(0, -1);
        refs.push({
          kind: k,
          name: `${d.object.metadata.namespace}\u0000${d.object.metadata.name}`,
        });
      }
    }
  } else refs = parseRefs(c, c.p.args);
  if (refs.length === 0)
    throw new StandInError(
      'error: You must provide one or more resources by argument or filename.',
    );
  const ignore = boolFlag(c.p, 'ignore-not-found');
  const podRefs = refs.filter(
    (r) => r.kind.group === '' && (r.kind.kind === 'Pod' || r.kind.kind === 'Node'),
  );
  if (podRefs.some((r) => r.kind.kind === 'Node')) throw unsupported('deleting nodes');
  const lines: string[] = [];
  const errors: string[] = [];
  const waitFor: { ctxKey: string; name: string; kind: KindInfo }[] = [];
  await updateWorld(c.io.dir, (world) => {
    const ctx = contextState(world, c.ctx);
    const view = new ClusterView(world);
    const selector = selectorOf(c);
    for (const r of refs) {
      const [nsPart, namePart] = r.name?.includes('\u0000')
        ? r.name.split('\u0000')
        : [c.ns, r.name];
      const ns = nsPart ?? c.ns;
      const name = namePart;
      if (r.kind.group === '' && r.kind.kind === 'Pod') {
        const pods = view
          .podsIn(c.ctx, ns)
          .filter((p) =>
            name !== undefined
              ? p.pod.metadata.name === name
              : selector
                ? matchesSelector(selector, p.pod.metadata.labels ?? {})
                : false,
          );
        if (pods.length === 0 && name !== undefined && !ignore)
          errors.push(notFound(r.kind, name).message);
        for (const p of pods) {
          restartPod(ctx, p);
          lines.push(`pod "${p.pod.metadata.name}" deleted`);
          note(c, r.kind, p.pod);
        }
        continue;
      }
      const objs =
        name !== undefined
          ? [getObject(ctx, r.kind, ns, name)].filter((o): o is K8sObject => o !== undefined)
          : selector
            ? listObjects(ctx, r.kind, r.kind.namespaced ? ns : undefined).filter((o) =>
                matchesSelector(selector, o.metadata.labels ?? {}),
              )
            : [];
      if (objs.length === 0 && name !== undefined && !ignore)
        errors.push(notFound(r.kind, name).message);
      for (const o of objs) {
        requestDeletion(ctx, keyOf(o));
        lines.push(`${qualifiedName(r.kind)} "${o.metadata.name}" deleted`);
        note(c, r.kind, o);
        waitFor.push({ ctxKey: keyOf(o), name: o.metadata.name, kind: r.kind });
      }
    }
    reconcileState(world);
    return { changed: true, result: undefined };
  });
  for (const l of lines) c.io.stdout.write(`${l}\n`);
  for (const e of errors) c.io.stderr.write(`${e}\n`);
  if (flag(c.p, 'wait') !== 'false' && waitFor.length > 0) {
    const timeout = capWait(parseKubeDuration(flag(c.p, 'timeout'), 0) || 3_600_000, c.io.env);
    const deadline = Date.now() + timeout;
    for (;;) {
      const w = loadWorld(c.io.dir);
      const left = waitFor.filter((x) => w.contexts[c.ctx]?.objects[x.ctxKey]);
      if (left.length === 0) break;
      if (Date.now() > deadline) {
        const l = left[0]!;
        const obj = w.contexts[c.ctx]!.objects[l.ctxKey]!;
        const why = obj.metadata.finalizers?.length
          ? ` (finalizers: ${obj.metadata.finalizers.join(', ')})`
          : '';
        c.io.stderr.write(
          `error: timed out waiting for the condition on ${qualifiedPlural(l.kind)}/${l.name}${why}\n`,
        );
        return 1;
      }
      await sleep(100, undefined, { signal: c.io.signal });
    }
  }
  await enforceQuiesce(c.io.dir);
  return errors.length > 0 ? 1 : 0;
}

/** Deleting a managed pod makes its controller create a new one (a restart). */
function restartPod(ctx: ReturnType<typeof contextState>, p: PodInfo): void {
  if (!p.owner) {
    requestDeletion(ctx, objectKey('', 'Pod', p.pod.metadata.namespace ?? '', p.pod.metadata.name));
    return;
  }
  const key = keyOf(p.owner);
  const book = ctx.books[key] ?? {};
  ctx.books[key] = book;
  if (p.cnpgCluster)
    book.controller = { ...book.controller, restartRequested: new Date().toISOString() };
  else book.templateAt = new Date().toISOString();
  ctx.resourceVersion += 1;
}

async function scale(c: Call): Promise<number> {
  requireController(c.io.dir);
  const replicas = flag(c.p, 'replicas');
  if (replicas === undefined || !/^\d+$/.test(replicas))
    throw new StandInError(
      'error: --replicas=COUNT is required, and COUNT must be greater than or equal to 0',
    );
  const refs = parseRefs(c, c.p.args);
  if (refs.length === 0) throw new StandInError('error: required resource not specified');
  const lines = await updateWorld(c.io.dir, (world) => {
    const lines: string[] = [];
    for (const { kind, obj } of targetsOf(c, world, refs, false)) {
      if (!['Deployment', 'StatefulSet', 'ReplicaSet'].includes(kind.kind)) {
        throw unsupported(`scaling ${qualifiedPlural(kind)}`, 'deployments and statefulsets only');
      }
      const next = clone(obj);
      (next['spec'] as JsonObject)['replicas'] = Number(replicas);
      storeObject(contextState(world, c.ctx), next);
      note(c, kind, obj);
      lines.push(`${displayName(kind, obj.metadata.name)} scaled`);
    }
    reconcileState(world);
    return { changed: true, result: lines };
  });
  for (const l of lines) c.io.stdout.write(`${l}\n`);
  await enforceQuiesce(c.io.dir);
  return 0;
}

function parsePatchText(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    try {
      return parseYaml(text) as Json;
    } catch (e) {
      throw new StandInError(`error: unable to parse "${text}": ${(e as Error).message}`);
    }
  }
}

async function patch(c: Call): Promise<number> {
  const refs = parseRefs(c, c.p.args);
  if (refs.length !== 1 || refs[0]!.name === undefined)
    throw new StandInError('error: must specify one resource to patch (TYPE NAME or TYPE/NAME)');
  const ref = refs[0]!;
  if (ref.kind.group === '' && (ref.kind.kind === 'Pod' || ref.kind.kind === 'Node'))
    throw unsupported(`patching ${ref.kind.plural}`);
  const text =
    flag(c.p, 'patch') ??
    (flag(c.p, 'patch-file')
      ? readFileSync(path.resolve(c.io.cwd, flag(c.p, 'patch-file')!), 'utf8')
      : undefined);
  if (text === undefined)
    throw new StandInError(
      'error: must specify --patch or --patch-file containing the contents of the patch',
    );
  const type = flag(c.p, 'type') ?? 'strategic';
  if (!['strategic', 'merge', 'json'].includes(type))
    throw new StandInError(`error: --type must be one of [json merge strategic], not "${type}"`);
  const builtin = !ref.kind.group.includes('.') || ref.kind.group.endsWith('.k8s.io');
  if (type === 'strategic' && !builtin) {
    throw new StandInError(
      `error: application/strategic-merge-patch+json is not supported by ${ref.kind.group}/${ref.kind.versions[0]}, Kind=${ref.kind.kind}: the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
    );
  }
  const body = parsePatchText(text);
  const dry = flag(c.p, 'dry-run');
  const dryRun = dry !== undefined && dry !== 'none';
  if (!dryRun) requireController(c.io.dir);
  const line = await updateWorld(c.io.dir, (world) => {
    const ctx = contextState(world, c.ctx);
    const live = getObject(ctx, ref.kind, c.ns, ref.name!);
    if (!live) throw notFound(ref.kind, ref.name!);
    const doc = live as unknown as Json;
    const result =
      type === 'json'
        ? jsonPatch(doc, body)
        : type === 'merge'
          ? mergePatch(doc, body)
          : strategicMergePatch(doc, body);
    if (!isObject(result)) throw new StandInError('error: the patch must leave an object');
    const patched = result as unknown as K8sObject;
    if (patched.metadata?.name !== live.metadata.name) {
      throw new StandInError(
        `error: the patch would change the object's name (${ref.kind.kind} "${ref.name}")`,
      );
    }
    patched['status'] = live['status'];
    if (patched['status'] === undefined) delete patched['status'];
    admit(world, c.ctx, ref.kind, live, patched, `${ref.kind.plural}/${ref.name}`);
    const same = JSON.stringify(patched) === JSON.stringify(live);
    note(c, ref.kind, live);
    if (!same && !dryRun) {
      storeObject(ctx, patched);
      if (isObject(dig(patched, 'spec', 'template'))) {
        const before = JSON.stringify(dig(live, 'spec', 'template'));
        if (before !== JSON.stringify(dig(patched, 'spec', 'template')))
          ctx.books[keyOf(live)] = {
            ...ctx.books[keyOf(live)],
            templateAt: new Date().toISOString(),
          };
      }
      reconcileState(world);
    }
    return {
      changed: !same && !dryRun,
      result: `${displayName(ref.kind, ref.name!)} patched${same ? ' (no change)' : ''}${dryRun ? ' (dry run)' : ''}`,
    };
  });
  c.io.stdout.write(`${line}\n`);
  await enforceQuiesce(c.io.dir);
  return 0;
}

function workloadReady(
  view: ClusterView,
  ctxName: string,
  obj: K8sObject,
): { done: boolean; message: string } {
  const o = withStatus(view, ctxName, obj);
  const name = obj.metadata.name;
  if (obj.kind === 'DaemonSet') {
    const ready = Number(dig(o, 'status', 'numberAvailable') ?? 0);
    return ready >= 1
      ? { done: true, message: `daemon set "${name}" successfully rolled out` }
      : {
          done: false,
          message: `Waiting for daemon set "${name}" rollout to finish: 0 of 1 updated pods are available...`,
        };
  }
  const want = Number(dig(o, 'spec', 'replicas') ?? 1);
  const avail = Number(dig(o, 'status', 'availableReplicas') ?? 0);
  if (obj.kind === 'StatefulSet') {
    return avail >= want
      ? {
          done: true,
          message: `partitioned roll out complete: ${want} new pods have been updated...`,
        }
      : { done: false, message: `Waiting for ${want - avail} pods to be ready...` };
  }
  return avail >= want
    ? { done: true, message: `deployment "${name}" successfully rolled out` }
    : {
        done: false,
        message: `Waiting for deployment "${name}" rollout to finish: ${avail} of ${want} updated replicas are available...`,
      };
}

async function rollout(c: Call): Promise<number> {
  const [sub, ...args] = c.p.args;
  if (sub !== 'status' && sub !== 'restart')
    throw unsupported(
      `\`kubectl rollout ${sub ?? ''}\``,
      'supported: rollout status, rollout restart',
    );
  const refs = parseRefs(c, args);
  if (refs.length === 0 || refs.some((r) => r.name === undefined))
    throw new StandInError('error: required resource not specified');
  for (const r of refs) {
    if (!['Deployment', 'StatefulSet', 'DaemonSet'].includes(r.kind.kind)) {
      throw new StandInError(`error: no status viewer has been implemented for ${r.kind.kind}`);
    }
  }
  if (sub === 'restart') {
    requireController(c.io.dir);
    const lines = await updateWorld(c.io.dir, (world) => {
      const ctx = contextState(world, c.ctx);
      const out: string[] = [];
      for (const { kind, obj } of targetsOf(c, world, refs, false)) {
        const next = clone(obj);
        const tpl = dig(next, 'spec', 'template') as JsonObject;
        if (!isObject(tpl['metadata'])) tpl['metadata'] = {};
        const meta = tpl['metadata'] as JsonObject;
        meta['annotations'] = {
          ...(isObject(meta['annotations']) ? meta['annotations'] : {}),
          'kubectl.kubernetes.io/restartedAt': new Date().toISOString(),
        };
        storeObject(ctx, next);
        ctx.books[keyOf(obj)] = { ...ctx.books[keyOf(obj)], templateAt: new Date().toISOString() };
        note(c, kind, obj);
        out.push(`${displayName(kind, obj.metadata.name)} restarted`);
      }
      return { changed: true, result: out };
    });
    for (const l of lines) c.io.stdout.write(`${l}\n`);
    return 0;
  }
  const timeout = capWait(parseKubeDuration(flag(c.p, 'timeout'), 0) || 3_600_000, c.io.env);
  const deadline = Date.now() + timeout;
  let last = '';
  for (;;) {
    const world = loadWorld(c.io.dir);
    const view = new ClusterView(world);
    const targets = targetsOf(c, world, refs, false);
    const states = targets.map((t) => workloadReady(view, c.ctx, t.obj));
    const waiting = states.find((s) => !s.done);
    if (!waiting) {
      for (const s of states) c.io.stdout.write(`${s.message}\n`);
      return 0;
    }
    if (waiting.message !== last) {
      c.io.stdout.write(`${waiting.message}\n`);
      last = waiting.message;
    }
    if (flag(c.p, 'watch') === 'false') return 0;
    if (Date.now() > deadline) {
      c.io.stderr.write('error: timed out waiting for the condition\n');
      return 1;
    }
    await sleep(200, undefined, { signal: c.io.signal });
  }
}

interface WaitCondition {
  kind: 'condition' | 'delete' | 'jsonpath' | 'create';
  name?: string;
  value?: string;
  template?: string;
}

function parseFor(text: string): WaitCondition {
  if (text === 'delete') return { kind: 'delete' };
  if (text === 'create') return { kind: 'create' };
  if (text.startsWith('condition=')) {
    const rest = text.slice('condition='.length);
    const eq = rest.indexOf('=');
    return eq < 0
      ? { kind: 'condition', name: rest, value: 'true' }
      : { kind: 'condition', name: rest.slice(0, eq), value: rest.slice(eq + 1) };
  }
  if (text.startsWith('jsonpath=')) {
    const rest = text.slice('jsonpath='.length);
    const close = rest.lastIndexOf('}');
    const tpl = close >= 0 ? rest.slice(0, close + 1) : rest;
    const after = rest.slice(tpl.length);
    const template = tpl.startsWith('{') ? tpl : `{${tpl}}`;
    return {
      kind: 'jsonpath',
      template,
      value: after.startsWith('=') ? after.slice(1) : undefined,
    };
  }
  throw new StandInError(`error: unrecognized condition: "${text}"`);
}

function conditionMet(obj: K8sObject, cond: WaitCondition): boolean {
  if (cond.kind === 'condition') {
    const conditions = (dig(obj, 'status', 'conditions') as JsonObject[] | undefined) ?? [];
    const found = conditions.find(
      (x) => String(x['type']).toLowerCase() === cond.name!.toLowerCase(),
    );
    return (
      found !== undefined && String(found['status']).toLowerCase() === cond.value!.toLowerCase()
    );
  }
  if (cond.kind === 'jsonpath') {
    const v = renderJsonPath(cond.template!, obj);
    return cond.value === undefined ? v !== '' : v === cond.value;
  }
  return true;
}

async function wait(c: Call): Promise<number> {
  const fors = flags(c.p, 'for');
  if (fors.length === 0) throw new StandInError('error: --for must be specified');
  const conds = fors.map(parseFor);
  const refs = parseRefs(c, c.p.args);
  if (refs.length === 0) throw new StandInError('error: resource(s) must be specified');
  const selector = selectorOf(c);
  const all = boolFlag(c.p, 'all');
  if (refs.some((r) => r.name === undefined) && !selector && !all) {
    throw new StandInError('error: resource(s) were provided, but no name was specified');
  }
  const timeout = capWait(parseKubeDuration(flag(c.p, 'timeout'), 30_000), c.io.env);
  const deadline = Date.now() + timeout;
  const isDelete = conds.some((x) => x.kind === 'delete');
  const isCreate = conds.some((x) => x.kind === 'create');
  let first = true;
  for (;;) {
    const world = loadWorld(c.io.dir);
    const view = new ClusterView(world);
    const objs: { kind: KindInfo; obj: K8sObject }[] = [];
    const missing: Ref[] = [];
    for (const r of refs) {
      const list = objectsFor(c, view, r.kind, boolFlag(c.p, 'all-namespaces') ? undefined : c.ns);
      if (r.name !== undefined) {
        const o = list.find((x) => x.metadata.name === r.name);
        if (o) objs.push({ kind: r.kind, obj: o });
        else missing.push(r);
      } else {
        for (const o of list)
          if (!selector || matchesSelector(selector, o.metadata.labels ?? {}))
            objs.push({ kind: r.kind, obj: o });
      }
    }
    if (isDelete) {
      if (objs.length === 0) {
        if (first && missing.length > 0 && refs.every((r) => r.name !== undefined)) {
          // kubectl reports success for objects already gone
        }
        for (const r of refs.filter((x) => x.name !== undefined))
          c.io.stdout.write(`${qualifiedName(r.kind)}/${r.name} condition met\n`);
        return 0;
      }
    } else if (isCreate) {
      if (missing.length === 0 && objs.length > 0) {
        for (const o of objs)
          c.io.stdout.write(`${qualifiedName(o.kind)}/${o.obj.metadata.name} condition met\n`);
        return 0;
      }
    } else {
      if (first && missing.length > 0) {
        c.io.stderr.write(`${notFound(missing[0]!.kind, missing[0]!.name!).message}\n`);
        return 1;
      }
      if (first && objs.length === 0) {
        c.io.stderr.write('error: no matching resources found\n');
        return 1;
      }
      if (objs.length > 0 && objs.every((o) => conds.every((cond) => conditionMet(o.obj, cond)))) {
        for (const o of objs)
          c.io.stdout.write(`${qualifiedName(o.kind)}/${o.obj.metadata.name} condition met\n`);
        return 0;
      }
    }
    first = false;
    if (Date.now() > deadline) {
      const o = objs.find((x) => !conds.every((cond) => conditionMet(x.obj, cond))) ?? objs[0];
      const what = o
        ? `${qualifiedPlural(o.kind)}/${o.obj.metadata.name}`
        : refs.map((r) => `${qualifiedPlural(r.kind)}/${r.name ?? ''}`).join(', ');
      c.io.stderr.write(`error: timed out waiting for the condition on ${what}\n`);
      return 1;
    }
    await sleep(200, undefined, { signal: c.io.signal });
  }
}

/** Finds the pod an `exec`/`port-forward` target names (`POD`, `pod/x`, `deploy/x`, `svc/x`). */
export function podForTarget(
  c: { world: World; ctx: string; ns: string },
  view: ClusterView,
  target: string,
): { pod: PodInfo; service?: K8sObject } {
  const slash = target.indexOf('/');
  const type = slash < 0 ? 'pod' : target.slice(0, slash);
  const name = slash < 0 ? target : target.slice(slash + 1);
  const kind = kindForType(kindsOf(contextState(c.world, c.ctx)), type);
  if (!kind) throw new StandInError(`error: the server doesn't have a resource type "${type}"`);
  const pods = view.podsIn(c.ctx, c.ns);
  if (kind.kind === 'Pod') {
    const pod = pods.find((p) => p.pod.metadata.name === name);
    if (!pod) throw notFound(kind, name);
    return { pod };
  }
  const obj = getObject(contextState(c.world, c.ctx), kind, c.ns, name);
  if (!obj) throw notFound(kind, name);
  let candidates: PodInfo[];
  if (kind.kind === 'Service') {
    const sel = dig(obj, 'spec', 'selector') as Record<string, string> | undefined;
    candidates = pods.filter(
      (p) => sel && Object.entries(sel).every(([k, v]) => p.pod.metadata.labels?.[k] === v),
    );
  } else if (['Deployment', 'StatefulSet', 'DaemonSet', 'Cluster'].includes(kind.kind)) {
    candidates = view.podsOf(c.ctx, obj);
  } else {
    throw unsupported(`exec/port-forward into ${qualifiedPlural(kind)}`);
  }
  const pod = candidates.find((p) => p.running) ?? candidates[0];
  if (!pod)
    throw new StandInError(`error: unable to find a pod for ${qualifiedName(kind)}/${name}`);
  return { pod, service: kind.kind === 'Service' ? obj : undefined };
}

async function exec(c: Call): Promise<number> {
  const [target, ...extra] = c.p.args;
  if (!target)
    throw new StandInError(
      "error: expected 'exec (POD | TYPE/NAME) COMMAND [ARG1] [ARG2] ... [ARGN]'.\nPOD or TYPE/NAME is a required argument for the exec command",
    );
  const command = c.p.rest.length > 0 ? c.p.rest : extra;
  if (extra.length > 0 && c.p.rest.length > 0)
    throw new StandInError(
      'error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead',
    );
  if (command.length === 0)
    throw new StandInError('error: you must specify at least one command for the container');
  const view = new ClusterView(c.world);
  const { pod } = podForTarget(c, view, target);
  return execInPod({
    io: c.io,
    world: c.world,
    view,
    pod,
    container: flag(c.p, 'container'),
    command,
    stdin: boolFlag(c.p, 'stdin'),
    tty: boolFlag(c.p, 'tty'),
  });
}

async function forward(c: Call): Promise<number> {
  const [target, ...ports] = c.p.args;
  if (!target || ports.length === 0)
    throw new StandInError('error: TYPE/NAME and list of ports are required for port-forward');
  const address = flag(c.p, 'address') ?? 'localhost';
  if (!['localhost', '127.0.0.1'].includes(address))
    throw unsupported(`port-forward --address ${address}`, 'the sandbox listens on 127.0.0.1 only');
  return portForward({ io: c.io, ctx: c.ctx, ns: c.ns, target, ports });
}

async function create(c: Call): Promise<number> {
  const [what, ...args] = c.p.args;
  let obj: K8sObject;
  if (what === 'namespace' || what === 'ns') {
    const [name] = args;
    if (!name) throw new StandInError('error: exactly one NAME is required, got 0');
    obj = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
  } else if (what === 'secret' || what === 'configmap' || what === 'cm') {
    let name: string | undefined;
    if (what === 'secret') {
      if (args[0] !== 'generic')
        throw unsupported(
          `\`kubectl create secret ${args[0] ?? ''}\``,
          'only `create secret generic`',
        );
      name = args[1];
    } else name = args[0];
    if (!name) throw new StandInError('error: exactly one NAME is required, got 0');
    const data: Record<string, string> = {};
    for (const lit of flags(c.p, 'from-literal')) {
      const eq = lit.indexOf('=');
      if (eq <= 0)
        throw new StandInError(`error: invalid literal source ${lit}, expected key=value`);
      data[lit.slice(0, eq)] = lit.slice(eq + 1);
    }
    for (const f of flags(c.p, 'from-file')) {
      const eq = f.indexOf('=');
      const key = eq > 0 ? f.slice(0, eq) : path.basename(f);
      const file = eq > 0 ? f.slice(eq + 1) : f;
      data[key] = readFileSync(path.resolve(c.io.cwd, file), 'utf8');
    }
    obj =
      what === 'secret'
        ? {
            apiVersion: 'v1',
            kind: 'Secret',
            type: flag(c.p, 'type') ?? 'Opaque',
            metadata: { name, namespace: c.ns },
            data: Object.fromEntries(
              Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
            ),
          }
        : { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: c.ns }, data };
  } else {
    throw unsupported(
      `\`kubectl create ${what ?? ''}\``,
      'supported: create namespace, create secret generic, create configmap',
    );
  }
  const dry = flag(c.p, 'dry-run');
  const output = flag(c.p, 'output');
  const kind = kindOf(c, obj.kind);
  if (dry !== undefined && dry !== 'none') {
    const shown = clone(obj);
    shown.metadata.creationTimestamp = null as unknown as string;
    if (output === 'yaml') c.io.stdout.write(toYaml(shown));
    else if (output === 'json') c.io.stdout.write(`${JSON.stringify(shown, null, 4)}\n`);
    else c.io.stdout.write(`${displayName(kind, obj.metadata.name)} created (dry run)\n`);
    return 0;
  }
  requireController(c.io.dir);
  await updateWorld(c.io.dir, (world) => {
    const ctx = contextState(world, c.ctx);
    if (getObject(ctx, kind, c.ns, obj.metadata.name)) {
      throw new StandInError(
        `Error from server (AlreadyExists): ${qualifiedPlural(kind)} "${obj.metadata.name}" already exists`,
      );
    }
    admit(world, c.ctx, kind, undefined, obj, `${kind.plural}/${obj.metadata.name}`);
    storeObject(ctx, obj);
    reconcileState(world);
    return { changed: true, result: undefined };
  });
  note(c, kind, obj);
  c.io.stdout.write(
    output === 'name'
      ? `${displayName(kind, obj.metadata.name)}\n`
      : `${displayName(kind, obj.metadata.name)} created\n`,
  );
  return 0;
}

async function config(c: Call): Promise<number> {
  const [sub] = c.p.args;
  const contexts = c.world.meta.clusters.map((x) => x.context);
  if (sub === 'get-contexts') {
    if (flag(c.p, 'output') === 'name') {
      for (const x of contexts) c.io.stdout.write(`${x}\n`);
      return 0;
    }
    const rows = [
      ['CURRENT', 'NAME', 'CLUSTER', 'AUTHINFO', 'NAMESPACE'],
      ...contexts.map((x) => ['', x, x, x, '']),
    ];
    const { formatColumns } = await import('./printers.ts');
    c.io.stdout.write(formatColumns(rows));
    return 0;
  }
  if (sub === 'current-context') {
    c.io.stderr.write('error: current-context is not set (the sandbox kubectl needs --context)\n');
    return 1;
  }
  throw unsupported(
    `\`kubectl config ${sub ?? ''}\``,
    'supported: config get-contexts, config current-context',
  );
}

async function version(c: Call): Promise<number> {
  const out = flag(c.p, 'output');
  const server = c.ctx
    ? c.world.meta.clusters.find((x) => x.context === c.ctx)?.kubeletVersion
    : undefined;
  if (out === 'json' || out === 'yaml') {
    const v: JsonObject = {
      clientVersion: { gitVersion: KUBECTL_VERSION, platform: 'linux/amd64' },
      kustomizeVersion: 'v5.5.0',
      mikadoSandbox: `stand-in, state in ${c.io.dir}`,
    };
    if (server && !boolFlag(c.p, 'client')) v['serverVersion'] = { gitVersion: server };
    c.io.stdout.write(out === 'json' ? `${JSON.stringify(v, null, 2)}\n` : toYaml(v));
    return 0;
  }
  c.io.stdout.write(
    `Client Version: ${KUBECTL_VERSION} (mikado sandbox stand-in for kubectl, not the real kubectl; state in ${c.io.dir})\nKustomize Version: v5.5.0\n`,
  );
  if (server && !boolFlag(c.p, 'client')) c.io.stdout.write(`Server Version: ${server}\n`);
  return 0;
}
