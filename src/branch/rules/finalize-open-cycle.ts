import { type BranchRule, type Finding, rebaseFix } from './rule-context.ts';

/**
 * `finalize-open-cycle`: `finalize` does not follow an `impl` (the cycle closes first).
 * @param ctx the branch
 * @returns a finding per `finalize` right after an `impl`
 */
export const finalizeOpenCycle: BranchRule = (ctx) => {
  const out: Finding[] = [];
  for (const { index, commit } of ctx.judgedAs('finalize')) {
    if (ctx.verbBefore(index) !== 'impl') continue;
    out.push({
      index,
      rule: 'finalize-open-cycle',
      message: 'Unexpected `finalize` right after `impl`: the cycle must close first.',
      fix:
        commit.sha === null
          ? `close the cycle's card first: \`git stash push -m 'mikado: finalize' && mikado view --resume\` names it (\`git stash pop\` brings the finalize back)`
          : rebaseFix(commit.sha, 'put a `close` commit before it'),
    });
  }
  return out;
};
