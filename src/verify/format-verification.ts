import type { VerificationReport } from './types.ts';

/** Failure lines shown before "... and N more". */
const MAX_FAILURES = 12;

/**
 * Renders a verification report as a one-screen summary: verdict, both sides, one line per check
 * kind, then the failures (the first {@link MAX_FAILURES}).
 * @param report the report from `verifyDatabases`
 * @returns plain text (no colour), ending with a newline
 */
export function formatVerification(report: VerificationReport): string {
  const lines: string[] = [];
  const side = (s: VerificationReport['source']) =>
    `${s.database} at ${s.address} (PostgreSQL ${s.serverVersion})`;
  lines.push(
    report.ok
      ? `verification passed in ${(report.durationMs / 1000).toFixed(1)}s`
      : `verification FAILED: ${report.failures.length} difference${report.failures.length === 1 ? '' : 's'} (${(report.durationMs / 1000).toFixed(1)}s)`,
  );
  lines.push(`  source  ${side(report.source)}`);
  lines.push(`  target  ${side(report.target)}`);
  const rows = report.tables.reduce((n, t) => n + (t.sourceRows ?? 0), 0);
  const chunks = report.tables.reduce((n, t) => n + t.chunks, 0);
  const count = (items: { ok: boolean }[], what: string) => {
    const bad = items.filter((i) => !i.ok).length;
    return `${items.length} ${what}${bad ? `, ${bad} differ` : ', all match'}`;
  };
  lines.push(
    `  tables      ${count(report.tables, 'compared')} (${rows} source rows, ${chunks} chunks)`,
  );
  lines.push(`  sequences   ${count(report.sequences, 'compared')}`);
  lines.push(`  extensions  ${count(report.extensions, 'compared')}`);
  if (report.since) {
    const { rehashed, chunks, source, target, ignored } = report.since;
    const when =
      source && target
        ? `the online comparison (source ${source}, target ${target})`
        : `the source's digest (${source ?? 'none'})`;
    lines.push(
      `  since       ${rehashed} of ${chunks} chunks hashed again: the rest proven unchanged since ${when}`,
    );
    for (const why of ignored ?? []) lines.push(`              ignored: ${why}`);
  }
  const state = report.state;
  lines.push(
    `  database    owner, comment, grants, settings${
      state.ok
        ? `, ${state.roles.length} role${state.roles.length === 1 ? '' : 's'}, ${state.owners} owners: all match`
        : `: ${state.failures.length} differ`
    }`,
  );
  const schema = report.schema;
  lines.push(
    `  schema      ${
      schema.skipped
        ? 'skipped'
        : schema.error
          ? 'could not be compared'
          : schema.ok
            ? 'pg_dump --schema-only identical (normalised)'
            : `${schema.onlyInSource.length} statement(s) only on source, ${schema.onlyInTarget.length} only on target`
    }`,
  );
  if (report.failures.length) {
    lines.push('');
    for (const f of report.failures.slice(0, MAX_FAILURES)) lines.push(`  ✗ ${f}`);
    if (report.failures.length > MAX_FAILURES)
      lines.push(`  ... and ${report.failures.length - MAX_FAILURES} more`);
  }
  return `${lines.join('\n')}\n`;
}
