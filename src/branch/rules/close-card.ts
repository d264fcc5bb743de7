import { cardStem } from '../card-matcher.ts';
import type { JudgedCommit } from '../judge-branch.ts';
import { namedStem } from '../subject.ts';
import {
  type BranchRule,
  type Finding,
  list,
  type RuleContext,
  rebaseFix,
} from './rule-context.ts';

/**
 * `close-card`: `close X` removes `status: active` from card X, and from no other card.
 * @param ctx the branch
 * @returns the findings about `close` commits
 */
export const closeCard: BranchRule = async (ctx) => {
  const out: Finding[] = [];
  for (const { index, commit, content } of ctx.judgedAs('close')) {
    out.push(...(await judgeClose(ctx, index, commit, content.description)));
  }
  return out;
};

async function judgeClose(
  ctx: RuleContext,
  index: number,
  c: JudgedCommit,
  description: string,
): Promise<Finding[]> {
  const out: Finding[] = [];
  const named = namedStem(description);
  const rev = c.sha ?? '';
  const fix = (text: string): string =>
    c.sha === null ? text : rebaseFix(c.sha, `mend it (mark it \`edit\`: ${text})`);
  const closeFix = `run \`mikado close ${named || '<card>'}\`, stage the card and commit \`C2(${ctx.stem}): close ${named || '<card>'}\``;
  const closed: string[] = [];
  let namedClosed = false;
  let namedChanged = false;
  let namedProblem: string | undefined;
  for (const p of c.paths.filter((x) => ctx.input.isCard(x.path))) {
    const stem = cardStem(p.path);
    const before = c.parent ? await ctx.fieldsAt(c.parent, p.path) : null;
    const after = await ctx.fieldsAt(rev, p.path);
    const wasActive = before?.status === 'active';
    const isActive = after?.status === 'active';
    if (stem === named) {
      namedChanged = true;
      if (wasActive && after && !isActive) namedClosed = true;
      else if (!before) namedProblem = `\`${p.path}\` is new in this commit`;
      else if (!wasActive) namedProblem = `\`${p.path}\` was not \`status: active\` before`;
      else if (!after) namedProblem = `it deletes \`${p.path}\` instead of completing it`;
      else namedProblem = `\`${p.path}\` still has \`status: active\``;
    } else if (wasActive && after && !isActive) {
      closed.push(stem);
    }
  }
  const add = (message: string, text: string): void => {
    out.push({ index, rule: 'close-card', message, fix: fix(text) });
  };
  if (named === '') {
    add('Unexpected `close` without a card stem, expected `close <stem> ...`.', closeFix);
  } else if (!namedChanged) {
    const exists = await ctx.input.cards.findCard(rev, named);
    add(
      exists
        ? `Unexpected \`close ${named}\` that leaves card \`${exists}\` unchanged: a close removes its \`status: active\`.`
        : `Unexpected \`close ${named}\`: no card \`${named}\` exists, expected the stem of the card being closed.`,
      closeFix,
    );
  } else if (!namedClosed) {
    add(`Unexpected \`close ${named}\`: ${namedProblem ?? 'the card is not completed'}.`, closeFix);
  }
  if (closed.length > 0) {
    add(
      `Unexpected completion of ${list(closed.map((s) => `\`${s}\``))} in \`close ${named}\`: one card per \`close\` commit, named in the subject.`,
      `keep only \`${named}\` in this commit and close the others in their own commits`,
    );
  }
  return out;
}
