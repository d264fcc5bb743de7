import { namedStem } from '../subject.ts';
import {
  type BranchRule,
  commitCommand,
  type Finding,
  list,
  rebaseFix,
  shellQuote,
} from './rule-context.ts';

/**
 * `close-changes-code`: a `close` commit changes only cards (the work goes in `impl` commits).
 * @param ctx the branch
 * @returns a finding per `close` commit that changes anything else
 */
export const closeChangesCode: BranchRule = (ctx) => {
  const out: Finding[] = [];
  for (const { index, commit: c, content } of ctx.judgedAs('close')) {
    const cards = c.paths.filter((p) => ctx.input.isCard(p.path)).map((p) => shellQuote(p.path));
    const other = c.paths.filter((p) => !ctx.input.isCard(p.path)).map((p) => p.path);
    if (other.length === 0) continue;
    const impl = commitCommand(`C2(${ctx.stem}): impl ${namedStem(content.description) || 'work'}`);
    const first =
      cards.length > 0
        ? `git restore --staged -- ${cards.join(' ')} && ${impl} && git add -- ${cards.join(' ')} && ${commitCommand(c.subject)}`
        : impl;
    out.push({
      index,
      rule: 'close-changes-code',
      message: `Unexpected non-card change in a \`close\` commit (${list(other)}): \`close\` commits change only cards.`,
      fix:
        c.sha === null
          ? `commit the work as \`impl\` first, then the close: \`${first}\``
          : rebaseFix(
              c.sha,
              'move the non-card changes into an `impl` commit before it (mark it `edit`)',
            ),
    });
  }
  return out;
};
