import { type BranchRule, commitCommand, type Finding, rebaseFix } from './rule-context.ts';

/**
 * `subject-stem`: the stem in `C2(<stem>)` is the branch's.
 * @param ctx the branch
 * @returns a finding per subject naming another stem
 */
export const subjectStem: BranchRule = (ctx) => {
  const out: Finding[] = [];
  ctx.entries.forEach((e, index) => {
    const s = e.subject;
    if (e.commit.merge || s.kind !== 'c2' || s.stem === ctx.stem) return;
    const sha = e.commit.sha;
    out.push({
      index,
      rule: 'subject-stem',
      message: `Unexpected stem \`${s.stem}\` in \`C2(${s.stem})\`, expected \`${ctx.stem}\` (the branch is \`${ctx.branchName}\`).`,
      fix:
        sha === null
          ? `commit again with the branch's stem: \`${commitCommand(`C2(${ctx.stem}): ${s.verb} ${s.description}`)}\``
          : rebaseFix(sha, 'reword it'),
    });
  });
  return out;
};
