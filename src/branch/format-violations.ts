import { NO_PAINT, type Paint } from '../render/paint.ts';
import { short, type Violation } from './judge-branch.ts';

/**
 * Renders violations for a terminal: per violation the commit (short sha or "this commit"), the
 * rule id, one sentence of why, and what to do.
 * @param violations the findings, in branch order
 * @param heading the first line (what was judged)
 * @param paint colours
 * @returns the text, ending with a newline
 */
export function formatViolations(
  violations: Violation[],
  heading: string,
  paint: Paint = NO_PAINT,
): string {
  const lines = [paint.bold(heading), ''];
  for (const v of violations) {
    const where = v.commit === null ? 'this commit' : short(v.commit);
    const subject = v.commit === null ? '' : paint.dim(`  ${v.subject}`);
    lines.push(`  ${paint.yellow(where)}  ${paint.red(v.rule)}${subject}`);
    lines.push(`    ${v.message}`);
    lines.push(`    fix: ${v.fix}`);
    lines.push('');
  }
  return `${lines.join('\n')}`;
}
