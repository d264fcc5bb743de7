import { excludedTable } from './compare-catalogs.ts';
import { closeSides, openSide } from './open-side.ts';
import { digestTable, type SideDigest, snapshotFacts } from './side-digest.ts';
import { listTables } from './table-checksum.ts';
import type { DatabaseTarget, VerifyOptions } from './types.ts';

/**
 * Checksums every table of one database in chunks, in one snapshot, choosing the chunk bounds: the
 * source's half of a verification, taken ahead of time (Option B takes it while the restore runs;
 * the source is stopped). `verifySince` later proves which chunks are unchanged since.
 * @param db the database
 * @param options chunk size, schemas, excluded tables
 * @returns the digest (JSON-serialisable)
 */
export async function digestDatabase(
  db: DatabaseTarget,
  options: Pick<VerifyOptions, 'chunkRows' | 'schemas' | 'excludeTables'> = {},
): Promise<SideDigest> {
  const client = await openSide(db);
  try {
    const at = new Date().toISOString();
    const facts = await snapshotFacts(client);
    const tables = await listTables(client, options.schemas ?? []);
    const digest: SideDigest = {
      at,
      identity: facts.identity,
      xmin: facts.xmin,
      fingerprint: facts.fingerprint,
      tables: {},
    };
    for (const [name, table] of [...tables].sort(([a], [b]) => a.localeCompare(b))) {
      if (excludedTable(name, options)) continue;
      digest.tables[name] = await digestTable(client, table, options.chunkRows ?? 10_000);
    }
    return digest;
  } finally {
    await closeSides(client);
  }
}
