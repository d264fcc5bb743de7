import { namedStem } from '../subject.ts';
import {
  type BranchRule,
  commitCommand,
  type Finding,
  rebaseFix,
  shellQuote,
} from './rule-context.ts';

/**
 * `close-before-impl`: a cycle implements, then closes; a `close` follows an `impl` or a `close`.
 * @param ctx the branch
 * @returns a finding per `close` commit with no `impl` before it in its cycle
 */
export const closeBeforeImpl: BranchRule = (ctx) => {
  const out: Finding[] = [];
  for (const { index, commit: c, content } of ctx.judgedAs('close')) {
    const before = ctx.verbBefore(index);
    if (before === 'impl' || before === 'close') continue;
    const cards = c.paths.filter((p) => ctx.input.isCard(p.path)).map((p) => shellQuote(p.path));
    const named = namedStem(content.description) || 'work';
    const code = c.paths.length > cards.length;
    const unstage = cards.length > 0 ? `git restore --staged -- ${cards.join(' ')} && ` : '';
    out.push({
      index,
      rule: 'close-before-impl',
      message: 'Unexpected `close` before an `impl` commit: a cycle implements, then closes.',
      fix:
        c.sha === null
          ? code
            ? `commit the implementation first: \`${unstage}${commitCommand(`C2(${ctx.stem}): impl ${named}`)}\`, then close`
            : `implement \`${named}\` first and commit it as \`impl\`; \`${unstage}mikado view --resume\` shows the next step`
          : rebaseFix(c.sha, 'move it after an `impl` commit'),
    });
  }
  return out;
};
