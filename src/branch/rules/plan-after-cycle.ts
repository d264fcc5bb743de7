import { cardStem } from '../card-matcher.ts';
import { type BranchRule, type Finding, shellQuote } from './rule-context.ts';

/**
 * `plan-after-cycle`: no `plan` after any `impl` or `close`. A new prerequisite is planned at the
 * end of the planning layer and the cycles are replayed after it (`mikado plan` does both).
 * @param ctx the branch
 * @returns a finding per `plan` commit after a cycle began
 */
export const planAfterCycle: BranchRule = (ctx) => {
  const out: Finding[] = [];
  const rp = ctx.resetPoint;
  const at = rp ? ` at the reset point ${rp.label} (the end of the planning layer)` : '';
  for (const { index, commit: c, content } of ctx.judgedAs('plan')) {
    if (!ctx.cycleBefore(index)) continue;
    const cards = c.paths.filter((p) => ctx.input.isCard(p.path)).map((p) => p.path);
    const description =
      content.description.trim() || cards.map((p) => cardStem(p)).join(', ') || 'plan';
    const add = cards.length > 0 ? `git add -- ${cards.map(shellQuote).join(' ')} && ` : '';
    out.push({
      index,
      rule: 'plan-after-cycle',
      message:
        'Unexpected `plan` after `impl` or `close` commits: a new prerequisite is planned before the cycles.',
      fix:
        c.sha === null
          ? `run \`${add}mikado plan ${shellQuote(description)}\`: it commits the staged cards${at} and replays the commits after it (step by step: \`mikado reset --apply\`, commit the plan, \`mikado replay\`)`
          : `run \`mikado reset --apply && mikado replay\`: it moves the plan${at} and replays the cycles after it`,
      resetPoint: rp,
    });
  }
  return out;
};
