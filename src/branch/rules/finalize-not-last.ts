import { type BranchRule, type Finding, shaLabel, short } from './rule-context.ts';

/**
 * `finalize-not-last`: nothing follows the `finalize` commit.
 * @param ctx the branch
 * @returns a finding per conventional commit after the first `finalize`
 */
export const finalizeNotLast: BranchRule = (ctx) => {
  const at = ctx.finalizedAt;
  if (at === undefined) return [];
  const finalize = ctx.commits[at]!;
  const out: Finding[] = [];
  ctx.entries.forEach((e, index) => {
    if (index <= at || e.commit.merge || e.subject.kind !== 'c2') return;
    out.push({
      index,
      rule: 'finalize-not-last',
      message: `Unexpected \`${e.subject.verb}\` after the \`finalize\` commit ${shaLabel(finalize)}: \`finalize\` comes last.`,
      fix: `drop the \`finalize\` commit with \`git rebase -i ${short(finalize.sha ?? '')}^\` (mark it \`drop\`), and finalize again once the chain is done`,
    });
  });
  return out;
};
