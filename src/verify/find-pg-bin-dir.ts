import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseError } from '../errors.ts';

/**
 * Finds the PostgreSQL binaries (for `pg_dump`): `MIKADO_PG_BIN` if set, else the newest
 * `/usr/lib/postgresql/<major>/bin`. The sandbox's server manager has its own, for the servers.
 * @param env environment to read `MIKADO_PG_BIN` from
 * @returns the directory holding `pg_ctl`
 */
export function findPgBinDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.MIKADO_PG_BIN;
  if (override) {
    if (!existsSync(path.join(override, 'pg_ctl'))) {
      throw new DatabaseError(
        `Unexpected \`MIKADO_PG_BIN=${override}\`, expected a directory holding \`pg_ctl\``,
        {
          fix: 'Point MIKADO_PG_BIN at a PostgreSQL bin directory, e.g. /usr/lib/postgresql/15/bin',
        },
      );
    }
    return override;
  }
  const base = '/usr/lib/postgresql';
  const majors = existsSync(base)
    ? readdirSync(base)
        .filter((d) => /^\d+(\.\d+)?$/.test(d) && existsSync(path.join(base, d, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = majors[0];
  if (newest === undefined) {
    throw new DatabaseError(`No PostgreSQL server binaries found under \`${base}/*/bin\``, {
      fix: 'Install them (`apt-get install postgresql`) or set MIKADO_PG_BIN to a bin directory',
    });
  }
  return path.join(base, newest, 'bin');
}
