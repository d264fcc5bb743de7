// Helpers for the Immich chain's end-to-end tests: a temporary git repository holding the shipped
// chain (cards, manifests, mikado.config.yaml), the sandbox (kubectl and other stand-ins over real
// PostgreSQL) inside it, the real `mikado` binary, and a fault-injecting kubectl wrapper that tests
// put in front of the kubectl stand-in.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PgServer, readSandboxCalls, type SandboxCall } from '@mikado-docs/sandbox';
import pg from 'pg';
import { parse as parseYaml, stringify as toYaml } from 'yaml';

/** The project root (the package the temp repository links as `mikado-docs`). */
export const PROJECT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(PROJECT, 'bin/mikado.js');

/** The result of one `mikado` invocation. */
export interface MikadoOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A server of `mikado sandbox status --json`. */
export interface SandboxServer {
  context: string;
  namespace: string;
  cluster: string;
  running: boolean;
  port?: number;
  dir: string;
}

/** A temp repository with the chain and its sandbox. */
export interface ChainRepo {
  dir: string;
  /** `<dir>/.mikado/sandbox`. */
  sandboxDir: string;
  /** Runs the real binary in the repository. */
  mikado(args: string[], env?: NodeJS.ProcessEnv, timeoutMs?: number): MikadoOutput;
  /** Runs a stand-in (`kubectl`, ...) of the sandbox. */
  standIn(tool: string, args: string[]): string;
  /** `mikado sandbox status --json`. */
  status(): { servers: SandboxServer[]; loadWriter: { running: boolean; logFile: string } };
  /** The recorded stand-in calls. */
  calls(): SandboxCall[];
  /** Journal records of a profile. */
  journal(profile: string): Record<string, unknown>[];
  /** Stops the sandbox and removes the repository. */
  remove(): Promise<void>;
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@mikado.invalid',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@mikado.invalid',
};

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    ...GIT_ENV,
    // A wait that will never be met fails within a minute instead of the block's timeout.
    MIKADO_SANDBOX_MAX_WAIT: '90',
    ...extra,
  };
  delete e['FORCE_COLOR'];
  delete e['MIKADO_SANDBOX_DIR'];
  return e;
}

/**
 * The fault-injecting kubectl wrapper (first on PATH under the `sandbox-faults` profile, before
 * the kubectl stand-in). `MIKADO_TEST_FAULT` picks the fault, injected once per sandbox:
 * - `kill-restore`: the first `pg_restore` into `immich-pg` on ringtail creates the database, restores
 *   the schema and one table's data, then dies as if killed (exit 137);
 * - `tamper-target`: after the first `pg_restore` into `immich-pg` on ringtail succeeds, one asset row is
 *   changed on the target.
 */
const FAULT_WRAPPER = `#!/usr/bin/env node
// Test-only fault injection in front of the sandbox's kubectl stand-in.
const { spawn, spawnSync } = require('node:child_process');
const { existsSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const real = path.join(__dirname, '../../.mikado/sandbox/bin/kubectl');
const marker = path.join(__dirname, '../../.mikado/sandbox/fault-injected');
const args = process.argv.slice(2);
const run = (a, input) => spawnSync(real, a, { stdio: input === undefined ? 'inherit' : ['pipe', 'inherit', 'inherit'], input }).status ?? 1;
const fault = process.env.MIKADO_TEST_FAULT;
const restoreIntoTarget = args.includes('--context=k3s-ringtail') && args.includes('exec') && args.includes('svc/immich-pg-rw') && args.includes('pg_restore');
if (!fault || !restoreIntoTarget || existsSync(marker)) {
  // Pass through, forwarding signals (a port-forward runs until SIGTERM).
  const child = spawn(real, args, { stdio: 'inherit' });
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 15 : 1)));
  return;
}
writeFileSync(marker, fault);
const at = args.indexOf('pg_restore') + 1;
if (fault === 'kill-restore') {
  const head = args.slice(0, at);
  const rest = args.slice(at);
  run([...head, '--section=pre-data', ...rest]);
  // pre-data created the database (--create); the data goes into it.
  const into = rest.filter((a) => a !== '--create').map((a, i, all) => (all[i - 1] === '-d' ? 'immich' : a));
  run([...head, '--section=data', '--table=assets', ...into]);
  process.stderr.write('Killed\\n');
  process.exit(137);
}
const code = run(args);
if (code === 0 && fault === 'tamper-target') {
  const ctx = args.filter((a) => a.startsWith('--context='));
  const tampered = run([...ctx, '-n', 'databases', 'exec', 'svc/immich-pg-rw', '-c', 'postgres', '--', 'psql', '-v', 'ON_ERROR_STOP=1', '-d', 'immich', '-c',
    'update assets set "originalFileName" = \\'tampered.jpg\\' where id = (select id from assets order by id limit 1)']);
  if (tampered !== 0) {
    process.stderr.write('test fault injection failed: the target row was not changed\\n');
    process.exit(99);
  }
}
process.exit(code);
`;

/**
 * Creates a temporary git repository with the shipped Immich chain (cards, manifests, config) and
 * a `sandbox-faults` profile (the sandbox profile with the fault wrapper first on PATH), links
 * this package as `node_modules/mikado-docs` (as an operator's repository installs it), commits,
 * and brings the sandbox up inside it.
 * @param opts dataset size, whether the load writer runs
 * @returns the repository
 */
export function chainRepo(opts: { size?: string; load?: boolean } = {}): ChainRepo {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mikado-chain-'));
  cpSync(path.join(PROJECT, 'docs/cards/immich'), path.join(dir, 'docs/cards/immich'), {
    recursive: true,
  });
  const config = parseYaml(readFileSync(path.join(PROJECT, 'mikado.config.yaml'), 'utf8'));
  config.profiles['sandbox-faults'] = {
    ...config.profiles.sandbox,
    description: 'The sandbox with a fault-injecting kubectl wrapper first on PATH (tests only).',
    path: ['.faults/bin', ...config.profiles.sandbox.path],
  };
  writeFileSync(path.join(dir, 'mikado.config.yaml'), toYaml(config));
  mkdirSync(path.join(dir, '.faults/bin'), { recursive: true });
  writeFileSync(path.join(dir, '.faults/bin/kubectl'), FAULT_WRAPPER);
  chmodSync(path.join(dir, '.faults/bin/kubectl'), 0o755);
  writeFileSync(path.join(dir, '.gitignore'), 'node_modules\n');
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(PROJECT, path.join(dir, 'node_modules/mikado-docs'));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  execFileSync('git', ['add', '-A'], { cwd: dir });
  execFileSync('git', ['commit', '-q', '-m', 'the Immich chain'], { cwd: dir, env: env() });
  const sandboxDir = path.join(dir, '.mikado/sandbox');
  const mikado = (args: string[], extra?: NodeJS.ProcessEnv, timeoutMs = 600_000): MikadoOutput => {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      cwd: dir,
      env: env(extra),
      encoding: 'utf8',
      timeout: timeoutMs,
      maxBuffer: 64 * 2 ** 20,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const repo: ChainRepo = {
    dir,
    sandboxDir,
    mikado,
    standIn(tool, args) {
      return execFileSync(path.join(sandboxDir, 'bin', tool), args, {
        cwd: dir,
        env: env(),
        encoding: 'utf8',
      });
    },
    status() {
      const out = mikado(['sandbox', 'status', '--json']);
      if (out.code !== 0) throw new Error(`sandbox status failed: ${out.stderr}`);
      return JSON.parse(out.stdout);
    },
    calls: () => readSandboxCalls(sandboxDir),
    journal(profile) {
      const file = path.join(dir, '.mikado/journal', `${profile}.jsonl`);
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    async remove() {
      mikado(['sandbox', 'down'], {}, 120_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const up = mikado([
    'sandbox',
    'up',
    '--size',
    opts.size ?? 'tiny',
    ...(opts.load ? ['--load', '--load-interval', '10'] : []),
  ]);
  if (up.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`sandbox up failed (${up.code}):\n${up.stdout}\n${up.stderr}`);
  }
  return repo;
}

/**
 * Starts a PostgreSQL server on a copy of a (stopped) server directory, e.g. the source's volume
 * that the decommission retained: the copy is what the source held when it stopped.
 * @param serverDir the server directory (with `data/`)
 * @param into a directory for the copy
 * @returns the running copy and its connection string to `immich`
 */
export async function startCopy(
  serverDir: string,
  into: string,
): Promise<{ server: PgServer; url: string }> {
  const copy = path.join(into, 'source-copy');
  cpSync(serverDir, copy, { recursive: true });
  rmSync(path.join(copy, 'server.json'), { force: true });
  rmSync(path.join(copy, 'data/postmaster.pid'), { force: true });
  // As root the server runs as `postgres`, which must reach and own the copy.
  chmodSync(into, 0o755);
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:postgres', copy]);
  const server = new PgServer(copy);
  const { port } = await server.start();
  return { server, url: `postgresql://postgres@127.0.0.1:${port}/immich` };
}

/**
 * Index of the first call matching a predicate, failing loudly when there is none.
 * @param calls the recorded calls
 * @param what description for the failure
 * @param match the predicate
 * @param from start searching here
 * @returns the index
 */
export function callIndex(
  calls: SandboxCall[],
  what: string,
  match: (c: SandboxCall) => boolean,
  from = 0,
): number {
  const i = calls.findIndex((c, n) => n >= from && match(c));
  if (i < 0) throw new Error(`no recorded call: ${what}`);
  return i;
}

/**
 * Index of the last call matching a predicate (-1 when none).
 * @param calls the recorded calls
 * @param match the predicate
 * @returns the index
 */
export function lastCallIndex(calls: SandboxCall[], match: (c: SandboxCall) => boolean): number {
  for (let i = calls.length - 1; i >= 0; i--) if (match(calls[i]!)) return i;
  return -1;
}

/**
 * Whether a kubectl call addressed a context and has every word in its argv.
 * @param c the call
 * @param context the kube context
 * @param words words the argv must contain
 * @returns true when it matches
 */
export function kubectlCall(c: SandboxCall, context: string, ...words: string[]): boolean {
  const ctx = c.argv.some((a) => a === `--context=${context}`) || c.argv.includes(context);
  return c.tool === 'kubectl' && ctx && words.every((w) => c.argv.some((a) => a.includes(w)));
}

/**
 * The blocks of a run that ended, in order, with their outcome.
 * @param records journal records
 * @returns `card:block outcome` lines
 */
export function blockOutcomes(records: Record<string, unknown>[]): string[] {
  return records
    .filter((r) => r['type'] === 'block-end')
    .map((r) => `${String(r['card'])}:${String(r['block'])} ${String(r['outcome'])}`);
}

/**
 * Database-level state an operator's source holds beyond its tables: a per-database setting, a
 * setting of a role in the database, a role-wide setting, a comment, a database grant, and a role
 * only the source has that one table is granted to. `pg_dump` carries none of it unless asked.
 */
const DATABASE_STATE_SQL = [
  "alter database immich set work_mem = '7MB'",
  "comment on database immich is 'Immich photos and their metadata'",
  'grant create on database immich to borgmatic',
  "alter role borgmatic in database immich set statement_timeout = '5min'",
  "alter role borgmatic set search_path = 'public'",
  'create role immich_reader nologin',
  'grant select on assets to immich_reader',
];

/** What {@link readDatabaseState} reads back. */
const STATE_QUERY = `select
  (select array_to_string(setconfig, ',') from pg_db_role_setting
    where setdatabase = (select oid from pg_database where datname = 'immich') and setrole = 0) as database_settings,
  (select array_to_string(setconfig, ',') from pg_db_role_setting
    where setdatabase = (select oid from pg_database where datname = 'immich')
      and setrole = (select oid from pg_roles where rolname = 'borgmatic')) as role_in_database,
  (select array_to_string(setconfig, ',') from pg_db_role_setting
    where setdatabase = 0 and setrole = (select oid from pg_roles where rolname = 'borgmatic')) as role_settings,
  shobj_description((select oid from pg_database where datname = 'immich'), 'pg_database') as comment,
  has_database_privilege('borgmatic', 'immich', 'CREATE') as borgmatic_create,
  has_table_privilege('immich_reader', 'public.assets', 'SELECT') as reader_select,
  (select pg_get_userbyid(datdba) from pg_database where datname = 'immich') as owner`;

/**
 * Sets {@link DATABASE_STATE_SQL} on the `immich` database of a sandbox server.
 * @param port the server's port
 */
export async function setDatabaseState(port: number): Promise<void> {
  const client = new pg.Client({
    connectionString: `postgresql://postgres@127.0.0.1:${port}/immich`,
  });
  await client.connect();
  try {
    for (const sql of DATABASE_STATE_SQL) await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Reads back the database-level state {@link setDatabaseState} sets, from any server.
 * @param port the server's port
 * @returns one value per piece of state
 */
export async function readDatabaseState(port: number): Promise<Record<string, unknown>> {
  const client = new pg.Client({
    connectionString: `postgresql://postgres@127.0.0.1:${port}/immich`,
  });
  await client.connect();
  try {
    return (await client.query(STATE_QUERY)).rows[0] as Record<string, unknown>;
  } finally {
    await client.end();
  }
}

/** The state {@link setDatabaseState} leaves, as {@link readDatabaseState} reads it. */
export const EXPECTED_DATABASE_STATE = {
  database_settings: 'work_mem=7MB',
  role_in_database: 'statement_timeout=5min',
  role_settings: 'search_path=public',
  comment: 'Immich photos and their metadata',
  borgmatic_create: true,
  reader_select: true,
  owner: 'immich',
};

/**
 * The last value a run's blocks set under `key` (`mikado.set`).
 * @param records journal records
 * @param key the key
 * @returns the value, or undefined
 */
export function lastSet(records: Record<string, unknown>[], key: string): unknown {
  return records.filter((r) => r['type'] === 'set' && r['key'] === key).at(-1)?.['value'];
}
