import { execFile } from 'node:child_process';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type pg from 'pg';
import { DatabaseError } from '../errors.ts';
import { findPgBinDir } from './find-pg-bin-dir.ts';
import type { DatabaseTarget, SchemaCheck, SchemaStatement } from './types.ts';

/** Roles whose grants are cluster plumbing, not the application's schema (CNPG's). */
export const DEFAULT_IGNORED_ROLES = ['streaming_replica', 'cnpg_pooler_pgbouncer'];

/** Environment for libpq tools from a `pg` client config. */
function libpqEnv(config: pg.ClientConfig): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  if (config.host) env.PGHOST = config.host;
  if (config.port) env.PGPORT = String(config.port);
  if (config.user) env.PGUSER = config.user;
  if (typeof config.password === 'string') env.PGPASSWORD = config.password;
  if (config.database) env.PGDATABASE = config.database;
  return env;
}

/**
 * Runs the local `pg_dump --schema-only --no-owner` against a database.
 * @param db the database
 * @param pgDump path to `pg_dump` (default: the one next to the newest server binaries)
 * @returns the dump text
 */
export function dumpSchemaLocally(db: DatabaseTarget, pgDump?: string): Promise<string> {
  const bin = pgDump ?? path.join(findPgBinDir(), 'pg_dump');
  const args = ['--schema-only', '--no-owner'];
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (typeof db === 'string') args.push('--dbname', db);
  else {
    if (db.connectionString) args.push('--dbname', db.connectionString);
    Object.assign(env, libpqEnv(db));
  }
  return new Promise((resolve, reject) => {
    execFile(bin, args, { env, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const version = /server version mismatch/i.test(stderr);
        reject(
          new DatabaseError(`\`pg_dump --schema-only\` failed: ${stderr.trim() || error.message}`, {
            fix: version
              ? 'Pass `dumpSchema` to run pg_dump where its version matches the server (e.g. kubectl exec into the pod)'
              : 'Check the connection and that pg_dump is installed',
          }),
        );
      } else resolve(stdout);
    });
  });
}

/**
 * Normalises a schema dump and splits it into statements: drops comments, `SET` lines,
 * `\restrict` markers, ownership, and grants to ignored roles; keeps statements in dump order.
 * @param dump `pg_dump --schema-only` output
 * @param ignoreRoles roles whose GRANT/REVOKE statements are dropped
 * @returns the statements
 */
export function normalizeSchemaDump(
  dump: string,
  ignoreRoles: string[] = DEFAULT_IGNORED_ROLES,
): SchemaStatement[] {
  const statements: SchemaStatement[] = [];
  let current: string[] = [];
  let dollarTag: string | undefined;
  for (const raw of dump.split('\n')) {
    const line = raw.trimEnd();
    if (dollarTag === undefined) {
      if (line === '' || line.startsWith('--')) continue;
      if (current.length === 0 && /^\\(restrict|unrestrict|connect)\b/.test(line)) continue;
    }
    current.push(line);
    for (const m of line.matchAll(/\$[A-Za-z_0-9]*\$/g)) {
      if (dollarTag === undefined) dollarTag = m[0];
      else if (m[0] === dollarTag) dollarTag = undefined;
    }
    if (dollarTag === undefined && line.endsWith(';')) {
      const sql = current.join('\n');
      current = [];
      if (isNoise(sql, ignoreRoles)) continue;
      statements.push({ object: objectOf(sql), sql });
    }
  }
  if (current.length)
    statements.push({ object: objectOf(current.join('\n')), sql: current.join('\n') });
  return statements;
}

function isNoise(sql: string, ignoreRoles: string[]): boolean {
  if (/^SET\s/.test(sql)) return true;
  if (/^SELECT pg_catalog\.set_config\('search_path'/.test(sql)) return true;
  if (/^ALTER\s.*\sOWNER TO\s/s.test(sql)) return true;
  if (/^(GRANT|REVOKE)\s/.test(sql)) {
    const roles = ignoreRoles.map((r) => r.toLowerCase());
    const named = [...sql.matchAll(/\b(?:TO|FROM)\s+("?)([^";\s,]+)\1/gi)].map((m) =>
      m[2]!.toLowerCase(),
    );
    if (named.length > 0 && named.every((r) => roles.includes(r))) return true;
  }
  return false;
}

const unquote = (name: string): string => name.replace(/"/g, '');

/**
 * The object a statement is about, e.g. `public.assets` for `CREATE TABLE`, `ALTER TABLE`,
 * `CREATE INDEX ... ON`; `extension vector` for extensions.
 * @param sql a normalised statement
 * @returns the object name, or undefined when not recognised
 */
export function objectOf(sql: string): string | undefined {
  const patterns: [RegExp, (m: RegExpMatchArray) => string][] = [
    [/^CREATE EXTENSION (?:IF NOT EXISTS )?(\S+)/, (m) => `extension ${unquote(m[1]!)}`],
    [/^COMMENT ON EXTENSION (\S+)/, (m) => `extension ${unquote(m[1]!)}`],
    [/^CREATE (?:UNIQUE )?INDEX \S+ ON (?:ONLY )?(\S+)/, (m) => unquote(m[1]!)],
    [/^CREATE (?:CONSTRAINT )?TRIGGER \S+ .*? ON (\S+)/s, (m) => unquote(m[1]!)],
    [/^CREATE POLICY \S+ ON (\S+)/, (m) => unquote(m[1]!)],
    [/^CREATE RULE \S+ AS .*? TO (\S+)/s, (m) => unquote(m[1]!)],
    [/^ALTER TABLE (?:ONLY )?(?:IF EXISTS )?(\S+)/, (m) => unquote(m[1]!)],
    [
      /^(?:CREATE|ALTER) (?:OR REPLACE )?(?:UNLOGGED |FOREIGN )?(?:TABLE|SEQUENCE|VIEW|MATERIALIZED VIEW|TYPE|DOMAIN|FUNCTION|PROCEDURE|AGGREGATE|SCHEMA) (?:IF NOT EXISTS )?([^\s(]+)/,
      (m) => unquote(m[1]!),
    ],
    [
      /^COMMENT ON (?:TABLE|COLUMN|INDEX|SEQUENCE|VIEW|TYPE|FUNCTION|SCHEMA) ([^\s(]+)/,
      (m) => unquote(m[1]!),
    ],
    [
      /^(?:GRANT|REVOKE) .*? ON (?:TABLE |SEQUENCE |SCHEMA |FUNCTION )?([^\s(]+)/s,
      (m) => unquote(m[1]!),
    ],
  ];
  for (const [re, name] of patterns) {
    const m = sql.match(re);
    if (m) return name(m);
  }
  return undefined;
}

/** Multiset difference of statements by their text. */
function minus(a: SchemaStatement[], b: SchemaStatement[]): SchemaStatement[] {
  const counts = new Map<string, number>();
  for (const s of b) counts.set(s.sql, (counts.get(s.sql) ?? 0) + 1);
  const out: SchemaStatement[] = [];
  for (const s of a) {
    const c = counts.get(s.sql) ?? 0;
    if (c > 0) counts.set(s.sql, c - 1);
    else out.push(s);
  }
  return out;
}

/**
 * Compares two schema dumps after normalisation (statement order does not matter).
 * @param sourceDump source `pg_dump --schema-only --no-owner` output
 * @param targetDump target output
 * @param ignoreRoles roles whose grants are noise
 * @returns statements only on either side and a unified diff of the normalised dumps
 */
export function compareSchemaDumps(
  sourceDump: string,
  targetDump: string,
  ignoreRoles?: string[],
): SchemaCheck {
  const src = normalizeSchemaDump(sourceDump, ignoreRoles);
  const tgt = normalizeSchemaDump(targetDump, ignoreRoles);
  const onlyInSource = minus(src, tgt);
  const onlyInTarget = minus(tgt, src);
  const ok = onlyInSource.length === 0 && onlyInTarget.length === 0;
  let diff = '';
  if (!ok) {
    const text = (ss: SchemaStatement[]) => `${ss.map((s) => s.sql).join('\n\n')}\n`;
    const lines = createTwoFilesPatch('source', 'target', text(src), text(tgt), '', '', {
      context: 2,
    }).split('\n');
    diff =
      lines.length > 200
        ? [...lines.slice(0, 200), `... ${lines.length - 200} more lines`].join('\n')
        : lines.join('\n');
  }
  return { ok, onlyInSource, onlyInTarget, diff };
}
