import { type BranchRule, type Finding, rebaseFix } from './rule-context.ts';

/**
 * `merge-commit`: a Mikado branch is linear. A merge is judged by this rule only (the commits it
 * brings in are not the branch's).
 * @param ctx the branch
 * @returns a finding per merge commit
 */
export const mergeCommit: BranchRule = (ctx) => {
  const out: Finding[] = [];
  const base = ctx.input.base.name;
  ctx.commits.forEach((c, index) => {
    if (!c.merge) return;
    out.push({
      index,
      rule: 'merge-commit',
      message: 'Unexpected merge commit, expected a linear Mikado branch (no merges).',
      fix:
        c.sha === null
          ? `abort it with \`git merge --abort\` and rebase onto \`${base}\` instead`
          : rebaseFix(c.sha, 'drop the merge'),
    });
  });
  return out;
};
