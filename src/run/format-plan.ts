import type { Block } from '../cards/types.ts';
import type { Paint } from '../render/paint.ts';
import type { PlannedBlock, RunPlan } from './plan-run.ts';

/**
 * A block's attributes as written, without `name=` (`timeout=10m confirm verify`).
 * @param block the block
 * @returns the attributes, space-separated
 */
export function formatAttrs(block: Block): string {
  return Object.entries(block.attrs)
    .filter(([k]) => k !== 'name')
    .map(([k, v]) => (v === true ? k : `${k}=${v}`))
    .join(' ');
}

/**
 * The state of a planned block in words: `would run (never run)`, `done at ...`, `blocked: ...`.
 * @param pb the planned block
 * @param dryRun whether the plan is a dry run's (`would run`) or a run's (`runs`)
 * @returns the words
 */
export function describeState(pb: PlannedBlock, dryRun: boolean): string {
  switch (pb.state) {
    case 'run':
      return `${dryRun ? 'would run' : 'runs'}${pb.needsConfirm ? ', needs confirmation' : ''} (${pb.why})`;
    case 'done':
      return pb.why;
    case 'blocked':
      return `blocked: ${pb.why}`;
    case 'excluded':
      return `skipped: ${pb.why}`;
  }
}

/**
 * Counts a plan's blocks by state.
 * @param plan the plan
 * @returns counts of blocks to run, needing confirmation, done, blocked and excluded
 */
export function countPlan(plan: RunPlan): {
  run: number;
  confirm: number;
  done: number;
  blocked: number;
  excluded: number;
} {
  const c = { run: 0, confirm: 0, done: 0, blocked: 0, excluded: 0 };
  for (const b of plan.blocks) {
    c[b.state]++;
    if (b.state === 'run' && b.needsConfirm) c.confirm++;
  }
  return c;
}

/**
 * Renders a plan for `--dry-run`: every card in order and every block with its attributes and
 * what would happen to it, then the problems that would refuse the run.
 * @param plan the plan
 * @param paint colours
 * @returns the text, ending in a newline
 */
export function formatPlan(plan: RunPlan, paint: Paint): string {
  const lines: string[] = [
    paint.bold(`Plan for ${plan.target} (profile ${plan.profile}); dry run: nothing is executed`),
    '',
  ];
  if (plan.variables && plan.variables.length > 0) {
    lines.push(paint.bold(`Variables (profile ${plan.profile}):`));
    for (const v of plan.variables) lines.push(`  ${v}`);
    lines.push('');
  }
  for (const pc of plan.cards) {
    const head = `${paint.bold(pc.card.stem)}  ${paint.dim(pc.card.path)}`;
    lines.push(pc.included ? head : `${head}  ${paint.dim(`skipped: ${pc.why}`)}`);
    if (pc.blocks.length === 0) lines.push(paint.dim('  (no ts run blocks)'));
    for (const pb of pc.blocks) {
      const attrs = formatAttrs(pb.block);
      const where = `${pb.card.path}:${pb.block.line}`;
      const state = pc.included
        ? describeState(pb, true)
        : `not run (card ${pc.why?.startsWith('unreadable') ? 'unreadable' : 'complete'})`;
      const mark =
        !pc.included || pb.state === 'excluded'
          ? paint.dim('-')
          : pb.state === 'done'
            ? paint.green('✓')
            : pb.state === 'blocked'
              ? paint.red('✗')
              : pb.needsConfirm
                ? paint.yellow('?')
                : paint.cyan('▸');
      lines.push(
        `  ${mark} ${pb.block.name}  ${paint.dim(where)}${attrs ? `  ${attrs}` : ''}  ${paint.dim('→')} ${state}`,
      );
    }
  }
  const c = countPlan(plan);
  lines.push('');
  for (const w of plan.warnings) lines.push(paint.yellow(`warning: ${w}`));
  if (plan.problems.length > 0) {
    lines.push(paint.red('The run would be refused:'));
    for (const p of plan.problems) lines.push(`  ${p}`);
  }
  lines.push(
    `${c.run} would run${c.confirm ? ` (${c.confirm} need${c.confirm === 1 ? 's' : ''} confirmation)` : ''}, ${c.done} done, ${c.blocked} blocked${c.excluded ? `, ${c.excluded} before --from` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}
