import type { DirectedGraph } from 'graphology';
import type { Card } from '../cards/types.ts';
import { findCycles } from './find-cycles.ts';
import { newDirectedGraph } from './load-lazily.ts';

/** A goal's chain: the goal and every transitive prerequisite, each counted once. */
export interface ChainSummary {
  /** Topological order, prerequisites first, the root last. */
  order: string[];
  /** Active transitive prerequisites (the root not counted). */
  activeDeps: number;
  /** All transitive prerequisites (the root not counted). */
  totalDeps: number;
  /** Active cards of the chain with no active (or missing) prerequisite, sorted. */
  readyLeaves: string[];
  /** The root and its transitive prerequisites, sorted. */
  members: string[];
}

/** Two or more cards with the same stem. */
export interface DuplicateStem {
  stem: string;
  /** Their paths, sorted; the first one is the card the graph uses. */
  paths: string[];
}

/** The card graph: cards as nodes, `requires` as edges from a card to its prerequisite. */
export interface CardGraph {
  /** graphology graph, edge card → prerequisite (built on first access). */
  readonly graph: DirectedGraph;
  /** Cards by stem (for duplicate stems, the first by path). */
  cards: Map<string, Card>;
  /** Goals: active cards that no active card requires, sorted. */
  roots: string[];
  /** Every cycle, closed (`[a, b, a]`), rotated to start at its smallest stem, sorted. */
  cycles: string[][];
  /** `[card, stem]` for each `requires` entry naming no card, sorted. */
  missing: [string, string][];
  duplicates: DuplicateStem[];
  /**
   * The cards that require a card.
   * @param stem the card
   * @returns their stems, sorted
   */
  requiredBy(stem: string): string[];
  /**
   * A card's chain: order, counts and ready leaves.
   * @param root the chain's goal (any card works)
   * @returns the summary (empty for an unknown stem)
   */
  chain(root: string): ChainSummary;
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Builds the card graph: edges from `requires`, computed `requiredBy`, goals, cycles, missing
 * prerequisites and duplicate stems.
 * @param cards the cards (order decides which duplicate wins; loadCards sorts by path)
 * @returns the graph and its queries
 */
export function buildGraph(cards: Card[]): CardGraph {
  const byStem = new Map<string, Card>();
  const dupPaths = new Map<string, string[]>();
  for (const card of cards) {
    const first = byStem.get(card.stem);
    if (first) {
      const list = dupPaths.get(card.stem) ?? [first.path];
      list.push(card.path);
      dupPaths.set(card.stem, list);
      continue;
    }
    byStem.set(card.stem, card);
  }
  /** Existing prerequisites by stem, filled on first use. */
  const prereqs = new Map<string, string[]>();
  const missing: [string, string][] = [];
  const requiredByMap = new Map<string, string[]>();
  for (const card of byStem.values()) {
    for (const req of card.requires) {
      if (!byStem.has(req)) {
        missing.push([card.stem, req]);
        continue;
      }
      const by = requiredByMap.get(req);
      if (by?.includes(card.stem)) continue;
      if (by) by.push(card.stem);
      else requiredByMap.set(req, [card.stem]);
    }
  }
  missing.sort((a, b) => byString(a[0], b[0]) || byString(a[1], b[1]));
  const isActive = (stem: string): boolean => byStem.get(stem)?.status === 'active';
  const roots = [...byStem.keys()]
    .filter((stem) => isActive(stem) && !(requiredByMap.get(stem) ?? []).some(isActive))
    .sort(byString);
  const missingBy = new Set(missing.map(([c]) => c));
  const chains = new Map<string, ChainSummary>();

  const chain = (root: string): ChainSummary => {
    const cached = chains.get(root);
    if (cached) return cached;
    if (!byStem.has(root)) {
      return { order: [], activeDeps: 0, totalDeps: 0, readyLeaves: [], members: [] };
    }
    const order: string[] = [];
    const seen = new Set<string>([root]);
    const stack: { stem: string; next: string[]; i: number }[] = [
      { stem: root, next: prerequisites(root), i: 0 },
    ];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      if (frame.i < frame.next.length) {
        const next = frame.next[frame.i++]!;
        if (!seen.has(next)) {
          seen.add(next);
          stack.push({ stem: next, next: prerequisites(next), i: 0 });
        }
        continue;
      }
      stack.pop();
      order.push(frame.stem);
    }
    const members = [...order].sort(byString);
    const readyLeaves = members.filter(
      (s) => isActive(s) && !missingBy.has(s) && !prerequisites(s).some(isActive),
    );
    const summary: ChainSummary = {
      order,
      activeDeps: members.filter((s) => s !== root && isActive(s)).length,
      totalDeps: members.length - 1,
      readyLeaves,
      members,
    };
    chains.set(root, summary);
    return summary;
  };

  function prerequisites(stem: string): string[] {
    let list = prereqs.get(stem);
    if (!list) {
      list = (byStem.get(stem)?.requires ?? []).filter((r) => byStem.has(r));
      prereqs.set(stem, list);
    }
    return list;
  }

  let graph: DirectedGraph | undefined;
  return {
    get graph(): DirectedGraph {
      if (!graph) {
        graph = newDirectedGraph();
        for (const stem of byStem.keys()) graph.addNode(stem);
        for (const stem of byStem.keys()) {
          for (const req of prerequisites(stem)) graph.mergeEdge(stem, req);
        }
      }
      return graph;
    },
    cards: byStem,
    roots,
    cycles: findCycles([...byStem.keys()], prerequisites),
    missing,
    duplicates: [...dupPaths.entries()]
      .map(([stem, paths]) => ({ stem, paths: [...paths].sort(byString) }))
      .sort((a, b) => byString(a.stem, b.stem)),
    requiredBy: (stem) => [...(requiredByMap.get(stem) ?? [])].sort(byString),
    chain,
  };
}
