import { cardStem } from '../card-matcher.ts';
import { VERBS, type Verb } from '../subject.ts';
import {
  type BranchRule,
  commitCommand,
  type Finding,
  type RuleContext,
  rebaseFix,
} from './rule-context.ts';

/**
 * `subject-format`: every subject reads `C2(<stem>): <verb> <description>` (or is a
 * `fixup!`/`squash!`/`amend!` of an earlier commit).
 * @param ctx the branch
 * @returns a finding per subject that does not fit
 */
export const subjectFormat: BranchRule = (ctx) => {
  const out: Finding[] = [];
  ctx.entries.forEach((e, index) => {
    if (e.commit.merge || e.subject.kind !== 'invalid') return;
    const sha = e.commit.sha;
    out.push({
      index,
      rule: 'subject-format',
      message: `${e.subject.reason}.`,
      fix:
        sha === null
          ? `commit again with a conventional subject, for example \`${commitCommand(suggestSubject(ctx, index))}\``
          : rebaseFix(sha, 'reword it'),
    });
  });
  return out;
};

/** A subject that fits what the commit changes: `plan` for cards before any cycle, else `impl`. */
function suggestSubject(ctx: RuleContext, index: number): string {
  const c = ctx.commits[index]!;
  const cards = c.paths.filter((p) => ctx.input.isCard(p.path));
  const onlyCards = cards.length > 0 && cards.length === c.paths.length;
  const verb: Verb = onlyCards && !ctx.cycleBefore(index) ? 'plan' : 'impl';
  let text = c.subject.replace(/^\s*c2\s*\([^)]*\)\s*:?\s*/i, '');
  const first = text.split(/\s+/)[0]?.toLowerCase() ?? '';
  if ((VERBS as readonly string[]).includes(first)) text = text.slice(first.length).trim();
  if (text === '') text = onlyCards ? cards.map((p) => cardStem(p.path)).join(', ') : 'work';
  return `C2(${ctx.stem}): ${verb} ${text}`;
}
