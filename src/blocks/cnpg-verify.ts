import { formatVerification } from '../verify/format-verification.ts';
import type { VerificationReport, VerifyOptions } from '../verify/types.ts';
import { verifyDatabases } from '../verify/verify-databases.ts';
import { type CnpgDatabase, cnpgPrimaryTarget, openCnpgDatabase } from './cnpg.ts';
import { kubectl } from './kubectl.ts';

/**
 * `pg_dump --schema-only --no-owner` of a database, run inside its primary pod (the server's own
 * pg_dump version, whatever is installed locally).
 * @param db the database
 * @returns the dump
 */
export async function cnpgSchemaDump(db: CnpgDatabase): Promise<string> {
  const pod = cnpgPrimaryTarget(db);
  const { stdout } = await kubectl(db, [
    'exec',
    pod,
    '-c',
    'postgres',
    '--',
    'pg_dump',
    '--schema-only',
    '--no-owner',
    '-d',
    db.database,
  ]);
  return stdout;
}

/**
 * Verifies a CNPG database against another with {@link verifyDatabases}: counts, chunked
 * checksums, sequences and extensions over port-forwards, the schema dumps taken inside the pods.
 * @param source the database copied from
 * @param target the database copied to
 * @param options verification options (`sequences: 'not-behind'` for a promoted replica)
 * @returns the report and its one-screen summary
 */
export async function verifyCnpgDatabases(
  source: CnpgDatabase,
  target: CnpgDatabase,
  options: VerifyOptions = {},
): Promise<{ report: VerificationReport; summary: string }> {
  const src = await openCnpgDatabase(source);
  try {
    const tgt = await openCnpgDatabase(target);
    try {
      const report = await verifyDatabases(src.config, tgt.config, {
        dumpSchema: (which) => cnpgSchemaDump(which === 'source' ? source : target),
        ...options,
      });
      return { report, summary: formatVerification(report) };
    } finally {
      await tgt.close();
    }
  } finally {
    await src.close();
  }
}
