import { NEEDED_ROLES_SQL } from '../verify/database-state.ts';
import { carryRoleStatements } from './carry-roles.ts';
import { type KubeTarget, kubectl, kubectlArgs, kubectlJson } from './kubectl.ts';
import { startPortForward } from './port-forward.ts';
import { streamToFile } from './stream-to-file.ts';

/** A CloudNativePG `Cluster`: where it lives and its name. */
export interface CnpgCluster extends KubeTarget {
  namespace: string;
  /** The Cluster's name (`immich-pg`). */
  cluster: string;
}

/** A database in a CNPG cluster. */
export interface CnpgDatabase extends CnpgCluster {
  /** Database name (`immich`). */
  database: string;
}

/** An open connection path to a CNPG database through `kubectl port-forward`. */
export interface CnpgConnection {
  /** A `pg` client config (127.0.0.1, the forwarded port, the superuser's credentials). */
  config: { host: string; port: number; user: string; password: string; database: string };
  /** Stops the port-forward. */
  close(): Promise<void>;
}

/**
 * The pod of a cluster's current primary (`status.currentPrimary`, else `<cluster>-1`).
 * @param c the cluster
 * @returns the pod name
 */
export async function cnpgPrimaryPod(c: CnpgCluster): Promise<string> {
  const obj = await kubectlJson<{ status?: { currentPrimary?: string } }>(c, [
    'cluster.postgresql.cnpg.io',
    c.cluster,
  ]);
  return obj.status?.currentPrimary || `${c.cluster}-1`;
}

/**
 * What `kubectl exec` targets to reach a cluster's primary: its `-rw` Service (kubectl picks the
 * pod the Service selects, the primary, also after a switchover).
 * @param c the cluster
 * @returns `svc/<cluster>-rw`
 */
export function cnpgPrimaryTarget(c: CnpgCluster): string {
  return `svc/${c.cluster}-rw`;
}

/**
 * The `kubectl exec` arguments that run a command in the `postgres` container of a cluster's
 * primary (through {@link cnpgPrimaryTarget}).
 * @param c the cluster
 * @param command the command and its arguments
 * @param options `stdin`: pass standard input through (`-i`)
 * @returns `exec [-i] svc/<cluster>-rw -c postgres -- COMMAND...`
 */
export function cnpgExecArgs(
  c: CnpgCluster,
  command: string[],
  options: { stdin?: boolean } = {},
): string[] {
  const stdin = options.stdin ? ['-i'] : [];
  return ['exec', ...stdin, cnpgPrimaryTarget(c), '-c', 'postgres', '--', ...command];
}

/** `psql` as blocks run it in a pod: no psqlrc, unaligned tuples only, quiet, stop on error. */
const PSQL = ['psql', '-XAtq', '-v', 'ON_ERROR_STOP=1'];

/**
 * Runs SQL with `psql` inside the cluster's primary pod (as `postgres` over the local socket, so
 * the server's own client version is used) and returns its unaligned, tuples-only output.
 * @param db the database
 * @param sql one or more statements
 * @returns standard output, trimmed
 * @throws CommandError when psql fails (ON_ERROR_STOP is set)
 */
export async function cnpgPsql(db: CnpgDatabase, sql: string): Promise<string> {
  const { stdout } = await kubectl(db, cnpgExecArgs(db, [...PSQL, '-d', db.database, '-c', sql]));
  return stdout.trim();
}

/**
 * Reads a Secret's data, base64-decoded.
 * @param target context and namespace
 * @param name the Secret
 * @returns its keys and values
 */
export async function readSecret(
  target: KubeTarget,
  name: string,
): Promise<Record<string, string>> {
  const obj = await kubectlJson<{ data?: Record<string, string> }>(target, ['secret', name]);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj.data ?? {})) {
    out[k] = Buffer.from(v, 'base64').toString('utf8');
  }
  return out;
}

/**
 * Opens a path to a CNPG database from this machine: `kubectl port-forward svc/<cluster>-rw`
 * and the superuser's credentials from the `<cluster>-superuser` Secret
 * (`enableSuperuserAccess: true`).
 * @param db the database
 * @returns a `pg` client config and a way to close the forward
 */
export async function openCnpgDatabase(db: CnpgDatabase): Promise<CnpgConnection> {
  const [secretP, forwardP] = [
    readSecret(db, `${db.cluster}-superuser`),
    startPortForward({
      context: db.context,
      namespace: db.namespace,
      resource: `svc/${db.cluster}-rw`,
      remotePort: 5432,
    }),
  ];
  const [secretR, forwardR] = await Promise.allSettled([secretP, forwardP]);
  if (secretR.status === 'rejected') {
    if (forwardR.status === 'fulfilled') await forwardR.value.close();
    throw secretR.reason;
  }
  if (forwardR.status === 'rejected') throw forwardR.reason;
  const secret = secretR.value;
  const forward = forwardR.value;
  return {
    config: {
      host: '127.0.0.1',
      port: forward.port,
      user: secret['username'] ?? 'postgres',
      password: secret['password'] ?? '',
      database: db.database,
    },
    close: () => forward.close(),
  };
}

/** Where {@link restoreCnpgDatabase} puts the dump inside the pod (the data volume, not PGDATA). */
export const POD_DUMP_PATH = '/var/lib/postgresql/data/mikado-restore.dump';

/**
 * `pg_dump -Fc` of a database, run inside its primary pod (the server's own version), written to
 * a local file byte for byte.
 * @param db the database
 * @param file the local dump file
 * @param options `compress`: `pg_dump -Z` level, 0 (none) to 9 (default: pg_dump's own, gzip 6).
 *   Compressing is most of a dump's time: on a fast network, 0 is several times quicker.
 * @returns its size in bytes
 */
export async function dumpCnpgDatabase(
  db: CnpgDatabase,
  file: string,
  options: { compress?: number } = {},
): Promise<number> {
  const level = options.compress === undefined ? [] : [`-Z${options.compress}`];
  const dump = ['pg_dump', '-Fc', ...level, '-d', db.database];
  return streamToFile('kubectl', kubectlArgs(db, cnpgExecArgs(db, dump)), file);
}

/**
 * Creates on the target cluster the roles a database needs (its owner, grantees, roles with
 * settings in it, owners of its objects, and their memberships) that the target lacks, with their
 * attributes and password hashes from `pg_dumpall --roles-only` run in the source's primary pod,
 * and gives every needed role its role-wide settings and memberships. Roles the target already has
 * keep their attributes and passwords (CNPG's managed roles). The SQL goes to `psql` on standard
 * input, so no password hash appears in a command line.
 * @param source the database whose roles are carried
 * @param target the cluster receiving them
 * @returns the roles that were created
 */
export async function carryCnpgRoles(source: CnpgDatabase, target: CnpgCluster): Promise<string[]> {
  const lines = (out: string) => out.split('\n').filter((l) => l !== '');
  const needed = lines(await cnpgPsql(source, NEEDED_ROLES_SQL));
  const existing = lines(
    await cnpgPsql({ ...target, database: 'postgres' }, 'select rolname from pg_roles'),
  );
  const { stdout: dumpall } = await kubectl(
    source,
    cnpgExecArgs(source, ['pg_dumpall', '--roles-only']),
  );
  const sql = carryRoleStatements(dumpall, needed, existing);
  if (sql !== '') {
    const psql = [...PSQL, '-d', 'postgres', '-f', '-'];
    await kubectl(target, cnpgExecArgs(target, psql, { stdin: true }), { input: sql });
  }
  return needed.filter((r) => !existing.includes(r));
}

/**
 * Rebuilds a database from a `pg_dump -Fc` file of the database of the same name: drops it
 * (closing its sessions), copies the dump into the primary pod's data volume (`kubectl exec -i ...
 * sh -c 'cat > FILE'`: `pg_restore -j` needs a file it can seek), and restores it with
 * `pg_restore --create -j`, which creates the database again with the source's owner, encoding,
 * locale, comment, grants and settings (`ALTER DATABASE ... SET`, `ALTER ROLE ... IN DATABASE ...
 * SET`); the roles must exist first ({@link carryCnpgRoles}). Removes the copy. Safe to run again
 * after an interruption: it always starts from no database.
 * @param db the database to rebuild (its name must be the dumped database's)
 * @param file the local dump
 * @param options parallel `jobs` (default 2)
 */
export async function restoreCnpgDatabase(
  db: CnpgDatabase,
  file: string,
  options: { jobs?: number } = {},
): Promise<void> {
  const admin: CnpgDatabase = { ...db, database: 'postgres' };
  const ident = (s: string): string => `"${s.replaceAll('"', '""')}"`;
  await cnpgPsql(admin, `drop database if exists ${ident(db.database)} with (force)`);
  await kubectl(db, cnpgExecArgs(db, ['sh', '-c', `cat > ${POD_DUMP_PATH}`], { stdin: true }), {
    inputFile: file,
  });
  try {
    const jobs = `--jobs=${options.jobs ?? 2}`;
    const restore = ['pg_restore', '--create', '--exit-on-error', jobs, '-d', 'postgres'];
    await kubectl(db, cnpgExecArgs(db, [...restore, POD_DUMP_PATH]));
  } finally {
    await kubectl(db, cnpgExecArgs(db, ['rm', '-f', POD_DUMP_PATH])).catch(() => {});
  }
}
