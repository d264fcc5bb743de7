import { type BranchRule, type Finding, resetFix } from './rule-context.ts';

/**
 * `plan-after-cycle`: no `plan` after any `impl` or `close` (a new prerequisite needs a branch
 * reset).
 * @param ctx the branch
 * @returns a finding per `plan` commit after a cycle began
 */
export const planAfterCycle: BranchRule = (ctx) => {
  const out: Finding[] = [];
  ctx.entries.forEach((e, index) => {
    if (e.commit.merge || e.subject.kind !== 'c2' || e.subject.verb !== 'plan') return;
    if (!ctx.cycleBefore(index)) return;
    out.push({
      index,
      rule: 'plan-after-cycle',
      message:
        'Unexpected `plan` after `impl` or `close` commits: a new prerequisite needs a branch reset.',
      fix: resetFix(ctx.isNew(index) ? 'commit the plan there' : 'plan there'),
    });
  });
  return out;
};
