import type { Diagnostic } from '../../cards/types.ts';
import type { GraphRule } from './rule-context.ts';

/**
 * `complete-before-prerequisite`: a card is completed only after its prerequisites.
 * @param ctx the graph
 * @returns a warning per complete card with an active prerequisite
 */
export const completeBeforePrerequisite: GraphRule = ({ graph }) => {
  const out: Diagnostic[] = [];
  for (const card of graph.cards.values()) {
    if (card.status === 'active') continue;
    const open = card.requires.filter((r) => graph.cards.get(r)?.status === 'active');
    if (open.length) {
      out.push({
        path: card.path,
        line: 1,
        column: 1,
        severity: 'warning',
        rule: 'complete-before-prerequisite',
        message: `Unexpected complete card with active prerequisite${open.length > 1 ? 's' : ''} ${open.map((s) => `\`${s}\``).join(', ')}, expected prerequisites completed first`,
        fix: 'Mark the card `status: active` again, or complete its prerequisites.',
      });
    }
  }
  return out;
};
