import { type BranchRule, type Finding, rebaseFix } from './rule-context.ts';

/**
 * `finalize-open-cycle`: `finalize` does not follow an `impl` (the cycle closes first).
 * @param ctx the branch
 * @returns a finding per `finalize` right after an `impl`
 */
export const finalizeOpenCycle: BranchRule = (ctx) => {
  const out: Finding[] = [];
  ctx.entries.forEach((e, index) => {
    if (e.commit.merge || e.subject.kind !== 'c2' || e.subject.verb !== 'finalize') return;
    if (ctx.verbBefore(index) !== 'impl') return;
    out.push({
      index,
      rule: 'finalize-open-cycle',
      message: 'Unexpected `finalize` right after `impl`: the cycle must close first.',
      fix:
        e.commit.sha === null
          ? `close the cycle's card first: \`git stash push -m 'mikado: finalize' && mikado view --resume\` names it (\`git stash pop\` brings the finalize back)`
          : rebaseFix(e.commit.sha, 'put a `close` commit before it'),
    });
  });
  return out;
};
