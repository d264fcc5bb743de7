import type { VFile } from 'vfile';
import type { Diagnostic, Place, Severity } from './types.ts';

/**
 * Records a finding on a vfile the way remark-lint does (`source: 'mikado'`, `ruleId`), with
 * `fatal: true` for errors and the fix in `note`.
 * @param file the file being processed
 * @param finding what, where, which rule, how bad, how to fix
 */
export function report(
  file: VFile,
  finding: { message: string; place: Place; rule: string; severity?: Severity; fix?: string },
): void {
  const msg = file.message(finding.message, {
    place: finding.place,
    ruleId: finding.rule,
    source: 'mikado',
  });
  msg.fatal = (finding.severity ?? 'error') === 'error';
  if (finding.fix) msg.note = finding.fix;
}

/**
 * Turns a vfile's messages into diagnostics.
 * @param file the processed file
 * @param path the path to name in the diagnostics
 * @returns one diagnostic per message
 */
export function fileDiagnostics(file: VFile, path: string): Diagnostic[] {
  return file.messages.map((m) => ({
    path,
    line: m.line ?? 1,
    column: m.column ?? 1,
    severity: m.fatal === true ? 'error' : 'warning',
    rule: m.ruleId ?? 'markdown',
    message: m.reason,
    ...(m.note ? { fix: m.note } : {}),
  }));
}
