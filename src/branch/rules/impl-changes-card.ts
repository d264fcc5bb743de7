import {
  type BranchRule,
  type Finding,
  list,
  resetFix,
  resetPointSuffix,
  shellQuote,
} from './rule-context.ts';

/**
 * `impl-changes-card`: `impl` commits (and fixups of them) change no card.
 * @param ctx the branch
 * @returns a finding per `impl` commit that changes a card
 */
export const implChangesCard: BranchRule = (ctx) => {
  const out: Finding[] = [];
  ctx.commits.forEach((c, index) => {
    const content = ctx.contentVerb(index);
    if (content?.verb !== 'impl') return;
    const cards = c.paths.filter((p) => ctx.input.isCard(p.path)).map((p) => p.path);
    if (cards.length === 0) return;
    const what = content.asFixup ? '`impl` fixup' : '`impl` commit';
    out.push({
      index,
      rule: 'impl-changes-card',
      message: `Unexpected card change in an ${what} (${list(cards)}): cards change only in \`plan\`, \`close\` and \`finalize\` commits.`,
      fix: ctx.isNew(index)
        ? (rp) => ({
            fix: `unstage the card (\`git restore --staged ${cards.map(shellQuote).join(' ')}\`) and commit it separately; a new prerequisite needs \`mikado reset\`${resetPointSuffix(rp)}`,
            resetPoint: rp,
          })
        : resetFix('replay the implementation without the card change'),
    });
  });
  return out;
};
