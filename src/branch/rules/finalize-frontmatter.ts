import type { Card } from '../../cards/types.ts';
import { buildGraph } from '../../graph/build-graph.ts';
import type { JudgedCommit } from '../judge-branch.ts';
import {
  type BranchRule,
  type Finding,
  list,
  type RuleContext,
  rebaseFix,
} from './rule-context.ts';

/**
 * `finalize-frontmatter`: a `finalize` commit leaves no Mikado frontmatter (`status`, `requires`,
 * `branch`) in the goal's chain as it stood before the commit.
 * @param ctx the branch
 * @returns a finding per `finalize` commit that leaves some
 */
export const finalizeFrontmatter: BranchRule = async (ctx) => {
  const out: Finding[] = [];
  for (const { index, commit: c } of ctx.judgedAs('finalize')) {
    const left = await leftover(ctx, c);
    if (left.length === 0) continue;
    out.push({
      index,
      rule: 'finalize-frontmatter',
      message: `Unexpected Mikado frontmatter left after \`finalize\`: ${list(left)}.`,
      fix:
        c.sha === null
          ? `run \`mikado finalize ${ctx.stem}\` and stage the cards`
          : rebaseFix(
              c.sha,
              `mend it (mark it \`edit\`, run \`mikado finalize ${ctx.stem}\`, \`git commit -a --amend --no-edit\`)`,
            ),
    });
  }
  return out;
};

async function leftover(ctx: RuleContext, c: JudgedCommit): Promise<string[]> {
  const rev = c.sha ?? '';
  const chain = new Set<string>([ctx.stem, ...(c.parent ? await chainAt(ctx, c.parent) : [])]);
  const after = await ctx.input.cards.cardPaths(rev);
  const left: string[] = [];
  for (const s of [...chain].sort()) {
    const path = after.get(s);
    if (!path) continue;
    const f = await ctx.fieldsAt(rev, path);
    const keys = ['status', 'requires', 'branch'].filter((k) => f?.keys.has(k));
    if (keys.length > 0) left.push(`\`${s}\` (${keys.map((k) => `\`${k}\``).join(', ')})`);
  }
  return left;
}

/** The goal's chain at a revision (the goal, its transitive prerequisites and missing ones). */
async function chainAt(ctx: RuleContext, rev: string): Promise<string[]> {
  const paths = await ctx.input.cards.cardPaths(rev);
  const cards = await Promise.all([...paths.values()].map((p) => ctx.cardAt(rev, p)));
  const graph = buildGraph(cards.filter((x): x is Card => x !== null));
  const members = new Set(graph.chain(ctx.stem).members);
  for (const [card, stem] of graph.missing) if (members.has(card)) members.add(stem);
  return [...members];
}
