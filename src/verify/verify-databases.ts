import pg from 'pg';
import { compareDatabaseStates, readDatabaseState } from './database-state.ts';
import { compareSchemaDumps, DEFAULT_IGNORED_ROLES, dumpSchemaLocally } from './schema-diff.ts';
import { compareTableContent, countRows, listTables, type TableInfo } from './table-checksum.ts';
import type {
  DatabaseInfo,
  DatabaseTarget,
  ExtensionCheck,
  SchemaCheck,
  SequenceCheck,
  TableCheck,
  VerificationReport,
  VerifyOptions,
} from './types.ts';

/** Session settings that make `row::text` identical on both sides. */
const SESSION_SETUP = `
  set timezone = 'UTC';
  set datestyle = 'ISO, YMD';
  set intervalstyle = 'postgres';
  set extra_float_digits = 1;
  set bytea_output = 'hex';
  set statement_timeout = 0;
  set work_mem = '32MB';
  begin isolation level repeatable read read only;
`;

async function connect(db: DatabaseTarget): Promise<pg.Client> {
  const client = new pg.Client(typeof db === 'string' ? { connectionString: db } : db);
  await client.connect();
  await client.query(SESSION_SETUP);
  return client;
}

async function databaseInfo(client: pg.Client): Promise<DatabaseInfo> {
  const { rows } = await client.query<{
    db: string;
    v: string;
    addr: string | null;
    port: number | null;
  }>(
    `select current_database() as db, current_setting('server_version') as v,
       inet_server_addr()::text as addr, inet_server_port() as port`,
  );
  const r = rows[0]!;
  return {
    database: r.db,
    serverVersion: r.v,
    address: r.addr ? `${r.addr.replace(/\/\d+$/, '')}:${r.port}` : 'unix socket',
  };
}

interface SequenceRow {
  seq: string;
  last: string | null;
  owned_by: string | null;
}

async function listSequences(
  client: pg.Client,
  schemas: string[],
): Promise<Map<string, SequenceRow>> {
  const { rows } = await client.query<SequenceRow>(
    `select s.schemaname || '.' || s.sequencename as seq, s.last_value::text as last,
       (select dn.nspname || '.' || dc.relname || '.' || a.attname
        from pg_depend d join pg_class dc on dc.oid = d.refobjid join pg_namespace dn on dn.oid = dc.relnamespace
          join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
        where d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass
          and d.objid = (quote_ident(s.schemaname) || '.' || quote_ident(s.sequencename))::regclass
          and d.deptype in ('a', 'i') and d.refobjsubid > 0 limit 1) as owned_by
     from pg_sequences s
     where s.schemaname not in ('pg_catalog', 'information_schema')
       and (cardinality($1::text[]) = 0 or s.schemaname = any($1::text[]))`,
    [schemas],
  );
  return new Map(rows.map((r) => [r.seq, r]));
}

async function listExtensions(client: pg.Client): Promise<Map<string, string>> {
  const { rows } = await client.query<{ name: string; version: string }>(
    'select extname as name, extversion as version from pg_extension',
  );
  return new Map(rows.map((r) => [r.name, r.version]));
}

/** Whether `name` (`table` or `schema.table`) names `qualified` (`schema.table`). */
function matchesTable(name: string, qualified: string): boolean {
  return name.includes('.')
    ? name === qualified
    : qualified.slice(qualified.indexOf('.') + 1) === name;
}

function compareSequences(
  src: Map<string, SequenceRow>,
  tgt: Map<string, SequenceRow>,
  mode: 'exact' | 'not-behind',
): SequenceCheck[] {
  const names = [...new Set([...src.keys(), ...tgt.keys()])].sort();
  return names.map((name) => {
    const s = src.get(name);
    const t = tgt.get(name);
    const check: SequenceCheck = { sequence: name, ok: true };
    const owner = s?.owned_by ?? t?.owned_by;
    if (owner) check.ownedBy = owner;
    if (s) check.source = s.last;
    if (t) check.target = t.last;
    if (!s || !t) {
      check.ok = false;
      check.problem = `missing on ${s ? 'target' : 'source'}`;
    } else if (s.last !== t.last) {
      const behind = BigInt(t.last ?? '0') < BigInt(s.last ?? '0');
      if (mode === 'exact' || behind) {
        check.ok = false;
        check.problem = `last value ${s.last ?? 'unused'} on source, ${t.last ?? 'unused'} on target${
          behind
            ? ' (target behind: new rows would reuse keys)'
            : " (target ahead: normal for a streaming replica, which WAL-logs sequences up to 32 ahead; use sequences: 'not-behind')"
        }`;
      }
    }
    return check;
  });
}

function compareExtensions(src: Map<string, string>, tgt: Map<string, string>): ExtensionCheck[] {
  const names = [...new Set([...src.keys(), ...tgt.keys()])].sort();
  return names.map((name) => {
    const check: ExtensionCheck = { name, ok: src.get(name) === tgt.get(name) };
    const s = src.get(name);
    const t = tgt.get(name);
    if (s !== undefined) check.source = s;
    if (t !== undefined) check.target = t;
    return check;
  });
}

async function compareSchemas(
  source: DatabaseTarget,
  target: DatabaseTarget,
  options: VerifyOptions,
): Promise<SchemaCheck> {
  if (options.skipSchema)
    return { ok: true, onlyInSource: [], onlyInTarget: [], diff: '', skipped: true };
  const dump =
    options.dumpSchema ?? ((which) => dumpSchemaLocally(which === 'source' ? source : target));
  try {
    const [s, t] = await Promise.all([dump('source'), dump('target')]);
    return compareSchemaDumps(s, t, [...DEFAULT_IGNORED_ROLES, ...(options.ignoreRoles ?? [])]);
  } catch (e) {
    return { ok: false, onlyInSource: [], onlyInTarget: [], diff: '', error: (e as Error).message };
  }
}

/** Groups schema statements by object for the failure lines. */
function schemaFailures(schema: SchemaCheck): string[] {
  if (schema.error) return [`schema: could not compare dumps: ${schema.error.split('\n')[0]}`];
  const byObject = new Map<string, { source: number; target: number }>();
  for (const [list, side] of [
    [schema.onlyInSource, 'source'],
    [schema.onlyInTarget, 'target'],
  ] as const) {
    for (const s of list) {
      const key = s.object ?? s.sql.split('\n')[0]!.slice(0, 60);
      const e = byObject.get(key) ?? { source: 0, target: 0 };
      e[side]++;
      byObject.set(key, e);
    }
  }
  return [...byObject].map(([object, n]) => {
    const parts: string[] = [];
    if (n.source) parts.push(`${n.source} statement${n.source > 1 ? 's' : ''} only on source`);
    if (n.target) parts.push(`${n.target} statement${n.target > 1 ? 's' : ''} only on target`);
    return `schema ${object}: ${parts.join(', ')}`;
  });
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
  const [src, tgt] = await Promise.all([connect(source), connect(target)]);
  try {
    const [sourceInfo, targetInfo, srcTables, tgtTables] = await Promise.all([
      databaseInfo(src),
      databaseInfo(tgt),
      listTables(src, schemas),
      listTables(tgt, schemas),
    ]);
    const excluded = (q: string) => (options.excludeTables ?? []).some((n) => matchesTable(n, q));
    const names = [...new Set([...srcTables.keys(), ...tgtTables.keys()])]
      .filter((n) => !excluded(n))
      .sort();
    const failures: string[] = [];
    for (const req of options.requireTables ?? []) {
      for (const [side, tables] of [
        ['source', srcTables],
        ['target', tgtTables],
      ] as const) {
        if (![...tables.keys()].some((q) => matchesTable(req, q)))
          failures.push(`table ${req}: required but missing on ${side}`);
      }
    }
    const tables: TableCheck[] = [];
    for (const name of names) {
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
      const [sRows, tRows] = await Promise.all([
        s ? countRows(src, s) : undefined,
        t ? countRows(tgt, t) : undefined,
      ]);
      if (sRows !== undefined) check.sourceRows = sRows;
      if (tRows !== undefined) check.targetRows = tRows;
      if (!s || !t) {
        check.problem = `missing on ${s ? 'target' : 'source'}`;
      } else {
        Object.assign(check, await compareTableContent(src, tgt, s, chunkRows));
        const problems: string[] = [];
        if (sRows !== tRows) problems.push(`${sRows} rows on source, ${tRows} on target`);
        if (check.checksum === 'mismatch')
          problems.push(`content differs in ${check.firstDifference?.text}`);
        check.ok = problems.length === 0;
        if (!check.ok) check.problem = problems.join('; ');
      }
      if (!check.ok) failures.push(`table ${name}: ${check.problem}`);
      tables.push(check);
    }
    const [srcSeq, tgtSeq, srcExt, tgtExt, srcState, tgtState] = await Promise.all([
      listSequences(src, schemas),
      listSequences(tgt, schemas),
      listExtensions(src),
      listExtensions(tgt),
      readDatabaseState(src, schemas),
      readDatabaseState(tgt, schemas),
    ]);
    const sequences = compareSequences(srcSeq, tgtSeq, options.sequences ?? 'exact');
    for (const q of sequences) {
      if (!q.ok)
        failures.push(`sequence ${q.sequence}${q.ownedBy ? ` (${q.ownedBy})` : ''}: ${q.problem}`);
    }
    const extensions = compareExtensions(srcExt, tgtExt);
    for (const x of extensions) {
      if (!x.ok)
        failures.push(
          `extension ${x.name}: ${x.source ?? 'missing'} on source, ${x.target ?? 'missing'} on target`,
        );
    }
    const state = compareDatabaseStates(srcState, tgtState, [
      ...DEFAULT_IGNORED_ROLES,
      ...(options.ignoreRoles ?? []),
    ]);
    failures.push(...state.failures);
    const schema = await schemaP;
    failures.push(...schemaFailures(schema));
    return {
      version: 1,
      ok: failures.length === 0,
      source: sourceInfo,
      target: targetInfo,
      tables,
      sequences,
      schema,
      extensions,
      state,
      failures,
      durationMs: Date.now() - started,
    };
  } finally {
    await Promise.all([src.end().catch(() => undefined), tgt.end().catch(() => undefined)]);
  }
}
