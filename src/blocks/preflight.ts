import { RunError } from '../errors.ts';
import type { MikadoApi } from '../run/mikado-api.ts';
import { type CnpgCluster, cnpgPsql } from './cnpg.ts';
import { type KubeTarget, kubectlFind, kubectlJson } from './kubectl.ts';

/** The outcome of one preflight check: what was found, and how to fix it when it failed. */
export interface PreflightFinding {
  ok: boolean;
  /** One line: what the check found. */
  detail: string;
  /** What to change, exactly, when it failed. */
  fix?: string;
}

/** A named read-only check. */
export type PreflightCheck = () => Promise<PreflightFinding>;

/** A preflight that found problems: each failed check with its fix. */
export class PreflightError extends RunError {}

const passed = (detail: string): PreflightFinding => ({ ok: true, detail });
const failed = (detail: string, fix: string): PreflightFinding => ({ ok: false, detail, fix });

/**
 * Runs every check (all of them, not up to the first failure), logs one line per check, and
 * refuses with the list of failures and their fixes when any failed. A check that throws counts
 * as failed with its message (and its fix, for a `RunError`).
 * @param api the block's `mikado` object (for the log)
 * @param checks name → check
 * @returns the findings, when all passed
 * @throws PreflightError naming every failed check and its fix
 */
export async function runPreflight(
  api: Pick<MikadoApi, 'log'>,
  checks: Record<string, PreflightCheck>,
): Promise<Record<string, PreflightFinding>> {
  const out: Record<string, PreflightFinding> = {};
  for (const [name, check] of Object.entries(checks)) {
    let finding: PreflightFinding;
    try {
      finding = await check();
    } catch (e) {
      const err = e as Error & { fix?: string };
      finding = failed(
        err.message.split('\n')[0] ?? String(e),
        err.fix ?? 'See the message above.',
      );
    }
    out[name] = finding;
    api.log(`${finding.ok ? 'ok  ' : 'FAIL'} ${name}: ${finding.detail}`);
  }
  const bad = Object.entries(out).filter(([, f]) => !f.ok);
  if (bad.length > 0) {
    throw new PreflightError(
      `Preflight: ${bad.length} of ${Object.keys(out).length} checks failed; nothing was changed:\n${bad.map(([n, f]) => `  ${n}: ${f.detail}\n    fix: ${f.fix}`).join('\n')}`,
      { fix: 'Make the changes listed above, then run again.' },
    );
  }
  return out;
}

/** An `externalClusters` entry, as a replica Cluster's manifest names its source. */
export interface ExternalClusterSpec {
  name: string;
  connectionParameters?: Record<string, string>;
  password?: { name: string; key: string };
  sslCert?: { name: string; key: string };
  sslKey?: { name: string; key: string };
  sslRootCert?: { name: string; key: string };
}

interface HbaRule {
  type: string;
  database: string[];
  user_name: string[];
  auth_method: string;
}

/**
 * Whether a source CNPG Cluster lets a replica described by an `externalClusters` entry stream:
 * a certificate login as `streaming_replica` needs the source's `<cluster>-replication` and
 * `<cluster>-ca` Secrets (CNPG's fixed `hostssl replication streaming_replica all cert` rule does
 * the rest); a password login needs a `host`/`hostssl` `replication` rule for that user with a
 * password method in the source's live `pg_hba` (read from `pg_hba_file_rules`), and the role must
 * have `REPLICATION` or be a superuser.
 * @param source the source Cluster
 * @param external the replica's entry for it
 * @returns the finding (the fix for a missing rule is the exact `postgresql.pg_hba` line)
 */
export async function checkReplicationAccess(
  source: CnpgCluster,
  external: ExternalClusterSpec,
): Promise<PreflightFinding> {
  const user = external.connectionParameters?.['user'] ?? 'postgres';
  const where = `Cluster ${source.namespace}/${source.cluster} on ${source.context}`;
  const target: KubeTarget = { context: source.context, namespace: source.namespace };
  if (external.sslCert || external.sslKey) {
    if (user !== 'streaming_replica') {
      return failed(
        `the replica logs in as \`${user}\` with a certificate; CNPG's rules accept certificates only for \`streaming_replica\``,
        `Set \`connectionParameters.user: streaming_replica\` in the replica's externalClusters entry \`${external.name}\`.`,
      );
    }
    const missing: string[] = [];
    for (const s of [`${source.cluster}-replication`, `${source.cluster}-ca`]) {
      if (!(await kubectlFind(target, ['secret', s]))) missing.push(s);
    }
    if (missing.length > 0) {
      return failed(
        `the source's ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing on ${source.context} (CNPG makes them for every Cluster)`,
        `Check that ${where} is a CNPG Cluster with its own certificates (\`kubectl --context=${source.context} -n ${source.namespace} get secrets\`), or let the replica log in with a password and add \`host replication ${user} all scram-sha-256\` to its \`spec.postgresql.pg_hba\`.`,
      );
    }
    return passed(
      `\`streaming_replica\` with its certificate (CNPG's fixed rule \`hostssl replication streaming_replica all cert\`; no change to the source)`,
    );
  }
  const line = `host replication ${user} all scram-sha-256`;
  const fix = `Add \`${line}\` to \`spec.postgresql.pg_hba\` of ${where} (a reviewed change in the ops repository; CNPG reloads pg_hba without a restart), or let the replica log in as \`streaming_replica\` with its certificate.`;
  const db = { ...source, database: 'postgres' };
  const rules = JSON.parse(
    (await cnpgPsql(
      db,
      `select coalesce(json_agg(json_build_object('type', type, 'database', database, 'user_name', user_name, 'auth_method', auth_method) order by line_number), '[]') from pg_hba_file_rules where error is null`,
    )) || '[]',
  ) as HbaRule[];
  const role = await cnpgPsql(
    db,
    `select coalesce((select (rolreplication or rolsuper)::text from pg_roles where rolname = '${user.replaceAll("'", "''")}'), 'missing')`,
  );
  const match = rules.find(
    (r) =>
      (r.type === 'host' || r.type === 'hostssl') &&
      r.database.includes('replication') &&
      (r.user_name.includes(user) || r.user_name.includes('all')),
  );
  if (!match || !['scram-sha-256', 'md5', 'password'].includes(match.auth_method)) {
    return failed(
      match
        ? `the source's first replication rule for \`${user}\` uses \`${match.auth_method}\`, not a password`
        : `no pg_hba rule of the source lets \`${user}\` open a replication connection (CNPG's defaults admit only \`streaming_replica\` with its certificate)`,
      fix,
    );
  }
  if (role !== 'true') {
    return failed(
      role === 'missing'
        ? `role \`${user}\` does not exist on the source`
        : `role \`${user}\` has neither REPLICATION nor SUPERUSER on the source`,
      `Let the replica log in as a role with REPLICATION (CNPG's \`streaming_replica\`, with its certificate).`,
    );
  }
  return passed(
    `\`${user}\` with a password, rule \`${match.type} replication … ${match.auth_method}\``,
  );
}

/**
 * Whether a source keeps enough WAL for an external replica that falls behind to catch up
 * instead of being cloned again: its `wal_keep_size` (CNPG gives external replicas no slot).
 * @param source the source Cluster
 * @param minimum the least acceptable retention, e.g. `1GB`
 * @returns the finding (the fix is the exact `postgresql.parameters` setting)
 */
export async function checkWalRetention(
  source: CnpgCluster,
  minimum: string,
): Promise<PreflightFinding> {
  const mb = Number(
    await cnpgPsql(
      { ...source, database: 'postgres' },
      `select setting from pg_settings where name = 'wal_keep_size'`,
    ),
  );
  const want = parseSize(minimum);
  const have = mb * 2 ** 20;
  const show = (b: number) => (b >= 2 ** 30 ? `${b / 2 ** 30} GB` : `${b / 2 ** 20} MB`);
  if (have >= want) return passed(`wal_keep_size ${show(have)} (at least ${minimum})`);
  return failed(
    `the source keeps ${show(have)} of WAL (wal_keep_size), less than ${minimum}: a replica that falls further behind must be cloned again`,
    `Set \`wal_keep_size: "${minimum}"\` under \`spec.postgresql.parameters\` of Cluster ${source.namespace}/${source.cluster} on ${source.context} (a reload applies it; the volume needs the room).`,
  );
}

function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(kB|MB|GB|TB)?$/i.exec(s.trim());
  if (!m) throw new RunError(`Unexpected size \`${s}\`, expected e.g. \`512MB\` or \`2GB\``);
  const unit = (m[2] ?? 'MB').toUpperCase();
  const factor = { KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30, TB: 2 ** 40 }[unit] ?? 2 ** 20;
  return Number(m[1]) * factor;
}

/**
 * Whether a CNPG Cluster has superuser access (`enableSuperuserAccess: true`) and its
 * `<cluster>-superuser` Secret exists: the verification and Option B's restore log in with it.
 * @param cluster the Cluster
 * @returns the finding
 */
export async function checkSuperuserAccess(cluster: CnpgCluster): Promise<PreflightFinding> {
  const c = await kubectlJson<{ spec?: { enableSuperuserAccess?: boolean } }>(cluster, [
    'cluster.postgresql.cnpg.io',
    cluster.cluster,
  ]);
  const secret = await kubectlFind(cluster, ['secret', `${cluster.cluster}-superuser`]);
  if (c.spec?.enableSuperuserAccess === true && secret) {
    return passed(`enableSuperuserAccess, Secret ${cluster.cluster}-superuser`);
  }
  return failed(
    c.spec?.enableSuperuserAccess === true
      ? `Secret ${cluster.cluster}-superuser is missing on ${cluster.context}`
      : `Cluster ${cluster.namespace}/${cluster.cluster} on ${cluster.context} has no superuser access (no Secret ${cluster.cluster}-superuser)`,
    `Set \`spec.enableSuperuserAccess: true\` on Cluster ${cluster.namespace}/${cluster.cluster} on ${cluster.context} (CNPG then creates ${cluster.cluster}-superuser).`,
  );
}

/**
 * Whether a cluster's API serves a version of a custom resource (e.g. `external-secrets.io/v1`,
 * served by External Secrets 0.16 and later), and, when given, that an object of it exists.
 * @param target the cluster (context)
 * @param crd the CRD's name (`externalsecrets.external-secrets.io`)
 * @param version the version the manifests use (`v1`)
 * @param fix what to do when it is not served
 * @returns the finding
 */
export async function checkApiVersionServed(
  target: KubeTarget,
  crd: string,
  version: string,
  fix: string,
): Promise<PreflightFinding> {
  const obj = await kubectlFind<{
    spec?: { group?: string; versions?: { name: string; served?: boolean }[] };
  }>({ context: target.context }, ['crd', crd]);
  if (!obj) return failed(`CRD ${crd} is not installed on ${target.context}`, fix);
  const served = (obj.spec?.versions ?? []).filter((v) => v.served !== false).map((v) => v.name);
  if (served.includes(version)) return passed(`${obj.spec?.group}/${version} served`);
  return failed(
    `${target.context} serves ${obj.spec?.group}/${served.join(', ') || 'nothing'}, not ${version}`,
    fix,
  );
}
