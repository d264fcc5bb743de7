import { cardStem } from '../card-matcher.ts';
import {
  type BranchRule,
  commitCommand,
  type Finding,
  list,
  shellQuote,
  splitCardsFix,
} from './rule-context.ts';

/**
 * `impl-changes-card`: `impl` commits (and fixups of them) change no card.
 * @param ctx the branch
 * @returns a finding per `impl` commit that changes a card
 */
export const implChangesCard: BranchRule = (ctx) => {
  const out: Finding[] = [];
  for (const { index, commit: c, content } of ctx.judgedAs('impl', { fixups: true })) {
    const cards = c.paths.filter((p) => ctx.input.isCard(p.path)).map((p) => p.path);
    if (cards.length === 0) continue;
    const what = content.asFixup ? '`impl` fixup' : '`impl` commit';
    const paths = cards.map(shellQuote).join(' ');
    const plan = `mikado plan ${shellQuote(cards.map((p) => cardStem(p)).join(', '))}`;
    out.push({
      index,
      rule: 'impl-changes-card',
      message: `Unexpected card change in an ${what} (${list(cards)}): cards change only in \`plan\`, \`close\` and \`finalize\` commits.`,
      fix:
        c.sha === null
          ? c.paths.length > cards.length
            ? `leave the cards out, \`git restore --staged -- ${paths} && ${commitCommand(c.subject)}\`, then plan the card change with \`git add -- ${paths} && ${plan}\``
            : `commit the card change as a plan: \`${plan}\``
          : splitCardsFix(c.sha, cards),
    });
  }
  return out;
};
