import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseError } from '../src/errors.ts';
import { findFreePort, findPgBinDir, PgServer } from '../src/pg-server.ts';

const servers: PgServer[] = [];
const cleanups: (() => void)[] = [];

function newServer(name: string): PgServer {
  const dir = mkdtempSync(path.join(tmpdir(), 'mikado-pg-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const s = new PgServer(path.join(dir, name));
  servers.push(s);
  return s;
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    if (s.status().running && s.status().ours) await s.stop({ mode: 'immediate' });
  }
  for (const c of cleanups.splice(0)) c();
});

describe('findPgBinDir', () => {
  it('honours MIKADO_PG_BIN and rejects a directory without pg_ctl', () => {
    const real = findPgBinDir({});
    expect(existsSync(path.join(real, 'pg_ctl'))).toBe(true);
    expect(findPgBinDir({ MIKADO_PG_BIN: real })).toBe(real);
    expect(() => findPgBinDir({ MIKADO_PG_BIN: '/nonexistent' })).toThrow(DatabaseError);
  });
});

describe('PgServer', () => {
  it('initialises, starts and stops repeatedly, each time on a working port', async () => {
    const s = newServer('a');
    await s.init();
    expect(s.status()).toMatchObject({ initialized: true, running: false });
    for (let i = 0; i < 3; i++) {
      const st = await s.start();
      expect(st.running).toBe(true);
      expect(st.ours).toBe(true);
      const [row] = await s.query<{ n: number }>('select 40 + $1::int as n', [i]);
      expect(row?.n).toBe(40 + i);
      expect(await s.stop({ mode: i === 2 ? 'immediate' : 'fast' })).toBe(true);
      expect(s.status().running).toBe(false);
      expect(existsSync(s.recordFile)).toBe(false);
    }
    expect(await s.stop()).toBe(false);
  });

  it('lets another PgServer object (as another process would) stop a server by its directory', async () => {
    const s = newServer('b');
    await s.init();
    const { port } = await s.start();
    const again = new PgServer(s.dir);
    expect(again.status()).toMatchObject({ running: true, ours: true, port, pmStatus: 'ready' });
    const socketDir = again.status().socketDir!;
    expect([s.dataDir, '']).toContain(socketDir);
    if (socketDir) expect(existsSync(path.join(socketDir, `.s.PGSQL.${port}`))).toBe(true);
    expect(again.connectionString('postgres')).toBe(
      `postgresql://postgres@127.0.0.1:${port}/postgres`,
    );
    expect(await again.stop()).toBe(true);
    expect(s.status().running).toBe(false);
  });

  it('refuses to stop a server it did not start, and to start over it', async () => {
    const s = newServer('c');
    await s.init();
    const port = await findFreePort();
    const runAs = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
    const pgCtl = path.join(s.binDir, 'pg_ctl');
    const cmd = [...runAs, pgCtl, '-D', s.dataDir, '-l', path.join(s.dataDir, 'own.log'), '-w'];
    const [file, ...args] = [...cmd, '-o', `-p ${port} -k ''`, 'start'];
    execFileSync(file!, args, { cwd: s.dir, stdio: 'ignore' });
    try {
      expect(s.status()).toMatchObject({ running: true, ours: false });
      await expect(s.stop()).rejects.toThrow(/Refusing to stop .* mikado did not start it/);
      await expect(s.start()).rejects.toThrow(/not started by mikado/);
    } finally {
      const [f2, ...a2] = [...runAs, pgCtl, '-D', s.dataDir, '-m', 'immediate', '-w', 'stop'];
      execFileSync(f2!, a2, { cwd: s.dir, stdio: 'ignore' });
    }
  });

  it('restarts after the postmaster was killed (stale postmaster.pid)', async () => {
    const s = newServer('d');
    await s.init();
    const { pid } = await s.start();
    process.kill(pid!, 'SIGKILL');
    for (let i = 0; i < 50 && s.status().running; i++) await new Promise((r) => setTimeout(r, 100));
    expect(s.status()).toMatchObject({ running: false, stale: true });
    const st = await s.start();
    expect(st.running).toBe(true);
    expect(st.pid).not.toBe(pid);
  });

  it('serves over TCP only when the data directory is too deep for a Unix socket', async () => {
    const s = newServer(path.join('deep'.repeat(12), 'x'.repeat(40), 'server'));
    await s.init();
    const st = await s.start();
    expect(st.socketDir).toBe('');
    const [row] = await s.query<{ ok: number }>('select 1 as ok');
    expect(row?.ok).toBe(1);
  });

  it('copies one initdb result per run with MIKADO_PG_TEMPLATES (the test run sets it), or runs initdb each time without', async () => {
    expect(process.env['MIKADO_PG_TEMPLATES']).toBeTruthy();
    const templates = mkdtempSync(path.join(tmpdir(), 'mikado-pg-templates-'));
    cleanups.push(() => rmSync(templates, { recursive: true, force: true }));
    const systemId = async (s: PgServer): Promise<string> => {
      await s.start();
      const [row] = await s.query<{ id: string }>(
        'select system_identifier::text as id from pg_control_system()',
      );
      await s.stop({ mode: 'immediate' });
      return row!.id;
    };
    const saved = process.env['MIKADO_PG_TEMPLATES'];
    const ids: Record<string, string[]> = { copied: [], initdb: [] };
    try {
      for (const [mode, value] of [
        ['copied', templates],
        ['initdb', undefined],
      ] as const) {
        if (value) process.env['MIKADO_PG_TEMPLATES'] = value;
        else delete process.env['MIKADO_PG_TEMPLATES'];
        for (const name of ['one', 'two']) {
          const s = newServer(`${mode}-${name}`);
          await s.init({ settings: { max_connections: 20 } });
          ids[mode]!.push(await systemId(s));
        }
      }
    } finally {
      process.env['MIKADO_PG_TEMPLATES'] = saved;
    }
    // one template, both copies of it (initdb gives every cluster its own identifier)
    const [key, ...more] = readdirSync(templates);
    expect(more).toEqual([]);
    expect(existsSync(path.join(templates, key!, 'data', 'PG_VERSION'))).toBe(true);
    expect(ids['copied']![0]).toBe(ids['copied']![1]);
    expect(ids['initdb']![0]).not.toBe(ids['initdb']![1]);
    expect(readFileSync(path.join(templates, key!, 'data', 'postgresql.conf'), 'utf8')).not.toMatch(
      /mikado sandbox/,
    );
  });

  it('refuses to initialise over an existing cluster', async () => {
    const s = newServer('e');
    await s.init();
    await expect(s.init()).rejects.toThrow(/non-empty data directory/);
  });

  it('makes a streaming standby that follows its source under writes and promotes', async () => {
    const src = newServer('src');
    await src.init();
    await src.start();
    await src.query('create table t (id bigint generated always as identity primary key, v text)');
    await src.query("insert into t (v) select 'before' from generate_series(1, 500)");
    const standby = newServer('standby');
    await standby.basebackup(src.connectionString());
    expect(standby.status().standby).toBe(true);
    expect(readFileSync(path.join(standby.dataDir, 'postgresql.auto.conf'), 'utf8')).toMatch(
      /primary_conninfo/,
    );
    await standby.start();
    expect(await standby.isInRecovery()).toBe(true);
    for (let i = 0; i < 20; i++)
      await src.query("insert into t (v) select 'during' from generate_series(1, 50)");
    const [lsn] = await src.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
    for (let i = 0; i < 100; i++) {
      const [r] = await standby.query<{ ok: boolean }>(
        'select pg_last_wal_replay_lsn() >= $1::pg_lsn as ok',
        [lsn!.lsn],
      );
      if (r?.ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const count = async (s: PgServer) =>
      (await s.query<{ n: string }>('select count(*) as n from t'))[0]?.n;
    expect(await count(standby)).toBe('1500');
    await expect(standby.query("insert into t (v) values ('x')")).rejects.toThrow(/read-only/);
    await src.stop();
    await standby.promote();
    expect(await standby.isInRecovery()).toBe(false);
    expect(standby.status().standby).toBe(false);
    await standby.query("insert into t (v) values ('after promote')");
    expect(await count(standby)).toBe('1501');
  });
});
