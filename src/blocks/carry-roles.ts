/** An identifier as `pg_dumpall` prints it, unquoted. */
const IDENT = String.raw`("(?:[^"]|"")*"|[^\s";,]+)`;
const unquote = (id: string): string =>
  id.startsWith('"') ? id.slice(1, -1).replaceAll('""', '"') : id;

/**
 * Picks from `pg_dumpall --roles-only` what a target cluster needs for a database's roles: each
 * needed role missing there is created with its attributes and password hash (`CREATE ROLE`,
 * `ALTER ROLE ... WITH`); every needed role gets its role-wide settings (`ALTER ROLE ... SET`) and
 * its memberships (`GRANT ... TO`, granted by whoever applies them). Roles that exist on the target
 * keep their attributes and password: a manifest (CNPG's managed roles) owns them, and the
 * verification names any difference.
 * @param dumpall the source's `pg_dumpall --roles-only` output
 * @param needed the roles the database needs (`NEEDED_ROLES_SQL` run on the source)
 * @param existing every role name on the target
 * @returns SQL statements, one a line (empty when nothing is needed)
 */
export function carryRoleStatements(dumpall: string, needed: string[], existing: string[]): string {
  const want = new Set(needed);
  const have = new Set(existing);
  const known = (role: string) => have.has(role) || want.has(role) || role.startsWith('pg_');
  const out: string[] = [];
  for (const line of dumpall.split('\n')) {
    let m = new RegExp(`^(CREATE|ALTER) ROLE ${IDENT}( WITH .*| SET .*)?;$`).exec(line);
    if (m) {
      const role = unquote(m[2]!);
      if (!want.has(role)) continue;
      const setting = m[3]?.startsWith(' SET ');
      if (setting || !have.has(role)) out.push(line);
      continue;
    }
    m = new RegExp(`^GRANT ${IDENT} TO ${IDENT}(.*?)(?: GRANTED BY ${IDENT})?;$`).exec(line);
    if (m) {
      const granted = unquote(m[1]!);
      const member = unquote(m[2]!);
      if (want.has(member) && known(granted)) out.push(`GRANT ${m[1]} TO ${m[2]}${m[3]};`);
    }
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
