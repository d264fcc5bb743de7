import type pg from 'pg';
import { compareCatalogs, compareSchemas, selectTables } from './compare-catalogs.ts';
import { closeSides, openSide, sideInfo } from './open-side.ts';
import { listTables, type TableInfo } from './table-checksum.ts';
import type { DatabaseTarget, TableCheck, VerificationReport, VerifyOptions } from './types.ts';

/** Both sides of a verification, open in their snapshots, with their tables listed. */
export interface OpenPair {
  /** The source's client, inside its read-only repeatable-read transaction. */
  src: pg.Client;
  /** The target's client, likewise. */
  tgt: pg.Client;
  /** The source's tables by `schema.table`. */
  srcTables: Map<string, TableInfo>;
  /** The target's tables by `schema.table`. */
  tgtTables: Map<string, TableInfo>;
  /** The tables to compare (both sides', less the excluded ones), sorted. */
  names: string[];
}

/** What a verification's table comparison gives back to {@link verifyPair}. */
export interface ComparedTables {
  /** One check per table of {@link OpenPair.names}, in that order. */
  tables: TableCheck[];
  /** How much was hashed again, for `verifySince`. */
  since?: VerificationReport['since'];
}

/**
 * The frame of a verification: starts the schema dumps, opens both sides (one snapshot each),
 * lists their tables and picks those to compare, lets `compareTables` check them, compares the
 * catalogs (sequences, schema, extensions, database-level state) and builds the report; both
 * sides are closed whatever happens.
 * @param source the database copied from
 * @param target the database copied to
 * @param options as for `verifyDatabases`
 * @param compareTables checks the tables of the open pair
 * @returns the report (`ok` is false on any difference)
 */
export async function verifyPair(
  source: DatabaseTarget,
  target: DatabaseTarget,
  options: VerifyOptions,
  compareTables: (pair: OpenPair) => Promise<ComparedTables>,
): Promise<VerificationReport> {
  const started = Date.now();
  const schemas = options.schemas ?? [];
  const schemaP = compareSchemas(source, target, options);
  schemaP.catch(() => undefined);
  const [src, tgt] = await Promise.all([openSide(source), openSide(target)]);
  try {
    const read = async (client: pg.Client) => ({
      info: await sideInfo(client),
      tables: await listTables(client, schemas),
    });
    const [a, b] = await Promise.all([read(src), read(tgt)]);
    const { names, failures } = selectTables(a.tables, b.tables, options);
    const compared = await compareTables({
      src,
      tgt,
      srcTables: a.tables,
      tgtTables: b.tables,
      names,
    });
    for (const check of compared.tables)
      if (!check.ok) failures.push(`table ${check.table}: ${check.problem}`);
    const catalogs = await compareCatalogs(src, tgt, options, schemaP);
    failures.push(...catalogs.failures);
    return {
      version: 1,
      ok: failures.length === 0,
      source: a.info,
      target: b.info,
      tables: compared.tables,
      sequences: catalogs.sequences,
      schema: catalogs.schema,
      extensions: catalogs.extensions,
      state: catalogs.state,
      ...(compared.since ? { since: compared.since } : {}),
      failures,
      durationMs: Date.now() - started,
    };
  } finally {
    await closeSides(src, tgt);
  }
}
