import { compareTableDigests, digestPair } from './side-digest.ts';
import { countRows, type TableInfo } from './table-checksum.ts';
import type { DatabaseTarget, TableCheck, VerificationReport, VerifyOptions } from './types.ts';
import { type OpenPair, verifyPair } from './verify-pair.ts';

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
 * @param pair both sides, open, with their tables
 * @param name `schema.table`, a table of either side
 * @param chunkRows rows per chunk
 * @returns the check
 */
export async function compareTableFully(
  { src, tgt, srcTables, tgtTables }: OpenPair,
  name: string,
  chunkRows: number,
): Promise<TableCheck> {
  const s = srcTables.get(name);
  const t = tgtTables.get(name);
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
  const chunkRows = options.chunkRows ?? 10_000;
  return verifyPair(source, target, options, async (pair) => {
    const tables: TableCheck[] = [];
    for (const name of pair.names) tables.push(await compareTableFully(pair, name, chunkRows));
    return { tables };
  });
}
