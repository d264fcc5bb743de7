import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDatabases } from '../../src/verify/verify-databases.ts';
import { assetsForBytes, DATASET_TABLES, generateDataset } from '../src/dataset.ts';
import { DatabaseError } from '../src/errors.ts';
import type { PgServer } from '../src/pg-server.ts';
import { startTestPg, type TestPg } from '../src/start-test-pg.ts';

let pg: TestPg;
let server: PgServer;

beforeAll(async () => {
  pg = await startTestPg('dataset');
  server = pg.server;
  for (const db of ['a', 'b', 'c']) await server.query(`create database ${db}`);
});

afterAll(async () => {
  await pg?.stop();
});

describe('generateDataset', () => {
  it('is deterministic: the same seed gives the same rows, another seed different ones', async () => {
    const opts = { assets: 150, seed: 42, embeddingDim: 8 };
    const a = await generateDataset(server.connectionString('a'), opts);
    const b = await generateDataset(server.connectionString('b'), opts);
    await generateDataset(server.connectionString('c'), { ...opts, seed: 43 });
    expect(a.rows).toEqual(b.rows);
    expect(Object.keys(a.rows)).toEqual(DATASET_TABLES.map((t) => `public.${t}`));
    expect(a.rows['public.assets']).toBe(150);
    for (const [table, n] of Object.entries(a.rows)) expect(n, table).toBeGreaterThan(0);
    const same = await verifyDatabases(server.connectionString('a'), server.connectionString('b'), {
      chunkRows: 40,
    });
    expect(same.failures).toEqual([]);
    const other = await verifyDatabases(
      server.connectionString('a'),
      server.connectionString('c'),
      { skipSchema: true },
    );
    expect(
      other.failures.some((f) => f.startsWith('table public.smart_search: content differs')),
    ).toBe(true);
    expect(other.failures.some((f) => f.startsWith('table public.assets: content differs'))).toBe(
      true,
    );
  });

  it('stores embeddings as real[] of the chosen length and keeps the person ↔ face references', async () => {
    const [dim] = await server.query<{ d: number }>(
      'select array_length(embedding, 1) as d from smart_search limit 1',
      [],
      'a',
    );
    expect(dim?.d).toBe(8);
    const [type] = await server.query<{ t: string }>(
      "select format_type(atttypid, atttypmod) as t from pg_attribute where attrelid = 'face_search'::regclass and attname = 'embedding'",
      [],
      'a',
    );
    expect(type?.t).toBe('real[]');
    const [orphans] = await server.query<{ n: number }>(
      'select count(*)::int as n from person p where p."faceAssetId" is not null and not exists (select 1 from asset_face f where f.id = p."faceAssetId" and f."personId" = p.id)',
      [],
      'a',
    );
    expect(orphans?.n).toBe(0);
  });

  it('refuses to generate into a database that already has the dataset', async () => {
    await expect(generateDataset(server.connectionString('a'), { assets: 10 })).rejects.toThrow(
      DatabaseError,
    );
  });

  it('sizes the dataset from a byte target', () => {
    expect(assetsForBytes(1_000_000_000)).toBeGreaterThan(100_000);
    expect(assetsForBytes(1_000_000_000)).toBeLessThan(200_000);
    expect(assetsForBytes(1_000_000_000, 16)).toBeGreaterThan(assetsForBytes(1_000_000_000));
  });
});
