import { type BranchRule, type Finding, resetFix, shaLabel } from './rule-context.ts';

/**
 * `finalize-not-last`: nothing follows the `finalize` commit.
 * @param ctx the branch
 * @returns a finding per conventional commit after the first `finalize`
 */
export const finalizeNotLast: BranchRule = (ctx) => {
  const at = ctx.finalizedAt;
  if (at === undefined) return [];
  const out: Finding[] = [];
  ctx.entries.forEach((e, index) => {
    if (index <= at || e.commit.merge || e.subject.kind !== 'c2') return;
    out.push({
      index,
      rule: 'finalize-not-last',
      message: `Unexpected \`${e.subject.verb}\` after the \`finalize\` commit ${shaLabel(ctx.commits[at]!)}: \`finalize\` comes last.`,
      fix: resetFix('finalize again once the chain is done'),
    });
  });
  return out;
};
