import { type BranchRule, type Finding, resetFix } from './rule-context.ts';

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
      fix: ctx.isNew(index)
        ? `close the cycle's card first (\`mikado close <card>\`, then \`C2(${ctx.stem}): close <card>\`)`
        : resetFix('close the cycle before finalizing'),
    });
  });
  return out;
};
