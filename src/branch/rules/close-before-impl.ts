import { type BranchRule, type Finding, resetFix } from './rule-context.ts';

/**
 * `close-before-impl`: a cycle implements, then closes; a `close` follows an `impl` or a `close`.
 * @param ctx the branch
 * @returns a finding per `close` commit with no `impl` before it in its cycle
 */
export const closeBeforeImpl: BranchRule = (ctx) => {
  const out: Finding[] = [];
  ctx.entries.forEach((e, index) => {
    if (e.commit.merge || e.subject.kind !== 'c2' || e.subject.verb !== 'close') return;
    const before = ctx.verbBefore(index);
    if (before === 'impl' || before === 'close') return;
    out.push({
      index,
      rule: 'close-before-impl',
      message: 'Unexpected `close` before an `impl` commit: a cycle implements, then closes.',
      fix: ctx.isNew(index)
        ? `commit the implementation first as \`C2(${ctx.stem}): impl <description>\``
        : resetFix('implement before closing'),
    });
  });
  return out;
};
