import { NO_PAINT, type Paint } from '../render/paint.ts';
import { short } from './judge-branch.ts';
import type { BranchResume, ChainList, ResumeReport } from './resume.ts';

/** How many commits the text shows. */
const RECENT = 10;

/**
 * Renders `mikado view --resume` for a terminal: cycles first, then the branch, its position,
 * recent commits by verb, ready leaves, stashed work, the pull request and the next command.
 * @param report the resume report
 * @param paint colours
 * @returns the text, ending with a newline
 */
export function renderResume(report: ResumeReport, paint: Paint = NO_PAINT): string {
  return report.kind === 'list' ? renderList(report, paint) : renderBranch(report, paint);
}

/**
 * The stable JSON form (`--json`): the report with `version: 1`.
 * @param report the resume report
 * @returns pretty-printed JSON, ending with a newline
 */
export function renderResumeJson(report: ResumeReport): string {
  return `${JSON.stringify({ version: 1, ...report }, null, 2)}\n`;
}

function cycleLines(cycles: string[][], paint: Paint): string[] {
  if (cycles.length === 0) return [];
  return [
    paint.red(
      paint.bold(`cycles (${cycles.length}): the chain cannot be ordered until they are broken`),
    ),
    ...cycles.map((c) => `  ${c.join(' -> ')}`),
    '',
  ];
}

function renderBranch(r: BranchResume, paint: Paint): string {
  const lines = cycleLines(r.cycles, paint);
  const title = r.goal.title ? `: ${r.goal.title}` : '';
  lines.push(paint.bold(`chain ${r.stem}${title}`));
  const where = r.notStarted ? 'does not exist yet' : r.current ? 'checked out' : 'not checked out';
  const base = r.base.sha
    ? r.base.fallback
      ? `starts at ${short(r.base.sha)} (no \`${r.base.name}\`: commits on no other branch)`
      : `base ${r.base.name} at ${short(r.base.sha)}`
    : `base ${r.base.name}`;
  lines.push(`  branch        ${r.branch} (${where}), ${base}`);
  lines.push(`  goal card     ${r.goal.path}${r.goal.status === 'active' ? '' : ' (complete)'}`);
  lines.push(`  position      ${positionText(r, paint)}`);
  lines.push(`  progress      ${r.activeDeps} of ${r.totalDeps} prerequisites active`);
  lines.push(`  ready leaves  ${r.readyLeaves.length > 0 ? r.readyLeaves.join(', ') : '(none)'}`);
  if (r.commits.length > 0) {
    const shown = r.commits.slice(-RECENT);
    const more = r.commits.length - shown.length;
    lines.push(
      `  commits       ${r.commits.length} since the base, oldest first${more > 0 ? ` (the last ${shown.length})` : ''}:`,
    );
    for (const c of shown) {
      lines.push(`    ${(c.verb ?? '?').padEnd(8)} ${paint.yellow(short(c.sha))}  ${c.subject}`);
    }
  }
  if (r.workTree && (r.workTree.cards.length > 0 || r.workTree.other > 0)) {
    const cards = r.workTree.cards.length > 0 ? `cards ${r.workTree.cards.join(', ')}` : '';
    const other =
      r.workTree.other > 0
        ? `${r.workTree.other} other file${r.workTree.other === 1 ? '' : 's'}`
        : '';
    lines.push(`  uncommitted   ${[cards, other].filter(Boolean).join('; ')}`);
  }
  if (r.replay) {
    const state = r.replay.stopped
      ? `stopped${r.replay.conflicts.length > 0 ? `, conflicts in ${r.replay.conflicts.join(', ')}` : ''}`
      : 'waiting';
    lines.push(`  replay        ${r.replay.picks} commits recorded (${state})`);
  }
  if (r.stashes.length > 0) {
    lines.push('  stashed work');
    for (const s of r.stashes) lines.push(`    ${s.ref}  ${s.message}`);
  }
  if (r.pullRequest) {
    lines.push(
      `  pull request  #${r.pullRequest.number} ${r.pullRequest.title} ${paint.dim(r.pullRequest.url)}`,
    );
  }
  if (r.violations.length > 0) {
    lines.push(paint.red(`  violations (${r.violations.length})`));
    for (const v of r.violations) {
      lines.push(
        `    ${paint.yellow(v.commit ? short(v.commit) : 'this commit')}  ${paint.red(v.rule)}  ${v.message}`,
      );
    }
  }
  lines.push(
    '',
    `${paint.bold('next:')} ${r.next.command ?? '(decide: see below)'}`,
    `  ${r.next.why}`,
  );
  return `${lines.join('\n')}\n`;
}

function positionText(r: BranchResume, paint: Paint): string {
  const text: Record<BranchResume['position'], string> = {
    'not-started': 'not started',
    empty: 'empty (no commits since the base)',
    planning: 'planning (plan commits only)',
    'mid-cycle': 'mid-cycle (impl commits since the last plan or close)',
    'between-cycles': 'between cycles (the last commit closed a card)',
    finalized: 'finalized',
    unconventional: 'unconventional (commits that do not follow the convention)',
    'invariant-violation': 'invariant violation',
    discovery: 'discovery (new or changed cards in the work tree: plan them)',
    replaying: 'replaying (a reset waits for its replay, or the replay stopped)',
  };
  const t = text[r.position];
  return r.position === 'unconventional' || r.position === 'invariant-violation' ? paint.red(t) : t;
}

function renderList(r: ChainList, paint: Paint): string {
  const lines = cycleLines(r.cycles, paint);
  const on = r.branch ? `on \`${r.branch}\`` : 'on a detached HEAD';
  if (r.chains.length === 0) {
    lines.push(`No active chains (${on}). Start one with \`mikado new STEM --goal\`.`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(paint.bold(`Chains to resume (you are ${on}, not on a Mikado branch):`));
  const rows = [['goal', 'branch', 'position', 'active/total', 'ready leaves']];
  for (const c of r.chains) {
    rows.push([
      c.goal,
      c.branchExists ? c.branch : `${c.branch} (not started)`,
      c.position,
      `${c.activeDeps}/${c.totalDeps}`,
      c.readyLeaves.join(', ') || '(none)',
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const [k, row] of rows.entries()) {
    const text = row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ');
    lines.push(`  ${k === 0 ? paint.dim(text) : text}`);
  }
  lines.push('');
  for (const c of r.chains) lines.push(`next for ${c.goal}: ${c.next.command}`);
  return `${lines.join('\n')}\n`;
}
