import type { Card, Diagnostic } from '../cards/types.ts';
import { checkGraph } from '../check/check-rules.ts';
import { buildGraph, type CardGraph } from '../graph/build-graph.ts';

/**
 * The graph rules' findings about the staged cards: their own (unknown `requires`, duplicate
 * stems, `branch`, complete before a prerequisite, unreachable) and every cycle through one of
 * them. The graph keeps only the edges that can change those ({@link pruneToStaged}) unless
 * `whole` is set.
 * @param cards every card as the commit will hold it (the staged ones included), sorted by path
 * @param staged the staged cards
 * @param opts `whole`: judge the whole graph (the reference the pruned graph must equal)
 * @returns the graph judged and the findings
 */
export function stagedGraphFindings(
  cards: Card[],
  staged: Card[],
  opts: { whole?: boolean } = {},
): { graph: CardGraph; diagnostics: Diagnostic[] } {
  const stagedStems = new Set(staged.map((c) => c.stem));
  const stagedPaths = new Set(staged.map((c) => c.path));
  const graph = buildGraph(opts.whole ? cards : pruneToStaged(cards, stagedStems));
  const cyclePaths = new Set(
    graph.cycles
      .filter((cycle) => cycle.some((s) => stagedStems.has(s)))
      .map((cycle) => graph.cards.get(cycle[0]!)?.path),
  );
  const diagnostics = checkGraph(graph, cards).filter(
    (d) => stagedPaths.has(d.path) || (d.rule === 'cycle' && cyclePaths.has(d.path)),
  );
  return { graph, diagnostics };
}

/**
 * The cards with only the `requires` edges that can change a graph finding about the staged
 * stems: those of the staged stems and of every card that reaches one of them (its ancestors).
 * Every card stays a node (unknown `requires`, duplicate stems and "did you mean" see them all).
 * What a staged card's findings read is then the same as in the whole graph: its own edges and
 * prerequisites' status, the cards that require it (ancestors, so their roots and chains), and
 * any cycle through it (every card on it reaches it). Other cards' findings change, but the hook
 * reports only the staged cards'. Most cards of a large repository lose their edges, and the
 * graph walks none of them.
 * @param cards every card, sorted by path
 * @param stagedStems the stems of the staged cards
 * @returns the cards, those outside the scope without `requires`
 */
export function pruneToStaged(cards: Card[], stagedStems: ReadonlySet<string>): Card[] {
  const keep = stagedScope(cards, stagedStems);
  return cards.map((c) =>
    c.requires.length === 0 || keep.has(c.stem) ? c : { ...c, requires: [] },
  );
}

/**
 * The stems {@link pruneToStaged} keeps the edges of: the staged stems and the stems of every card
 * that reaches one of them through `requires`.
 * @param cards every card with `requires` (the others reach nothing and may be left out)
 * @param stagedStems the stems of the staged cards
 * @returns the stems
 */
export function stagedScope(cards: Iterable<Card>, stagedStems: ReadonlySet<string>): Set<string> {
  const requiredBy = new Map<string, string[]>();
  for (const card of cards) {
    for (const req of card.requires) {
      const by = requiredBy.get(req);
      if (by) by.push(card.stem);
      else requiredBy.set(req, [card.stem]);
    }
  }
  const keep = new Set(stagedStems);
  const queue = [...stagedStems];
  for (let i = 0; i < queue.length; i++) {
    for (const by of requiredBy.get(queue[i]!) ?? []) {
      if (!keep.has(by)) {
        keep.add(by);
        queue.push(by);
      }
    }
  }
  return keep;
}

/**
 * The stems the graph rules read to judge the staged cards: the {@link stagedScope} and every
 * stem its cards name in `requires`. The cards with these stems (all of them, duplicates too)
 * give the same findings about the staged cards as every card does, except where a finding
 * suggests the nearest of every stem (an unknown prerequisite's "did you mean"): there the
 * caller must judge every card.
 * @param cards every card with `requires` (the others reach nothing and may be left out)
 * @param stagedStems the stems of the staged cards
 * @returns the stems
 */
export function stemsAroundStaged(cards: Card[], stagedStems: ReadonlySet<string>): Set<string> {
  const scope = stagedScope(cards, stagedStems);
  const stems = new Set(scope);
  for (const card of cards) {
    if (scope.has(card.stem)) for (const req of card.requires) stems.add(req);
  }
  return stems;
}
