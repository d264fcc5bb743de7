import { cardStem } from '../card-matcher.ts';
import { namedStem } from '../subject.ts';
import { type BranchRule, type Finding, rebaseFix, shellQuote } from './rule-context.ts';

/**
 * `close-not-leaf`: `close X` closes a leaf: every prerequisite of X is complete (exists and has
 * no `status: active`) in the commit.
 * @param ctx the branch
 * @returns a finding per `close` of a card with active or missing prerequisites
 */
export const closeNotLeaf: BranchRule = async (ctx) => {
  const out: Finding[] = [];
  for (const { index, commit, content } of ctx.judgedAs('close')) {
    const named = namedStem(content.description);
    const rev = commit.sha ?? '';
    // The card a close completes is among the paths it changes (else `close-card` says so).
    const path = commit.paths.find(
      (p) => ctx.input.isCard(p.path) && cardStem(p.path) === named,
    )?.path;
    const card = path ? await ctx.fieldsAt(rev, path) : null;
    if (!path || !card) continue;
    const open: string[] = [];
    for (const r of card.requires) {
      const at = await ctx.input.cards.findCard(rev, r);
      const f = at ? await ctx.fieldsAt(rev, at) : null;
      if (!f) open.push(`\`${r}\` (missing)`);
      else if (f.status === 'active') open.push(`\`${r}\``);
    }
    if (open.length === 0) continue;
    out.push({
      index,
      rule: 'close-not-leaf',
      message: `Unexpected \`close ${named}\` while its prerequisite${open.length === 1 ? '' : 's'} ${open.join(', ')} ${open.length === 1 ? 'is' : 'are'} not complete: \`close\` closes a leaf.`,
      fix:
        commit.sha === null
          ? `keep \`${named}\` open until its prerequisites are closed: \`git restore --staged -- ${shellQuote(path)} && git stash push -m ${shellQuote(`mikado: close ${named}`)} -- ${shellQuote(path)} && mikado view --resume\` shows what to work on first`
          : rebaseFix(commit.sha, 'move it after the prerequisites are closed'),
    });
  }
  return out;
};
