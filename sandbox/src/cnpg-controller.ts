import { type Dirent, existsSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { cnpgOperatorInstalled } from './admission.ts';
import { removeObject, storeObject } from './api.ts';
import { recordEvent } from './calls.ts';
import { ClusterView } from './cluster-view.ts';
import { newPgClient } from './new-pg-client.ts';
import {
  clone,
  dig,
  isObject,
  type JsonObject,
  type K8sObject,
  keyOf,
  objectKey,
  parseQuantity,
  shortHash,
} from './objects.ts';
import { sandboxPaths } from './paths.ts';
import { PgServer, pgConnectionString } from './pg-server.ts';
import { loadWorld, saveWorld, type World, withLock } from './store.ts';

/** Extensions this machine cannot install (the homelab image has them; the sandbox skips them). */
const UNAVAILABLE_EXTENSIONS =
  /extension "(vchord|vector|vectors)" is not available|could not open extension control file ".*\/(vchord|vector|vectors)\.control"/;

/** What the controller decided for one Cluster, applied to its status under the lock. */
interface ClusterOutcome {
  status?: JsonObject;
  /** Merge into the controller bookkeeping. */
  book?: JsonObject;
  /** Remove the Cluster (its deletion finished). */
  remove?: boolean;
}

/**
 * One pass of the emulated CNPG operator over every Cluster of every context: bootstraps
 * (initdb, or pg_basebackup from an external cluster resolved through the emulated Services),
 * starts servers that are down (a pod restart), promotes a replica cluster when
 * `replica.enabled` turns false, keeps a replica's stream pointed at its source, reconciles
 * managed roles, and stops a deleted Cluster's server (its volume stays).
 * @param dir sandbox directory
 */
export async function reconcileCnpg(dir: string): Promise<void> {
  const world = loadWorld(dir);
  const view = new ClusterView(world);
  for (const [ctxName, ctx] of Object.entries(world.contexts)) {
    if (!cnpgOperatorInstalled(ctx)) continue;
    for (const c of Object.values(ctx.objects)) {
      if (c.kind !== 'Cluster' || !c.apiVersion.startsWith('postgresql.cnpg.io/')) continue;
      let outcome: ClusterOutcome;
      try {
        outcome = await reconcileCluster(world, view, ctxName, c);
      } catch (e) {
        const message = (e as Error).message.split('\n').slice(0, 6).join('\n');
        event(dir, ctxName, c, 'Warning', 'ReconcileError', message);
        outcome = {
          status: { phase: 'Setting up primary', phaseReason: message },
          book: { failedAt: Date.now(), lastError: message },
        };
      }
      await applyOutcome(dir, ctxName, c, outcome);
    }
  }
}

function event(
  dir: string,
  ctxName: string,
  c: K8sObject,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
): void {
  recordEvent(dir, {
    context: ctxName,
    object: `Cluster/${c.metadata.namespace}/${c.metadata.name}`,
    type,
    reason,
    message,
  });
}

async function applyOutcome(
  dir: string,
  ctxName: string,
  c: K8sObject,
  outcome: ClusterOutcome,
): Promise<void> {
  if (!outcome.status && !outcome.book && !outcome.remove) return;
  await withLock(sandboxPaths(dir), () => {
    const world = loadWorld(dir);
    const ctx = world.contexts[ctxName]!;
    const key = keyOf(c);
    const live = ctx.objects[key];
    if (!live || live.metadata.uid !== c.metadata.uid) return;
    let changed = false;
    if (outcome.remove) {
      removeObject(ctx, key);
      changed = true;
    } else {
      if (outcome.book) {
        const book = ctx.books[key] ?? {};
        ctx.books[key] = book;
        const next = { ...book.controller, ...outcome.book };
        if (JSON.stringify(next) !== JSON.stringify(book.controller)) {
          book.controller = next;
          changed = true;
        }
      }
      if (outcome.status) {
        const next = clone(live);
        const prev = isObject(live['status']) ? live['status'] : {};
        const status: JsonObject = { ...prev, ...outcome.status };
        if (JSON.stringify(status) !== JSON.stringify(prev)) {
          if (prev['phase'] !== outcome.status['phase'] && outcome.status['phase']) {
            status['lastTransition'] = new Date().toISOString();
          }
          next['status'] = status;
          storeObject(ctx, next);
          changed = true;
        }
      }
    }
    if (changed) saveWorld(world);
  });
}

async function reconcileCluster(
  world: World,
  view: ClusterView,
  ctxName: string,
  c: K8sObject,
): Promise<ClusterOutcome> {
  const dir = world.paths.dir;
  const ctx = world.contexts[ctxName]!;
  const book = ctx.books[keyOf(c)]?.controller ?? {};
  const server = view.pgServerFor(ctxName, c);
  if (c.metadata.deletionTimestamp) {
    const st = server?.status();
    if (server && st?.running && st.ours) {
      await server.stop({ mode: 'fast' });
      event(
        dir,
        ctxName,
        c,
        'Normal',
        'DeletedInstance',
        `stopped the server of ${c.metadata.name}-1; its PVC and data are kept`,
      );
    }
    return { remove: true };
  }
  if (!server) {
    return {
      status: {
        phase: 'Setting up primary',
        phaseReason: `waiting for PVC ${c.metadata.name}-1 to be bound`,
      },
    };
  }
  if (typeof book['failedAt'] === 'number' && Date.now() - book['failedAt'] < 3_000) return {};
  // The volume is as large as the claim asks: PostgreSQL stops when it fills up (a write that
  // finds no space makes it PANIC) and cannot start again until there is room.
  const full = volumeOverflow(ctx, c, server);
  if (full) {
    const running = server.status();
    if (running.running && running.ours) {
      await server.stop({ mode: 'immediate' }).catch(() => undefined);
      event(dir, ctxName, c, 'Warning', 'DiskFull', full);
    }
    return {
      status: {
        phase: 'Not enough disk space',
        phaseReason: `${full}: free space on the volume or grow spec.storage.size`,
        readyInstances: 0,
      },
    };
  }
  let st = server.status();
  const replica = dig(c, 'spec', 'replica', 'enabled') === true;
  const status: JsonObject = {};
  const newBook: JsonObject = {};
  if (!st.initialized) {
    await bootstrap(world, view, ctxName, c, server);
    status['instancesStartedAt'] = new Date().toISOString();
    st = server.status();
  }
  if (!st.running) {
    if (existsSync(path.join(server.dataDir, 'postmaster.pid')) && !st.stale) {
      throw new Error(`a server mikado did not start runs in ${server.dataDir}`);
    }
    await server.start();
    event(dir, ctxName, c, 'Normal', 'InstanceStarted', `started ${c.metadata.name}-1`);
    st = server.status();
  } else if (!st.ours) {
    throw new Error(`a server mikado did not start runs in ${server.dataDir} (pid ${st.pid})`);
  }
  if (book['restartRequested'] && book['restartRequested'] !== book['restartDone']) {
    await server.stop({ mode: 'fast' });
    await server.start();
    newBook['restartDone'] = book['restartRequested'];
    event(
      dir,
      ctxName,
      c,
      'Normal',
      'InstanceRestarted',
      `restarted ${c.metadata.name}-1 (pod deleted)`,
    );
    st = server.status();
  }
  if (st.standby && !replica) {
    await promote(
      dir,
      ctxName,
      c,
      server,
      `promoted ${c.metadata.name}-1: replica.enabled is false`,
    );
    newBook['promotedAt'] = new Date().toISOString();
    st = server.status();
  }
  const configHash = instanceConfigHash(ctx, c, st.standby);
  if (book['configHash'] !== configHash) {
    await configureInstance(world, ctxName, c, server, st.standby);
    newBook['configHash'] = configHash;
  }
  if (st.standby) {
    await followSource(world, view, ctxName, c, server);
  } else {
    const roles = dig(c, 'spec', 'managed', 'roles');
    const hash = shortHash(
      JSON.stringify(roles ?? []) + JSON.stringify(secretVersions(ctx, c)),
      16,
    );
    if (book['rolesHash'] !== hash) {
      status['managedRolesStatus'] = await reconcileRoles(world, ctxName, c, server);
      newBook['rolesHash'] = hash;
    }
  }
  Object.assign(status, {
    phase: 'Cluster in healthy state',
    phaseReason: '',
    instances: 1,
    readyInstances: 1,
    instanceNames: [`${c.metadata.name}-1`],
    currentPrimary: `${c.metadata.name}-1`,
    targetPrimary: `${c.metadata.name}-1`,
    writeService: `${c.metadata.name}-rw`,
    readService: `${c.metadata.name}-r`,
    image: String(dig(c, 'spec', 'imageName') ?? 'ghcr.io/cloudnative-pg/postgresql:17.5'),
    ...(replica ? { switchReplicaClusterStatus: { inProgress: false } } : {}),
  });
  if (!isObject(c['status']) || !(c['status'] as JsonObject)['instancesStartedAt']) {
    status['instancesStartedAt'] ??= new Date().toISOString();
  }
  newBook['failedAt'] = null;
  newBook['lastError'] = null;
  return { status, book: newBook };
}

/** Bytes the files under a directory take (their apparent sizes, holes included). */
function usedBytes(dir: string): number {
  let total = 0;
  const walk = (d: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (e.isFile()) {
        try {
          total += statSync(f).size;
        } catch {}
      }
    }
  };
  walk(dir);
  return total;
}

/**
 * How long a volume's measured size stands. Measuring stats every file of the volume (a
 * PostgreSQL data directory holds about a thousand), and the controller passes after every state
 * change, many times a second during a run; a full volume is noticed within this delay, as the
 * kubelet's own volume statistics lag behind.
 */
const USAGE_TTL_MS = 1_000;
const usage = new Map<string, { at: number; bytes: number }>();

/** {@link usedBytes}, measured again at most once per {@link USAGE_TTL_MS}. */
function measuredUsage(dir: string): number {
  const now = Date.now();
  const last = usage.get(dir);
  if (last && now - last.at < USAGE_TTL_MS) return last.bytes;
  const bytes = usedBytes(dir);
  usage.set(dir, { at: now, bytes });
  return bytes;
}

/**
 * Whether an instance's volume holds more than its claim's size: the message, or undefined.
 * The sandbox's volumes are directories; their size is the claim's `resources.requests.storage`,
 * and what they hold is the apparent size of their files.
 */
function volumeOverflow(
  ctx: World['contexts'][string],
  c: K8sObject,
  server: PgServer,
): string | undefined {
  const pvc =
    ctx.objects[
      objectKey('', 'PersistentVolumeClaim', c.metadata.namespace ?? '', `${c.metadata.name}-1`)
    ];
  const size = parseQuantity(dig(pvc, 'spec', 'resources', 'requests', 'storage'));
  if (!(size > 0)) return undefined;
  const used = measuredUsage(server.dir);
  if (used <= size) return undefined;
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  return `No space left on device: volume of ${c.metadata.name}-1 holds ${mib(used)} of ${mib(size)}`;
}

function secretVersions(ctx: World['contexts'][string], c: K8sObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of (dig(c, 'spec', 'managed', 'roles') as JsonObject[] | undefined) ?? []) {
    const s = dig(r, 'passwordSecret', 'name');
    if (typeof s !== 'string') continue;
    const obj = ctx.objects[objectKey('', 'Secret', c.metadata.namespace ?? '', s)];
    out[s] = obj?.metadata.resourceVersion ?? 'missing';
  }
  return out;
}

async function withClient<T>(
  server: PgServer,
  database: string,
  fn: (c: pg.Client) => Promise<T>,
): Promise<T> {
  const client = await newPgClient({
    connectionString: server.connectionString(database),
    application_name: 'cnpg-instance-manager',
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const ident = (s: string): string => `"${s.replace(/"/g, '""')}"`;
const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;

function linkPgdata(server: PgServer): void {
  const link = path.join(server.dir, 'pgdata');
  if (!existsSync(link)) {
    try {
      symlinkSync('data', link);
    } catch {}
  }
}

async function bootstrap(
  world: World,
  view: ClusterView,
  ctxName: string,
  c: K8sObject,
  server: PgServer,
): Promise<void> {
  const dir = world.paths.dir;
  const bs = dig(c, 'spec', 'bootstrap');
  const method = isObject(bs) ? Object.keys(bs)[0] : 'initdb';
  // A failed earlier attempt may have left a partial data directory: start clean.
  rmSync(server.dataDir, { recursive: true, force: true });
  try {
    if (method === 'pg_basebackup') {
      await bootstrapBasebackup(world, view, ctxName, c, server);
    } else if (method === 'initdb' || method === undefined) {
      await bootstrapInitdb(world, ctxName, c, server);
    } else {
      throw new Error(
        `unsupported by the sandbox: bootstrap method \`${method}\` (supported: initdb, pg_basebackup)`,
      );
    }
  } catch (e) {
    const st = server.status();
    if (st.running && st.ours) await server.stop({ mode: 'immediate' }).catch(() => undefined);
    rmSync(server.dataDir, { recursive: true, force: true });
    throw e;
  }
  linkPgdata(server);
  event(
    dir,
    ctxName,
    c,
    'Normal',
    'Bootstrapped',
    `${method ?? 'initdb'} done for ${c.metadata.name}-1`,
  );
}

/** Parameters CNPG sets unless the Cluster says otherwise (the ones the chain relies on). */
const CNPG_DEFAULT_PARAMETERS: Record<string, string> = { wal_keep_size: '512MB' };

/**
 * The `pg_hba.conf` CNPG writes for an instance: its fixed rules, the Cluster's
 * `spec.postgresql.pg_hba` lines, and the default rule. One line is the sandbox's own: the
 * emulated operator and the tests reach the server as `postgres` over 127.0.0.1 without a
 * password (what CNPG's instance manager does over the local socket, `peer`); everything else,
 * port-forwarded clients included (they come from 127.0.0.2), needs what the real server needs.
 * Replication connections match none of the `all`-database rules, so only `streaming_replica`
 * with its certificate, or a `host replication ...` rule of the Cluster, lets a replica in.
 * @param c the Cluster
 * @returns the file's text
 */
export function cnpgHba(c: K8sObject): string {
  const user = dig(c, 'spec', 'postgresql', 'pg_hba');
  return `${[
    '# CNPG fixed rules (mikado sandbox)',
    'local all all trust',
    'host all postgres 127.0.0.1/32 trust',
    'hostssl postgres streaming_replica all cert',
    'hostssl replication streaming_replica all cert',
    '# spec.postgresql.pg_hba',
    ...(Array.isArray(user) ? user.map(String) : []),
    '# CNPG default',
    'host all all all scram-sha-256',
  ].join('\n')}\n`;
}

function secretData(
  ctx: World['contexts'][string],
  namespace: string,
  name: string,
): Record<string, string> | undefined {
  const secret = ctx.objects[objectKey('', 'Secret', namespace, name)];
  if (!secret) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((secret['data'] as JsonObject | undefined) ?? {})) {
    out[k] = Buffer.from(String(v), 'base64').toString();
  }
  return out;
}

/** What {@link configureInstance} applies, as a hash: it runs again when any of it changes. */
function instanceConfigHash(
  ctx: World['contexts'][string],
  c: K8sObject,
  standby: boolean,
): string {
  const ns = c.metadata.namespace ?? 'default';
  const version = (name: string) =>
    ctx.objects[objectKey('', 'Secret', ns, name)]?.metadata.resourceVersion ?? '-';
  return shortHash(
    JSON.stringify([
      cnpgHba(c),
      dig(c, 'spec', 'postgresql', 'parameters') ?? null,
      dig(c, 'spec', 'enableSuperuserAccess') ?? null,
      ['ca', 'server', 'superuser', 'app'].map((s) => version(`${c.metadata.name}-${s}`)),
      standby,
    ]),
    16,
  );
}

/**
 * Configures an instance as CNPG's instance manager does: its certificates and TLS, its
 * `pg_hba.conf`, the Cluster's `postgresql.parameters` that a reload applies (CNPG's defaults
 * otherwise), and on a primary the `postgres` password (from `<cluster>-superuser` with
 * `enableSuperuserAccess`, none without) and the application owner's (from `<cluster>-app`).
 */
async function configureInstance(
  world: World,
  ctxName: string,
  c: K8sObject,
  server: PgServer,
  standby: boolean,
): Promise<void> {
  const ctx = world.contexts[ctxName]!;
  const ns = c.metadata.namespace ?? 'default';
  const name = c.metadata.name;
  const ca = secretData(ctx, ns, `${name}-ca`);
  const tls = secretData(ctx, ns, `${name}-server`);
  const settings: Record<string, string> = {
    ...CNPG_DEFAULT_PARAMETERS,
    ...Object.fromEntries(
      Object.entries(
        (dig(c, 'spec', 'postgresql', 'parameters') as JsonObject | undefined) ?? {},
      ).map(([k, v]) => [k, String(v)]),
    ),
  };
  if (ca?.['ca.crt'] && tls?.['tls.crt'] && tls['tls.key']) {
    server.writeServerFile('data/ca.crt', ca['ca.crt']);
    server.writeServerFile('data/server.crt', tls['tls.crt']);
    server.writeServerFile('data/server.key', tls['tls.key']);
    Object.assign(settings, {
      ssl: 'on',
      ssl_ca_file: 'ca.crt',
      ssl_cert_file: 'server.crt',
      ssl_key_file: 'server.key',
    });
  }
  server.writeServerFile('data/pg_hba.conf', cnpgHba(c));
  await withClient(server, 'postgres', async (client) => {
    const contexts = new Map(
      (
        await client.query<{ name: string; context: string }>(
          'select name, context from pg_settings where name = any($1)',
          [Object.keys(settings)],
        )
      ).rows.map((r) => [r.name, r.context]),
    );
    for (const [key, value] of Object.entries(settings)) {
      const context = contexts.get(key);
      if (!context || !['sighup', 'user', 'superuser', 'superuser-backend'].includes(context)) {
        event(
          world.paths.dir,
          ctxName,
          c,
          'Warning',
          'SandboxSkippedSetting',
          `parameter ${key}=${value} not applied (${context ? 'needs a restart' : 'unknown'} in the sandbox)`,
        );
        continue;
      }
      await client.query(`alter system set ${ident(key)} = ${literal(value)}`);
    }
    await client.query('select pg_reload_conf()');
    if (standby) return;
    const su = secretData(ctx, ns, `${name}-superuser`);
    const superuser =
      dig(c, 'spec', 'enableSuperuserAccess') === true ? su?.['password'] : undefined;
    await client.query(`alter role postgres password ${superuser ? literal(superuser) : 'null'}`);
    const app = secretData(ctx, ns, `${name}-app`);
    const owner = app?.['username'];
    if (owner && app['password'] && owner !== 'postgres') {
      const exists = (await client.query('select 1 from pg_roles where rolname = $1', [owner]))
        .rowCount;
      if (exists)
        await client.query(`alter role ${ident(owner)} password ${literal(app['password'])}`);
    }
  });
}

async function runStatements(
  dir: string,
  ctxName: string,
  c: K8sObject,
  server: PgServer,
  database: string,
  statements: unknown,
): Promise<void> {
  if (!Array.isArray(statements)) return;
  await withClient(server, database, async (client) => {
    for (const sql of statements) {
      try {
        await client.query(String(sql));
      } catch (e) {
        const msg = (e as Error).message;
        if (
          UNAVAILABLE_EXTENSIONS.test(msg) ||
          UNAVAILABLE_EXTENSIONS.test(String(sql).toLowerCase() + msg)
        ) {
          event(
            dir,
            ctxName,
            c,
            'Warning',
            'SandboxSkippedSQL',
            `skipped \`${String(sql)}\` in ${database}: ${msg} (not installable on this machine)`,
          );
          continue;
        }
        throw new Error(`\`${String(sql)}\` failed in database ${database}: ${msg}`);
      }
    }
  });
}

async function bootstrapInitdb(
  world: World,
  ctxName: string,
  c: K8sObject,
  server: PgServer,
): Promise<void> {
  const dir = world.paths.dir;
  const init = dig(c, 'spec', 'bootstrap', 'initdb') ?? {};
  if (isObject(init) && init['import'] !== undefined) {
    throw new Error(
      'unsupported by the sandbox: `bootstrap.initdb.import` (use pg_dump/pg_restore through kubectl exec)',
    );
  }
  const database = String(dig(init, 'database') ?? 'app');
  const owner = String(dig(init, 'owner') ?? database);
  const preload = dig(c, 'spec', 'postgresql', 'shared_preload_libraries');
  if (Array.isArray(preload) && preload.length > 0) {
    event(
      dir,
      ctxName,
      c,
      'Warning',
      'SandboxSkippedSetting',
      `shared_preload_libraries ${JSON.stringify(preload)} not loaded (not installed on this machine)`,
    );
  }
  await server.init();
  await server.start();
  const ctx = world.contexts[ctxName]!;
  const app =
    ctx.objects[objectKey('', 'Secret', c.metadata.namespace ?? '', `${c.metadata.name}-app`)];
  const pw = Buffer.from(String(dig(app, 'data', 'password') ?? ''), 'base64').toString();
  await withClient(server, 'postgres', async (client) => {
    await client.query('create role streaming_replica with login replication');
    if (owner !== 'postgres') {
      await client.query(
        `create role ${ident(owner)} with login${pw ? ` password ${literal(pw)}` : ''}`,
      );
    }
    if (database !== 'postgres')
      await client.query(`create database ${ident(database)} owner ${ident(owner)}`);
  });
  await runStatements(dir, ctxName, c, server, 'postgres', dig(init, 'postInitSQL'));
  await runStatements(dir, ctxName, c, server, 'template1', dig(init, 'postInitTemplateSQL'));
  await runStatements(dir, ctxName, c, server, database, dig(init, 'postInitApplicationSQL'));
}

/** An external cluster, resolved to the real server behind the emulated Service. */
interface ExternalSource {
  server: PgServer;
  user: string;
  host: string;
  via: string;
  /** libpq connection string a pod of this Cluster would use (host and port made local). */
  conninfo: string;
}

const conninfoValue = (v: string): string =>
  /^[\w./:@-]+$/.test(v) ? v : `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * Resolves an external cluster's host and port to the real server behind the emulated Service,
 * and builds the connection a pod of this Cluster makes: its user and database, its `sslmode`,
 * the password from its `password` Secret, the client certificate, key and root CA from its
 * `sslCert`/`sslKey`/`sslRootCert` Secrets (written under the instance's volume, readable by the
 * server only).
 */
function resolveExternal(
  view: ClusterView,
  ctxName: string,
  c: K8sObject,
  name: string,
  server: PgServer,
): ExternalSource {
  const ext = ((dig(c, 'spec', 'externalClusters') as JsonObject[] | undefined) ?? []).find(
    (e) => e['name'] === name,
  );
  if (!ext) throw new Error(`external cluster \`${name}\` not found in spec.externalClusters`);
  const params = isObject(ext['connectionParameters']) ? ext['connectionParameters'] : {};
  const host = String(params['host'] ?? '');
  const port = Number(params['port'] ?? 5432);
  const ns = c.metadata.namespace ?? 'default';
  const ctx = view.world.contexts[ctxName]!;
  const secretValue = (field: string): string | undefined => {
    const ref = dig(ext, field);
    if (!isObject(ref)) return undefined;
    const secret = ctx.objects[objectKey('', 'Secret', ns, String(ref['name']))];
    if (!secret)
      throw new Error(
        `secret "${String(ref['name'])}" not found (externalClusters[${name}].${field})`,
      );
    const v = dig(secret, 'data', String(ref['key']));
    if (typeof v !== 'string') {
      throw new Error(`key "${String(ref['key'])}" not found in secret "${String(ref['name'])}"`);
    }
    return Buffer.from(v, 'base64').toString();
  };
  const password = secretValue('password');
  const files: [string, string, string | undefined][] = [
    ['sslcert', 'tls.crt', secretValue('sslCert')],
    ['sslkey', 'tls.key', secretValue('sslKey')],
    ['sslrootcert', 'ca.crt', secretValue('sslRootCert')],
  ];
  if (!host) throw new Error(`externalClusters[${name}].connectionParameters.host is empty`);
  const svc = view.resolveHost(ctxName, ns, host);
  if (!svc)
    throw new Error(
      `could not translate host name "${host}" to address: Name or service not known`,
    );
  const backend = view.serviceBackend(svc, port);
  if (backend?.kind !== 'pg') {
    throw new Error(`connection to server at "${host}", port ${port} failed: Connection refused`);
  }
  const st = backend.server.status();
  if (!st.running)
    throw new Error(`connection to server at "${host}", port ${port} failed: Connection refused`);
  const user = String(params['user'] ?? 'postgres');
  const conn: Record<string, string> = {
    host: '127.0.0.1',
    port: String(st.port),
    user,
    dbname: String(params['dbname'] ?? 'postgres'),
    application_name: c.metadata.name,
    sslmode: String(params['sslmode'] ?? 'prefer'),
  };
  for (const [key, file, text] of files) {
    if (text !== undefined) conn[key] = server.writeServerFile(`external/${name}/${file}`, text);
  }
  if (password !== undefined) conn['password'] = password;
  return {
    server: backend.server,
    user,
    host,
    via: `${svc.via} → ${svc.context}/${svc.namespace}/${svc.service.metadata.name}`,
    conninfo: Object.entries(conn)
      .map(([k, v]) => `${k}=${conninfoValue(v)}`)
      .join(' '),
  };
}

async function bootstrapBasebackup(
  world: World,
  view: ClusterView,
  ctxName: string,
  c: K8sObject,
  server: PgServer,
): Promise<void> {
  const dir = world.paths.dir;
  const source = String(dig(c, 'spec', 'bootstrap', 'pg_basebackup', 'source'));
  const ext = resolveExternal(view, ctxName, c, source, server);
  event(
    dir,
    ctxName,
    c,
    'Normal',
    'BaseBackup',
    `pg_basebackup from ${ext.host} (${ext.via}) as ${ext.user}`,
  );
  await server.basebackup(ext.conninfo);
  linkPgdata(server);
  await server.start();
  if (dig(c, 'spec', 'replica', 'enabled') !== true) {
    await promote(
      dir,
      ctxName,
      c,
      server,
      `${c.metadata.name}-1 promoted after pg_basebackup (no replica mode)`,
    );
  }
}

/** Promotes the cluster's standby and records the `Promoted` event. */
async function promote(
  dir: string,
  ctxName: string,
  c: K8sObject,
  server: PgServer,
  message: string,
): Promise<void> {
  await server.promote();
  event(dir, ctxName, c, 'Normal', 'Promoted', message);
}

/** Keeps a replica cluster's stream pointed at its source, or cuts it when the source is gone. */
async function followSource(
  world: World,
  view: ClusterView,
  ctxName: string,
  c: K8sObject,
  server: PgServer,
): Promise<void> {
  const source = String(
    dig(c, 'spec', 'replica', 'source') ??
      dig(c, 'spec', 'bootstrap', 'pg_basebackup', 'source') ??
      '',
  );
  let wanted: string;
  try {
    wanted = resolveExternal(view, ctxName, c, source, server).conninfo;
  } catch {
    // The source is unreachable from here: the stream stops, as it would on the real network.
    wanted = `host=127.0.0.1 port=1 user=postgres application_name=${c.metadata.name}`;
  }
  await withClient(server, 'postgres', async (client) => {
    const cur =
      (await client.query<{ primary_conninfo: string }>('show primary_conninfo')).rows[0]
        ?.primary_conninfo ?? '';
    const wantPort = /port=(\d+)/.exec(wanted)?.[1];
    if (cur !== wanted) {
      await client.query(`alter system set primary_conninfo = ${literal(wanted)}`);
      await client.query('select pg_reload_conf()');
      event(
        world.paths.dir,
        ctxName,
        c,
        wantPort === '1' ? 'Warning' : 'Normal',
        'ReplicaSource',
        wantPort === '1'
          ? `external cluster ${source} unreachable: streaming stopped`
          : `streaming from ${source} (port ${wantPort})`,
      );
    }
  });
}

async function reconcileRoles(
  world: World,
  ctxName: string,
  c: K8sObject,
  server: PgServer,
): Promise<JsonObject> {
  const roles = (dig(c, 'spec', 'managed', 'roles') as JsonObject[] | undefined) ?? [];
  const ctx = world.contexts[ctxName]!;
  const reconciled: string[] = [];
  const cannot: Record<string, string[]> = {};
  await withClient(server, 'postgres', async (client) => {
    for (const r of roles) {
      const name = String(r['name']);
      try {
        if (r['ensure'] === 'absent') {
          await client.query(`drop role if exists ${ident(name)}`);
          reconciled.push(name);
          continue;
        }
        let password = '';
        const ps = dig(r, 'passwordSecret', 'name');
        if (typeof ps === 'string') {
          const secret = ctx.objects[objectKey('', 'Secret', c.metadata.namespace ?? '', ps)];
          const pw = dig(secret, 'data', 'password');
          if (typeof pw !== 'string')
            throw new Error(`secret "${ps}" not found or has no \`password\``);
          password = Buffer.from(pw, 'base64').toString();
        }
        const exists = (await client.query('select 1 from pg_roles where rolname = $1', [name]))
          .rowCount;
        if (!exists) await client.query(`create role ${ident(name)}`);
        const flag = (key: string, word: string, dflt = false) =>
          (r[key] ?? dflt) ? word : `NO${word}`;
        const attrs = [
          flag('login', 'LOGIN'),
          flag('superuser', 'SUPERUSER'),
          flag('createdb', 'CREATEDB'),
          flag('createrole', 'CREATEROLE'),
          flag('replication', 'REPLICATION'),
          flag('inherit', 'INHERIT', true),
          flag('bypassrls', 'BYPASSRLS'),
          `CONNECTION LIMIT ${Number(r['connectionLimit'] ?? -1)}`,
          ...(password ? [`PASSWORD ${literal(password)}`] : []),
        ];
        await client.query(`alter role ${ident(name)} with ${attrs.join(' ')}`);
        for (const g of (r['inRoles'] as string[] | undefined) ?? []) {
          await client.query(`grant ${ident(g)} to ${ident(name)}`);
        }
        reconciled.push(name);
      } catch (e) {
        cannot[name] = [(e as Error).message];
      }
    }
  });
  return {
    byStatus: { reconciled, reserved: ['postgres', 'streaming_replica'] },
    ...(Object.keys(cannot).length > 0 ? { cannotReconcile: cannot } : {}),
  };
}

/**
 * Deletes the directories of PersistentVolumes whose claim went and whose reclaim policy is
 * `Delete` (the provisioner's job), stopping a leftover server first; then removes the PVs.
 * @param dir sandbox directory
 */
export async function reclaimVolumes(dir: string): Promise<void> {
  const world = loadWorld(dir);
  const view = new ClusterView(world);
  const done: [string, string][] = [];
  for (const [ctxName, ctx] of Object.entries(world.contexts)) {
    for (const pv of Object.values(ctx.objects)) {
      if (pv.kind !== 'PersistentVolume' || !pv.metadata.deletionTimestamp) continue;
      if (
        dig(pv, 'status', 'phase') !== 'Released' ||
        dig(pv, 'spec', 'persistentVolumeReclaimPolicy') !== 'Delete'
      )
        continue;
      const host = view.pvHostPath(ctxName, pv);
      if ('hostPath' in host && !host.nfs) {
        if (existsSync(path.join(host.hostPath, 'data'))) {
          const s = new PgServer(host.hostPath);
          const st = s.status();
          if (st.running && st.ours) await s.stop({ mode: 'fast' });
          else if (st.running) continue; // never touch a server mikado did not start
        }
        rmSync(host.hostPath, { recursive: true, force: true });
        recordEvent(dir, {
          context: ctxName,
          object: `PersistentVolume//${pv.metadata.name}`,
          type: 'Normal',
          reason: 'VolumeDeleted',
          message: `deleted ${host.hostPath} (reclaim policy Delete)`,
        });
      }
      done.push([ctxName, keyOf(pv)]);
    }
  }
  if (done.length === 0) return;
  await withLock(sandboxPaths(dir), () => {
    const w = loadWorld(dir);
    for (const [ctxName, key] of done) removeObject(w.contexts[ctxName]!, key);
    saveWorld(w);
  });
}

/**
 * The connection string of a Cluster's running server (tests and `sandbox status`).
 * @param world the world
 * @param ctxName context
 * @param namespace the Cluster's namespace
 * @param name the Cluster's name
 * @param database database name
 * @returns the libpq URL, or undefined when it does not run
 */
export function clusterConnectionString(
  world: World,
  ctxName: string,
  namespace: string,
  name: string,
  database = 'postgres',
): string | undefined {
  const c =
    world.contexts[ctxName]?.objects[objectKey('postgresql.cnpg.io', 'Cluster', namespace, name)];
  if (!c) return undefined;
  const st = new ClusterView(world).pgServerFor(ctxName, c)?.status();
  return st?.running && st.port ? pgConnectionString(st.port, database) : undefined;
}
