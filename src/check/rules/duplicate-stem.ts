import type { Card, Diagnostic } from '../../cards/types.ts';
import type { GraphRule } from './rule-context.ts';

/**
 * `duplicate-stem`: a card is known by its file name, so stems are unique. An error when one of
 * the cards takes part in a chain, a warning otherwise.
 * @param ctx the graph and every card
 * @returns a finding per card after the first with the same stem
 */
export const duplicateStem: GraphRule = ({ graph, cards }) => {
  const out: Diagnostic[] = [];
  const byStem = new Map<string, Card[]>();
  if (graph.duplicates.length) {
    for (const c of cards) byStem.set(c.stem, [...(byStem.get(c.stem) ?? []), c]);
  }
  const mikadoish = (c: Card): boolean =>
    c.status === 'active' ||
    c.requires.length > 0 ||
    c.branch !== undefined ||
    graph.requiredBy(c.stem).length > 0;
  for (const dup of graph.duplicates) {
    const group = byStem.get(dup.stem) ?? [];
    const severity = group.some(mikadoish) ? 'error' : 'warning';
    for (const p of dup.paths.slice(1)) {
      out.push({
        path: p,
        line: 1,
        column: 1,
        severity,
        rule: 'duplicate-stem',
        message: `Unexpected second card with stem \`${dup.stem}\` (also \`${dup.paths[0]}\`), expected unique stems`,
        fix: 'Rename one of the files: a card is known by its file name.',
      });
    }
  }
  return out;
};
