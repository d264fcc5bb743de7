import { short, type Violation } from './judge-branch.ts';

/** Colour functions (identity when colour is off). */
export interface Paint {
  bold: (s: string) => string;
  red: (s: string) => string;
  dim: (s: string) => string;
  yellow: (s: string) => string;
}

const plain: Paint = { bold: (s) => s, red: (s) => s, dim: (s) => s, yellow: (s) => s };

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
  paint: Paint = plain,
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
