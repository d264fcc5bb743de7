import type { Command } from 'commander';
import type { PlanOutcome } from '../../branch/plan-commit.ts';
import type { ReplayOutcome } from '../../branch/replay-branch.ts';
import type { ResetOutcome, ResetPlan } from '../../branch/reset-branch.ts';
import { ExitError } from '../../errors.ts';
import { shellQuote } from '../../shell-quote.ts';
import { type CliContext, commandConfig, globalOptions } from '../context.ts';

/**
 * Registers the Mikado loop's branch moves: `reset`, `plan` and `replay`.
 * @param program the root program
 * @param ctx the CLI context
 */
export function defineReset(program: Command, ctx: CliContext): void {
  program
    .command('reset')
    .description(
      'return the Mikado branch to the end of its planning layer (prints the plan; --apply does it)',
    )
    .option('--apply', 'stash uncommitted work, keep the old HEAD, record the replay, and reset')
    .option('--json', 'print the plan as JSON')
    .action(async (opts: { apply?: boolean; json?: boolean }, cmd: Command) => {
      const { planReset, applyReset } = await import('../../branch/reset-branch.ts');
      const config = commandConfig(cmd, ctx);
      const plan = await planReset(config);
      const applied = opts.apply && plan.resetPoint ? applyReset(plan, config) : undefined;
      if (opts.json || globalOptions(cmd).json) {
        ctx.stdout.write(`${JSON.stringify(resetJson(plan, applied), null, 2)}\n`);
        return;
      }
      ctx.stdout.write(resetText(plan, applied));
    });

  program
    .command('plan')
    .description(
      'commit the staged cards as a plan at the end of the planning layer and replay the cycles after it',
    )
    .argument('[description]', "the plan's description (default: the new cards' stems)")
    .action(async (description: string | undefined, _opts: unknown, cmd: Command) => {
      const { planCommit } = await import('../../branch/plan-commit.ts');
      const outcome = await planCommit(commandConfig(cmd, ctx), description);
      ctx.stdout.write(planText(outcome));
      if (outcome.replay) finishReplay(outcome.replay);
    });

  program
    .command('replay')
    .description(
      'after `mikado reset --apply` and the plan commit: replay the recorded commits and the stashed work',
    )
    .option('--continue', 'go on after resolving a conflict')
    .option('--abort', 'put the branch, index and work tree back as before the reset')
    .action(async (opts: { continue?: boolean; abort?: boolean }, cmd: Command) => {
      const { replayBranch } = await import('../../branch/replay-branch.ts');
      const mode = opts.abort ? 'abort' : opts.continue ? 'continue' : 'start';
      const outcome = await replayBranch(commandConfig(cmd, ctx), mode);
      ctx.stdout.write(replayText(outcome));
      finishReplay(outcome);
    });
}

/** Exit 1 when the replay stopped or the branch breaks the invariant. */
function finishReplay(outcome: ReplayOutcome): void {
  if (outcome.status === 'stopped' || outcome.violations.length > 0 || outcome.stashConflict) {
    throw new ExitError(1);
  }
}

const short = (sha: string): string => sha.slice(0, 7);

function resetJson(plan: ResetPlan, applied: ResetOutcome | undefined): object {
  return {
    version: 1,
    branch: plan.branch,
    head: plan.head,
    resetPoint: plan.resetPoint
      ? { sha: plan.resetPoint.sha, subject: plan.resetPoint.subject ?? null }
      : null,
    nothing: plan.nothing ?? null,
    dropped: plan.dropped,
    picks: plan.picks,
    dirty: plan.dirty,
    stashName: plan.dirty ? plan.stashName : null,
    backupRef: plan.resetPoint ? plan.backupRef : null,
    applied: Boolean(applied),
    stash: applied?.stash ?? null,
    cards: applied?.cards ?? [],
    conflict: applied?.conflict ?? false,
  };
}

function resetText(plan: ResetPlan, applied: ResetOutcome | undefined): string {
  if (!plan.resetPoint) return `mikado: nothing to reset: ${plan.nothing}.\n`;
  const out: string[] = [];
  const verb = applied ? 'reset' : 'would reset';
  out.push(
    `mikado: ${verb} \`${plan.branch}\` to the reset point ${plan.resetPoint.label} (the end of the planning layer)`,
  );
  out.push(`  HEAD was \`${short(plan.head)}\`, kept as ${plan.backupRef}`);
  out.push(
    `  commits ${applied ? 'recorded' : 'to record'} for \`mikado replay\` (${plan.picks.length}):`,
  );
  for (const c of plan.picks) out.push(`    ${short(c.sha)}  ${c.subject}`);
  if (!plan.dirty) out.push('  no uncommitted work');
  else if (!applied) {
    out.push(
      `  uncommitted work will be stashed as "${plan.stashName}": card changes come back here, the rest after the replay`,
    );
  } else {
    out.push(`  uncommitted work stashed as ${applied.stash ?? 'a stash'}: "${plan.stashName}"`);
    if (applied.cards.length > 0) {
      out.push(`  card changes brought back to plan: ${applied.cards.join(', ')}`);
    }
    if (applied.conflict) {
      out.push('  the card changes met the reset point: resolve the conflict markers in the cards');
    }
  }
  if (!applied) {
    out.push('run `mikado reset --apply` to do it');
  } else if (applied.cards.length > 0) {
    const paths = applied.cards.map(shellQuote).join(' ');
    out.push(
      `next: \`git add -- ${paths} && git commit -m ${shellQuote(applied.planSubject ?? `C2(${plan.stem}): plan`)}\`, then \`mikado replay\` (\`mikado replay --abort\` puts everything back)`,
    );
  } else {
    out.push(
      'next: commit the plan here, then `mikado replay` (`mikado replay --abort` puts everything back)',
    );
  }
  return `${out.join('\n')}\n`;
}

function planText(o: PlanOutcome): string {
  const out: string[] = [];
  if (o.status === 'committed') {
    out.push(
      `mikado: committed \`${o.subject}\` (${o.cards.length} card${o.cards.length === 1 ? '' : 's'})`,
    );
  } else {
    out.push(
      `mikado: committed \`${o.subject}\` at the reset point ${o.resetPoint?.label ?? ''} (the end of the planning layer)`,
    );
  }
  out.push(...cardLines(o.cards));
  return `${out.join('\n')}\n${o.replay ? replayText(o.replay) : ''}`;
}

function cardLines(cards: string[]): string[] {
  return cards.map((c) => `  ${c}`);
}

function replayText(o: ReplayOutcome): string {
  const out: string[] = [];
  if (o.status === 'stopped') {
    const at = o.stoppedAt ? ` at \`${short(o.stoppedAt.sha)}\` \`${o.stoppedAt.subject}\`` : '';
    const files = o.conflicts.length > 0 ? `: conflict in ${o.conflicts.join(', ')}` : '';
    out.push(`mikado: the replay stopped${at}${files}`);
    out.push('  resolve it, `git add` the files, then run `mikado replay --continue`');
    out.push('  or run `mikado replay --abort` to put the branch back as it was before the reset');
    return `${out.join('\n')}\n`;
  }
  if (o.status === 'aborted') {
    out.push(
      `mikado: put \`${o.branch}\` back as it was before the reset (the uncommitted work too)`,
    );
    if (o.keptPlan) out.push(`  the plan commit made since is kept as ${o.keptPlan}`);
    if (o.savedStash) out.push(`  changes made since the reset are stashed as ${o.savedStash}`);
  } else {
    out.push(
      `mikado: replayed ${o.picks.length} commit${o.picks.length === 1 ? '' : 's'} on \`${o.branch}\``,
    );
    out.push(`  the old HEAD stays under ${o.backupRef}`);
  }
  if (o.stashConflict) {
    out.push(
      `  the stashed work met the branch: resolve the conflict markers (the stash ${o.stashConflict} is kept)`,
    );
  }
  if (o.status === 'done') {
    if (o.violations.length === 0) {
      out.push(
        '  the branch follows the Mikado Branch Invariant; `mikado view --resume` shows the next step',
      );
    } else {
      out.push(`  the branch still breaks the Mikado Branch Invariant (${o.violations.length}):`);
      for (const v of o.violations) out.push(`    ${v.rule}: ${v.message}`, `      fix: ${v.fix}`);
    }
  }
  return `${out.join('\n')}\n`;
}
