import type { Diagnostic } from '../cards/types.ts';
import { NO_PAINT, type Paint } from './paint.ts';

/**
 * Findings as `path:line:col  severity  rule  message` lines, each followed by an indented
 * `fix:` line when there is one, and a summary line.
 * @param diagnostics sorted findings
 * @param opts colours, and how many cards were checked (for the summary)
 * @returns the text, ending in a newline
 */
export function renderDiagnostics(
  diagnostics: Diagnostic[],
  opts: { paint?: Paint; cards?: number } = {},
): string {
  const paint = opts.paint ?? NO_PAINT;
  let out = '';
  for (const d of diagnostics) {
    const sev = d.severity === 'error' ? paint.red('error') : paint.yellow('warning');
    const message = d.message.replace(/\r?\n/g, ' ');
    out += `${d.path}:${d.line}:${d.column}  ${sev}  ${paint.dim(d.rule)}  ${message}\n`;
    if (d.fix) out += paint.dim(`    fix: ${d.fix.replace(/\r?\n/g, ' ')}\n`);
  }
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const counted =
    opts.cards !== undefined ? ` in ${opts.cards} card${opts.cards === 1 ? '' : 's'}` : '';
  if (diagnostics.length === 0) return `${paint.green('✓')} no problems${counted}\n`;
  const parts = [
    errors ? paint.red(`${errors} error${errors === 1 ? '' : 's'}`) : '',
    warnings ? paint.yellow(`${warnings} warning${warnings === 1 ? '' : 's'}`) : '',
  ].filter(Boolean);
  return `${out}\n${errors ? paint.red('✗') : paint.yellow('!')} ${parts.join(', ')}${counted}\n`;
}
