import {
  type CompareOnlineOptions,
  compareOnline,
  type OnlineComparison,
} from '../verify/compare-online.ts';
import { digestDatabase } from '../verify/digest-database.ts';
import { formatVerification } from '../verify/format-verification.ts';
import type { SideDigest } from '../verify/side-digest.ts';
import type { VerificationReport, VerifyOptions } from '../verify/types.ts';
import { verifyDatabases } from '../verify/verify-databases.ts';
import { type EarlierDigests, verifySince } from '../verify/verify-since.ts';
import { type CnpgConnection, type CnpgDatabase, cnpgExecArgs, openCnpgDatabase } from './cnpg.ts';
import { kubectl } from './kubectl.ts';

/**
 * `pg_dump --schema-only --no-owner` of a database, run inside its primary pod (the server's own
 * pg_dump version, whatever is installed locally).
 * @param db the database
 * @returns the dump
 */
export async function cnpgSchemaDump(db: CnpgDatabase): Promise<string> {
  const dump = ['pg_dump', '--schema-only', '--no-owner', '-d', db.database];
  const { stdout } = await kubectl(db, cnpgExecArgs(db, dump));
  return stdout;
}

/**
 * Runs `fn` with port-forwards to both databases open (opened side by side, both closed after).
 * @param source one database
 * @param target the other
 * @param fn the work, given both `pg` configs
 * @returns what `fn` returns
 */
async function withBoth<T>(
  source: CnpgDatabase,
  target: CnpgDatabase,
  fn: (src: CnpgConnection['config'], tgt: CnpgConnection['config']) => Promise<T>,
): Promise<T> {
  const opened = await Promise.allSettled([openCnpgDatabase(source), openCnpgDatabase(target)]);
  try {
    const [src, tgt] = opened.map((o) => {
      if (o.status === 'rejected') throw o.reason;
      return o.value;
    });
    return await fn(src!.config, tgt!.config);
  } finally {
    await Promise.all(opened.map((o) => (o.status === 'fulfilled' ? o.value.close() : undefined)));
  }
}

/** Options of {@link verifyCnpgDatabases}. */
export interface CnpgVerifyOptions extends VerifyOptions {
  /**
   * Earlier digests (`compareCnpgOnline`, `digestCnpgDatabase`): only what may have changed since
   * is hashed again (`verifySince`). Without them every row is hashed (`verifyDatabases`).
   */
  since?: EarlierDigests;
}

/**
 * Verifies a CNPG database against another with {@link verifyDatabases} (or, given earlier
 * digests, {@link verifySince}): counts, chunked checksums, sequences, extensions and
 * database-level state over port-forwards, the schema dumps taken inside the pods.
 * @param source the database copied from
 * @param target the database copied to
 * @param options verification options (`sequences: 'not-behind'` for a promoted replica; `since`)
 * @returns the report and its one-screen summary
 */
export async function verifyCnpgDatabases(
  source: CnpgDatabase,
  target: CnpgDatabase,
  options: CnpgVerifyOptions = {},
): Promise<{ report: VerificationReport; summary: string }> {
  const { since, ...rest } = options;
  // The schema dumps run in the pods: start them while the port-forwards open.
  const dumps =
    rest.skipSchema || rest.dumpSchema
      ? undefined
      : { source: cnpgSchemaDump(source), target: cnpgSchemaDump(target) };
  for (const d of Object.values(dumps ?? {})) d.catch(() => undefined);
  return withBoth(source, target, async (src, tgt) => {
    const opts: VerifyOptions = {
      dumpSchema: (which) => dumps?.[which] ?? cnpgSchemaDump(which === 'source' ? source : target),
      ...rest,
    };
    const report = since
      ? await verifySince(src, tgt, since, opts)
      : await verifyDatabases(src, tgt, opts);
    return { report, summary: formatVerification(report) };
  });
}

/**
 * Compares two live CNPG databases ahead of a cutover with {@link compareOnline} over
 * port-forwards (the target's WAL replay paused for its snapshot when it is a standby), and keeps
 * both sides' digests for the verification at the cutover.
 * @param source the live source
 * @param target the replica (or any copy)
 * @param options chunk size, scope
 * @returns the comparison (JSON: keep it with `mikado.set`)
 */
export function compareCnpgOnline(
  source: CnpgDatabase,
  target: CnpgDatabase,
  options: CompareOnlineOptions = {},
): Promise<OnlineComparison> {
  return withBoth(source, target, (src, tgt) => compareOnline(src, tgt, options));
}

/**
 * Takes one CNPG database's chunk digests with {@link digestDatabase} over a port-forward.
 * @param db the database (the stopped source, while its copy is restored)
 * @param options chunk size, scope
 * @returns the digest (JSON: keep it with `mikado.set`)
 */
export async function digestCnpgDatabase(
  db: CnpgDatabase,
  options: Pick<VerifyOptions, 'chunkRows' | 'schemas' | 'excludeTables'> = {},
): Promise<SideDigest> {
  const conn = await openCnpgDatabase(db);
  try {
    return await digestDatabase(conn.config, options);
  } finally {
    await conn.close();
  }
}
