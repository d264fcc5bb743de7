import type { CardGraph } from '../graph/build-graph.ts';

/** How a stem shows in a view. */
export type CardState = 'ready' | 'active' | 'complete' | 'missing';

/**
 * The view state of a stem: `missing` (no card), `complete`, `ready` (active, no active or
 * missing prerequisite) or `active`.
 * @param graph the card graph
 * @param stem the stem
 * @returns its state
 */
export function cardState(graph: CardGraph, stem: string): CardState {
  const card = graph.cards.get(stem);
  if (!card) return 'missing';
  if (card.status !== 'active') return 'complete';
  const blocked =
    card.requires.some((r) => !graph.cards.has(r)) ||
    card.requires.some((r) => graph.cards.get(r)?.status === 'active');
  return blocked ? 'active' : 'ready';
}

/**
 * The stems a view of one card shows: the card, its transitive prerequisites and the missing
 * stems they name, in depth-first order from the card (requires order).
 * @param graph the card graph
 * @param root the card
 * @returns stems, each once
 */
export function chainStems(graph: CardGraph, root: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const stack = [root];
  while (stack.length > 0) {
    const stem = stack.pop()!;
    if (seen.has(stem)) continue;
    seen.add(stem);
    out.push(stem);
    const reqs = graph.cards.get(stem)?.requires ?? [];
    for (let i = reqs.length - 1; i >= 0; i--) stack.push(reqs[i]!);
  }
  return out;
}

/**
 * The cycles that touch a set of stems.
 * @param graph the card graph
 * @param stems the stems shown
 * @returns the cycles (closed paths)
 */
export function cyclesAmong(graph: CardGraph, stems: Iterable<string>): string[][] {
  const set = new Set(stems);
  return graph.cycles.filter((c) => c.some((s) => set.has(s)));
}
