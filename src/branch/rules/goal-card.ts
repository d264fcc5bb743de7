import type { BranchRule, Finding } from './rule-context.ts';
import { short } from './rule-context.ts';

/**
 * `goal-card`: until `finalize`, the branch's last commit has the goal card `<stem>.md` with
 * `branch: mikado/<stem>`.
 * @param ctx the branch
 * @returns a finding on the last commit when the goal card is missing or names another branch
 */
export const goalCard: BranchRule = async (ctx) => {
  const last = ctx.commits.length - 1;
  // After `finalize` the goal keeps no `branch`; later commits are judged by finalize-not-last.
  if (last < 0 || ctx.finalizedAt !== undefined) return [];
  const { stem, branchName } = ctx;
  const c = ctx.commits[last]!;
  const rev = c.sha ?? '';
  const path = await ctx.input.cards.findCard(rev, stem);
  const where = c.sha === null ? 'in this commit' : `at ${short(c.sha)}`;
  const out: Finding[] = [];
  if (!path) {
    out.push({
      index: last,
      rule: 'goal-card',
      message: `Unexpected missing goal card \`${stem}\` ${where}: a Mikado branch \`${branchName}\` needs the goal card \`${stem}.md\`.`,
      fix: `create it with \`mikado new ${stem} --goal\` and commit it as \`C2(${stem}): plan ${stem}\``,
    });
    return out;
  }
  const f = await ctx.fieldsAt(rev, path);
  if (f?.branch !== branchName) {
    out.push({
      index: last,
      rule: 'goal-card',
      message: f?.branch
        ? `Unexpected \`branch: ${f.branch}\` in goal card \`${path}\`, expected \`branch: ${branchName}\`.`
        : `Unexpected goal card \`${path}\` without \`branch\`, expected \`branch: ${branchName}\`.`,
      fix: `set \`branch: ${branchName}\` in \`${path}\` (in a \`plan\` commit)`,
    });
  }
  return out;
};
