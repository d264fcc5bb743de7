import type { Diagnostic } from '../../cards/types.ts';
import { type GraphRule, requiresPlace } from './rule-context.ts';

/**
 * `cycle`: prerequisites never lead back to the card.
 * @param ctx the graph
 * @returns a finding per cycle, at the `requires` entry that starts it
 */
export const cycle: GraphRule = ({ graph }) => {
  const out: Diagnostic[] = [];
  for (const cycle of graph.cycles) {
    const [first, second] = cycle;
    const card = graph.cards.get(first!)!;
    out.push({
      path: card.path,
      ...requiresPlace(card, second!),
      severity: 'error',
      rule: 'cycle',
      message: `Unexpected cycle \`${cycle.join(' → ')}\`, expected prerequisites that never lead back`,
      fix: 'Remove one `requires` entry on the cycle; a card cannot depend on itself.',
    });
  }
  return out;
};
