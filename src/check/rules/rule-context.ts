import type { Card, Diagnostic, Place } from '../../cards/types.ts';
import type { CardGraph } from '../../graph/build-graph.ts';
import type { DocsIndex } from '../docs-index.ts';

/** What a graph rule sees: the graph and every card (duplicates included). */
export interface GraphContext {
  graph: CardGraph;
  cards: Card[];
}

/** What a link rule sees: the graph, the cards whose links are checked, and the docs. */
export interface LinkContext extends GraphContext {
  docs: DocsIndex;
  /** The headings of a file under the docs root (normalized by `headingKey`), or null. */
  headingsOf: (target: string) => Set<string> | null;
}

/** A check rule about the card graph: the graph in, the findings out. */
export type GraphRule = (ctx: GraphContext) => Diagnostic[];

/** A check rule about wikilinks: the cards and docs in, the findings out. */
export type LinkRule = (ctx: LinkContext) => Diagnostic[];

/**
 * Where a card names a prerequisite in `requires`, for a finding about it.
 * @param card the card
 * @param stem the prerequisite
 * @returns the entry's place, or the `requires` key's, or the top of the card
 */
export function requiresPlace(card: Card, stem: string): Place {
  const i = card.requires.indexOf(stem);
  return card.places?.[`requires.${i}`] ?? card.places?.['requires'] ?? { line: 1, column: 1 };
}
