import type pg from 'pg';
import type { KeyRange } from './types.ts';

/** A table as seen in the catalog of one side. */
export interface TableInfo {
  /** Schema name. */
  schema: string;
  /** Table name. */
  name: string;
  /** Primary-key column names, in key order (empty: no primary key). */
  key: string[];
  /** SQL types of the key columns (`format_type`). */
  keyTypes: string[];
}

/**
 * Quotes an SQL identifier.
 * @param name identifier
 * @returns `"name"` with inner quotes doubled
 */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const quoteLiteral = (v: string): string => `'${v.replace(/'/g, "''")}'`;

/**
 * Lists the plain tables of the given schemas (all non-system schemas when empty), with their
 * primary keys; tables that belong to an extension are left out.
 * @param client connected client
 * @param schemas schema names, or empty for all
 * @returns `schema.table` → table
 */
export async function listTables(
  client: pg.Client,
  schemas: string[],
): Promise<Map<string, TableInfo>> {
  const { rows } = await client.query<{
    schema: string;
    name: string;
    key: string[];
    key_types: string[];
  }>(
    `select n.nspname as schema, c.relname as name,
       coalesce(array(select a.attname::text from pg_index i, unnest(i.indkey) with ordinality k(attnum, ord), pg_attribute a
         where i.indrelid = c.oid and i.indisprimary and a.attrelid = c.oid and a.attnum = k.attnum order by k.ord), '{}') as key,
       coalesce(array(select format_type(a.atttypid, a.atttypmod) from pg_index i, unnest(i.indkey) with ordinality k(attnum, ord), pg_attribute a
         where i.indrelid = c.oid and i.indisprimary and a.attrelid = c.oid and a.attnum = k.attnum order by k.ord), '{}') as key_types
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind = 'r'
       and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_(toast|temp)'
       and (cardinality($1::text[]) = 0 or n.nspname = any($1::text[]))
       and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')`,
    [schemas],
  );
  const tables = new Map<string, TableInfo>();
  for (const r of rows) {
    tables.set(`${r.schema}.${r.name}`, {
      schema: r.schema,
      name: r.name,
      key: r.key,
      keyTypes: r.key_types,
    });
  }
  return tables;
}

/**
 * Counts the rows of a table.
 * @param client connected client
 * @param table the table
 * @returns the exact row count
 */
export async function countRows(client: pg.Client, table: TableInfo): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    `select count(*) as n from ${quoteIdent(table.schema)}.${quoteIdent(table.name)}`,
  );
  return Number(rows[0]?.n ?? 0);
}

/** Rows of a chunk, their checksum, and (when picked by {@link hashNextChunk}) the last key. */
export interface Chunk {
  /** Rows. */
  n: number;
  /** `md5(string_agg(md5(row::text), '' order by key))`, null when empty. */
  sum: string | null;
  /** The chunk's last key (text per key column). */
  hi?: string[];
}

/** SQL pieces for one table's key. */
function keySql(table: TableInfo) {
  const cols = table.key.map((k) => `t.${quoteIdent(k)}`);
  const tuple = `(${cols.join(', ')})`;
  const bound = (offset: number) =>
    `(${table.keyTypes.map((ty, i) => `$${offset + i}::${ty}`).join(', ')})`;
  return {
    from: `${quoteIdent(table.schema)}.${quoteIdent(table.name)} as t`,
    order: cols.join(', '),
    orderDesc: cols.map((c) => `${c} desc`).join(', '),
    tuple,
    bound,
    hi: `array[${cols.map((c) => `${c}::text`).join(', ')}]`,
  };
}

/**
 * The next chunk of a table in key order: up to `limit` rows after `lower`, their checksum and
 * last key (the side that picks the chunk bounds).
 * @param client connected client
 * @param table the table (with a primary key)
 * @param lower exclusive lower bound, absent for the start of the table
 * @param limit rows per chunk
 * @returns the chunk
 */
export async function hashNextChunk(
  client: pg.Client,
  table: TableInfo,
  lower: string[] | undefined,
  limit: number,
): Promise<Chunk> {
  const k = keySql(table);
  const where = lower ? `where ${k.tuple} > ${k.bound(1)}` : '';
  const params: unknown[] = lower ? [...lower] : [];
  params.push(limit);
  const cols = table.key.map((c, i) => `t.${quoteIdent(c)} as k${i}`).join(', ');
  const kc = table.key.map((_, i) => `k${i}`);
  const { rows } = await client.query<{ n: number; sum: string | null; hi: string[] | null }>(
    `with c as materialized (
       select ${cols}, md5(t::text) as mikado_h from ${k.from} ${where} order by ${k.order} limit $${params.length})
     select count(*)::int as n, md5(string_agg(mikado_h, '' order by ${kc.join(', ')})) as sum,
       (select array[${kc.map((c) => `${c}::text`).join(', ')}] from c order by ${kc.map((c) => `${c} desc`).join(', ')} limit 1) as hi
     from c`,
    params,
  );
  const r = rows[0];
  return { n: r?.n ?? 0, sum: r?.sum ?? null, hi: r?.hi ?? undefined };
}

/**
 * Count and checksum of the rows in `(lower, upper]` (either bound open); a table without a primary
 * key is hashed whole, its row hashes sorted by themselves.
 * @param client connected client
 * @param table the table
 * @param lower exclusive lower bound
 * @param upper inclusive upper bound
 * @returns the chunk
 */
export async function hashRange(
  client: pg.Client,
  table: TableInfo,
  lower: string[] | undefined,
  upper: string[] | undefined,
): Promise<Chunk> {
  if (table.key.length === 0) return wholeTable(client, table);
  const k = keySql(table);
  const conds: string[] = [];
  const params: unknown[] = [];
  if (lower) {
    conds.push(`${k.tuple} > ${k.bound(params.length + 1)}`);
    params.push(...lower);
  }
  if (upper) {
    conds.push(`${k.tuple} <= ${k.bound(params.length + 1)}`);
    params.push(...upper);
  }
  const where = conds.length ? `where ${conds.join(' and ')}` : '';
  const { rows } = await client.query<{ n: number; sum: string | null }>(
    `select count(*)::int as n, md5(string_agg(md5(t::text), '' order by ${k.order})) as sum from ${k.from} ${where}`,
    params,
  );
  return { n: rows[0]?.n ?? 0, sum: rows[0]?.sum ?? null };
}

/** Checksum of a table without a primary key: row hashes sorted by themselves. */
async function wholeTable(client: pg.Client, table: TableInfo): Promise<Chunk> {
  const { rows } = await client.query<{ n: number; sum: string | null }>(
    `select count(*)::int as n, md5(string_agg(h, '' order by h)) as sum
     from (select md5(t::text) as h from ${quoteIdent(table.schema)}.${quoteIdent(table.name)} as t) s`,
  );
  return { n: rows[0]?.n ?? 0, sum: rows[0]?.sum ?? null };
}

/**
 * Describes a key range for people.
 * @param columns key columns
 * @param lower exclusive lower bound
 * @param upper inclusive upper bound
 * @returns the range with its text form
 */
export function keyRange(columns: string[], lower?: string[], upper?: string[]): KeyRange {
  const names = columns.map((c) => (/^[a-z_][a-z0-9_]*$/.test(c) ? c : quoteIdent(c)));
  const cols = names.length === 1 ? names[0]! : `(${names.join(', ')})`;
  const val = (v: string[]) =>
    v.length === 1 ? quoteLiteral(v[0]!) : `(${v.map(quoteLiteral).join(', ')})`;
  const parts: string[] = [];
  if (lower) parts.push(`${cols} > ${val(lower)}`);
  if (upper) parts.push(`${cols} <= ${val(upper)}`);
  const text =
    columns.length === 0
      ? 'the whole table (no primary key)'
      : parts.length
        ? parts.join(' and ')
        : 'all rows';
  const range: KeyRange = { columns, text };
  if (lower) range.lower = lower;
  if (upper) range.upper = upper;
  return range;
}
