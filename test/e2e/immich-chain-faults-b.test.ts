// Faults on the data path of Option B (pg_dump of the stopped source, pg_restore on ringtail):
// the real binary against the sandbox (stand-ins over real PostgreSQL), with the load writer
// writing to the source until the quiesce. One run after another, each cut by a fault and the
// next resuming: the runner killed with its block at each block boundary of the data path and
// inside each data block, the source killed during the dump, ringtail killed during the
// restore, ringtail's volume filling up during the restore, the port-forward of the
// verification dropped, the restore itself killed halfway. Nothing destructive happens, the
// chain completes, not one row the load writer committed is lost, and the database-level state
// (settings, comment, grants, owner, roles) arrives with the rows.
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.ts';
import {
  blockOutcomes,
  blockStarted,
  type ChainRepo,
  callIndex,
  chainRepo,
  EXPECTED_DATABASE_STATE,
  fixCommands,
  immichServer,
  kubectlCall,
  lastCallIndex,
  lastSet,
  lostRows,
  type MikadoOutput,
  mikadoWatched,
  readDatabaseState,
  type SandboxServer,
  setDatabaseState,
  tableDigests,
  type WatchedRun,
  waitForServer,
} from './chain-helpers.ts';

const C = 'immich-cutover-and-decommission';
const PROFILE = 'sandbox-faults';
const RUN = ['run', 'migrate-immich-to-ringtail', '--profile', PROFILE, '--yes'];

/** A fault: the environment that injects it, or a watcher that kills the runner. */
interface Fault {
  name: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the runner with its block when this returns true. */
  killWhen?: () => boolean;
  /** After the run (the documented fix). */
  after?: () => void;
  /** More arguments for the run. */
  args?: string[];
  /** The block the run must stop in. */
  stopsIn: string;
}

interface Outcome {
  fault: string;
  run: WatchedRun;
  /** The sandbox's calls this run made: `repo.calls().slice(from, to)`. */
  calls: { from: number; to: number };
  /** The source as it is after the fault (a digest per table), once quiesced. */
  source?: Record<string, string>;
  phase?: string;
}

let repo: ChainRepo;
let source: SandboxServer;
let target: SandboxServer;
const outcomes: Outcome[] = [];
let finished: MikadoOutput;
let resumed: MikadoOutput;
let restart: string[];
let quiesced: Record<string, string> | undefined;
/** Ringtail's database as the restore killed halfway left it. */
let halfway: { assets: number; smartSearch: string } | undefined;
const scratch = tempDir('chain-faults-b');
const stops: (() => Promise<unknown>)[] = [];

const out = (o: MikadoOutput): string => `${o.stdout}\n${o.stderr}`;
const paused = (): boolean => existsSync(path.join(repo.sandboxDir, 'paused'));
const unpause = (): void => rmSync(path.join(repo.sandboxDir, 'paused'), { force: true });

const digest = (port: number) => tableDigests(`postgresql://postgres@127.0.0.1:${port}/immich`);

const server = (context: string) => immichServer(repo, context)!;

async function query(port: number, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({
    connectionString: `postgresql://postgres@127.0.0.1:${port}/immich`,
  });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

const FAULTS: () => Fault[] = () => [
  {
    name: 'runner killed as quiesce starts',
    killWhen: () => blockStarted(repo, PROFILE, `${C}:quiesce`),
    stopsIn: 'quiesce',
  },
  {
    name: 'runner killed inside quiesce, after the app was scaled down',
    env: { MIKADO_TEST_PAUSE_AT: `${C}:quiesce`, MIKADO_TEST_PAUSE_MATCH: 'scale' },
    killWhen: paused,
    after: unpause,
    stopsIn: 'quiesce',
  },
  {
    name: 'runner killed as final-sync starts',
    killWhen: () => blockStarted(repo, PROFILE, `${C}:final-sync`),
    stopsIn: 'final-sync',
  },
  {
    name: 'source killed during the dump',
    env: { MIKADO_TEST_FAULT: 'kill-source-dump' },
    stopsIn: 'final-sync',
  },
  {
    name: 'runner killed inside final-sync, between the dump and the restore',
    env: { MIKADO_TEST_PAUSE_AT: `${C}:final-sync`, MIKADO_TEST_PAUSE_MATCH: 'pg_dump' },
    killWhen: paused,
    after: unpause,
    stopsIn: 'final-sync',
  },
  {
    name: 'the restore killed halfway',
    env: { MIKADO_TEST_FAULT: 'kill-restore' },
    stopsIn: 'final-sync',
  },
  {
    name: 'ringtail killed during the restore',
    env: { MIKADO_TEST_FAULT: 'kill-target-restore' },
    stopsIn: 'final-sync',
  },
  {
    name: "ringtail's volume full during the restore",
    // Filled by the wrapper as the restore starts, 1 MiB past the claim's 8 GiB (a sparse file):
    // the emulated operator stops ringtail, and the restore finds it gone.
    env: { MIKADO_TEST_FAULT: 'fill-target-volume', MIKADO_TEST_VOLUME_BYTES: String(8 * 2 ** 30) },
    // The fix: free space on the volume (or grow spec.storage.size).
    after: () => rmSync(path.join(target.dir, 'filler'), { force: true }),
    stopsIn: 'final-sync',
  },
  {
    name: 'runner killed as verify-final-sync starts',
    killWhen: () => blockStarted(repo, PROFILE, `${C}:verify-final-sync`),
    stopsIn: 'verify-final-sync',
  },
  {
    name: 'port-forward dropped during the verification',
    env: { MIKADO_TEST_FAULT: 'drop-port-forward' },
    stopsIn: 'verify-final-sync',
  },
  {
    name: 'a row changed on ringtail after the restore',
    env: { MIKADO_TEST_FAULT: 'tamper-target' },
    args: ['--from', 'final-sync'],
    stopsIn: 'verify-final-sync',
  },
  {
    // After a verification that failed, the copy is made again: `--from final-sync`.
    name: 'runner killed inside verify-final-sync',
    args: ['--from', 'final-sync'],
    killWhen: (() => {
      let since = 0;
      return () => {
        if (!blockStarted(repo, PROFILE, `${C}:verify-final-sync`)) return false;
        since ||= Date.now();
        return Date.now() - since > 300;
      };
    })(),
    stopsIn: 'verify-final-sync',
  },
  {
    name: 'runner killed as free-tailnet-name starts',
    killWhen: () => blockStarted(repo, PROFILE, `${C}:free-tailnet-name`),
    stopsIn: 'free-tailnet-name',
  },
];

beforeAll(async () => {
  repo = chainRepo({ size: 'tiny', load: true });
  source = server('minikube-indri');
  await setDatabaseState(source.port!);
  const base: NodeJS.ProcessEnv = {
    MIKADO_MIGRATION_METHOD: 'B',
    MIKADO_TEST_SOURCE_PGDATA: path.join(source.dir, 'data'),
  };
  for (const fault of FAULTS()) {
    target = server('k3s-ringtail') ?? target;
    const env = {
      ...base,
      ...(target ? { MIKADO_TEST_TARGET_PGDATA: path.join(target.dir, 'data') } : {}),
      ...fault.env,
    };
    const from = repo.calls().length;
    const run = await mikadoWatched(repo, [...RUN, ...(fault.args ?? [])], env, PROFILE, () =>
      fault.killWhen?.() ? fault.name : undefined,
    );
    if (fault.name === 'the restore killed halfway') {
      const port = server('k3s-ringtail').port!;
      const one = async (sql: string) => Object.values((await query(port, sql))[0] ?? {})[0];
      halfway = {
        assets: Number(await one('select count(*) from assets')),
        smartSearch: String(await one("select to_regclass('public.smart_search')::text")),
      };
      if (halfway.smartSearch !== 'null' && halfway.smartSearch !== 'undefined') {
        halfway.smartSearch = String(await one('select count(*) from smart_search'));
      }
    }
    const phase = repo.standIn('kubectl', [
      '--context=k3s-ringtail',
      '-n',
      'databases',
      'get',
      'cluster',
      'immich-pg',
      '-o',
      'jsonpath={.status.phase}',
    ]);
    fault.after?.();
    const outcome: Outcome = {
      fault: fault.name,
      run,
      phase,
      calls: { from, to: repo.calls().length },
    };
    // From the quiesce on, the source must not change.
    const q = repo
      .journal(PROFILE)
      .some((r) => r['type'] === 'set' && r['key'] === 'immich.quiesced');
    if (q) {
      // A killed source restarts (the emulated operator brings its pod back): wait for it.
      // Up to 2 minutes: on a loaded machine the restart can take longer than 20 s.
      const source = await waitForServer(repo, 'minikube-indri', fault.name);
      outcome.source = await digest(source.port);
      quiesced ??= outcome.source;
    }
    outcomes.push(outcome);
  }
  // The runner died as free-tailnet-name started: its verification was another run's, so the
  // resume refuses to free the name and names the rerun of the verification; followed as
  // written (with `--yes`: no terminal here), then the chain again.
  resumed = repo.mikado(RUN, base);
  restart = fixCommands(out(resumed));
  for (const cmd of restart) repo.mikado([...cmd.split(' ').slice(1), '--yes'], base);
  finished = repo.mikado(RUN, base);
}, 1_800_000);

afterAll(async () => {
  for (const stop of stops) await stop();
  await repo?.remove();
  scratch.cleanup();
}, 120_000);

describe('faults on the data path of Option B, each followed by a resume (sandbox, real PostgreSQL, load writer)', () => {
  it('stops every run at its fault, in the block where it struck', () => {
    const faults = FAULTS();
    expect(outcomes.map((o) => o.fault)).toEqual(faults.map((f) => f.name));
    for (const [i, o] of outcomes.entries()) {
      const f = faults[i]!;
      expect(o.run.output.code, `${f.name}\n${out(o.run.output)}`).not.toBe(0);
      if (o.run.killed) expect(o.run.killed, f.name).toBe(f.name);
      else expect(o.run.output.stdout, f.name).toContain(`FAILED ${f.stopsIn}`);
      expect(Boolean(o.run.killed), f.name).toBe(f.name.startsWith('runner killed'));
    }
  });

  it('shows the operator what happened: the failing command, the server gone, the volume full', () => {
    const by = (name: string) => out(outcomes.find((o) => o.fault === name)!.run.output);
    expect(by('source killed during the dump')).toMatch(
      /pg_dump.*(server closed the connection|terminating connection|connection to server)/s,
    );
    expect(by('ringtail killed during the restore')).toMatch(
      /pg_restore.*(server closed the connection|terminating connection|connection to server|could not connect|container not found)/s,
    );
    expect(by("ringtail's volume full during the restore")).toMatch(/FAILED final-sync/);
    expect(
      outcomes.find((o) => o.fault === "ringtail's volume full during the restore")!.phase,
    ).toBe('Not enough disk space');
    expect(by('port-forward dropped during the verification')).toMatch(
      /Connection terminated|lost connection|ECONNRESET|connection/i,
    );
    const tampered = by('a row changed on ringtail after the restore');
    expect(tampered).toMatch(/public\.assets: content differs/);
    expect(tampered).toMatch(/ringtail differs from the quiesced source: nothing is switched over/);
  });

  it('never changes the source from the quiesce on, whatever failed', () => {
    expect(quiesced).toBeDefined();
    for (const o of outcomes.filter((x) => x.source)) expect(o.source, o.fault).toEqual(quiesced);
  });

  it("after the runner died as free-tailnet-name started, refuses to free the name on an earlier run's verification and names the rerun", () => {
    expect(resumed.code, out(resumed)).toBe(1);
    expect(out(resumed)).toMatch(/Refusing `immich-cutover-and-decommission:free-tailnet-name`/);
    expect(restart).toEqual([`mikado run ${C} --profile ${PROFILE} --from verify-final-sync`]);
  });

  it('completes once the named fix is followed: ringtail holds exactly the quiesced source and every committed write', async () => {
    expect(finished.code, out(finished)).toBe(0);
    const ended = blockOutcomes(repo.journal(PROFILE));
    expect(ended.at(-1)).toBe('migrate-immich-to-ringtail:end-state succeeded');
    const lost = await lostRows(
      repo,
      source.dir,
      scratch.dir,
      {
        sequences: 'exact',
        requireTables: ['assets', 'albums', 'users', 'asset_face', 'smart_search'],
      },
      stops,
    );
    expect(lost).toEqual({ missing: [], unexpected: [], failures: [] });
    const ringtail = server('k3s-ringtail');
    expect(await digest(ringtail.port!)).toEqual(quiesced);
    // Immich's tables are its role's, on ringtail as on minikube (restored with their owner).
    const client = new pg.Client({
      connectionString: `postgresql://postgres@127.0.0.1:${ringtail.port}/immich`,
    });
    await client.connect();
    const owners = await client.query<{ o: string }>(
      "select distinct pg_get_userbyid(relowner) as o from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r'",
    );
    await client.end();
    expect(owners.rows.map((r) => r.o)).toEqual(['immich']);
  });
  it('after the restore was killed halfway, the next run starts at final-sync and drops the half database before restoring again', () => {
    // Half a database: one table's rows, the others empty.
    expect(halfway?.assets).toBeGreaterThan(0);
    expect(halfway?.smartSearch).toBe('0');
    const i = outcomes.findIndex((o) => o.fault === 'the restore killed halfway');
    const next = outcomes[i + 1]!;
    expect(next.run.output.stdout).toMatch(/run\s+final-sync/);
    expect(next.run.output.stdout).not.toMatch(/run\s+quiesce/);
    const calls = repo.calls().slice(next.calls.from, next.calls.to);
    const drop = callIndex(
      calls,
      'drop of the half-restored database',
      (c) =>
        kubectlCall(c, 'k3s-ringtail', 'exec', 'svc/immich-pg-rw') &&
        c.argv.some((a) => a.startsWith('drop database if exists')),
    );
    const restore = callIndex(
      calls,
      'restore after the drop',
      (c) => kubectlCall(c, 'k3s-ringtail', 'exec', 'pg_restore'),
      drop,
    );
    expect(drop).toBeLessThan(restore);
  });

  it('recorded the quiesce before the final dump and restore', () => {
    const calls = repo.calls();
    const quiesce = callIndex(calls, 'scale to 0', (c) =>
      kubectlCall(c, 'minikube-indri', 'scale', 'immich-server', '--replicas=0'),
    );
    const lastDump = lastCallIndex(
      calls,
      (c) => kubectlCall(c, 'minikube-indri', 'exec', 'pg_dump') && c.argv.includes('-Fc'),
    );
    const lastRestore = lastCallIndex(calls, (c) =>
      kubectlCall(c, 'k3s-ringtail', 'exec', 'svc/immich-pg-rw', 'pg_restore'),
    );
    expect(quiesce).toBeLessThan(lastDump);
    expect(lastDump).toBeLessThan(lastRestore);
  });

  it('carries the database-level state: settings, comment, grants, owner and roles', async () => {
    expect(await readDatabaseState(server('k3s-ringtail').port!)).toEqual(EXPECTED_DATABASE_STATE);
  });

  it('checksummed the stopped source during the restore, leaving only the target to hash', () => {
    const verdict = lastSet(repo.journal(PROFILE), 'verdict:immich.final-sync') as {
      ok: boolean;
      details: { since: { rehashed: number; chunks: number; source: string; target?: string } };
    };
    expect(verdict.ok).toBe(true);
    const { since } = verdict.details;
    expect(since.source).toBeDefined();
    expect(since.target).toBeUndefined();
    // The target side, all of it, and nothing of the source (stopped since its checksums).
    expect(since.rehashed).toBe(since.chunks / 2);
    const dumps = repo
      .calls()
      .filter((c) => kubectlCall(c, 'minikube-indri', 'exec', 'pg_dump') && c.argv.includes('-Fc'));
    expect(dumps.at(-1)?.argv).toContain('-Z0');
  });
});
