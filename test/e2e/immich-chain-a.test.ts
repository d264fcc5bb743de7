// The whole Immich chain, Option A (CNPG basebackup replica, promoted at the cutover), run by the
// real binary against the sandbox (kubectl and other stand-ins over real PostgreSQL), with the
// load writer writing to the source from the start until the quiesce stops it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { checkLoadWriterLog, readLoadWriterLog } from '@mikado-docs/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDatabases } from '../../src/verify/verify-databases.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import {
  blockOutcomes,
  type ChainRepo,
  callIndex,
  chainRepo,
  downtimeBreakdown,
  EXPECTED_DATABASE_STATE,
  kubectlCall,
  lastSet,
  type MikadoOutput,
  readDatabaseState,
  type SandboxServer,
  setDatabaseState,
  startCopy,
} from './chain-helpers.ts';

let repo: ChainRepo;
let run: MikadoOutput;
let sourceBefore: SandboxServer;
const scratch = tempDir('chain-a');
const stops: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  repo = chainRepo({ size: 'tiny', load: true });
  sourceBefore = repo.status().servers.find((s) => s.context === 'minikube-indri')!;
  await setDatabaseState(sourceBefore.port!);
  run = repo.mikado(['run', 'migrate-immich-to-ringtail', '--profile', 'sandbox', '--yes'], {
    MIKADO_MIGRATION_METHOD: 'A',
  });
}, 600_000);

afterAll(async () => {
  for (const stop of stops) await stop();
  await repo?.remove();
  scratch.cleanup();
}, 120_000);

describe('the Immich chain by Option A in the sandbox (kubectl stand-in, real PostgreSQL)', () => {
  it('runs all seven cards in order and succeeds', () => {
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const cards = [...new Set(blockOutcomes(repo.journal('sandbox')).map((l) => l.split(':')[0]))];
    expect(cards).toEqual([
      'cnpg-on-ringtail',
      'immich-pg-on-ringtail',
      'immich-pg-data-migration',
      'sifaka-nfs-from-ringtail',
      'immich-app-on-ringtail',
      'immich-cutover-and-decommission',
      'migrate-immich-to-ringtail',
    ]);
    expect(blockOutcomes(repo.journal('sandbox')).every((l) => l.endsWith(' succeeded'))).toBe(
      true,
    );
  });

  it('leaves ringtail equal to the source as it was at the quiesce, and the source volume in place', async () => {
    expect(existsSync(path.join(sourceBefore.dir, 'data/PG_VERSION'))).toBe(true);
    const source = await startCopy(sourceBefore.dir, scratch.dir);
    stops.push(() => source.server.stop({ mode: 'immediate' }));
    const target = repo.status().servers.find((s) => s.context === 'k3s-ringtail');
    expect(target?.cluster).toBe('immich-pg');
    const targetUrl = `postgresql://postgres@127.0.0.1:${target!.port}/immich`;
    const report = await verifyDatabases(source.url, targetUrl, {
      sequences: 'not-behind',
      requireTables: ['assets', 'albums', 'users', 'asset_face', 'smart_search'],
    });
    expect(report.failures).toEqual([]);
    expect(report.tables.length).toBeGreaterThan(10);
    expect(report.schema.ok).toBe(true);
  });

  it('loses no write of the load writer, which ran through the basebackup and the catch-up', async () => {
    const { loadWriter, servers } = repo.status();
    expect(loadWriter.running).toBe(false);
    const target = servers.find((s) => s.context === 'k3s-ringtail')!;
    const check = await checkLoadWriterLog(
      loadWriter.logFile,
      `postgresql://postgres@127.0.0.1:${target.port}/immich`,
    );
    expect(check.missing).toEqual([]);
    expect(check.unexpected).toEqual([]);
    expect(check.ok).toBe(true);
    const calls = repo.calls();
    const replica =
      calls[
        callIndex(calls, 'apply of the replica', (c) =>
          c.argv.some((a) => a.endsWith('immich-pg-replica')),
        )
      ]!;
    const commitsAfterBasebackup = readLoadWriterLog(loadWriter.logFile).filter(
      (e) => e.status === 'committed' && e.at > replica.start,
    );
    expect(commitsAfterBasebackup.length).toBeGreaterThan(0);
  });

  it('recorded the quiesce before the final sync, and the tailnet name freed before ringtail claimed it', () => {
    const calls = repo.calls();
    const quiesce = callIndex(calls, 'scale to 0', (c) =>
      kubectlCall(c, 'minikube-indri', 'scale', 'immich-server', '--replicas=0'),
    );
    const promote = callIndex(
      calls,
      'promotion of immich-pg',
      (c) =>
        kubectlCall(c, 'k3s-ringtail', 'patch') &&
        c.argv.includes('cluster.postgresql.cnpg.io/immich-pg') &&
        c.argv.some((a) => a.includes('"enabled":false')),
    );
    expect(quiesce).toBeLessThan(promote);
    const freed = callIndex(calls, 'delete of the minikube ingress', (c) =>
      kubectlCall(c, 'minikube-indri', 'delete', 'ingress', 'immich-tailscale'),
    );
    const setPath = callIndex(
      calls,
      'immich-ringtail moved to the final shape',
      (c) =>
        c.tool === 'argocd' &&
        c.argv.includes('set') &&
        c.argv.includes('immich-ringtail') &&
        c.argv.some((a) => a.endsWith('/manifests/immich')),
    );
    const claimed = callIndex(
      calls,
      'sync claiming photos',
      (c) => c.tool === 'argocd' && c.argv.includes('sync') && c.argv.includes('immich-ringtail'),
      setPath,
    );
    expect(freed).toBeLessThan(setPath);
    expect(setPath).toBeLessThan(claimed);
    const ingress = JSON.parse(
      repo.standIn('kubectl', [
        '--context=k3s-ringtail',
        '-n',
        'immich',
        'get',
        'ingress',
        'immich-tailscale',
        '-o',
        'json',
      ]),
    );
    expect(ingress.status.loadBalancer.ingress[0].hostname).toBe('photos.tail8d86e.ts.net');
  });

  it('decommissioned minikube, moved Caddy and borgmatic, and rewrote the replica bootstrap', () => {
    const k = (...args: string[]) => repo.standIn('kubectl', args);
    expect(k('--context=minikube-indri', 'get', 'namespace', 'immich', '--ignore-not-found')).toBe(
      '',
    );
    const cluster = JSON.parse(
      k('--context=k3s-ringtail', '-n', 'databases', 'get', 'cluster', 'immich-pg', '-o', 'json'),
    );
    expect(Object.keys(cluster.spec.bootstrap)).toEqual(['initdb']);
    expect(cluster.spec.externalClusters).toBeUndefined();
    expect(cluster.spec.replica).toBeUndefined();
    const backups = repo.calls().filter((c) => c.tool === 'borgmatic');
    expect(backups.at(-1)?.exitCode).toBe(0);
    expect(backups.at(-1)?.notes?.join(' ')).toContain('immich-pg-ringtail');
  });

  it('predicted the downtime, from the start of quiesce to traffic on ringtail, within 25 %', () => {
    const d = downtimeBreakdown(repo.journal('sandbox'));
    const why = JSON.stringify(d, null, 1);
    expect(d.ms, why).toBeGreaterThan(0);
    expect(Math.abs(d.predictedMs - d.ms) / d.ms, why).toBeLessThanOrEqual(0.25);
  });

  it('carries the database-level state: settings, comment, grants, owner and roles', async () => {
    const target = repo.status().servers.find((s) => s.context === 'k3s-ringtail')!;
    expect(await readDatabaseState(target.port!)).toEqual(EXPECTED_DATABASE_STATE);
  });

  it('verified at the cutover from the online comparison, hashing again only what the load writer changed since', () => {
    const records = repo.journal('sandbox');
    const online = lastSet(records, 'immich.online-compare') as { at: number };
    const verdict = lastSet(records, 'verdict:immich.final-sync') as {
      ok: boolean;
      details: { since: { rehashed: number; chunks: number; source: string; target: string } };
    };
    expect(verdict.ok).toBe(true);
    const { since } = verdict.details;
    expect(since.source).toBeDefined();
    expect(since.target).toBeDefined();
    // The load writer kept writing after the online comparison: those chunks were hashed again,
    // and only those.
    const writes = readLoadWriterLog(repo.status().loadWriter.logFile).filter(
      (e) => e.status === 'committed' && Date.parse(e.at) > online.at,
    );
    expect(writes.length).toBeGreaterThan(0);
    expect(since.rehashed).toBeGreaterThan(0);
    expect(since.rehashed).toBeLessThan(since.chunks);
  });
});
