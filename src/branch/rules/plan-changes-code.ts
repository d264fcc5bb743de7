import {
  type BranchRule,
  commitCommand,
  type Finding,
  list,
  rebaseFix,
  shellQuote,
} from './rule-context.ts';

/**
 * `plan-changes-code`: `plan` commits (and fixups of them) change only cards.
 * @param ctx the branch
 * @returns a finding per `plan` commit that changes anything else
 */
export const planChangesCode: BranchRule = (ctx) => {
  const out: Finding[] = [];
  for (const { index, commit: c, content } of ctx.judgedAs('plan', { fixups: true })) {
    const other = c.paths.filter((p) => !ctx.input.isCard(p.path)).map((p) => p.path);
    if (other.length === 0) continue;
    const what = content.asFixup ? '`plan` fixup' : '`plan` commit';
    out.push({
      index,
      rule: 'plan-changes-code',
      message: `Unexpected non-card change in a ${what} (${list(other)}): \`plan\` commits change only cards.`,
      fix:
        c.sha === null
          ? `leave the rest out, \`git restore --staged -- ${other.map(shellQuote).join(' ')} && ${commitCommand(c.subject)}\`, and commit it later as \`impl\``
          : rebaseFix(c.sha, 'move the non-card changes into an `impl` commit (mark it `edit`)'),
    });
  }
  return out;
};
