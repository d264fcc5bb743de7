import { type BranchRule, type Finding, short } from './rule-context.ts';

/**
 * `fixup-unsquashed`: a branch judged as ready to merge (CI) has no `fixup!`, `squash!` or
 * `amend!` commits left.
 * @param ctx the branch
 * @returns a finding per fixup commit, in `branch` mode without `allowFixups`
 */
export const fixupUnsquashed: BranchRule = (ctx) => {
  const { mode, allowFixups, base } = ctx.input;
  if (mode !== 'branch' || allowFixups) return [];
  const out: Finding[] = [];
  ctx.entries.forEach((e, index) => {
    if (e.commit.merge || e.subject.kind !== 'fixup') return;
    out.push({
      index,
      rule: 'fixup-unsquashed',
      message: `Unexpected \`${e.subject.prefix}!\` commit in a branch ready to merge, expected it squashed into its target.`,
      fix: `squash it with \`git rebase -i --autosquash ${base.sha ? short(base.sha) : base.name}\``,
    });
  });
  return out;
};
