import { type BranchRule, clip, type Finding } from './rule-context.ts';

/**
 * `fixup-target`: a `fixup!`, `squash!` or `amend!` commit names an earlier commit of the branch.
 * @param ctx the branch
 * @returns a finding per fixup commit that names none
 */
export const fixupTarget: BranchRule = (ctx) => {
  const out: Finding[] = [];
  ctx.entries.forEach((e, index) => {
    const s = e.subject;
    if (e.commit.merge || s.kind !== 'fixup' || ctx.fixupTarget(index)) return;
    out.push({
      index,
      rule: 'fixup-target',
      message: `Unexpected \`${s.prefix}! ${clip(s.target)}\`: it matches no earlier commit of this branch.`,
      fix: `name an earlier commit of the branch: \`git commit --${s.prefix === 'squash' ? 'squash' : 'fixup'}=<sha>\``,
    });
  });
  return out;
};
