import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatVerification } from '../../src/verify/format-verification.ts';
import { verifyDatabases } from '../../src/verify/verify-databases.ts';
import { clusterConnectionString } from '../src/cnpg-controller.ts';
import { checkLoadWriterLog, loadWriterStatus, readLoadWriterLog } from '../src/load-writer.ts';
import { replicaManifests } from '../src/replica-manifests.ts';
import { sandboxStatus } from '../src/sandbox.ts';
import { loadWorld } from '../src/store.ts';
import { type RunResult, startSandbox, type TestSandbox, until } from './helpers/sandbox.ts';

let sb: TestSandbox;

beforeAll(async () => {
  sb = await startSandbox({ load: true, loadIntervalMs: 5 });
});

afterAll(async () => {
  await sb?.cleanup();
});

const k = (ctx: string, args: string[], input?: string): Promise<RunResult> =>
  sb.run('kubectl', ['--context', ctx, ...args], input === undefined ? {} : { input });

async function query<T extends Record<string, unknown>>(conn: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: conn });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

const conn = (ctx: string, db = 'immich') =>
  clusterConnectionString(loadWorld(sb.dir), ctx, 'databases', 'immich-pg', db);

const { operatorApp, cluster, sourceSecret } = replicaManifests();

describe('CNPG emulation through the kubectl stand-in (real PostgreSQL)', () => {
  it('bootstraps a ringtail replica with pg_basebackup from the source over the tailnet; it follows the source under writes and promotes', async () => {
    expect((await k('minikube-indri', ['apply', '-f', '-'], operatorApp)).code).toBe(0);
    expect((await sb.run('argocd', ['app', 'sync', 'cloudnative-pg-ringtail'])).code).toBe(0);
    expect(
      (
        await k('k3s-ringtail', [
          '-n',
          'cnpg-system',
          'get',
          'pods',
          '-o',
          'jsonpath={.items[0].status.phase}',
        ])
      ).stdout,
    ).toBe('Running');
    expect((await k('k3s-ringtail', ['create', 'namespace', 'databases'])).code).toBe(0);

    // Without the secret the bootstrap cannot run, as on a real cluster.
    expect((await k('k3s-ringtail', ['apply', '-f', '-'], cluster)).stdout).toBe(
      'cluster.postgresql.cnpg.io/immich-pg created\n',
    );
    const stuck = await k('k3s-ringtail', [
      '-n',
      'databases',
      'wait',
      '--for=condition=Ready',
      'cluster/immich-pg',
      '--timeout=2s',
    ]);
    expect(stuck.code).toBe(1);
    const reason = await k('k3s-ringtail', [
      '-n',
      'databases',
      'get',
      'cluster',
      'immich-pg',
      '-o',
      'jsonpath={.status.phaseReason}',
    ]);
    expect(reason.stdout).toMatch(/secret "immich-pg-source-superuser" not found/);

    const pw = await k('minikube-indri', [
      '-n',
      'databases',
      'get',
      'secret',
      'immich-pg-superuser',
      '-o',
      'jsonpath={.data.password}',
    ]);
    const secret = await k('k3s-ringtail', [
      '-n',
      'databases',
      'create',
      'secret',
      'generic',
      sourceSecret,
      '--from-literal=username=postgres',
      `--from-literal=password=${Buffer.from(pw.stdout, 'base64').toString()}`,
    ]);
    expect(secret.code).toBe(0);
    // A password replication connection needs a `host replication` rule on the source (CNPG's
    // default rules let only `streaming_replica` in, with its certificate): refused without it.
    await until(async () => {
      const r = await k('k3s-ringtail', [
        '-n',
        'databases',
        'get',
        'cluster',
        'immich-pg',
        '-o',
        'jsonpath={.status.phaseReason}',
      ]);
      return /no pg_hba.conf entry for replication connection from host "127.0.0.1", user "postgres"/.test(
        r.stdout,
      );
    }, 30_000);
    const rule = await k('minikube-indri', [
      '-n',
      'databases',
      'patch',
      'cluster',
      'immich-pg',
      '--type=merge',
      '-p',
      '{"spec":{"postgresql":{"pg_hba":["host replication postgres all scram-sha-256"]}}}',
    ]);
    expect(rule.code).toBe(0);
    const ready = await k('k3s-ringtail', [
      '-n',
      'databases',
      'wait',
      '--for=condition=Ready',
      'cluster/immich-pg',
      '--timeout=60s',
    ]);
    expect(ready.stdout).toBe('cluster.postgresql.cnpg.io/immich-pg condition met\n');

    const source = conn('minikube-indri')!;
    const target = conn('k3s-ringtail')!;
    expect(loadWriterStatus(loadWorld(sb.dir).meta.loadWriter.pidFile).running).toBe(true);
    const [inRecovery] = await query<{ r: boolean }>(target, 'select pg_is_in_recovery() as r');
    expect(inRecovery?.r).toBe(true);
    // Follows under writes: the replica sees audit rows the writer commits after the base backup.
    const [before] = await query<{ m: number }>(
      target,
      "select coalesce(max(id), 0)::int as m from audit where action like 'load:%'",
    );
    await until(async () => {
      const [now] = await query<{ m: number }>(
        target,
        "select coalesce(max(id), 0)::int as m from audit where action like 'load:%'",
      );
      return (now?.m ?? 0) > (before?.m ?? 0) + 5;
    }, 20_000);
    const exec = await k('k3s-ringtail', [
      '-n',
      'databases',
      'exec',
      'immich-pg-1',
      '--',
      'psql',
      '-d',
      'immich',
      '-tAc',
      'select pg_is_in_recovery()',
    ]);
    expect(exec.stdout).toBe('t\n');

    // Quiesce: scaling the source app to 0 stops the load writer and waits for it.
    const scaled = await k('minikube-indri', [
      '-n',
      'immich',
      'scale',
      'deploy/immich-server',
      '--replicas=0',
    ]);
    expect(scaled.stdout).toBe('deployment.apps/immich-server scaled\n');
    expect(loadWriterStatus(loadWorld(sb.dir).meta.loadWriter.pidFile).running).toBe(false);
    const [{ lsn } = { lsn: '' }] = await query<{ lsn: string }>(
      source,
      'select pg_current_wal_lsn()::text as lsn',
    );
    await until(async () => {
      const [r] = await query<{ ok: boolean }>(
        target,
        `select pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn as ok`,
      );
      return r?.ok;
    }, 20_000);

    // A strategic patch of a CRD fails as on a real API server; a merge patch promotes.
    const strategic = await k('k3s-ringtail', [
      '-n',
      'databases',
      'patch',
      'cluster',
      'immich-pg',
      '-p',
      '{"spec":{"replica":{"enabled":false}}}',
    ]);
    expect(strategic.stderr).toMatch(
      /strategic-merge-patch\+json is not supported by postgresql\.cnpg\.io\/v1, Kind=Cluster/,
    );
    const promote = await k('k3s-ringtail', [
      '-n',
      'databases',
      'patch',
      'cluster',
      'immich-pg',
      '--type',
      'merge',
      '-p',
      '{"spec":{"replica":{"enabled":false}}}',
    ]);
    expect(promote.stdout).toBe('cluster.postgresql.cnpg.io/immich-pg patched\n');
    await until(
      async () =>
        (await query<{ r: boolean }>(conn('k3s-ringtail')!, 'select pg_is_in_recovery() as r'))[0]
          ?.r === false,
      20_000,
    );

    const piped = await k(
      'k3s-ringtail',
      ['-n', 'databases', 'exec', '-i', 'immich-pg-1', '--', 'psql', '-d', 'immich', '-tA'],
      'select count(*) > 0 from users;\n',
    );
    expect(piped.stdout).toBe('t\n');
    const du = await k('k3s-ringtail', [
      '-n',
      'databases',
      'exec',
      'immich-pg-1',
      '--',
      'sh',
      '-c',
      'test -f "$PGDATA/PG_VERSION" && du -sk /var/lib/postgresql/data/pgdata/',
    ]);
    expect(du.stdout).toMatch(/^\d+\s+\/var\/lib\/postgresql\/data\/pgdata\/\n$/);
    const log = loadWorld(sb.dir).meta.loadWriter.logFile;
    expect(readLoadWriterLog(log).length).toBeGreaterThan(5);
    const check = await checkLoadWriterLog(log, conn('k3s-ringtail')!);
    expect(check).toMatchObject({ ok: true, missing: [], unexpected: [] });
    const report = await verifyDatabases(source, conn('k3s-ringtail')!, {
      skipSchema: true,
      sequences: 'not-behind',
    });
    expect(report.ok, formatVerification(report)).toBe(true);
    expect(
      (
        await query<{ n: number }>(
          conn('k3s-ringtail')!,
          'insert into audit ("entityType", "entityId", action, "ownerId") select \'ASSET\', id, \'after-promote\', "ownerId" from assets limit 1 returning 1 as n',
        )
      ).length,
    ).toBe(1);
  });

  it('stops a deleted Cluster and keeps its data until the PVC is deleted (a Retain-like volume)', async () => {
    const dataDir = sandboxStatus(sb.dir).servers.find((s) => s.context === 'k3s-ringtail')!.dir;
    expect(existsSync(path.join(dataDir, 'data', 'PG_VERSION'))).toBe(true);
    const del = await k('k3s-ringtail', ['-n', 'databases', 'delete', 'cluster', 'immich-pg']);
    expect(del.stdout).toBe('cluster.postgresql.cnpg.io "immich-pg" deleted\n');
    expect(sandboxStatus(sb.dir).servers.filter((s) => s.context === 'k3s-ringtail')).toEqual([]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(existsSync(path.join(dataDir, 'data', 'PG_VERSION'))).toBe(true);
    expect(
      (
        await k('k3s-ringtail', [
          '-n',
          'databases',
          'get',
          'pvc',
          'immich-pg-1',
          '-o',
          'jsonpath={.status.phase}',
        ])
      ).stdout,
    ).toBe('Bound');
    expect(
      (await k('k3s-ringtail', ['-n', 'databases', 'delete', 'pvc', 'immich-pg-1'])).code,
    ).toBe(0);
    await until(() => !existsSync(dataDir), 20_000);
    expect(
      (
        await k('k3s-ringtail', [
          '-n',
          'databases',
          'get',
          'pvc',
          'immich-pg-1',
          '--ignore-not-found',
        ])
      ).stdout,
    ).toBe('');
    // A PVC a running pod uses stays Terminating (kubernetes.io/pvc-protection) until the pod goes.
    const inUse = await k('minikube-indri', [
      '-n',
      'immich',
      'delete',
      'pvc',
      'pvc-ml-cache',
      '--timeout=2s',
    ]);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toMatch(
      /timed out waiting for the condition on persistentvolumeclaims\/pvc-ml-cache \(finalizers: kubernetes\.io\/pvc-protection\)/,
    );
    expect(
      (await k('minikube-indri', ['-n', 'immich', 'get', 'pvc', 'pvc-ml-cache'])).stdout,
    ).toMatch(/Terminating/);
    // ArgoCD's self-heal would scale it back: switch the app's automated sync off first.
    await k('minikube-indri', [
      '-n',
      'argocd',
      'patch',
      'application',
      'immich',
      '--type=merge',
      '-p',
      '{"spec":{"syncPolicy":{"automated":null}}}',
    ]);
    await k('minikube-indri', [
      '-n',
      'immich',
      'scale',
      'deploy/immich-machine-learning',
      '--replicas=0',
    ]);
    await until(
      async () =>
        (
          await k('minikube-indri', [
            '-n',
            'immich',
            'get',
            'pvc',
            'pvc-ml-cache',
            '--ignore-not-found',
          ])
        ).stdout === '',
      20_000,
    );
    // The source is untouched.
    expect(
      (await query<{ r: boolean }>(conn('minikube-indri')!, 'select pg_is_in_recovery() as r'))[0]
        ?.r,
    ).toBe(false);
  });
});
