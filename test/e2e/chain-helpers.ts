// Helpers for the Immich chain's end-to-end tests: a temporary git repository holding the shipped
// chain (cards, manifests, mikado.config.yaml), the sandbox (kubectl and other stand-ins over real
// PostgreSQL) inside it, the real `mikado` binary, and a fault-injecting kubectl wrapper that tests
// put in front of the kubectl stand-in.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
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
import {
  checkLoadWriterLog,
  PgServer,
  readSandboxCalls,
  type SandboxCall,
} from '@mikado-docs/sandbox';
import pg from 'pg';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { journalPath, readJournal } from '../../src/run/journal.ts';
import type { VerifyOptions } from '../../src/verify/types.ts';
import { verifyDatabases } from '../../src/verify/verify-databases.ts';
import { markChainRepo } from '../helpers/reap-chains.ts';

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
  status(): {
    servers: SandboxServer[];
    loadWriter: { running: boolean; logFile: string };
    routes: { domain: string; upstream: string }[];
  };
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

function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
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

/** The stand-ins the fault wrapper stands in front of (the same script under each name). */
const WRAPPED_TOOLS = ['kubectl', 'argocd', 'tailscale', 'mise', 'borgmatic'];

/**
 * What stands first on PATH under the `sandbox-faults` profile, under each wrapped tool's name: a
 * shell script that hands the call straight to the stand-in (`exec`, one process) unless a fault
 * of the environment may apply to it, and only then runs the fault wrapper below. A call through
 * node costs about 0.1 s of CPU, and a chain run makes about 180 of them.
 */
const FAULT_GATE = `#!/bin/sh
# Test-only: the fault wrapper where a fault may apply to this call, else the stand-in itself.
here=\${0%/*}
tool=\${0##*/}
wrap() { exec node "$here/../fault-wrapper.cjs" "$tool" "$@"; }
[ -n "$MIKADO_TEST_FAIL_AT" ] && [ "$MIKADO_TEST_FAIL_AT" = "$MIKADO_BLOCK" ] && wrap "$@"
[ -n "$MIKADO_TEST_PAUSE_AT" ] && [ "$MIKADO_TEST_PAUSE_AT" = "$MIKADO_BLOCK" ] && wrap "$@"
if [ -n "$MIKADO_TEST_FAULT" ]; then
  for a in "$@"; do
    case "$a" in pg_restore|pg_dump|port-forward) wrap "$@" ;; esac
  done
fi
exec "$here/../../.mikado/sandbox/bin/$tool" "$@"
`;

/**
 * The fault-injecting wrapper (`.faults/fault-wrapper.cjs`), run by the gate above in front of
 * each sandbox stand-in, with the tool's name as its first argument. Faults, each injected once per
 * sandbox (a marker file records it):
 * - `MIKADO_TEST_FAIL_AT=<card>:<block>`: the first call of that block (the runner tells each
 *   block its name in `MIKADO_BLOCK`) fails at once with exit 1 and `injected failure`; with
 *   `MIKADO_TEST_FAIL_MATCH=<word>`, the first call of that block whose arguments contain the word;
 * - `MIKADO_TEST_FAULT=kill-restore`: the first `pg_restore` into `immich-pg` on ringtail creates
 *   the database, restores the schema and one table's data, then dies as if killed (exit 137);
 * - `MIKADO_TEST_FAULT=tamper-target`: after the first `pg_restore` into `immich-pg` on ringtail
 *   succeeds, one asset row is changed on the target;
 * - `MIKADO_TEST_FAULT=kill-source-dump`: during the first `pg_dump -Fc` of the source by
 *   `final-sync`, once its first bytes arrive, the source's PostgreSQL is killed (SIGKILL of the
 *   postmaster whose data directory is `MIKADO_TEST_SOURCE_PGDATA`);
 * - `MIKADO_TEST_FAULT=kill-target-restore`: the first `pg_restore` into ringtail by `final-sync`
 *   restores the schema and one table, then ringtail's PostgreSQL is killed
 *   (`MIKADO_TEST_TARGET_PGDATA`) and the restore goes on against it;
 * - `MIKADO_TEST_FAULT=fill-target-volume`: the first `pg_restore` into ringtail by `final-sync`
 *   finds ringtail's volume full: a sparse file `filler` next to `MIKADO_TEST_TARGET_PGDATA`
 *   takes the volume 1 MiB past `MIKADO_TEST_VOLUME_BYTES`, the wrapper waits (up to 2 minutes)
 *   for the emulated operator to stop the server (Cluster phase `Not enough disk space`), then
 *   runs the restore against it. Synchronous, so that the restore cannot finish first;
 * - `MIKADO_TEST_FAULT=drop-port-forward`: the first port-forward to ringtail's database in
 *   `verify-final-sync` is killed as soon as it relays its first connection;
 * - `MIKADO_TEST_PAUSE_AT=<card>:<block>` with `MIKADO_TEST_PAUSE_MATCH=<word>`: the first call of
 *   that block with the word in its arguments runs, then the wrapper writes `paused` in the
 *   sandbox directory and waits forever (the test kills the runner with its block there).
 */
const FAULT_WRAPPER = `// Test-only fault injection in front of the sandbox's stand-ins: node fault-wrapper.cjs <tool> ...
const { spawn, spawnSync } = require('node:child_process');
const { existsSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const tool = process.argv[2];
const sandbox = path.join(__dirname, '../.mikado/sandbox');
const real = path.join(sandbox, 'bin', tool);
const args = process.argv.slice(3);
const passThrough = () => {
  // Forwarding signals (a port-forward runs until SIGTERM).
  const child = spawn(real, args, { stdio: 'inherit' });
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 15 : 1)));
};
const failAt = process.env.MIKADO_TEST_FAIL_AT;
const match = process.env.MIKADO_TEST_FAIL_MATCH;
if (failAt && process.env.MIKADO_BLOCK === failAt && (!match || args.includes(match))) {
  const marker = path.join(sandbox, 'fault-at-' + failAt.replace(/[^\\w.-]/g, '_') + (match ? '-' + match : ''));
  if (!existsSync(marker)) {
    writeFileSync(marker, args.join(' '));
    process.stderr.write('injected failure: ' + tool + ' ' + args.join(' ') + '\\n');
    process.exit(1);
  }
}
const pauseAt = process.env.MIKADO_TEST_PAUSE_AT;
const pauseMatch = process.env.MIKADO_TEST_PAUSE_MATCH;
const pauseMarker = path.join(sandbox, 'paused');
if (pauseAt && process.env.MIKADO_BLOCK === pauseAt && args.includes(pauseMatch) && !existsSync(pauseMarker)) {
  const r = spawnSync(real, args, { stdio: 'inherit' });
  writeFileSync(pauseMarker, args.join(' '));
  setInterval(() => {}, 1 << 30);
  return;
}
const killServer = (pgdata) => {
  const pid = Number(require('node:fs').readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8').split('\\n')[0]);
  process.kill(pid, 'SIGKILL');
};
const fault = process.env.MIKADO_TEST_FAULT;
const inFinalSync = (process.env.MIKADO_BLOCK || '').endsWith(':final-sync');
const once = path.join(sandbox, 'fault-' + (fault || 'none'));
if (fault === 'kill-source-dump' && inFinalSync && args.includes('pg_dump') && args.includes('-Fc') && !existsSync(once)) {
  writeFileSync(once, '');
  const child = spawn(real, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let killed = false;
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    if (!killed) {
      killed = true;
      child.stdout.pause();
      killServer(process.env.MIKADO_TEST_SOURCE_PGDATA);
      setTimeout(() => child.stdout.resume(), 200);
    }
  });
  child.on('exit', (code) => process.exit(code === 0 ? 0 : code ?? 1));
  return;
}
if (fault === 'drop-port-forward' && (process.env.MIKADO_BLOCK || '').endsWith(':verify-final-sync') && args.includes('port-forward') && args.includes('--context=k3s-ringtail') && !existsSync(once)) {
  writeFileSync(once, '');
  const child = spawn(real, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    if (String(chunk).includes('Handling connection')) {
      child.kill('SIGKILL');
      process.stderr.write('error: lost connection to pod\\n');
      process.exit(1);
    }
  });
  child.on('exit', (code) => process.exit(code ?? 1));
  return;
}
const marker = path.join(sandbox, 'fault-injected-' + fault);
const run = (a, input) => spawnSync(real, a, { stdio: input === undefined ? 'inherit' : ['pipe', 'inherit', 'inherit'], input }).status ?? 1;
const restoreIntoTarget = tool === 'kubectl' && args.includes('--context=k3s-ringtail') && args.includes('exec') && args.includes('svc/immich-pg-rw') && args.includes('pg_restore');
if (!fault || !restoreIntoTarget || existsSync(marker)) {
  passThrough();
  return;
}
writeFileSync(marker, fault);
const at = args.indexOf('pg_restore') + 1;
if (fault === 'fill-target-volume') {
  const fs = require('node:fs');
  const volume = path.dirname(process.env.MIKADO_TEST_TARGET_PGDATA);
  const used = (d) => fs.readdirSync(d, { withFileTypes: true }).reduce((n, e) => {
    const f = path.join(d, e.name);
    return n + (e.isDirectory() ? used(f) : e.isFile() ? fs.statSync(f).size : 0);
  }, 0);
  const filler = path.join(volume, 'filler');
  fs.writeFileSync(filler, '');
  fs.truncateSync(filler, Number(process.env.MIKADO_TEST_VOLUME_BYTES) - used(volume) + 2 ** 20);
  const ctx = args.filter((a) => a.startsWith('--context='));
  const phase = () => spawnSync(real, [...ctx, '-n', 'databases', 'get', 'cluster', 'immich-pg', '-o', 'jsonpath={.status.phase}'], { encoding: 'utf8' }).stdout;
  const until = Date.now() + 120000;
  while (phase() !== 'Not enough disk space' && Date.now() < until) spawnSync('sleep', ['0.2']);
  process.exit(run(args));
}
if (fault === 'kill-restore' || fault === 'kill-target-restore') {
  const head = args.slice(0, at);
  const rest = args.slice(at);
  run([...head, '--section=pre-data', ...rest]);
  // pre-data created the database (--create); the data goes into it.
  const into = rest.filter((a) => a !== '--create').map((a, i, all) => (all[i - 1] === '-d' ? 'immich' : a));
  run([...head, '--section=data', '--table=assets', ...into]);
  if (fault === 'kill-restore') {
    process.stderr.write('Killed\\n');
    process.exit(137);
  }
  killServer(process.env.MIKADO_TEST_TARGET_PGDATA);
  process.exit(run(args));
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
 * this package as `node_modules/mikado-docs` (as an operator's repository installs it), commits
 * on the goal's branch, brings the sandbox up inside it and (unless `push: false`) pushes the
 * branch to the sandbox's forge, where ArgoCD reads it.
 * @param opts dataset size, whether the load writer runs, whether to push
 * @returns the repository
 */
export function chainRepo(opts: { size?: string; load?: boolean; push?: boolean } = {}): ChainRepo {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mikado-chain-'));
  markChainRepo(dir);
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
  writeFileSync(path.join(dir, '.faults/fault-wrapper.cjs'), FAULT_WRAPPER);
  for (const tool of WRAPPED_TOOLS) {
    writeFileSync(path.join(dir, '.faults/bin', tool), FAULT_GATE);
    chmodSync(path.join(dir, '.faults/bin', tool), 0o755);
  }
  writeFileSync(path.join(dir, '.gitignore'), 'node_modules\n.test-run\n');
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(PROJECT, path.join(dir, 'node_modules/mikado-docs'));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  execFileSync('git', ['add', '-A'], { cwd: dir });
  execFileSync('git', ['commit', '-q', '-m', 'the Immich chain'], { cwd: dir, env: childEnv() });
  // The operator works on the goal's branch of the ops repository.
  execFileSync('git', ['checkout', '-q', '-b', 'mikado/migrate-immich-to-ringtail'], { cwd: dir });
  const sandboxDir = path.join(dir, '.mikado/sandbox');
  const mikado = (args: string[], extra?: NodeJS.ProcessEnv, timeoutMs = 600_000): MikadoOutput => {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      cwd: dir,
      env: childEnv(extra),
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
        env: childEnv(),
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
      // The runner's own reader: a line still being appended is not read yet.
      return readJournal(journalPath(dir, profile)).records as unknown as Record<string, unknown>[];
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
  if (opts.push !== false) pushToForge(dir);
  return repo;
}

/** The repository the chain's ArgoCD Applications deploy from (`spec.source.repoURL`). */
export const OPS_REPO_URL = 'https://forge.ops.eblu.me/eblume/blumeops.git';

/**
 * Publishes a chain repository's branch where ArgoCD reads it, as the preflight asks: the
 * remote the Applications name (`sandbox up` routes its URL to the sandbox's forge), pushed.
 * @param dir the repository
 */
export function pushToForge(dir: string): void {
  execFileSync('git', ['remote', 'add', 'origin', OPS_REPO_URL], { cwd: dir });
  execFileSync('git', ['push', '-q', '-u', 'origin', 'HEAD'], { cwd: dir, env: childEnv() });
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

/** A `mikado` run started in the background, and what its watcher did to it. */
export interface WatchedRun {
  output: MikadoOutput;
  /** Why the watcher killed the runner with its block, if it did. */
  killed?: string;
}

/**
 * Runs the real binary in the background (its own process group) and, every 50 ms once its run
 * is in the journal, asks `when` whether to kill it: when it answers with a reason, the runner
 * and the block it runs (its own process group, recorded in the journal) are killed at once with
 * SIGKILL, as a crash or an operator's `kill -9` would.
 * @param repo the chain repository
 * @param args the arguments
 * @param env extra environment
 * @param profile the profile (whose journal names the running block)
 * @param when returns a reason to kill, or undefined
 * @returns the output and the reason it was killed
 */
export function mikadoWatched(
  repo: ChainRepo,
  args: string[],
  env: NodeJS.ProcessEnv,
  profile: string,
  when: () => string | undefined,
): Promise<WatchedRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: repo.dir,
      env: childEnv(env),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    let killed: string | undefined;
    // Asked only once this run is in the journal: before that, the journal is an earlier run's.
    let started = false;
    const timer = setInterval(() => {
      if (killed) return;
      started ||= repo
        .journal(profile)
        .some((r) => r['type'] === 'run-start' && r['pid'] === child.pid);
      if (!started) return;
      let reason: string | undefined;
      try {
        reason = when();
      } catch {}
      if (!reason) return;
      killed = reason;
      const running = runningBlockPid(repo, profile);
      for (const pgid of [child.pid!, running].filter((p): p is number => Boolean(p))) {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {}
      }
    }, 50);
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ output: { code, stdout, stderr }, killed });
    });
  });
}

/**
 * The pid (= process group) of the block a profile's journal shows running: started, not ended.
 * @param repo the chain repository
 * @param profile the profile
 * @returns the pid, or undefined
 */
export function runningBlockPid(repo: ChainRepo, profile: string): number | undefined {
  const open = new Map<string, number>();
  for (const r of repo.journal(profile)) {
    const key = `${String(r['run'])}/${String(r['card'])}/${String(r['block'])}`;
    if (r['type'] === 'block-start' && typeof r['pid'] === 'number') open.set(key, r['pid']);
    if (r['type'] === 'block-end' || r['type'] === 'block-exit') open.delete(key);
  }
  return [...open.values()].at(-1);
}

/**
 * Whether the journal shows a block started in the latest run.
 * @param repo the chain repository
 * @param profile the profile
 * @param block `card:block`
 * @returns true once it started
 */
export function blockStarted(repo: ChainRepo, profile: string, block: string): boolean {
  const records = repo.journal(profile);
  const run = records.filter((r) => r['type'] === 'run-start').at(-1)?.['run'];
  return records.some(
    (r) =>
      r['type'] === 'block-start' &&
      r['run'] === run &&
      `${String(r['card'])}:${String(r['block'])}` === block,
  );
}

/**
 * One digest per table of a database's `public` schema (every row, in any order): equal digests
 * mean equal contents.
 * @param url the database
 * @returns `schema.table` → md5
 */
export async function tableDigests(url: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ t: string }>(
      "select format('%I.%I', schemaname, tablename) as t from pg_tables where schemaname = 'public' order by 1",
    );
    const out: Record<string, string> = {};
    for (const { t } of rows) {
      const r = await client.query<{ d: string | null }>(
        `select md5(string_agg(md5(x::text), '' order by md5(x::text))) as d from ${t} x`,
      );
      out[t] = r.rows[0]?.d ?? '';
    }
    return out;
  } finally {
    await client.end();
  }
}

/**
 * The commands (`kubectl …`, `mikado …`) in backticks of the first `fix:` line of a run's output
 * (behind the block output's margin, if any): what an operator would type next.
 * @param text the output
 * @returns the commands, in order
 */
export function fixCommands(text: string): string[] {
  const line = text.split('\n').find((l) => /^[\s│]*fix: /.test(l)) ?? '';
  const fix = line.slice(line.indexOf('fix: '));
  return [...fix.matchAll(/`([^`]+)`/g)]
    .map((m) => m[1]!)
    .filter((c) => /^(kubectl|mikado) /.test(c));
}

/**
 * The `immich-pg` server of a context, as `sandbox status` reports it.
 * @param repo the chain repository
 * @param context the kube context
 * @returns the server, or undefined when there is none
 */
export function immichServer(repo: ChainRepo, context: string): SandboxServer | undefined {
  return repo.status().servers.find((s) => s.context === context && s.cluster === 'immich-pg');
}

/**
 * Waits for a context's `immich-pg` server to run and accept connections (the emulated operator
 * restarts a killed one, which then recovers from its WAL). When it does not, fails with what the
 * sandbox saw: the server as status reports it, the last controller events, the end of the
 * controller's and the server's logs.
 * @param repo the chain repository
 * @param context the context
 * @param why what happened before (for the message)
 * @param timeoutMs how long to wait
 * @returns the running server
 */
export async function waitForServer(
  repo: ChainRepo,
  context: string,
  why: string,
  timeoutMs = 120_000,
): Promise<SandboxServer & { port: number }> {
  // Running and accepting connections (a restarted server first recovers from its WAL).
  const accepts = async (port: number): Promise<boolean> => {
    const client = new pg.Client({
      connectionString: `postgresql://postgres@127.0.0.1:${port}/immich`,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const wait = async (): Promise<SandboxServer | undefined> => {
    const until = Date.now() + timeoutMs;
    let s = immichServer(repo, context);
    while (!(s?.port && (await accepts(s.port))) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 500));
      s = immichServer(repo, context);
    }
    return s?.port && (await accepts(s.port)) ? s : undefined;
  };
  let s = await wait();
  if (s?.port) return s as SandboxServer & { port: number };
  s = immichServer(repo, context);
  const tail = (file: string, n: number): string =>
    existsSync(file)
      ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n')
      : '(none)';
  const diagnosis = [
    `${context} immich-pg did not run within ${timeoutMs / 1000} s after ${why}`,
    `status: ${JSON.stringify(s)}`,
    `events:\n${tail(path.join(repo.sandboxDir, 'events.jsonl'), 12)}`,
    `controller log:\n${tail(path.join(repo.sandboxDir, 'logs', 'controller.log'), 20)}`,
    `postgres log:\n${s?.dir ? tail(path.join(s.dir, 'postgres.log'), 20) : '(no server)'}`,
  ].join('\n');
  throw new Error(diagnosis);
}

/** The downtime a run measured, the rehearsal's prediction, and both split into their parts. */
export interface DowntimeBreakdown {
  ms: number;
  predictedMs: number;
  /** The prediction's parts: the rehearsal's window, the blocks' start-up, the timed twins. */
  predicted: Record<string, number>;
  /** The window's blocks as they ran (the last attempt of each), in milliseconds. */
  measured: Record<string, number>;
  /** The rehearsal's verdict details (its window's parts). */
  rehearsal: unknown;
}

/**
 * The downtime of a chain run and the rehearsal's prediction, from the journal.
 * @param records the journal's records
 * @returns both, with their parts (to say where a prediction missed)
 */
export function downtimeBreakdown(records: Record<string, unknown>[]): DowntimeBreakdown {
  const downtime = lastSet(records, 'immich.downtime') as { ms: number; predictedMs: number };
  const p = lastSet(records, 'immich.downtime-predicted') as {
    rehearsalMs: number;
    startupMs: number;
    twins: Record<string, number>;
  };
  const measured: Record<string, number> = {};
  for (const r of records) {
    const block = String(r['block'] ?? '');
    if (r['type'] === 'block-end' && String(r['card']) === 'immich-cutover-and-decommission')
      measured[block] = Number(r['durationMs']);
  }
  return {
    ms: downtime.ms,
    predictedMs: downtime.predictedMs,
    predicted: { rehearsal: p.rehearsalMs, startup: p.startupMs, ...p.twins },
    measured,
    rehearsal: (lastSet(records, 'verdict:immich.rehearsal') as { details?: unknown } | undefined)
      ?.details,
  };
}

/** What a comparison of ringtail with the quiesced source found lost or different. */
export interface LostRows {
  /** Writes the load writer logged as committed that ringtail lacks. */
  missing: unknown[];
  /** Rows on ringtail the load writer never logged. */
  unexpected: unknown[];
  /** What the independent comparison with a copy of the retained source volume found. */
  failures: string[];
}

/**
 * Compares ringtail's `immich` with the source as it stopped: every write the load writer logged
 * as committed, and a full comparison with a copy of the source's (stopped, retained) volume.
 * @param repo the chain repository
 * @param sourceDir the source server's directory (its volume)
 * @param scratch where to put the copy
 * @param opts the comparison's options
 * @param stops gets the copy's stop
 * @returns what was lost or differs (all empty: nothing)
 */
export async function lostRows(
  repo: ChainRepo,
  sourceDir: string,
  scratch: string,
  opts: VerifyOptions,
  stops: (() => Promise<unknown>)[],
): Promise<LostRows> {
  const ringtail = immichServer(repo, 'k3s-ringtail');
  if (!ringtail?.port) throw new Error('no running immich-pg on k3s-ringtail');
  const target = `postgresql://postgres@127.0.0.1:${ringtail.port}/immich`;
  const check = await checkLoadWriterLog(repo.status().loadWriter.logFile, target);
  const copy = await startCopy(sourceDir, scratch);
  stops.push(() => copy.server.stop({ mode: 'immediate' }));
  const report = await verifyDatabases(copy.url, target, opts);
  return { missing: check.missing, unexpected: check.unexpected, failures: report.failures };
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
