import type { CardGraph } from '../graph/build-graph.ts';
import { type CardState, cardState, chainStems, cyclesAmong } from './card-state.ts';

/** What a picture of one or more chains shows: nodes, edges and cycles. */
export interface ViewScope {
  /** Stems shown (missing ones included), in depth-first order from the roots. */
  stems: string[];
  states: Map<string, CardState>;
  /** `[card, prerequisite]` pairs, in order. */
  edges: [string, string][];
  /** Cycles touching the shown stems. */
  cycles: string[][];
  /** Edges that lie on a cycle, as `card\0prerequisite`. */
  cycleEdges: Set<string>;
}

/**
 * Collects the stems and edges of the chains of some roots (every active chain when roots is
 * empty... pass `graph.roots`).
 * @param graph the card graph
 * @param roots the cards whose chains to show
 * @returns the scope
 */
export function viewScope(graph: CardGraph, roots: string[]): ViewScope {
  const stems: string[] = [];
  const seen = new Set<string>();
  for (const root of roots) {
    for (const s of chainStems(graph, root)) {
      if (!seen.has(s)) {
        seen.add(s);
        stems.push(s);
      }
    }
  }
  const states = new Map(stems.map((s) => [s, cardState(graph, s)] as const));
  const edges: [string, string][] = [];
  for (const s of stems) {
    for (const r of graph.cards.get(s)?.requires ?? []) edges.push([s, r]);
  }
  const cycles = cyclesAmong(graph, stems);
  const cycleEdges = new Set<string>();
  for (const c of cycles)
    for (let i = 0; i + 1 < c.length; i++) cycleEdges.add(`${c[i]}\0${c[i + 1]}`);
  return { stems, states, edges, cycles, cycleEdges };
}
