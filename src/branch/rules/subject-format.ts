import { type BranchRule, type Finding, resetPointSuffix, short } from './rule-context.ts';

/**
 * `subject-format`: every subject reads `C2(<stem>): <verb> <description>` (or is a
 * `fixup!`/`squash!`/`amend!` of an earlier commit).
 * @param ctx the branch
 * @returns a finding per subject that does not fit
 */
export const subjectFormat: BranchRule = (ctx) => {
  const out: Finding[] = [];
  ctx.entries.forEach((e, index) => {
    if (e.commit.merge || e.subject.kind !== 'invalid') return;
    const sha = e.commit.sha;
    out.push({
      index,
      rule: 'subject-format',
      message: `${e.subject.reason}.`,
      fix:
        sha === null
          ? `write the subject as \`C2(${ctx.stem}): plan|impl|close|finalize <description>\``
          : (rp) => ({
              fix: `reword it with \`git rebase -i ${short(sha)}^\`, or run \`mikado reset\`${resetPointSuffix(rp)}`,
              resetPoint: rp,
            }),
    });
  });
  return out;
};
