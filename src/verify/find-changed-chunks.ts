import type pg from 'pg';
import { quoteIdent, type TableInfo } from './table-checksum.ts';

/** What one chunk holds now, as {@link findChangedChunks} counts it. */
export interface ChunkNow {
  /** Rows visible now. */
  n: number;
  /** Of those, rows whose inserting transaction may not have been visible at the earlier snapshot. */
  changed: number;
}

const TWO_32 = 4_294_967_296n;

/**
 * The transaction-id window of rows written since an earlier snapshot: every row whose raw `xmin`
 * lies in `[earlierXmin, nextXid)` (modulo 2^32, as PostgreSQL stores it) may have been written
 * after that snapshot; every other row's inserting transaction had ended before it. Returns
 * `undefined` when the window is too wide to tell (2^31 transactions or more): then every row
 * counts as changed.
 * @param earlierXmin `pg_snapshot_xmin` of the earlier snapshot (xid8, decimal)
 * @param nextXid `pg_snapshot_xmax` of the current snapshot (xid8, decimal)
 * @returns the window's start (low 32 bits) and width, or undefined
 */
export function xidWindow(
  earlierXmin: string,
  nextXid: string,
): { low: string; width: string } | undefined {
  const from = BigInt(earlierXmin);
  const width = BigInt(nextXid) - from;
  if (width < 0n || width >= TWO_32 / 2n) return undefined;
  return { low: String(from % TWO_32), width: String(width) };
}

/**
 * Counts, in one scan of a table (system columns and keys only: no row is rendered or hashed),
 * the rows of each chunk visible now and those that may have changed since an earlier snapshot:
 * rows whose `xmin` falls in {@link xidWindow}. Chunks are `(upper[i-1], upper[i]]` in primary-key
 * order (the last one open); a table without a primary key is one chunk.
 *
 * Why this proves a chunk unchanged when `changed` is 0 and `n` equals the earlier count: a row
 * version visible now whose inserting transaction ended before the earlier snapshot's xmin was
 * already there and visible then (its deleter, if any, has not committed even now), so the rows
 * visible now are a subset of those visible then; with the same count they are the same rows.
 * Row versions are never changed in place in user tables: an UPDATE writes a new version with a
 * new `xmin`.
 * @param client connected client (inside the current snapshot)
 * @param table the table
 * @param uppers inclusive upper key bound of every chunk but the last (text form per key column)
 * @param window the xid window ({@link xidWindow}); undefined: every row counts as changed
 * @returns one entry per chunk (`uppers.length + 1`)
 */
export async function findChangedChunks(
  client: pg.Client,
  table: TableInfo,
  uppers: string[][],
  window: { low: string; width: string } | undefined,
): Promise<ChunkNow[]> {
  const from = `${quoteIdent(table.schema)}.${quoteIdent(table.name)} as t`;
  const params: unknown[] = [];
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const changed = window
    ? `((t.xmin::text::bigint - ${param(window.low)}::bigint) % 4294967296 + 4294967296) % 4294967296 < ${param(window.width)}::bigint`
    : 'true';
  let sql = `select 0 as c, count(*)::int as n, count(*) filter (where ${changed})::int as changed from ${from}`;
  if (table.key.length > 0 && uppers.length > 0) {
    const cols = table.key.map((k) => `t.${quoteIdent(k)}`);
    let key: string;
    let bounds: string;
    if (table.key.length === 1) {
      key = cols[0]!;
      bounds = `select ${param(uppers.map((u) => u[0]))}::text[]::${table.keyTypes[0]}[] as b`;
    } else {
      const names = table.key.map((_, i) => `c${i}`);
      const arrays = table.keyTypes.map(
        (ty, i) => `${param(uppers.map((u) => u[i]))}::text[]::${ty}[]`,
      );
      key = `row(${cols.join(', ')})`;
      bounds = `select array_agg(row(${names.join(', ')}) order by o) as b
        from unnest(${arrays.join(', ')}) with ordinality as x(${names.join(', ')}, o)`;
    }
    // width_bucket counts the bounds <= key; a key equal to a bound belongs to the chunk it ends.
    sql = `with u as (${bounds})
      select s.w - coalesce((s.k = u.b[s.w])::int, 0) as c, count(*)::int as n,
        count(*) filter (where s.ch)::int as changed
      from (select ${key} as k, width_bucket(${key}, (select b from u)) as w, ${changed} as ch
            from ${from}) s, u
      group by 1`;
  }
  const { rows } = await client.query<{ c: number; n: number; changed: number }>(sql, params);
  const out: ChunkNow[] = Array.from({ length: uppers.length + 1 }, () => ({ n: 0, changed: 0 }));
  for (const r of rows) {
    const chunk = out[Number(r.c)];
    if (chunk) {
      chunk.n += r.n;
      chunk.changed += r.changed;
    }
  }
  return out;
}
