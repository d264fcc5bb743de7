import type pg from 'pg';
import { newPgClient } from '../verify/new-pg-client.ts';
import { type CnpgDatabase, openCnpgDatabase } from './cnpg.ts';

/** How one table differs between two databases, row by row (by primary key). */
export interface TableRowDifferences {
  /** `schema.table`. */
  table: string;
  /** Primary key columns (the keys below are their values, joined with `,`). */
  key: string[];
  /** Keys of rows only the second database (`target`) holds: written there. */
  onlyInTarget: string[];
  /** Keys of rows whose content differs: changed there. */
  changed: string[];
  /** Keys of rows only the first database (`source`) holds: deleted there. */
  onlyInSource: string[];
  /**
   * The second database's content of the rows written or changed there (`row_to_json`), by key:
   * what it would take to carry them over.
   */
  rows: Record<string, unknown>;
}

/** What {@link listRowDifferences} found. */
export interface RowDifferences {
  /** Tables that differ (others are equal, or have no primary key: see `unkeyed`). */
  tables: TableRowDifferences[];
  /** Tables without a primary key that differ (compared as a whole; no keys to list). */
  unkeyed: string[];
  /** Tables on one side only. */
  missing: { table: string; in: 'source' | 'target' }[];
}

interface TableInfo {
  table: string;
  key: string[];
}

const ident = (s: string): string => `"${s.replaceAll('"', '""')}"`;

async function tables(client: pg.Client): Promise<Map<string, TableInfo>> {
  const { rows } = await client.query<{ t: string; key: string[] | null }>(`
    select format('%I.%I', n.nspname, c.relname) as t,
      (select array_agg(a.attname::text order by k.ord)
         from pg_index i cross join unnest(i.indkey) with ordinality as k(attnum, ord)
         join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
        where i.indrelid = c.oid and i.indisprimary) as key
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema')
      and n.nspname not like 'pg\\_%'`);
  return new Map(rows.map((r) => [r.t, { table: r.t, key: r.key ?? [] }]));
}

async function tableDigest(client: pg.Client, table: string): Promise<string> {
  const { rows } = await client.query<{ d: string | null }>(
    `select md5(string_agg(md5(t::text), '' order by md5(t::text))) as d from ${table} t`,
  );
  return rows[0]?.d ?? '';
}

const keyExpression = (info: TableInfo): string =>
  info.key.map((k) => `t.${ident(k)}::text`).join(` || ',' || `);

async function rowDigests(client: pg.Client, info: TableInfo): Promise<Map<string, string>> {
  const { rows } = await client.query<{ k: string; d: string }>(
    `select ${keyExpression(info)} as k, md5(t::text) as d from ${info.table} t`,
  );
  return new Map(rows.map((r) => [r.k, r.d]));
}

async function rowContents(
  client: pg.Client,
  info: TableInfo,
  keys: string[],
): Promise<Record<string, unknown>> {
  if (keys.length === 0) return {};
  const { rows } = await client.query<{ k: string; r: unknown }>(
    `select ${keyExpression(info)} as k, row_to_json(t) as r from ${info.table} t where ${keyExpression(info)} = any($1)`,
    [keys],
  );
  return Object.fromEntries(rows.map((r) => [r.k, r.r]));
}

/**
 * Lists, row by row, how a second database differs from a first one: the rows written, changed
 * and deleted there, by primary key, with the second database's content of the rows written or
 * changed. Tables are first compared whole (one digest each), so only the tables that differ are
 * read row by row. Used by a rollback to tell the operator exactly which writes the abandoned side
 * took, and to keep them.
 * @param sourceUrl the first database (`pg` connection config or URL)
 * @param targetUrl the second database
 * @returns the differing tables and their keys
 */
export async function diffRows(
  sourceUrl: pg.ClientConfig | string,
  targetUrl: pg.ClientConfig | string,
): Promise<RowDifferences> {
  const a = await newPgClient(sourceUrl);
  const b = await newPgClient(targetUrl);
  // A connection ended while idle is reported by the next query, not by a crash.
  for (const c of [a, b]) c.on('error', () => undefined);
  await a.connect();
  try {
    await b.connect();
    try {
      for (const c of [a, b]) await c.query('begin transaction isolation level repeatable read');
      const [ta, tb] = [await tables(a), await tables(b)];
      const out: RowDifferences = { tables: [], unkeyed: [], missing: [] };
      for (const t of ta.keys()) if (!tb.has(t)) out.missing.push({ table: t, in: 'source' });
      for (const t of tb.keys()) if (!ta.has(t)) out.missing.push({ table: t, in: 'target' });
      for (const [name, info] of [...ta].sort(([x], [y]) => (x < y ? -1 : 1))) {
        if (!tb.has(name)) continue;
        if ((await tableDigest(a, name)) === (await tableDigest(b, name))) continue;
        if (info.key.length === 0) {
          out.unkeyed.push(name);
          continue;
        }
        const [ra, rb] = [await rowDigests(a, info), await rowDigests(b, info)];
        const diff: TableRowDifferences = {
          table: name,
          key: info.key,
          onlyInTarget: [],
          changed: [],
          onlyInSource: [],
          rows: {},
        };
        for (const [k, d] of rb) {
          const other = ra.get(k);
          if (other === undefined) diff.onlyInTarget.push(k);
          else if (other !== d) diff.changed.push(k);
        }
        for (const k of ra.keys()) if (!rb.has(k)) diff.onlyInSource.push(k);
        for (const list of [diff.onlyInTarget, diff.changed, diff.onlyInSource]) list.sort();
        diff.rows = await rowContents(b, info, [...diff.onlyInTarget, ...diff.changed]);
        out.tables.push(diff);
      }
      return out;
    } finally {
      await b.end().catch(() => undefined);
    }
  } finally {
    await a.end().catch(() => undefined);
  }
}

/**
 * {@link diffRows} between two CNPG databases, each reached through a port-forward as its
 * superuser.
 * @param source the first database (the side kept)
 * @param target the second database (the side whose own writes are listed)
 * @returns the differences
 */
export async function diffCnpgRows(
  source: CnpgDatabase,
  target: CnpgDatabase,
): Promise<RowDifferences> {
  const a = await openCnpgDatabase(source);
  try {
    const b = await openCnpgDatabase(target);
    try {
      return await diffRows(a.config, b.config);
    } finally {
      await b.close();
    }
  } finally {
    await a.close();
  }
}

/**
 * Renders row differences for a log: one line per table with its counts and the first keys.
 * @param d the differences
 * @param sample how many keys of each kind to show
 * @returns lines (empty when nothing differs)
 */
export function formatRowDifferences(d: RowDifferences, sample = 5): string[] {
  const keys = (list: string[]) =>
    list.length === 0
      ? ''
      : ` (${list.slice(0, sample).join('; ')}${list.length > sample ? `; … ${list.length - sample} more` : ''})`;
  const lines: string[] = [];
  for (const t of d.tables) {
    const parts = [
      t.onlyInTarget.length > 0 ? `${t.onlyInTarget.length} written${keys(t.onlyInTarget)}` : '',
      t.changed.length > 0 ? `${t.changed.length} changed${keys(t.changed)}` : '',
      t.onlyInSource.length > 0 ? `${t.onlyInSource.length} deleted${keys(t.onlyInSource)}` : '',
    ].filter(Boolean);
    lines.push(`${t.table} [${t.key.join(', ')}]: ${parts.join(', ')}`);
  }
  for (const t of d.unkeyed) lines.push(`${t}: differs (no primary key to list rows by)`);
  for (const m of d.missing)
    lines.push(`${m.table}: only in the ${m.in === 'source' ? 'first' : 'second'} database`);
  return lines;
}
