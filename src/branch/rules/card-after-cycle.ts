import { cardStem } from '../card-matcher.ts';
import {
  type BranchRule,
  commitCommand,
  type Finding,
  shellQuote,
  splitCardsFix,
} from './rule-context.ts';

/**
 * `card-after-cycle`: no commit of any verb adds a card after an `impl` or `close` (a `plan`
 * commit is judged by `plan-after-cycle`). A new card is a new prerequisite: it is planned at the
 * end of the planning layer.
 * @param ctx the branch
 * @returns a finding per commit that adds a card after a cycle began
 */
export const cardAfterCycle: BranchRule = (ctx) => {
  const out: Finding[] = [];
  const rp = ctx.resetPoint;
  const where = rp
    ? ` (the plan goes to the reset point ${rp.label}, the end of the planning layer)`
    : '';
  ctx.entries.forEach((e, index) => {
    if (e.commit.merge || !ctx.cycleBefore(index)) return;
    if (e.subject.kind === 'c2' && e.subject.verb === 'plan') return;
    const c = e.commit;
    const added = c.paths.filter((p) => p.status === 'A' && ctx.input.isCard(p.path));
    if (added.length === 0) return;
    const paths = added.map((p) => shellQuote(p.path)).join(' ');
    const stems = added.map((p) => cardStem(p.path)).join(', ');
    const rest = c.paths.length > added.length;
    const plan = `mikado plan ${shellQuote(stems)}`;
    out.push({
      index,
      rule: 'card-after-cycle',
      message: `Unexpected new card ${added.map((p) => `\`${p.path}\``).join(', ')} after \`impl\` or \`close\` commits: a new prerequisite is planned before the cycles.`,
      fix:
        c.sha === null
          ? rest
            ? `leave the new card out, \`git restore --staged -- ${paths} && ${commitCommand(c.subject)}\`, then plan it with \`git add -- ${paths} && ${plan}\`${where}`
            : `plan it instead: \`${plan}\` commits the staged cards and replays the cycles${where}`
          : `${splitCardsFix(
              c.sha,
              added.map((p) => p.path),
            )}${where}`,
      resetPoint: ctx.resetPoint,
    });
  });
  return out;
};
