import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../src/dataset.ts';
import {
  checkLoadWriterLog,
  loadWriterStatus,
  readLoadWriterLog,
  runLoadWriter,
  startLoadWriter,
  stopLoadWriter,
} from '../src/load-writer.ts';
import { PgServer } from '../src/pg-server.ts';
import { startTestPg, type TestPg } from '../src/start-test-pg.ts';

let pg: TestPg;
let server: PgServer;
let dir: string;

beforeAll(async () => {
  pg = await startTestPg('load');
  server = pg.server;
  dir = pg.dir;
  await server.query('create database base');
  await generateDataset(server.connectionString('base'), { assets: 100, embeddingDim: 8 });
  await server.query('create database immich template base');
  await server.query('create database other template base');
});

afterAll(async () => {
  await stopLoadWriter(path.join(dir, 'writer.pid'));
  await pg?.stop();
});

describe('load writer', () => {
  it('runs as a separate process until SIGTERM, and its log agrees with the database', async () => {
    const pidFile = path.join(dir, 'writer.pid');
    const logFile = path.join(dir, 'writer.log');
    const { pid } = await startLoadWriter({
      connectionString: server.connectionString('immich'),
      logFile,
      pidFile,
      intervalMs: 5,
    });
    expect(loadWriterStatus(pidFile)).toEqual({ running: true, pid });
    await expect(
      startLoadWriter({ connectionString: server.connectionString('immich'), logFile, pidFile }),
    ).rejects.toThrow(/already runs/);
    while (readLoadWriterLog(logFile).length < 40) await new Promise((r) => setTimeout(r, 50));
    expect(await stopLoadWriter(pidFile)).toBe(true);
    expect(loadWriterStatus(pidFile).running).toBe(false);
    const entries = readLoadWriterLog(logFile);
    expect(new Set(entries.map((e) => e.op))).toEqual(
      new Set(['insert-asset', 'update-asset', 'update-embedding', 'insert-face']),
    );
    const check = await checkLoadWriterLog(logFile, server.connectionString('immich'));
    expect(check).toMatchObject({
      ok: true,
      missing: [],
      unexpected: [],
      committed: entries.length,
    });
    expect(readFileSync(path.join(dir, 'writer.out'), 'utf8')).toMatch(/load-writer: stopped/);
    expect(await stopLoadWriter(pidFile)).toBe(false);
  });

  it('detects a lost operation and an unlogged one', async () => {
    const logFile = path.join(dir, 'inproc.log');
    const stats = await runLoadWriter({
      connectionString: server.connectionString('other'),
      logFile,
      intervalMs: 0,
      maxOps: 12,
    });
    expect(stats.committed).toBe(12);
    const entries = readLoadWriterLog(logFile);
    const inserted = entries.find((e) => e.op === 'insert-asset') ?? entries[0]!;
    const updated = entries.slice(0, -1).findLast((e) => e.op === 'update-asset');
    await server.query('delete from audit where id = $1', [inserted.audit], 'other');
    if (updated)
      await server.query(
        'update assets set "isFavorite" = not "isFavorite" where id = $1',
        [updated.asset],
        'other',
      );
    const dropped = entries.at(-1)!;
    writeFileSync(
      logFile,
      readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((l) => !l.includes(`"n":${dropped.n},`))
        .join('\n'),
    );
    const check = await checkLoadWriterLog(logFile, server.connectionString('other'));
    expect(check.ok).toBe(false);
    expect(check.missing).toContain(
      `#${inserted.n} ${inserted.op} ${inserted.asset}: audit row ${inserted.audit} missing`,
    );
    if (updated)
      expect(check.missing).toContain(`#${updated.n} update-asset ${updated.asset}: not as logged`);
    expect(check.unexpected).toEqual([dropped.audit]);
  });

  it('survives a server crash and restart, and a promoted standby that followed it holds every committed operation', async () => {
    const base = path.join(dir, 'crash');
    const logFile = path.join(base, 'writer.log');
    const pidFile = path.join(base, 'writer.pid');
    const src = new PgServer(path.join(base, 'src'));
    const standby = new PgServer(path.join(base, 'standby'));
    try {
      await src.init();
      const { port } = await src.start();
      await src.query('create database immich');
      await generateDataset(src.connectionString('immich'), { assets: 50, embeddingDim: 8 });
      await standby.basebackup(src.connectionString());
      await standby.start();
      await startLoadWriter({
        connectionString: src.connectionString('immich'),
        logFile,
        pidFile,
        intervalMs: 2,
      });
      const waitFor = async (n: number) => {
        while (readLoadWriterLog(logFile).length < n) await new Promise((r) => setTimeout(r, 20));
      };
      await waitFor(20);
      await src.stop({ mode: 'immediate' });
      await src.start({ port });
      const before = readLoadWriterLog(logFile).length;
      await waitFor(before + 20);
      expect(await stopLoadWriter(pidFile)).toBe(true);
      expect(readFileSync(logFile, 'utf8')).toMatch(/"error":/);
      const [lsn] = await src.query<{ l: string }>('select pg_current_wal_lsn()::text as l');
      for (let i = 0; i < 200; i++) {
        const [r] = await standby.query<{ ok: boolean }>(
          'select pg_last_wal_replay_lsn() >= $1::pg_lsn as ok',
          [lsn!.l],
        );
        if (r?.ok) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await src.stop();
      await standby.promote();
      const check = await checkLoadWriterLog(logFile, standby.connectionString('immich'));
      expect(check).toMatchObject({ ok: true, missing: [], unexpected: [] });
      expect(check.committed).toBeGreaterThanOrEqual(40);
    } finally {
      await stopLoadWriter(pidFile);
      await standby.stop({ mode: 'immediate' });
      await src.stop({ mode: 'immediate' });
    }
  });
});
