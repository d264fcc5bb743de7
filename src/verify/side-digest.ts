import type pg from 'pg';
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
