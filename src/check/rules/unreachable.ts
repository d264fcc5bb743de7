import type { Diagnostic } from '../../cards/types.ts';
import type { GraphRule } from './rule-context.ts';

/**
 * `unreachable`: every active card is in some goal's chain, and a complete goal has no
 * `requires` left (its chain was finalized).
 * @param ctx the graph
 * @returns a warning per card no goal reaches that still looks like part of a chain
 */
export const unreachable: GraphRule = ({ graph }) => {
  const out: Diagnostic[] = [];
  const reached = new Set<string>();
  for (const root of graph.roots) for (const m of graph.chain(root).members) reached.add(m);
  for (const card of graph.cards.values()) {
    if (reached.has(card.stem)) continue;
    const onCycle = card.status === 'active';
    if (onCycle || (card.requires.length > 0 && graph.requiredBy(card.stem).length === 0)) {
      out.push({
        path: card.path,
        line: 1,
        column: 1,
        severity: 'warning',
        rule: 'unreachable',
        message: onCycle
          ? 'Unexpected active card that no goal reaches (it sits on a cycle), expected it in a chain'
          : 'Unexpected complete goal that still has `requires`, expected a finalized chain',
        fix: onCycle
          ? 'Break the cycle so the chain has a goal.'
          : `Run \`mikado finalize ${card.stem}\` to remove the chain's Mikado frontmatter.`,
      });
    }
  }
  return out;
};
