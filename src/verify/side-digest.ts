import type pg from 'pg';
import { findChangedChunks, xidWindow } from './find-changed-chunks.ts';
import {
  type Chunk,
  hashNextChunk,
  hashRange,
  keyRange,
  type TableInfo,
} from './table-checksum.ts';
import type { TableCheck } from './types.ts';

/** One chunk of a table: rows with `previous upper < key <= upper`, their count and checksum. */
export interface ChunkDigest {
  /** Inclusive upper key bound (text per key column); absent on the last chunk. */
  upper?: string[];
  /** Rows. */
  n: number;
  /** `md5(string_agg(md5(row::text), '' order by key))`, null when empty. */
  sum: string | null;
}

/** A table's chunks on one side. */
export interface TableDigest {
  /** Primary-key columns (empty: the whole table is one chunk). */
  key: string[];
  /** Their SQL types. */
  keyTypes: string[];
  /** The chunks, in key order. */
  chunks: ChunkDigest[];
}

const lowerOf = (chunks: ChunkDigest[], i: number): string[] | undefined => chunks[i - 1]?.upper;

/**
 * What one side of a comparison held in one snapshot: every table's chunk checksums, with what is
 * needed to prove later, without hashing again, which chunks have not changed since.
 * JSON-serialisable (kept in the journal between blocks).
 */
export interface SideDigest {
  /** ISO time the snapshot was taken. */
  at: string;
  /**
   * The cluster's system identifier and the database's oid: a digest speaks only for the same
   * database in the same line of data directories (a restart, a promotion or a physical clone
   * keeps both; an initdb, or the database dropped and rebuilt, even from the same source, does
   * not, and another line's transaction ids say nothing of this one's rows).
   */
  identity: string;
  /** `pg_snapshot_xmin` of the snapshot (xid8, decimal). */
  xmin: string;
  /** Fingerprint of the catalog state a row's text depends on ({@link FINGERPRINT_SQL}). */
  fingerprint: string;
  /** `schema.table` → its chunks. */
  tables: Record<string, TableDigest>;
}

/**
 * Everything a row's text form depends on besides its stored values: the columns of every table
 * and composite type (names, types, collations, missing values of added columns), enum labels,
 * domains, and extension versions (their types' output functions). Compared only with the same
 * side's earlier fingerprint, so OIDs may appear.
 */
export const FINGERPRINT_SQL = `
select md5(coalesce(string_agg(x, E'\\n' order by x), '')) as fingerprint from (
  select format('att %s %s %s %s %s %s %s', c.oid::regclass, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod),
      a.attcollation, a.atthasmissing, a.attmissingval) as x
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p', 'c')
      and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_(toast|temp)'
  union all select format('enum %s %s %s', enumtypid::regtype, enumsortorder, enumlabel) from pg_enum
  union all select format('domain %s %s %s', oid::regtype, typbasetype::regtype, typtypmod) from pg_type where typtype = 'd'
  union all select format('ext %s %s', extname, extversion) from pg_extension
) f`;

/** Facts of the current snapshot needed to take or refresh a digest. */
export interface SnapshotFacts {
  /** See {@link SideDigest.identity}. */
  identity: string;
  /** `pg_snapshot_xmin` (xid8, decimal): transactions below it had ended. */
  xmin: string;
  /** `pg_snapshot_xmax`: the first transaction id not yet assigned. */
  next: string;
  /** {@link FINGERPRINT_SQL}. */
  fingerprint: string;
}

/**
 * Reads the database's identity, the current snapshot's xmin and xmax and the catalog
 * fingerprint (inside the caller's
 * repeatable-read transaction, so they belong to the snapshot the data is read in).
 * @param client connected client
 * @returns the facts
 */
export async function snapshotFacts(client: pg.Client): Promise<SnapshotFacts> {
  const { rows } = await client.query<SnapshotFacts>(
    `select (select system_identifier from pg_control_system())::text || ':'
         || (select oid from pg_database where datname = current_database())::text as identity,
       pg_snapshot_xmin(pg_current_snapshot())::text as xmin,
       pg_snapshot_xmax(pg_current_snapshot())::text as next, (${FINGERPRINT_SQL}) as fingerprint`,
  );
  return rows[0]!;
}

/**
 * Checksums a table in chunks of `chunkRows` rows, choosing the bounds (the side compared from).
 * @param client connected client
 * @param table the table
 * @param chunkRows rows per chunk
 * @returns its digest
 */
export async function digestTable(
  client: pg.Client,
  table: TableInfo,
  chunkRows: number,
): Promise<TableDigest> {
  const chunks: ChunkDigest[] = [];
  if (table.key.length === 0) {
    chunks.push(await hashRange(client, table, undefined, undefined));
  } else {
    let lower: string[] | undefined;
    for (;;) {
      const c = await hashNextChunk(client, table, lower, chunkRows);
      if (c.n < chunkRows || !c.hi) {
        chunks.push({ n: c.n, sum: c.sum });
        break;
      }
      chunks.push({ upper: c.hi, n: c.n, sum: c.sum });
      lower = c.hi;
    }
  }
  return { key: table.key, keyTypes: table.keyTypes, chunks };
}

/**
 * Checksums a table over given chunk bounds (the side compared to).
 * @param client connected client
 * @param table the table
 * @param bounds the digest whose bounds to use
 * @returns its digest with the same bounds
 */
export async function digestTableLike(
  client: pg.Client,
  table: TableInfo,
  bounds: TableDigest,
): Promise<TableDigest> {
  const chunks: ChunkDigest[] = [];
  for (let i = 0; i < bounds.chunks.length; i++) {
    const upper = bounds.chunks[i]!.upper;
    const h = await hashRange(client, table, lowerOf(bounds.chunks, i), upper);
    chunks.push(upper ? { upper, ...h } : h);
  }
  return { key: table.key, keyTypes: table.keyTypes, chunks };
}

/** Whether a table's key is still the one a digest was taken with. */
export function sameKey(table: TableInfo, digest: TableDigest): boolean {
  return (
    JSON.stringify([table.key, table.keyTypes]) === JSON.stringify([digest.key, digest.keyTypes])
  );
}

/** A digest brought up to date, and how much had to be hashed again. */
export interface RefreshedTable {
  /** The digest as of the current snapshot. */
  digest: TableDigest;
  /** Chunks hashed again (changed, or not provably unchanged). */
  rehashed: number;
}

/**
 * Brings one table's digest up to the current snapshot: one scan finds the chunks whose row
 * count changed or that hold rows written since the digest's snapshot ({@link findChangedChunks});
 * only those are hashed again, every other chunk provably still has the recorded checksum. When
 * the catalog fingerprint changed (a row's text may render differently), every chunk is hashed
 * again.
 * @param client connected client (inside the current snapshot)
 * @param table the table as it is now (same key as the digest: check {@link sameKey})
 * @param digest the earlier digest of this table
 * @param earlier the earlier snapshot's xmin and fingerprint
 * @param now the current snapshot's facts
 * @returns the refreshed digest
 */
export async function refreshTable(
  client: pg.Client,
  table: TableInfo,
  digest: TableDigest,
  earlier: Pick<SideDigest, 'xmin' | 'fingerprint'>,
  now: SnapshotFacts,
): Promise<RefreshedTable> {
  if (earlier.fingerprint !== now.fingerprint) {
    return { digest: await digestTableLike(client, table, digest), rehashed: digest.chunks.length };
  }
  const window = xidWindow(earlier.xmin, now.next);
  // The whole table first (no chunk to find for each row): what holds for the table holds for
  // each of its chunks.
  const [whole] = await findChangedChunks(client, table, [], window);
  const rows = digest.chunks.reduce((n, c) => n + c.n, 0);
  if (whole!.changed === 0 && whole!.n === rows) return { digest, rehashed: 0 };
  const uppers = digest.chunks.slice(0, -1).map((c) => c.upper!);
  const counts = await findChangedChunks(client, table, uppers, window);
  const chunks: ChunkDigest[] = [];
  let rehashed = 0;
  for (let i = 0; i < digest.chunks.length; i++) {
    const was = digest.chunks[i]!;
    const is = counts[i]!;
    if (is.changed === 0 && is.n === was.n) {
      chunks.push(was);
      continue;
    }
    rehashed++;
    const h = await hashRange(client, table, lowerOf(digest.chunks, i), was.upper);
    chunks.push(was.upper ? { upper: was.upper, ...h } : h);
  }
  return { digest: { ...digest, chunks }, rehashed };
}

/**
 * Checksums a table on both sides at once: the source picks each chunk (its bounds and checksum)
 * and runs one chunk ahead while the target checksums the same range.
 * @param source client on the side that picks the bounds
 * @param target client on the other side
 * @param table the table (as the source sees it)
 * @param chunkRows rows per chunk
 * @returns both digests, with the same bounds
 */
export async function digestPair(
  source: pg.Client,
  target: pg.Client,
  table: TableInfo,
  chunkRows: number,
): Promise<{ source: TableDigest; target: TableDigest }> {
  const digest = (chunks: ChunkDigest[]): TableDigest => ({
    key: table.key,
    keyTypes: table.keyTypes,
    chunks,
  });
  if (table.key.length === 0) {
    const [s, t] = await Promise.all([
      hashRange(source, table, undefined, undefined),
      hashRange(target, table, undefined, undefined),
    ]);
    return { source: digest([s]), target: digest([t]) };
  }
  const src: ChunkDigest[] = [];
  const tgt: ChunkDigest[] = [];
  let lower: string[] | undefined;
  let next: Promise<Chunk> | undefined = hashNextChunk(source, table, undefined, chunkRows);
  try {
    for (;;) {
      const s: Chunk = await next!;
      next = undefined;
      const last = s.n < chunkRows || !s.hi;
      const upper = last ? undefined : s.hi;
      const t = hashRange(target, table, lower, upper);
      if (!last) next = hashNextChunk(source, table, s.hi, chunkRows);
      const { n, sum } = await t;
      src.push(upper ? { upper, n: s.n, sum: s.sum } : { n: s.n, sum: s.sum });
      tgt.push(upper ? { upper, n, sum } : { n, sum });
      if (last) return { source: digest(src), target: digest(tgt) };
      lower = upper;
    }
  } finally {
    await next?.catch(() => undefined);
  }
}

/**
 * Compares two digests of a table taken with the same bounds.
 * @param source the source's digest
 * @param target the target's digest
 * @returns row counts, the checksum verdict, chunks compared and the first differing key range
 */
export function compareTableDigests(
  source: TableDigest,
  target: TableDigest,
): Pick<TableCheck, 'sourceRows' | 'targetRows' | 'checksum' | 'chunks' | 'firstDifference'> {
  const rows = (d: TableDigest) => d.chunks.reduce((n, c) => n + c.n, 0);
  const out: ReturnType<typeof compareTableDigests> = {
    sourceRows: rows(source),
    targetRows: rows(target),
    checksum: 'match',
    chunks: source.chunks.length,
  };
  // Chunks compared: up to and including the first differing one.
  const i = source.chunks.findIndex((s, j) => {
    const t = target.chunks[j];
    return !t || t.n !== s.n || t.sum !== s.sum || String(t.upper) !== String(s.upper);
  });
  if (i >= 0 || target.chunks.length !== source.chunks.length) {
    const at = i >= 0 ? i : source.chunks.length - 1;
    out.checksum = 'mismatch';
    out.chunks = at + 1;
    out.firstDifference =
      source.key.length === 0
        ? keyRange([])
        : keyRange(source.key, lowerOf(source.chunks, at), source.chunks[at]?.upper);
  }
  return out;
}
