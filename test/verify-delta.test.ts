// The verification in two steps: every row compared online (compareOnline, both sides live), then,
// with the source stopped, only what may have changed since (verifySince). It must stop the
// cutover for a single changed value, a missing row, a row written after the online comparison, or
// a sequence that did not advance, and name the table and key range; and it must prove, not
// assume, that the rest did not change.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { generateDataset, type PgServer, startTestPg, type TestPg } from '@mikado-docs/sandbox';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareOnline } from '../src/verify/compare-online.ts';
import { digestDatabase } from '../src/verify/digest-database.ts';
import { formatVerification } from '../src/verify/format-verification.ts';
import type { VerificationReport } from '../src/verify/types.ts';
import { verifySince } from '../src/verify/verify-since.ts';

let testPg: TestPg;
let server: PgServer;
let pairs = 0;
const url = (db: string) => server.connectionString(db);
const CHUNK = 50;

/** A fresh source and an exact copy of it (pg_dump | pg_restore: other xmins, other row order). */
async function pair(): Promise<{ source: string; target: string }> {
  const n = ++pairs;
  await server.query(`create database src_${n} template immich`);
  await server.query(`create database tgt_${n} template copy`);
  return { source: `src_${n}`, target: `tgt_${n}` };
}

/** Runs SQL in one database. */
const sql = (db: string, text: string, params: unknown[] = []) => server.query(text, params, db);

/** Total chunks hashed again by a verification since digests. */
const rehashed = (r: VerificationReport) =>
  r.tables.reduce((n, t) => n + (t.rehashed?.source ?? 0) + (t.rehashed?.target ?? 0), 0);

/** The key range of a failure on `table` contains `key` (single-column uuid keys). */
function rangeHolds(r: VerificationReport, table: string, key: string): boolean {
  const range = r.tables.find((t) => t.table === table)?.firstDifference;
  if (!range) return false;
  const above = range.lower === undefined || range.lower[0]! < key;
  const below = range.upper === undefined || key <= range.upper[0]!;
  return above && below;
}

beforeAll(async () => {
  testPg = await startTestPg('delta');
  server = testPg.server;
  await server.query('create database immich');
  await generateDataset(url('immich'), { assets: 300, seed: 7, embeddingDim: 16 });
  await server.query('create database copy');
  const dump = execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-d', url('immich')], {
    maxBuffer: 1 << 28,
  });
  execFileSync(path.join(server.binDir, 'pg_restore'), ['-d', url('copy')], { input: dump });
}, 120_000);

afterAll(async () => {
  await testPg?.stop();
});

describe('compareOnline, then verifySince', () => {
  it('passes without hashing any row again when nothing changed, and says so', async () => {
    const p = await pair();
    const online = await compareOnline(url(p.source), url(p.target), { chunkRows: CHUNK });
    expect(online.differing).toEqual([]);
    expect(JSON.parse(JSON.stringify(online))).toEqual(online);
    const report = await verifySince(url(p.source), url(p.target), online, { chunkRows: CHUNK });
    expect(report.failures).toEqual([]);
    expect(rehashed(report)).toBe(0);
    expect(report.tables.find((t) => t.table === 'public.assets')).toMatchObject({
      sourceRows: 300,
      targetRows: 300,
      chunks: 7,
      ok: true,
    });
    expect(formatVerification(report)).toMatch(
      /0 of \d+ chunks hashed again: the rest proven unchanged since the online comparison/,
    );
  });

  it('stops for one embedding value changed on the source after the online comparison', async () => {
    const p = await pair();
    const online = await compareOnline(url(p.source), url(p.target), { chunkRows: CHUNK });
    const [row] = await sql(
      p.source,
      `update smart_search set embedding[5] = embedding[5] + 0.001
       where "assetId" = (select "assetId" from smart_search order by 1 offset 77 limit 1)
       returning "assetId"::text as id`,
    );
    const report = await verifySince(url(p.source), url(p.target), online, { chunkRows: CHUNK });
    expect(report.ok).toBe(false);
    expect(report.failures).toEqual([
      expect.stringMatching(
        /^table public\.smart_search: content differs in "assetId" > '[0-9a-f-]+' and "assetId" <= '[0-9a-f-]+'$/,
      ),
    ]);
    expect(rangeHolds(report, 'public.smart_search', String(row!.id))).toBe(true);
    expect(rehashed(report)).toBe(1);
  });

  it('stops for one embedding value changed on the target (not the source) after it', async () => {
    const p = await pair();
    const online = await compareOnline(url(p.source), url(p.target), { chunkRows: CHUNK });
    const [row] = await sql(
      p.target,
      `update face_search set embedding[1] = -embedding[1]
       where "faceId" = (select "faceId" from face_search order by 1 offset 3 limit 1)
       returning "faceId"::text as id`,
    );
    const report = await verifySince(url(p.source), url(p.target), online, { chunkRows: CHUNK });
    expect(report.failures).toEqual([
      expect.stringMatching(/^table public\.face_search: content differs in "faceId" <= '/),
    ]);
    expect(rangeHolds(report, 'public.face_search', String(row!.id))).toBe(true);
    expect(rehashed(report)).toBe(1);
  });

  it('stops for one row deleted on the target after it, naming the range', async () => {
    const p = await pair();
    const online = await compareOnline(url(p.source), url(p.target), { chunkRows: CHUNK });
    const [row] = await sql(
      p.target,
      'delete from exif where "assetId" = (select "assetId" from exif order by 1 offset 260 limit 1) returning "assetId"::text as id',
    );
    const report = await verifySince(url(p.source), url(p.target), online, { chunkRows: CHUNK });
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]).toMatch(
      /^table public\.exif: (\d+) rows on source, \d+ on target; content differs in "assetId" > '[0-9a-f-]+'/,
    );
    expect(rangeHolds(report, 'public.exif', String(row!.id))).toBe(true);
    expect(rehashed(report)).toBe(1);
  });

  it('stops for a row inserted on the source after it', async () => {
    const p = await pair();
    const online = await compareOnline(url(p.source), url(p.target), { chunkRows: CHUNK });
    await sql(
      p.source,
      `insert into assets select (jsonb_populate_record(a, jsonb_build_object(
         'id', '00000000-0000-4000-8000-000000000001', 'checksum', '\\x0102'))).* from assets a limit 1`,
    );
    const report = await verifySince(url(p.source), url(p.target), online, { chunkRows: CHUNK });
    expect(report.failures).toEqual([
      expect.stringMatching(
        /^table public\.assets: 301 rows on source, 300 on target; content differs in id <= '/,
      ),
    ]);
    expect(rangeHolds(report, 'public.assets', '00000000-0000-4000-8000-000000000001')).toBe(true);
    expect(rehashed(report)).toBe(1);
  });

  it('stops for a change by a transaction open during the online comparison, made in a savepoint', async () => {
    const p = await pair();
    const [album] = await sql(p.source, 'select id::text from albums order by id limit 1');
    // Its subtransaction's xid is above the online snapshot's xmin, although not in its list of
    // running transactions (a snapshot lists only top-level ones); the row count does not change.
    const writer = new pg.Client({ connectionString: url(p.source) });
    await writer.connect();
    await writer.query('begin');
    await writer.query('select txid_current()');
    await writer.query('savepoint s');
    await writer.query(`update albums set description = 'changed late' where id = $1`, [album!.id]);
    const online = await compareOnline(url(p.source), url(p.target), { chunkRows: CHUNK });
    await writer.query('release savepoint s');
    await writer.query('commit');
    await writer.end();
    const report = await verifySince(url(p.source), url(p.target), online, { chunkRows: CHUNK });
    expect(report.failures).toEqual(['table public.albums: content differs in all rows']);
    expect(online.differing).toEqual([]);
    expect(rehashed(report)).toBe(1);
  });

  it('stops for a sequence that did not advance on the target', async () => {
    const p = await pair();
    const online = await compareOnline(url(p.source), url(p.target), { chunkRows: CHUNK });
    await sql(p.source, "select nextval('audit_id_seq')");
    const report = await verifySince(url(p.source), url(p.target), online, {
      chunkRows: CHUNK,
      sequences: 'not-behind',
    });
    expect(report.failures).toEqual([
      expect.stringMatching(
        /^sequence public\.audit_id_seq \(public\.audit\.id\): last value \d+ on source, \d+ on target \(target behind/,
      ),
    ]);
  });

  it('passes when both sides made the same change, hashing only the changed chunks again', async () => {
    const p = await pair();
    const online = await compareOnline(url(p.source), url(p.target), { chunkRows: CHUNK });
    for (const db of [p.source, p.target]) {
      await sql(
        db,
        `update assets set "isFavorite" = not "isFavorite" where id in (select id from assets order by id limit 3)`,
      );
    }
    const report = await verifySince(url(p.source), url(p.target), online, { chunkRows: CHUNK });
    expect(report.failures).toEqual([]);
    expect(rehashed(report)).toBe(2);
  });

  it('stops for a difference that was already there online and did not change', async () => {
    const p = await pair();
    await sql(
      p.target,
      `update albums set "albumName" = 'renamed' where "albumName" = (select min("albumName") from albums)`,
    );
    const online = await compareOnline(url(p.source), url(p.target), { chunkRows: CHUNK });
    expect(online.differing).toEqual(['public.albums: chunk 1 of 1 (all rows)']);
    const report = await verifySince(url(p.source), url(p.target), online, { chunkRows: CHUNK });
    expect(report.failures).toEqual(['table public.albums: content differs in all rows']);
    expect(rehashed(report)).toBe(0);
  });

  it('hashes a side again in full when what its rows render as changed (a column added with a default)', async () => {
    const p = await pair();
    const online = await compareOnline(url(p.source), url(p.target), { chunkRows: CHUNK });
    await sql(p.source, 'alter table exif add column "testRating" int default 3');
    await sql(p.target, 'alter table exif add column "testRating" int default 3');
    const same = await verifySince(url(p.source), url(p.target), online, {
      chunkRows: CHUNK,
      skipSchema: true,
    });
    expect(same.failures).toEqual([]);
    expect(rehashed(same)).toBe(2 * same.tables.reduce((n, t) => n + t.chunks, 0));
    await sql(p.target, 'alter table exif alter column "testRating" set default 4');
    await sql(p.target, 'alter table exif drop column "testRating"');
    await sql(p.target, 'alter table exif add column "testRating" int default 4');
    const differs = await verifySince(url(p.source), url(p.target), online, {
      chunkRows: CHUNK,
      skipSchema: true,
    });
    expect(differs.failures).toEqual([
      expect.stringMatching(/^table public\.exif: content differs/),
    ]);
  });

  it('compares a table created after the online comparison in full', async () => {
    const p = await pair();
    const online = await compareOnline(url(p.source), url(p.target), { chunkRows: CHUNK });
    await sql(p.source, 'create table notes (id int primary key, body text)');
    await sql(p.target, 'create table notes (id int primary key, body text)');
    await sql(p.source, "insert into notes values (1, 'a'), (2, 'b')");
    await sql(p.target, "insert into notes values (1, 'a'), (2, 'c')");
    const report = await verifySince(url(p.source), url(p.target), online, {
      chunkRows: CHUNK,
      skipSchema: true,
    });
    expect(report.failures).toEqual(['table public.notes: content differs in all rows']);
  });

  it('verifies a fresh target against a source digest taken earlier (Option B: the source side during the restore)', async () => {
    const p = await pair();
    const digest = await digestDatabase(url(p.source), { chunkRows: CHUNK });
    const ok = await verifySince(
      url(p.source),
      url(p.target),
      { source: digest },
      { chunkRows: CHUNK, jobs: 3 },
    );
    expect(ok.failures).toEqual([]);
    expect(ok.since?.targetConnections).toBe(3);
    const targetChunks = ok.tables.reduce((n, t) => n + (t.rehashed?.target ?? 0), 0);
    expect(targetChunks).toBe(ok.tables.reduce((n, t) => n + t.chunks, 0));
    expect(ok.tables.reduce((n, t) => n + (t.rehashed?.source ?? 0), 0)).toBe(0);
    await sql(
      p.source,
      'delete from albums_assets where ctid = (select min(ctid) from albums_assets)',
    );
    const bad = await verifySince(
      url(p.source),
      url(p.target),
      { source: digest },
      { chunkRows: CHUNK },
    );
    expect(bad.failures).toEqual([
      expect.stringMatching(
        /^table public\.albums_assets: 59 rows on source, 60 on target; content differs in \("albumsId", "assetsId"\)/,
      ),
    ]);
  });

  it('keeps the digests across a server restart (a CNPG promotion restarts the instance)', async () => {
    const p = await pair();
    const online = await compareOnline(url(p.source), url(p.target), { chunkRows: CHUNK });
    await server.stop({ mode: 'fast' });
    await server.start();
    await sql(
      p.target,
      'delete from exif where "assetId" = (select "assetId" from exif order by 1 limit 1)',
    );
    const report = await verifySince(url(p.source), url(p.target), online, { chunkRows: CHUNK });
    expect(report.since?.ignored).toBeUndefined();
    expect(report.failures).toEqual([
      expect.stringMatching(
        /^table public\.exif: \d+ rows on source, \d+ on target; content differs in "assetId" <= /,
      ),
    ]);
    expect(rehashed(report)).toBe(1);
  });

  it('ignores the digest of a target rebuilt since, and hashes that side in full', async () => {
    const p = await pair();
    const online = await compareOnline(url(p.source), url(p.target), { chunkRows: CHUNK });
    await server.query(`drop database ${p.target}`);
    await server.query(`create database ${p.target} template copy`);
    await sql(
      p.target,
      'delete from albums_assets where ctid = (select min(ctid) from albums_assets)',
    );
    const report = await verifySince(url(p.source), url(p.target), online, { chunkRows: CHUNK });
    expect(report.since?.ignored).toEqual([
      expect.stringMatching(/^target digest of \d+:\d+, now \d+:\d+$/),
    ]);
    expect(report.tables.reduce((n, t) => n + (t.rehashed?.source ?? 0), 0)).toBe(0);
    expect(report.failures).toEqual([
      expect.stringMatching(/^table public\.albums_assets: 60 rows on source, 59 on target/),
    ]);
    expect(formatVerification(report)).toContain('ignored: target digest of');
  });
});
