import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { generateDataset, type PgServer, startTestPg, type TestPg } from '@mikado-docs/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatVerification } from '../src/verify/format-verification.ts';
import { openSide } from '../src/verify/open-side.ts';
import {
  compareSchemaDumps,
  dumpSchemaLocally,
  normalizeSchemaDump,
} from '../src/verify/schema-diff.ts';
import type { VerifySide } from '../src/verify/types.ts';
import { verifyDatabases } from '../src/verify/verify-databases.ts';

let pg: TestPg;
let server: PgServer;
let dbCount = 0;
const url = (db: string) => server.connectionString(db);

/** Copies `immich` into a new database with pg_dump -Fc | pg_restore, the way the chain does. */
function dumpRestore(): string {
  const db = `copy_${++dbCount}`;
  execFileSync(path.join(server.binDir, 'createdb'), [
    '-h',
    '127.0.0.1',
    '-p',
    String(server.status().port),
    '-U',
    'postgres',
    db,
  ]);
  const dump = execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-d', url('immich')], {
    maxBuffer: 1 << 30,
  });
  execFileSync(path.join(server.binDir, 'pg_restore'), ['--no-owner', '-d', url(db)], {
    input: dump,
  });
  return db;
}

/** A fresh exact copy of the restored copy (template copy: fast). */
let restored: string;
async function freshCopy(): Promise<string> {
  const db = `copy_${++dbCount}`;
  await server.query(`create database ${db} template ${restored}`);
  return db;
}

beforeAll(async () => {
  pg = await startTestPg('verify');
  server = pg.server;
  await server.query('create database immich');
  await generateDataset(url('immich'), { assets: 300, seed: 3, embeddingDim: 16 });
  restored = dumpRestore();
});

afterAll(async () => {
  await pg?.stop();
});

describe('verifyDatabases', () => {
  it('passes on an exact pg_dump -Fc / pg_restore copy, with every table checksummed in chunks', async () => {
    const report = await verifyDatabases(url('immich'), url(restored), {
      chunkRows: 50,
      requireTables: ['assets', 'albums', 'users', 'asset_face', 'smart_search'],
    });
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    const assets = report.tables.find((t) => t.table === 'public.assets');
    expect(assets).toMatchObject({
      sourceRows: 300,
      targetRows: 300,
      checksum: 'match',
      chunks: 7,
      ok: true,
    });
    expect(report.tables.find((t) => t.table === 'public.albums_assets')?.key).toEqual([
      'albumsId',
      'assetsId',
    ]);
    expect(report.sequences.map((s) => s.sequence)).toEqual([
      'public.audit_id_seq',
      'public.migrations_id_seq',
    ]);
    expect(report.schema.ok).toBe(true);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(formatVerification(report)).toMatch(/^verification passed/);
  });

  it('fails naming the table and the key range after one row is changed', async () => {
    const db = await freshCopy();
    const [row] = await server.query<{ id: string }>(
      'select id::text from assets order by id offset 123 limit 1',
      [],
      db,
    );
    await server.query(
      'update assets set "isFavorite" = not "isFavorite" where id = $1',
      [row!.id],
      db,
    );
    const report = await verifyDatabases(url('immich'), url(db), { chunkRows: 50 });
    expect(report.ok).toBe(false);
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]).toMatch(
      /^table public\.assets: content differs in id > '[0-9a-f-]+' and id <= '[0-9a-f-]+'$/,
    );
    const range = report.tables.find((t) => t.table === 'public.assets')!.firstDifference!;
    expect(range.lower![0]! < row!.id && row!.id <= range.upper![0]!).toBe(true);
    expect(formatVerification(report)).toContain('✗ table public.assets: content differs');
  });

  it('fails naming the table after one row is deleted (composite key)', async () => {
    const db = await freshCopy();
    const [row] = await server.query<{ a: string; b: string }>(
      'select "albumsId"::text as a, "assetsId"::text as b from albums_assets order by 1, 2 offset 2 limit 1',
      [],
      db,
    );
    await server.query(
      'delete from albums_assets where "albumsId" = $1 and "assetsId" = $2',
      [row!.a, row!.b],
      db,
    );
    const report = await verifyDatabases(url('immich'), url(db), { chunkRows: 5 });
    expect(report.failures).toEqual([
      `table public.albums_assets: 60 rows on source, 59 on target; content differs in ("albumsId", "assetsId") <= ('${row!.a}', ${"'"}${
        report.tables.find((t) => t.table === 'public.albums_assets')!.firstDifference!.upper![1]
      }')`,
    ]);
  });

  it('fails naming the sequence and its table after one sequence is advanced, unless the target may be ahead', async () => {
    const db = await freshCopy();
    await server.query("select nextval('audit_id_seq')", [], db);
    const report = await verifyDatabases(url('immich'), url(db), { skipSchema: true });
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]).toMatch(
      /^sequence public\.audit_id_seq \(public\.audit\.id\): last value 150 on source, 151 on target \(target ahead/,
    );
    const lenient = await verifyDatabases(url('immich'), url(db), {
      skipSchema: true,
      sequences: 'not-behind',
    });
    expect(lenient.ok).toBe(true);
    const behind = await verifyDatabases(url(db), url('immich'), {
      skipSchema: true,
      sequences: 'not-behind',
    });
    expect(behind.failures[0]).toMatch(/^sequence public\.audit_id_seq .*target behind/);
  });

  it('fails naming the table after one column is added', async () => {
    const db = await freshCopy();
    await server.query('alter table exif add column "projectionType" varchar', [], db);
    const report = await verifyDatabases(url('immich'), url(db), { chunkRows: 100 });
    expect(report.ok).toBe(false);
    expect(report.failures).toContain(
      'schema public.exif: 1 statement only on source, 1 statement only on target',
    );
    expect(
      report.failures.some((f) =>
        f.startsWith('table public.exif: content differs in "assetId" <= \''),
      ),
    ).toBe(true);
    expect(report.schema.onlyInTarget[0]?.sql).toContain('"projectionType" character varying');
    expect(report.schema.diff).toContain('+    "projectionType" character varying');
  });

  it('names a table missing on one side and a table without a primary key', async () => {
    const db = await freshCopy();
    await server.query('drop table migrations', [], db);
    await server.query('create table notes (body text)', [], 'immich');
    await server.query("insert into notes values ('a'), ('b')", [], 'immich');
    try {
      const db2 = await freshCopy();
      await server.query('create table notes (body text)', [], db2);
      await server.query("insert into notes values ('b'), ('c')", [], db2);
      const r1 = await verifyDatabases(url('immich'), url(db), {
        skipSchema: true,
        requireTables: ['migrations'],
      });
      expect(r1.failures).toContain('table migrations: required but missing on target');
      expect(r1.failures).toContain('table public.migrations: missing on target');
      const r2 = await verifyDatabases(url('immich'), url(db2), { skipSchema: true });
      expect(r2.failures).toEqual([
        'table public.notes: content differs in the whole table (no primary key)',
      ]);
    } finally {
      await server.query('drop table notes', [], 'immich');
    }
  });

  it('takes schema dumps through an injected function and fails when one cannot be taken', async () => {
    const asked: VerifySide[] = [];
    const dumpSchema = async (which: VerifySide) => {
      asked.push(which);
      return dumpSchemaLocally(url(which === 'source' ? 'immich' : restored));
    };
    const ok = await verifyDatabases(url('immich'), url(restored), { dumpSchema });
    expect(asked.sort()).toEqual(['source', 'target']);
    expect(ok.ok).toBe(true);
    const bad = await verifyDatabases(url('immich'), url(restored), {
      dumpSchema: async (which) => {
        if (which === 'target')
          throw new Error('pg_dump: error: aborting because of server version mismatch');
        return '';
      },
    });
    expect(bad.failures).toEqual([
      'schema: could not compare dumps: pg_dump: error: aborting because of server version mismatch',
    ]);
  });
});

describe('normalizeSchemaDump', () => {
  it('drops comments, SET lines, restrict markers, ownership and grants to ignored roles', () => {
    const dump = [
      '--',
      '-- PostgreSQL database dump',
      '\\restrict AbC123',
      '-- Dumped from database version 17.6',
      'SET statement_timeout = 0;',
      "SELECT pg_catalog.set_config('search_path', '', false);",
      'CREATE TABLE public.t (',
      '    id integer NOT NULL',
      ');',
      'ALTER TABLE public.t OWNER TO app;',
      'GRANT SELECT ON TABLE public.t TO streaming_replica;',
      'GRANT SELECT ON TABLE public.t TO app;',
      'CREATE FUNCTION public.f() RETURNS void',
      '    LANGUAGE plpgsql',
      '    AS $$',
      'begin',
      '  perform 1;',
      'end;',
      '$$;',
      '\\unrestrict AbC123',
    ].join('\n');
    const out = normalizeSchemaDump(dump);
    expect(out.map((s) => s.object)).toEqual(['public.t', 'public.t', 'public.f']);
    expect(out[2]!.sql).toContain('perform 1;\nend;\n$$;');
    expect(
      compareSchemaDumps(dump, dump.replace('17.6', '15.18').replace(/AbC123/g, 'xyz')).ok,
    ).toBe(true);
  });
});

describe('openSide', () => {
  it('rejects the next query of a side whose server ended the connection while it was idle, instead of crashing the process', async () => {
    // The source killed during the dump: the verification's idle connection is terminated. Without
    // a listener, pg's 'error' event ends the block's process with a stack trace.
    const side = await openSide(url('immich'));
    const [{ pid }] = (await side.query<{ pid: number }>('select pg_backend_pid() as pid'))
      .rows as [{ pid: number }];
    await server.query('select pg_terminate_backend($1)', [pid]);
    await new Promise((r) => setTimeout(r, 300));
    await expect(side.query('select 1')).rejects.toThrow(/terminat|not queryable|Connection/i);
    await side.end().catch(() => undefined);
  });
});
