import type pg from 'pg';
import { compareCatalogs, compareSchemas, selectTables } from './compare-catalogs.ts';
import { closeSides, openSide, sideInfo } from './open-side.ts';
import { compareTableDigests, digestPair } from './side-digest.ts';
import { countRows, listTables, type TableInfo } from './table-checksum.ts';
import type { DatabaseTarget, TableCheck, VerificationReport, VerifyOptions } from './types.ts';

/**
 * Fills a table check from row counts and a checksum comparison, and states its problem.
 * @param check the check (table, key)
 * @param result counts, checksum verdict, chunks, first differing range
 * @returns the same check, `ok` and `problem` set
 */
export function judgeTable(
  check: TableCheck,
  result: Partial<
    Pick<TableCheck, 'sourceRows' | 'targetRows' | 'checksum' | 'chunks' | 'firstDifference'>
  >,
): TableCheck {
  Object.assign(check, result);
  const problems: string[] = [];
  if (check.sourceRows !== check.targetRows)
    problems.push(`${check.sourceRows} rows on source, ${check.targetRows} on target`);
  if (check.checksum === 'mismatch')
    problems.push(`content differs in ${check.firstDifference?.text}`);
  check.ok = problems.length === 0;
  if (!check.ok) check.problem = problems.join('; ');
  return check;
}

/**
 * Compares one table fully on both sides (counts and every chunk's checksum), or reports it
 * missing on a side.
 * @param src client on the source
 * @param tgt client on the target
 * @param name `schema.table`
 * @param s the table on the source, if there
 * @param t the table on the target, if there
 * @param chunkRows rows per chunk
 * @returns the check
 */
export async function compareTableFully(
  src: pg.Client,
  tgt: pg.Client,
  name: string,
  s: TableInfo | undefined,
  t: TableInfo | undefined,
  chunkRows: number,
): Promise<TableCheck> {
  const info = (s ?? t) as TableInfo;
  const check: TableCheck = {
    table: name,
    key: info.key,
    checksum: 'skipped',
    chunks: 0,
    ok: false,
  };
  if (!s || !t) {
    const [sRows, tRows] = await Promise.all([
      s ? countRows(src, s) : undefined,
      t ? countRows(tgt, t) : undefined,
    ]);
    if (sRows !== undefined) check.sourceRows = sRows;
    if (tRows !== undefined) check.targetRows = tRows;
    check.problem = `missing on ${s ? 'target' : 'source'}`;
    return check;
  }
  const pair = await digestPair(src, tgt, s, chunkRows);
  return judgeTable(check, compareTableDigests(pair.source, pair.target));
}

/**
 * Verifies that a target database holds exactly the source's data and schema: row counts and a
 * chunked, in-database content checksum of every table (in primary-key order, in one consistent
 * snapshot per side), sequence values, the normalised `pg_dump --schema-only --no-owner` output,
 * extension versions, and the database-level state (owner, comment, grants, settings, the roles
 * the database needs, object owners). Any difference is a failure naming the table (and the first
 * differing key range) or the sequence, object, role or extension.
 * @param source the database copied from
 * @param target the database copied to
 * @param options chunk size, scope, sequence mode, schema dump hook
 * @returns the structured report (`ok` is false on any difference)
 */
export async function verifyDatabases(
  source: DatabaseTarget,
  target: DatabaseTarget,
  options: VerifyOptions = {},
): Promise<VerificationReport> {
  const started = Date.now();
  const chunkRows = options.chunkRows ?? 10_000;
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
    const [sourceInfo, targetInfo, srcTables, tgtTables] = [a.info, b.info, a.tables, b.tables];
    const { names, failures } = selectTables(srcTables, tgtTables, options);
    const tables: TableCheck[] = [];
    for (const name of names) {
      const check = await compareTableFully(
        src,
        tgt,
        name,
        srcTables.get(name),
        tgtTables.get(name),
        chunkRows,
      );
      if (!check.ok) failures.push(`table ${name}: ${check.problem}`);
      tables.push(check);
    }
    const catalogs = await compareCatalogs(src, tgt, options, schemaP);
    failures.push(...catalogs.failures);
    return {
      version: 1,
      ok: failures.length === 0,
      source: sourceInfo,
      target: targetInfo,
      tables,
      sequences: catalogs.sequences,
      schema: catalogs.schema,
      extensions: catalogs.extensions,
      state: catalogs.state,
      failures,
      durationMs: Date.now() - started,
    };
  } finally {
    await closeSides(src, tgt);
  }
}
