import type pg from 'pg';
import { compareDatabaseStates, readDatabaseState } from './database-state.ts';
import { compareSchemaDumps, DEFAULT_IGNORED_ROLES, dumpSchemaLocally } from './schema-diff.ts';
import type { TableInfo } from './table-checksum.ts';
import type {
  DatabaseTarget,
  ExtensionCheck,
  SchemaCheck,
  SequenceCheck,
  StateCheck,
  VerificationReport,
  VerifyOptions,
} from './types.ts';

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

/**
 * Compares the normalised schema dumps of both sides (unless skipped); a dump that cannot be
 * taken makes the check fail.
 * @param source the source database
 * @param target the target database
 * @param options `skipSchema`, `dumpSchema`, `ignoreRoles`
 * @returns the schema check
 */
export async function compareSchemas(
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

/** Whether `name` (`table` or `schema.table`) names `qualified` (`schema.table`). */
function matchesTable(name: string, qualified: string): boolean {
  return name.includes('.')
    ? name === qualified
    : qualified.slice(qualified.indexOf('.') + 1) === name;
}

/** Everything but the tables' content, compared. */
export type CatalogChecks = Pick<
  VerificationReport,
  'sequences' | 'extensions' | 'state' | 'schema'
> & { failures: string[] };

/**
 * Compares what is not table content: sequences, extensions, database-level state (in the
 * clients' snapshots) and the schema dumps (taken by `schema`, started early by the caller).
 * @param src client on the source (inside its snapshot)
 * @param tgt client on the target
 * @param options sequence mode, schemas, roles to ignore
 * @param schema the pending schema comparison ({@link compareSchemas})
 * @returns the checks and one failure line per difference
 */
export async function compareCatalogs(
  src: pg.Client,
  tgt: pg.Client,
  options: VerifyOptions,
  schema: Promise<SchemaCheck>,
): Promise<CatalogChecks> {
  const schemas = options.schemas ?? [];
  const read = async (client: pg.Client) => ({
    sequences: await listSequences(client, schemas),
    extensions: await listExtensions(client),
    state: await readDatabaseState(client, schemas),
  });
  const [a, b] = await Promise.all([read(src), read(tgt)]);
  const failures: string[] = [];
  const sequences = compareSequences(a.sequences, b.sequences, options.sequences ?? 'exact');
  for (const q of sequences) {
    if (!q.ok)
      failures.push(`sequence ${q.sequence}${q.ownedBy ? ` (${q.ownedBy})` : ''}: ${q.problem}`);
  }
  const extensions = compareExtensions(a.extensions, b.extensions);
  for (const x of extensions) {
    if (!x.ok)
      failures.push(
        `extension ${x.name}: ${x.source ?? 'missing'} on source, ${x.target ?? 'missing'} on target`,
      );
  }
  const state: StateCheck = compareDatabaseStates(a.state, b.state, [
    ...DEFAULT_IGNORED_ROLES,
    ...(options.ignoreRoles ?? []),
  ]);
  failures.push(...state.failures);
  const schemaCheck = await schema;
  failures.push(...schemaFailures(schemaCheck));
  return { sequences, extensions, state, schema: schemaCheck, failures };
}

/**
 * Whether a table is left out by `excludeTables`.
 * @param qualified `schema.table`
 * @param options the options
 * @returns true when excluded
 */
export function excludedTable(
  qualified: string,
  options: Pick<VerifyOptions, 'excludeTables'>,
): boolean {
  return (options.excludeTables ?? []).some((n) => matchesTable(n, qualified));
}

/**
 * The tables to compare (both sides' tables but the excluded ones, sorted), and a failure line per
 * required table missing on a side.
 * @param srcTables the source's tables
 * @param tgtTables the target's tables
 * @param options `excludeTables`, `requireTables`
 * @returns the names and the failures
 */
export function selectTables(
  srcTables: Map<string, TableInfo>,
  tgtTables: Map<string, TableInfo>,
  options: VerifyOptions,
): { names: string[]; failures: string[] } {
  const names = [...new Set([...srcTables.keys(), ...tgtTables.keys()])]
    .filter((n) => !excludedTable(n, options))
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
  return { names, failures };
}
