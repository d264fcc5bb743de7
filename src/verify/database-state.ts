import type pg from 'pg';
import type { StateCheck } from './types.ts';

/** A role as the comparison sees it (never its password). */
interface RoleFacts {
  /** Attributes in `CREATE ROLE` words: `LOGIN`, `NOSUPERUSER`, `CONNECTION LIMIT -1`, ... */
  attributes: string[];
  /** Roles it is a member of (`name` or `name (admin)`). */
  memberOf: string[];
  /** Role-wide settings (`ALTER ROLE ... SET`), `name=value`. */
  settings: string[];
}

/** Database-level state of one side, read in the verification's snapshot. */
export interface DatabaseState {
  /** Database name (reported, never compared: a copy may have another name). */
  name: string;
  /** Owner, comment, encoding and locale: `owner` → `immich`. */
  properties: Record<string, string | null>;
  /** Privileges on the database, `grantee:PRIVILEGE` (the default ACL spelled out). */
  grants: string[];
  /** Settings per role in this database (`''`: the database's own, `ALTER DATABASE ... SET`). */
  settings: Record<string, string[]>;
  /** Roles the database needs (owners, grantees, roles with settings, and their memberships). */
  needed: string[];
  /** Every role that is not built in, by name. */
  roles: Record<string, RoleFacts>;
  /** Owner of each table, sequence, view, schema, function and type: `table public.assets` → `immich`. */
  owners: Record<string, string>;
}

/**
 * The roles a database needs on any cluster that holds it: the database's owner and grantees,
 * roles with settings in it, the owners and grantees of its objects (`pg_shdepend`), and every
 * role those are members of. Built-in `pg_*` roles and the bootstrap superuser exist everywhere
 * and are left out. Run it in the database; it returns one column, `rolname`.
 */
export const NEEDED_ROLES_SQL = `
with recursive db as (select oid, datdba, datacl from pg_database where datname = current_database()),
direct(r) as (
  select datdba from db
  union select a.grantee from db, aclexplode(db.datacl) a where db.datacl is not null
  union select s.setrole from pg_db_role_setting s, db where s.setdatabase = db.oid
  union select d.refobjid from pg_shdepend d, db
    where d.dbid = db.oid and d.refclassid = 'pg_authid'::regclass
),
closure(r) as (
  select r from direct
  union select m.roleid from pg_auth_members m join closure c on m.member = c.r
)
select rolname from pg_roles
where oid in (select r from closure) and oid <> 10 and rolname !~ '^pg_'
order by rolname`;

const DATABASE = `
select d.datname as name, pg_get_userbyid(d.datdba) as owner, shobj_description(d.oid, 'pg_database') as comment,
  pg_encoding_to_char(d.encoding) as encoding, d.datcollate as collate, d.datctype as ctype,
  coalesce((select array_agg(x order by x) from (
    select case when a.grantee = 0 then 'PUBLIC' else pg_get_userbyid(a.grantee) end || ':' || a.privilege_type
      || case when a.is_grantable then ' WITH GRANT OPTION' else '' end as x
    from aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a) g), '{}') as grants,
  coalesce((select json_object_agg(coalesce(pg_get_userbyid(nullif(s.setrole, 0)), ''), s.setconfig)
    from pg_db_role_setting s where s.setdatabase = d.oid), '{}') as settings
from pg_database d where d.datname = current_database()`;

const ROLES = `
select r.rolname as name,
  array[case when r.rolsuper then 'SUPERUSER' else 'NOSUPERUSER' end,
    case when r.rolinherit then 'INHERIT' else 'NOINHERIT' end,
    case when r.rolcreaterole then 'CREATEROLE' else 'NOCREATEROLE' end,
    case when r.rolcreatedb then 'CREATEDB' else 'NOCREATEDB' end,
    case when r.rolcanlogin then 'LOGIN' else 'NOLOGIN' end,
    case when r.rolreplication then 'REPLICATION' else 'NOREPLICATION' end,
    case when r.rolbypassrls then 'BYPASSRLS' else 'NOBYPASSRLS' end,
    'CONNECTION LIMIT ' || r.rolconnlimit,
    'VALID UNTIL ' || coalesce(r.rolvaliduntil::text, 'infinity')] as attributes,
  coalesce((select array_agg(g.rolname || case when m.admin_option then ' (admin)' else '' end order by g.rolname)
    from pg_auth_members m join pg_roles g on g.oid = m.roleid where m.member = r.oid), '{}') as member_of,
  coalesce((select s.setconfig from pg_db_role_setting s where s.setrole = r.oid and s.setdatabase = 0), '{}') as settings
from pg_roles r where r.rolname !~ '^pg_'`;

/** Owners of the objects in the compared schemas, extension members left out. */
const OWNERS = `
with ns as (select oid, nspname from pg_namespace
  where nspname not in ('pg_catalog', 'information_schema') and nspname !~ '^pg_(toast|temp)'
    and (cardinality($1::text[]) = 0 or nspname = any($1::text[]))),
ext as (select classid, objid from pg_depend where deptype = 'e')
select 'schema ' || ns.nspname as object, pg_get_userbyid(n.nspowner) as owner
  from ns join pg_namespace n on n.oid = ns.oid
  where not exists (select 1 from ext where classid = 'pg_namespace'::regclass and objid = n.oid)
union all
select case c.relkind when 'S' then 'sequence' when 'v' then 'view' when 'm' then 'materialized view'
    when 'f' then 'foreign table' else 'table' end || ' ' || ns.nspname || '.' || c.relname,
  pg_get_userbyid(c.relowner)
  from pg_class c join ns on ns.oid = c.relnamespace
  where c.relkind in ('r', 'p', 'S', 'v', 'm', 'f')
    and not exists (select 1 from ext where classid = 'pg_class'::regclass and objid = c.oid)
union all
select 'function ' || p.oid::regprocedure::text, pg_get_userbyid(p.proowner)
  from pg_proc p join ns on ns.oid = p.pronamespace
  where not exists (select 1 from ext where classid = 'pg_proc'::regclass and objid = p.oid)
union all
select 'type ' || t.oid::regtype::text, pg_get_userbyid(t.typowner)
  from pg_type t join ns on ns.oid = t.typnamespace
  where (t.typtype in ('e', 'd', 'r', 'm') or (t.typtype = 'c' and (select relkind from pg_class where oid = t.typrelid) = 'c'))
    and not exists (select 1 from ext where classid = 'pg_type'::regclass and objid = t.oid)`;

/**
 * Reads the database-level state of the connected database (inside the caller's transaction).
 * @param client connected client
 * @param schemas schemas whose object owners are read (empty: every non-system schema)
 * @returns the state
 */
export async function readDatabaseState(
  client: pg.Client,
  schemas: string[],
): Promise<DatabaseState> {
  // One query at a time: a client runs one query at a time anyway.
  const db = await client.query(DATABASE);
  const needed = await client.query<{ rolname: string }>(NEEDED_ROLES_SQL);
  const roles = await client.query<{
    name: string;
    attributes: string[];
    member_of: string[];
    settings: string[];
  }>(ROLES);
  const owners = await client.query<{ object: string; owner: string }>(OWNERS, [schemas]);
  const d = db.rows[0] as Record<string, unknown>;
  const settings: Record<string, string[]> = {};
  for (const [role, config] of Object.entries((d.settings ?? {}) as Record<string, string[]>)) {
    settings[role] = [...config].sort();
  }
  return {
    name: String(d.name),
    properties: {
      owner: d.owner as string,
      comment: (d.comment as string | null) ?? null,
      encoding: d.encoding as string,
      collate: d.collate as string,
      ctype: d.ctype as string,
    },
    grants: d.grants as string[],
    settings,
    needed: needed.rows.map((r) => r.rolname),
    roles: Object.fromEntries(
      roles.rows.map((r) => [
        r.name,
        { attributes: r.attributes, memberOf: r.member_of, settings: [...r.settings].sort() },
      ]),
    ),
    owners: Object.fromEntries(owners.rows.map((r) => [r.object, r.owner])),
  };
}

const quote = (v: string | null | undefined): string =>
  v === null || v === undefined ? 'none' : `'${v.replaceAll("'", "''")}'`;

/** `name=value` settings as a map. */
const settingMap = (list: string[] = []): Map<string, string> =>
  new Map(list.map((s) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)]));

/** One line per setting that differs. */
function compareSettings(what: string, src: string[] = [], tgt: string[] = []): string[] {
  const s = settingMap(src);
  const t = settingMap(tgt);
  const out: string[] = [];
  for (const name of [...new Set([...s.keys(), ...t.keys()])].sort()) {
    const a = s.get(name);
    const b = t.get(name);
    if (a === b) continue;
    if (b === undefined) out.push(`${what}: setting ${name}=${a} only on source`);
    else if (a === undefined) out.push(`${what}: setting ${name}=${b} only on target`);
    else out.push(`${what}: setting ${name}=${a} on source, ${name}=${b} on target`);
  }
  return out;
}

/** Lines for items only on one side of two lists. */
function onlyOn(what: string, noun: string, src: string[], tgt: string[]): string[] {
  const t = new Set(tgt);
  const s = new Set(src);
  return [
    ...src.filter((x) => !t.has(x)).map((x) => `${what}: ${noun} ${x} only on source`),
    ...tgt.filter((x) => !s.has(x)).map((x) => `${what}: ${noun} ${x} only on target`),
  ];
}

/**
 * Compares the database-level state of two sides: the database's owner, comment, encoding,
 * locale, grants and settings; settings of roles in it; the roles either side needs (attributes,
 * memberships, role-wide settings; never passwords), and object owners. Roles in `ignoreRoles`
 * are cluster plumbing and left out.
 * @param src the source's state
 * @param tgt the target's state
 * @param ignoreRoles roles not compared (e.g. CNPG's `streaming_replica`)
 * @returns the check, one failure line per difference
 */
export function compareDatabaseStates(
  src: DatabaseState,
  tgt: DatabaseState,
  ignoreRoles: string[] = [],
): StateCheck {
  const db = `database ${src.name}`;
  const failures: string[] = [];
  for (const key of Object.keys(src.properties)) {
    const a = src.properties[key];
    const b = tgt.properties[key];
    if (a !== b) failures.push(`${db}: ${key} ${quote(a)} on source, ${quote(b)} on target`);
  }
  const grant = (g: string) => g.replace(/^(.*):(.*)$/, '$2 to $1');
  failures.push(...onlyOn(db, 'grant', src.grants.map(grant), tgt.grants.map(grant)));
  for (const role of [...new Set([...Object.keys(src.settings), ...Object.keys(tgt.settings)])]
    .filter((r) => !ignoreRoles.includes(r))
    .sort()) {
    const what = role === '' ? db : `role ${role} in database ${src.name}`;
    failures.push(...compareSettings(what, src.settings[role], tgt.settings[role]));
  }
  const roles = [...new Set([...src.needed, ...tgt.needed])]
    .filter((r) => !ignoreRoles.includes(r))
    .sort();
  for (const name of roles) {
    const a = src.roles[name];
    const b = tgt.roles[name];
    const what = `role ${name}`;
    if (!a || !b) {
      failures.push(`${what}: missing on ${a ? 'target' : 'source'}`);
      continue;
    }
    a.attributes.forEach((attr, i) => {
      const other = b.attributes[i];
      if (attr !== other) failures.push(`${what}: ${attr} on source, ${other} on target`);
    });
    failures.push(...onlyOn(what, 'member of', a.memberOf, b.memberOf));
    failures.push(...compareSettings(what, a.settings, b.settings));
  }
  const objects = [...new Set([...Object.keys(src.owners), ...Object.keys(tgt.owners)])].sort();
  for (const object of objects) {
    const a = src.owners[object];
    const b = tgt.owners[object];
    // An object missing on one side is the schema comparison's to report.
    if (a !== undefined && b !== undefined && a !== b) {
      failures.push(`owner of ${object}: ${a} on source, ${b} on target`);
    }
  }
  return {
    ok: failures.length === 0,
    roles,
    owners: objects.length,
    failures,
  };
}
