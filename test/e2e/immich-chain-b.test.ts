// The whole Immich chain, Option B (pg_dump -Fc of the stopped source, pg_restore -j on ringtail),
// run by the real binary against the sandbox (kubectl stand-in over real PostgreSQL) with the load
// writer running until the quiesce, and with the restore killed halfway by a fault-injecting
// kubectl wrapper: the run stops, and the next run resumes and rebuilds the target.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { checkLoadWriterLog } from '@mikado-docs/sandbox';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDatabases } from '../../src/verify/verify-databases.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import {
  blockOutcomes,
  type ChainRepo,
  callIndex,
  chainRepo,
  EXPECTED_DATABASE_STATE,
  kubectlCall,
  lastCallIndex,
  lastSet,
  type MikadoOutput,
  readDatabaseState,
  type SandboxServer,
  setDatabaseState,
  startCopy,
} from './chain-helpers.ts';

let repo: ChainRepo;
let killed: MikadoOutput;
let halfway: { assets: number; smartSearch: string };
let resumed: MikadoOutput;
let sourceBefore: SandboxServer;
const scratch = tempDir('chain-b');
const stops: (() => Promise<unknown>)[] = [];
const FAULTS = { MIKADO_MIGRATION_METHOD: 'B', MIKADO_TEST_FAULT: 'kill-restore' };

async function query(port: number, sql: string): Promise<string> {
  const client = new pg.Client({
    connectionString: `postgresql://postgres@127.0.0.1:${port}/immich`,
  });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>(sql);
    return String(rows[0]?.v);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  repo = chainRepo({ size: 'tiny', load: true });
  sourceBefore = repo.status().servers.find((s) => s.context === 'minikube-indri')!;
  await setDatabaseState(sourceBefore.port!);
  const args = ['run', 'migrate-immich-to-ringtail', '--profile', 'sandbox-faults', '--yes'];
  killed = repo.mikado(args, FAULTS);
  const target = repo.status().servers.find((s) => s.context === 'k3s-ringtail')!;
  halfway = {
    assets: Number(await query(target.port!, 'select count(*) as v from assets')),
    smartSearch: await query(target.port!, "select to_regclass('public.smart_search') as v"),
  };
  if (halfway.smartSearch !== 'null') {
    halfway.smartSearch = await query(target.port!, 'select count(*) as v from smart_search');
  }
  resumed = repo.mikado(args, FAULTS);
}, 900_000);

afterAll(async () => {
  for (const stop of stops) await stop();
  await repo?.remove();
  scratch.cleanup();
}, 120_000);

describe('the Immich chain by Option B in the sandbox (kubectl stand-in with a fault-injecting wrapper, real PostgreSQL)', () => {
  it('stops at the final sync when the restore is killed halfway, before anything is switched', () => {
    expect(killed.code, killed.stdout).toBe(1);
    expect(killed.stdout).toContain('FAILED final-sync');
    const ended = blockOutcomes(repo.journal('sandbox-faults'));
    const failed = ended.indexOf('immich-cutover-and-decommission:final-sync failed');
    expect(failed).toBeGreaterThan(0);
    expect(ended[failed - 1]).toBe('immich-cutover-and-decommission:quiesce succeeded');
    // Half a database: one table's rows, the others empty.
    expect(halfway.assets).toBeGreaterThan(0);
    expect(halfway.smartSearch).toBe('0');
  });

  it('resumes at the final sync, rebuilds the target from scratch and completes the chain', () => {
    expect(resumed.code, `${resumed.stdout}\n${resumed.stderr}`).toBe(0);
    expect(resumed.stdout).toMatch(/run\s+final-sync/);
    expect(resumed.stdout).not.toMatch(/run\s+quiesce/);
    expect(blockOutcomes(repo.journal('sandbox-faults')).at(-1)).toBe(
      'migrate-immich-to-ringtail:end-state succeeded',
    );
    const calls = repo.calls();
    const restores = calls.filter((c) => kubectlCall(c, 'k3s-ringtail', 'exec', 'pg_restore'));
    expect(restores.length).toBeGreaterThanOrEqual(3); // rehearsal, the killed one, the resumed one
    const drops = calls.filter(
      (c) =>
        kubectlCall(c, 'k3s-ringtail', 'exec', 'svc/immich-pg-rw') &&
        c.argv.some((a) => a.startsWith('drop database if exists')),
    );
    expect(drops.length).toBe(2);
  });

  it('leaves ringtail exactly equal to the source as it was at the quiesce, source volume in place', async () => {
    expect(existsSync(path.join(sourceBefore.dir, 'data/PG_VERSION'))).toBe(true);
    const source = await startCopy(sourceBefore.dir, scratch.dir);
    stops.push(() => source.server.stop({ mode: 'immediate' }));
    const target = repo.status().servers.find((s) => s.context === 'k3s-ringtail')!;
    const report = await verifyDatabases(
      source.url,
      `postgresql://postgres@127.0.0.1:${target.port}/immich`,
      { sequences: 'exact' },
    );
    expect(report.failures).toEqual([]);
    expect(report.tables.length).toBeGreaterThan(10);
  });

  it('loses no write of the load writer', async () => {
    const { loadWriter, servers } = repo.status();
    const target = servers.find((s) => s.context === 'k3s-ringtail')!;
    const check = await checkLoadWriterLog(
      loadWriter.logFile,
      `postgresql://postgres@127.0.0.1:${target.port}/immich`,
    );
    expect(check.missing).toEqual([]);
    expect(check.unexpected).toEqual([]);
    expect(check.committed).toBeGreaterThan(0);
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
    const target = repo.status().servers.find((s) => s.context === 'k3s-ringtail')!;
    expect(await readDatabaseState(target.port!)).toEqual(EXPECTED_DATABASE_STATE);
  });

  it('checksummed the stopped source during the restore, leaving only the target to hash', () => {
    const verdict = lastSet(repo.journal('sandbox-faults'), 'verdict:immich.final-sync') as {
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
