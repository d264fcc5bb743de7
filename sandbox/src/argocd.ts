import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify as toYaml } from 'yaml';
import { applyManifest, displayName, requestDeletion, storeObject } from './api.ts';
import { boolFlag, type FlagSpec, flag, parseArgs } from './argv.ts';
import { ClusterView } from './cluster-view.ts';
import { enforceQuiesce, requireController } from './controller.ts';
import { FORGE_URL, forgeRepoPath } from './forge.ts';
import { kindForManifest, kindsOf } from './kinds.ts';
import { kustomizationFile, kustomize, readManifests } from './manifests.ts';
import {
  clone,
  dig,
  groupOf,
  isObject,
  type JsonObject,
  type K8sObject,
  keyOf,
  objectKey,
} from './objects.ts';
import { formatColumns } from './printers.ts';
import { deleteAppResources, reconcileState, TRACKING_ID } from './reconcile-state.ts';
import { gitRevision } from './sandbox.ts';
import { cnpgOperatorManifests } from './seed.ts';
import { StandInError, unsupported } from './stand-in-error.ts';
import { capWait, type StandInIo } from './stand-in-io.ts';
import { withStatus } from './status.ts';
import { loadWorld, type SandboxCluster, updateWorld, type World } from './store.ts';

/** The context ArgoCD runs in (Applications live in its `argocd` namespace). */
export const ARGOCD_CONTEXT = 'minikube-indri';

const fatal = (message: string): StandInError => new StandInError(`FATA[0000] ${message}`, 20);

/** External sources the sandbox knows without network: repoURL pattern → manifests at a tag. */
const BUILTIN_SOURCES: {
  pattern: RegExp;
  describe: string;
  manifests: (revision: string) => K8sObject[];
}[] = [
  {
    pattern: /\/mirrors\/cloudnative-pg(\.git)?\/?$/,
    describe: 'the CNPG operator release (built into the sandbox)',
    manifests: (revision) => {
      if (!/^v1\.\d+\.\d+$/.test(revision)) {
        throw fatal(
          `rpc error: code = Unknown desc = unable to resolve '${revision}' to a commit SHA (mirrors/cloudnative-pg has release tags v1.x.y)`,
        );
      }
      return cnpgOperatorManifests(revision);
    },
  },
];

const APP_FLAGS: Record<string, FlagSpec[]> = {
  list: [{ name: 'output', short: 'o', value: true }],
  get: [{ name: 'output', short: 'o', value: true }, { name: 'refresh' }, { name: 'hard-refresh' }],
  set: [
    { name: 'revision', value: true },
    { name: 'path', value: true },
    { name: 'dest-server', value: true },
    { name: 'dest-name', value: true },
    { name: 'dest-namespace', value: true },
  ],
  sync: [
    { name: 'prune' },
    { name: 'revision', value: true },
    { name: 'timeout', value: true },
    { name: 'async' },
    { name: 'server-side' },
    { name: 'force' },
    { name: 'retry-limit', value: true },
  ],
  wait: [{ name: 'health' }, { name: 'sync' }, { name: 'timeout', value: true }],
  delete: [
    { name: 'yes', short: 'y' },
    { name: 'cascade', optionalValue: 'true' },
  ],
};

/**
 * The `argocd` stand-in: Applications are objects in minikube-indri's `argocd` namespace
 * (registered with `kubectl apply -f argocd/apps/<app>.yaml`). `app sync` applies the app's
 * `source.path` from the working repository at the app's revision (read with git), or a built-in
 * release for the `mirrors/cloudnative-pg` source, to the cluster its destination names.
 * @param io the call
 * @returns the exit code
 */
export async function argocd(io: StandInIo): Promise<number> {
  const [group, verb, ...rest] = io.argv;
  if (group === 'version') {
    io.stdout.write(
      'argocd: v3.0.11+mikado-sandbox (mikado sandbox stand-in for the argocd CLI)\n',
    );
    return 0;
  }
  if (group === '--help' || group === 'help' || group === undefined) {
    io.stdout.write(
      'argocd: the mikado sandbox stand-in (NOT the real CLI). Supported: app list|get|set|sync|wait|delete, version.\n',
    );
    return 0;
  }
  if (group !== 'app')
    throw unsupported(
      `\`argocd ${group}\``,
      'supported: argocd app list|get|set|sync|wait|delete, argocd version',
    );
  const specs = verb ? APP_FLAGS[verb] : undefined;
  if (!verb || !specs)
    throw unsupported(
      `\`argocd app ${verb ?? ''}\``,
      `supported: ${Object.keys(APP_FLAGS).join(', ')}`,
    );
  const p = parseArgs(
    rest,
    [...specs, { name: 'grpc-web' }, { name: 'server', value: true }, { name: 'insecure' }],
    `argocd app ${verb}`,
  );
  const name = p.args[0]?.replace(/^argocd\//, '');
  if (verb !== 'list' && !name) throw fatal(`app name is required: argocd app ${verb} APPNAME`);
  switch (verb) {
    case 'list':
      return list(io, flag(p, 'output'));
    case 'get':
      return get(io, name!, flag(p, 'output'));
    case 'set':
      return set(io, name!, p.flags as Record<string, string>);
    case 'sync':
      return sync(io, name!, {
        prune: boolFlag(p, 'prune'),
        revision: flag(p, 'revision'),
        serverSide: boolFlag(p, 'server-side'),
      });
    case 'wait':
      return waitApp(io, name!, {
        health: boolFlag(p, 'health'),
        sync: boolFlag(p, 'sync'),
        timeoutMs: Number(flag(p, 'timeout') ?? 0) * 1000,
      });
    case 'delete':
      return deleteApp(io, name!, {
        yes: boolFlag(p, 'yes'),
        cascade: flag(p, 'cascade') !== 'false',
      });
    default:
      throw unsupported(`\`argocd app ${verb}\``);
  }
}

function appOf(world: World, name: string): K8sObject {
  const app =
    world.contexts[ARGOCD_CONTEXT]?.objects[
      objectKey('argoproj.io', 'Application', 'argocd', name)
    ];
  if (!app || app.metadata.deletionTimestamp) {
    throw fatal(`rpc error: code = NotFound desc = applications.argoproj.io "${name}" not found`);
  }
  return app;
}

/**
 * The cluster an Application's destination names (`server` URL or `name`).
 * @param world the world
 * @param app the Application
 * @returns the cluster
 */
export function destinationOf(world: World, app: K8sObject): SandboxCluster {
  const server = dig(app, 'spec', 'destination', 'server');
  const name = dig(app, 'spec', 'destination', 'name');
  const c = world.meta.clusters.find((x) =>
    typeof server === 'string' ? x.server === server : x.argocdNames.includes(String(name)),
  );
  if (!c) {
    throw fatal(
      `rpc error: code = InvalidArgument desc = application spec for ${app.metadata.name} is invalid: InvalidSpecError: there are no clusters with this ${typeof server === 'string' ? `URL: ${server}` : `name: ${String(name)}`}`,
    );
  }
  return c;
}

function shown(view: ClusterView, app: K8sObject): K8sObject {
  return withStatus(view, ARGOCD_CONTEXT, app);
}

async function list(io: StandInIo, output?: string): Promise<number> {
  const world = loadWorld(io.dir);
  const view = new ClusterView(world);
  const apps = Object.values(world.contexts[ARGOCD_CONTEXT]!.objects)
    .filter((o) => o.kind === 'Application' && o.metadata.namespace === 'argocd')
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))
    .map((a) => shown(view, a));
  if (output === 'name') {
    for (const a of apps) io.stdout.write(`argocd/${a.metadata.name}\n`);
    return 0;
  }
  if (output === 'json' || output === 'yaml') {
    io.stdout.write(output === 'json' ? `${JSON.stringify(apps, null, 2)}\n` : toYaml(apps));
    return 0;
  }
  if (output !== undefined && output !== 'wide') throw unsupported(`argocd app list -o ${output}`);
  const rows = [
    [
      'NAME',
      'CLUSTER',
      'NAMESPACE',
      'PROJECT',
      'STATUS',
      'HEALTH',
      'SYNCPOLICY',
      'CONDITIONS',
      'REPO',
      'PATH',
      'TARGET',
    ],
  ];
  for (const a of apps) {
    rows.push([
      `argocd/${a.metadata.name}`,
      String(
        dig(a, 'spec', 'destination', 'server') ?? dig(a, 'spec', 'destination', 'name') ?? '',
      ),
      String(dig(a, 'spec', 'destination', 'namespace') ?? ''),
      String(dig(a, 'spec', 'project') ?? 'default'),
      String(dig(a, 'status', 'sync', 'status') ?? 'Unknown'),
      String(dig(a, 'status', 'health', 'status') ?? 'Unknown'),
      isObject(dig(a, 'spec', 'syncPolicy', 'automated')) ? 'Auto' : 'Manual',
      '<none>',
      String(dig(a, 'spec', 'source', 'repoURL') ?? ''),
      String(dig(a, 'spec', 'source', 'path') ?? ''),
      String(dig(a, 'spec', 'source', 'targetRevision') ?? 'HEAD'),
    ]);
  }
  io.stdout.write(formatColumns(rows));
  return 0;
}

function describe(a: K8sObject): string {
  const res = (dig(a, 'status', 'resources') as JsonObject[] | undefined) ?? [];
  const head = [
    `Name:               argocd/${a.metadata.name}`,
    `Project:            ${String(dig(a, 'spec', 'project') ?? 'default')}`,
    `Server:             ${String(dig(a, 'spec', 'destination', 'server') ?? dig(a, 'spec', 'destination', 'name') ?? '')}`,
    `Namespace:          ${String(dig(a, 'spec', 'destination', 'namespace') ?? '')}`,
    `Repo:               ${String(dig(a, 'spec', 'source', 'repoURL') ?? '')}`,
    `Target:             ${String(dig(a, 'spec', 'source', 'targetRevision') ?? 'HEAD')}`,
    `Path:               ${String(dig(a, 'spec', 'source', 'path') ?? '')}`,
    `Sync Policy:        ${isObject(dig(a, 'spec', 'syncPolicy', 'automated')) ? 'Automated' : 'Manual'}`,
    `Sync Status:        ${String(dig(a, 'status', 'sync', 'status') ?? 'Unknown')}${dig(a, 'status', 'sync', 'revision') ? ` to ${String(dig(a, 'status', 'sync', 'revision'))}` : ''}`,
    `Health Status:      ${String(dig(a, 'status', 'health', 'status') ?? 'Unknown')}`,
  ];
  const op = dig(a, 'status', 'operationState');
  if (isObject(op)) {
    head.push(
      '',
      'Operation:          Sync',
      `Sync Revision:      ${String(dig(op, 'syncResult', 'revision') ?? dig(a, 'status', 'sync', 'revision') ?? '')}`,
      `Phase:              ${String(op['phase'])}`,
      `Message:            ${String(op['message'] ?? '')}`,
    );
  }
  const rows = [['GROUP', 'KIND', 'NAMESPACE', 'NAME', 'STATUS', 'HEALTH', 'HOOK', 'MESSAGE']];
  for (const r of res) {
    rows.push([
      String(r['group'] ?? ''),
      String(r['kind']),
      String(r['namespace'] ?? ''),
      String(r['name']),
      String(r['status'] ?? ''),
      String(dig(r, 'health', 'status') ?? ''),
      '',
      String(r['message'] ?? ''),
    ]);
  }
  return `${head.join('\n')}\n\n${formatColumns(rows)}`;
}

async function get(io: StandInIo, name: string, output?: string): Promise<number> {
  const world = loadWorld(io.dir);
  const a = shown(new ClusterView(world), appOf(world, name));
  if (output === 'json') io.stdout.write(`${JSON.stringify(a, null, 2)}\n`);
  else if (output === 'yaml') io.stdout.write(toYaml(a));
  else if (output === undefined || output === 'wide') io.stdout.write(describe(a));
  else throw unsupported(`argocd app get -o ${output}`);
  return 0;
}

async function set(io: StandInIo, name: string, flags: Record<string, string>): Promise<number> {
  requireController(io.dir);
  if (Object.keys(flags).length === 0)
    throw fatal(
      'nothing to set: pass --revision, --path, --dest-server, --dest-name or --dest-namespace',
    );
  await updateWorld(io.dir, (world) => {
    const app = clone(appOf(world, name));
    const spec = app['spec'] as JsonObject;
    spec['source'] ??= {};
    spec['destination'] ??= {};
    const source = spec['source'] as JsonObject;
    const dest = spec['destination'] as JsonObject;
    if (flags['revision'] !== undefined) source['targetRevision'] = flags['revision'];
    if (flags['path'] !== undefined) source['path'] = flags['path'];
    if (flags['dest-server'] !== undefined) {
      dest['server'] = flags['dest-server'];
      delete dest['name'];
    }
    if (flags['dest-name'] !== undefined) {
      dest['name'] = flags['dest-name'];
      delete dest['server'];
    }
    if (flags['dest-namespace'] !== undefined) dest['namespace'] = flags['dest-namespace'];
    destinationOf(world, app);
    if (isObject(app['status'])) {
      (app['status'] as JsonObject)['sync'] = {
        ...(dig(app, 'status', 'sync') as JsonObject),
        status: 'OutOfSync',
      };
    }
    storeObject(world.contexts[ARGOCD_CONTEXT]!, app);
    io.recorder.add({
      objects: [`${ARGOCD_CONTEXT}:Application/argocd/${name}`],
      notes: Object.entries(flags).map(([k, v]) => `set ${k}=${v}`),
    });
    return { changed: true, result: undefined };
  });
  return 0;
}

/** Reads an Application's manifests: the working repository at a revision, or a built-in source. */
function sourceManifests(
  world: World,
  app: K8sObject,
  revisionOverride?: string,
): { objects: K8sObject[]; revision: string; from: string } {
  const src = dig(app, 'spec', 'source');
  if (dig(app, 'spec', 'sources') !== undefined)
    throw unsupported('multi-source Applications (`spec.sources`)');
  if (!isObject(src)) throw fatal(`application ${app.metadata.name} has no spec.source`);
  if (src['chart'] !== undefined || src['helm'] !== undefined)
    throw unsupported(
      'Helm sources',
      'render the chart into the repository and point `path` at it',
    );
  const repoURL = String(src['repoURL'] ?? '');
  const target = revisionOverride ?? String(src['targetRevision'] ?? 'HEAD');
  const builtin = BUILTIN_SOURCES.find((b) => b.pattern.test(repoURL));
  if (builtin)
    return { objects: builtin.manifests(target), revision: target, from: builtin.describe };
  // The operator's repositories live on the forge (bare repositories in the sandbox): a commit
  // ArgoCD can check out is one that was pushed there.
  const repo = forgeRepoPath(world.paths, repoURL);
  if (!repo || !existsSync(repo)) {
    throw fatal(
      `rpc error: code = Unknown desc = repository not found: ${repoURL}${repo ? '' : ` (the sandbox's forge serves ${FORGE_URL}<owner>/<name>.git)`}`,
    );
  }
  const sha = gitRevision(repo, target);
  if (!sha)
    throw fatal(
      `rpc error: code = Unknown desc = unable to resolve '${target}' to a commit SHA (${repoURL}: push it first)`,
    );
  const appPath = String(src['path'] ?? '.').replace(/^\.\/|\/$/g, '') || '.';
  const tmp = mkdtempSync(path.join(tmpdir(), 'mikado-argocd-'));
  try {
    try {
      // The whole tree, as ArgoCD's repo server checks it out: kustomizations may refer to `../`.
      const tar = execFileSync('git', ['-C', repo, 'archive', '--format=tar', sha], {
        maxBuffer: 256 * 2 ** 20,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      execFileSync('tar', ['-x', '-C', tmp], { input: tar });
    } catch {
      throw fatal(
        `rpc error: code = Unknown desc = ${appPath}: app path does not exist (${repoURL} at ${sha.slice(0, 8)})`,
      );
    }
    const dir = path.join(tmp, appPath);
    if (!existsSync(dir))
      throw fatal(
        `rpc error: code = Unknown desc = ${appPath}: app path does not exist (${repoURL} at ${sha.slice(0, 8)})`,
      );
    const recurse = dig(src, 'directory', 'recurse') === true;
    const docs = kustomizationFile(dir)
      ? kustomize(dir, tmp)
      : readManifests({ files: [dir], recursive: recurse, cwd: tmp, readStdin: () => '' });
    return {
      objects: docs.map((d) => d.object),
      revision: sha,
      from: `${repoURL} ${appPath} at ${sha.slice(0, 8)}`,
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** One row of a sync's result table. */
export interface SyncRow {
  group: string;
  kind: string;
  namespace: string;
  name: string;
  status: string;
  message: string;
}

/** What {@link syncApplication} did. */
export interface SyncResult {
  rows: SyncRow[];
  failed: boolean;
  /** The destination context. */
  context: string;
  /** Where the manifests came from. */
  from: string;
}

/**
 * Syncs an Application: reads its source at its revision (or `revision`), applies every manifest
 * to its destination (server-side with `ServerSideApply=true`, the namespace created with
 * `CreateNamespace=true`), tracks each resource, prunes tracked resources no longer in the source
 * (`prune`, or the automated policy's), and records the sync in the Application's status.
 * @param dir sandbox directory
 * @param name the Application
 * @param o prune, a revision override, server-side apply
 * @returns the rows and whether anything failed
 */
export async function syncApplication(
  dir: string,
  name: string,
  o: { prune: boolean; revision?: string; serverSide: boolean },
): Promise<SyncResult> {
  const world0 = loadWorld(dir);
  const app0 = appOf(world0, name);
  const dest0 = destinationOf(world0, app0);
  const { objects, revision, from } = sourceManifests(world0, app0, o.revision);
  const options = (
    (dig(app0, 'spec', 'syncPolicy', 'syncOptions') as string[] | undefined) ?? []
  ).map(String);
  const serverSide = o.serverSide || options.includes('ServerSideApply=true');
  const createNs = options.includes('CreateNamespace=true');
  const prune = o.prune || dig(app0, 'spec', 'syncPolicy', 'automated', 'prune') === true;
  const destNs = String(dig(app0, 'spec', 'destination', 'namespace') ?? '');
  const started = new Date().toISOString();
  return updateWorld(dir, (world) => {
    const app = appOf(world, name);
    const dest = destinationOf(world, app);
    const ctx = world.contexts[dest.context]!;
    const rows: SyncRow[] = [];
    let failed = false;
    if (createNs && destNs && !ctx.objects[objectKey('', 'Namespace', '', destNs)]) {
      applyManifest(
        world,
        dest.context,
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: destNs } },
        { serverSide, fieldManager: 'argocd-controller', source: from },
      );
      rows.push({
        group: '',
        kind: 'Namespace',
        namespace: '',
        name: destNs,
        status: 'Running',
        message: 'namespace created',
      });
    }
    const keep = new Set<string>();
    for (const m of objects) {
      const manifest = trackedManifest(ctx, name, destNs, m);
      const ns = manifest.metadata.namespace ?? '';
      try {
        const out = applyManifest(world, dest.context, manifest, {
          serverSide,
          fieldManager: 'argocd-controller',
          source: from,
        });
        keep.add(keyOf(out.object));
        rows.push({
          group: out.kind.group,
          kind: out.kind.kind,
          namespace: ns,
          name: manifest.metadata.name,
          status: 'Synced',
          message: `${displayName(out.kind, manifest.metadata.name)} ${out.verb}`,
        });
      } catch (e) {
        if (!(e instanceof StandInError)) throw e;
        failed = true;
        rows.push({
          group: groupOf(manifest.apiVersion),
          kind: manifest.kind,
          namespace: ns,
          name: manifest.metadata.name,
          status: 'SyncFailed',
          message: e.message.replace(/\n/g, ' '),
        });
      }
    }
    if (prune && !failed) {
      for (const [key, obj] of Object.entries(ctx.objects)) {
        const tid = obj.metadata.annotations?.[TRACKING_ID];
        if (tid?.startsWith(`${name}:`) && !keep.has(key)) {
          requestDeletion(ctx, key);
          rows.push({
            group: groupOf(obj.apiVersion),
            kind: obj.kind,
            namespace: obj.metadata.namespace ?? '',
            name: obj.metadata.name,
            status: 'Pruned',
            message: 'pruned',
          });
        }
      }
    }
    reconcileState(world);
    const live = clone(appOf(world, name));
    const prev = isObject(live['status']) ? (live['status'] as JsonObject) : {};
    const history = Array.isArray(prev['history']) ? prev['history'] : [];
    live['status'] = {
      ...prev,
      destinationContext: dest.context,
      sync: { status: failed ? 'OutOfSync' : 'Synced', revision },
      resources: rows
        .filter((r) => r.status !== 'Pruned' && r.status !== 'SyncFailed')
        .map((r) => ({ group: r.group, kind: r.kind, namespace: r.namespace, name: r.name })),
      operationState: {
        phase: failed ? 'Failed' : 'Succeeded',
        message: failed
          ? 'one or more objects failed to apply'
          : 'successfully synced (all tasks run)',
        startedAt: started,
        finishedAt: new Date().toISOString(),
        syncResult: { revision },
      },
      history: failed
        ? history
        : [...history, { id: history.length, revision, deployedAt: new Date().toISOString() }],
    };
    storeObject(world.contexts[ARGOCD_CONTEXT]!, live);
    return { changed: true, result: { rows, failed, context: dest0.context, from } };
  });
}

/** A manifest as an Application applies it: namespaced into the destination, tracked. */
function trackedManifest(
  ctx: World['contexts'][string],
  app: string,
  destNs: string,
  m: K8sObject,
): K8sObject {
  const manifest = clone(m);
  const kind = kindForManifest(kindsOf(ctx), manifest.apiVersion, manifest.kind);
  if (kind?.namespaced && !manifest.metadata.namespace && destNs)
    manifest.metadata.namespace = destNs;
  const ns = kind?.namespaced ? (manifest.metadata.namespace ?? '') : '';
  manifest.metadata.annotations = {
    ...manifest.metadata.annotations,
    [TRACKING_ID]: `${app}:${groupOf(manifest.apiVersion)}/${manifest.kind}:${ns}/${manifest.metadata.name}`,
  };
  return manifest;
}

async function sync(
  io: StandInIo,
  name: string,
  o: { prune: boolean; revision?: string; serverSide: boolean },
): Promise<number> {
  requireController(io.dir);
  const world0 = loadWorld(io.dir);
  const app0 = appOf(world0, name);
  const dest0 = destinationOf(world0, app0);
  const destNs = String(dig(app0, 'spec', 'destination', 'namespace') ?? '');
  const result = await syncApplication(io.dir, name, o);
  io.recorder.add({
    context: dest0.context,
    notes: [`source ${result.from}`, `destination ${dest0.context}${destNs ? `/${destNs}` : ''}`],
    objects: result.rows.map((r) => `${dest0.context}:${r.kind}/${r.namespace}/${r.name}`),
  });
  const ts = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const table = [
    ['TIMESTAMP', 'GROUP', 'KIND', 'NAMESPACE', 'NAME', 'STATUS', 'MESSAGE'],
    ...result.rows.map((r) => [ts, r.group, r.kind, r.namespace, r.name, r.status, r.message]),
  ];
  io.stdout.write(formatColumns(table));
  const world = loadWorld(io.dir);
  io.stdout.write(`\n${describe(shown(new ClusterView(world), appOf(world, name)))}`);
  await enforceQuiesce(io.dir);
  if (result.failed) {
    io.stderr.write('FATA[0001] Operation has completed with phase: Failed\n');
    return 20;
  }
  return 0;
}

/**
 * ArgoCD's automated sync with self-heal, one pass: every Application whose `syncPolicy.automated`
 * has `selfHeal` is synced again when a resource of its source is missing or differs from the
 * source in a field the source sets (a Deployment scaled by hand, a deleted Ingress), or when its
 * revision moved. Reads sources only every few seconds per app, as ArgoCD's reconciliation does.
 * @param dir sandbox directory
 * @param seen per app: when it was last compared (kept by the caller between passes)
 * @returns the names of the apps synced
 */
export async function selfHealApplications(
  dir: string,
  seen: Map<string, number>,
): Promise<string[]> {
  const world = loadWorld(dir);
  const synced: string[] = [];
  const apps = Object.values(world.contexts[ARGOCD_CONTEXT]?.objects ?? {}).filter(
    (o) =>
      o.kind === 'Application' &&
      !o.metadata.deletionTimestamp &&
      isObject(dig(o, 'spec', 'syncPolicy', 'automated')),
  );
  for (const app of apps) {
    const name = app.metadata.name;
    if (Date.now() - (seen.get(name) ?? 0) < SELF_HEAL_INTERVAL_MS) continue;
    seen.set(name, Date.now());
    let drift = false;
    try {
      const dest = destinationOf(world, app);
      const ctx = world.contexts[dest.context]!;
      const { objects, revision } = sourceManifests(world, app);
      const destNs = String(dig(app, 'spec', 'destination', 'namespace') ?? '');
      drift = dig(app, 'status', 'sync', 'revision') !== revision;
      const selfHeal = dig(app, 'spec', 'syncPolicy', 'automated', 'selfHeal') === true;
      for (const m of objects) {
        if (drift || !selfHeal) break;
        const manifest = trackedManifest(ctx, name, destNs, m);
        const live = ctx.objects[keyOf(manifest)];
        const { metadata: _m, ...wanted } = manifest;
        drift = !live || live.metadata.deletionTimestamp !== undefined || !isSubset(wanted, live);
      }
      if (!drift) continue;
      await syncApplication(dir, name, { prune: false, serverSide: false });
      synced.push(name);
    } catch {
      // An app that cannot sync stays as it is (ArgoCD shows it OutOfSync); nothing to heal.
    }
  }
  return synced;
}

/** How often automated apps are compared with their source (ArgoCD's self-heal is 5 s). */
const SELF_HEAL_INTERVAL_MS = 3_000;

function isSubset(wanted: unknown, live: unknown): boolean {
  if (Array.isArray(wanted)) {
    return (
      Array.isArray(live) &&
      live.length === wanted.length &&
      wanted.every((w, i) => isSubset(w, live[i]))
    );
  }
  if (isObject(wanted)) {
    return isObject(live) && Object.entries(wanted).every(([k, v]) => isSubset(v, live[k]));
  }
  return wanted === live;
}

async function waitApp(
  io: StandInIo,
  name: string,
  o: { health: boolean; sync: boolean; timeoutMs: number },
): Promise<number> {
  const deadline = Date.now() + capWait(o.timeoutMs || 3_600_000, io.env);
  const wantHealth = o.health || !o.sync;
  const wantSync = o.sync || !o.health;
  for (;;) {
    const world = loadWorld(io.dir);
    const a = shown(new ClusterView(world), appOf(world, name));
    const healthy = dig(a, 'status', 'health', 'status') === 'Healthy';
    const synced = dig(a, 'status', 'sync', 'status') === 'Synced';
    if ((!wantHealth || healthy) && (!wantSync || synced)) {
      io.stdout.write(describe(a));
      return 0;
    }
    if (Date.now() > deadline) {
      io.stderr.write(
        `FATA[0000] timed out (${Math.round(o.timeoutMs / 1000)}s) waiting for app "${name}" match desired state\n`,
      );
      return 20;
    }
    await sleep(250, undefined, { signal: io.signal });
  }
}

async function deleteApp(
  io: StandInIo,
  name: string,
  o: { yes: boolean; cascade: boolean },
): Promise<number> {
  if (!o.yes)
    throw unsupported('the interactive confirmation of `argocd app delete`', 'pass --yes');
  requireController(io.dir);
  await updateWorld(io.dir, (world) => {
    const app = appOf(world, name);
    const mk = world.contexts[ARGOCD_CONTEXT]!;
    if (o.cascade) deleteAppResources(world.contexts[destinationOf(world, app).context]!, app);
    const key = keyOf(app);
    const next = clone(app);
    next.metadata.finalizers = [];
    storeObject(mk, next);
    requestDeletion(mk, key);
    reconcileState(world);
    io.recorder.add({
      objects: [`${ARGOCD_CONTEXT}:Application/argocd/${name}`],
      notes: [o.cascade ? 'cascade' : 'no cascade'],
    });
    return { changed: true, result: undefined };
  });
  io.stdout.write(`application '${name}' deleted\n`);
  await enforceQuiesce(io.dir);
  return 0;
}
