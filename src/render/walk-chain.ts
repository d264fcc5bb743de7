import type { CardGraph } from '../graph/build-graph.ts';

/** One line of a chain walk from a card down through its prerequisites. */
export interface WalkEntry {
  stem: string;
  /** 0 for the card the walk starts at. */
  depth: number;
  /** Outline number: `1`, `1.2`, `1.2.1`. */
  number: string;
  /** Whether this entry is the last child of its parent (for tree connectors). */
  last: boolean;
  /** For each ancestor level (excluding the root), whether that ancestor was a last child. */
  ancestorsLast: boolean[];
  /** When the stem was already shown: the outline number where it first appeared. */
  repeatOf?: string;
  /** No card has this stem. */
  missing: boolean;
}

/**
 * Walks a chain depth-first from a card, prerequisites in `requires` order. A stem shown before
 * (a shared prerequisite, or a cycle) is listed again as a reference and not descended into.
 * @param graph the card graph
 * @param root the card to start at
 * @returns the entries in display order
 */
export function walkChain(graph: CardGraph, root: string): WalkEntry[] {
  const out: WalkEntry[] = [];
  const firstSeen = new Map<string, string>();
  type Frame = Omit<WalkEntry, 'repeatOf' | 'missing'>;
  const stack: Frame[] = [{ stem: root, depth: 0, number: '1', last: true, ancestorsLast: [] }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const seen = firstSeen.get(frame.stem);
    const card = graph.cards.get(frame.stem);
    if (seen !== undefined) {
      out.push({ ...frame, repeatOf: seen, missing: false });
      continue;
    }
    out.push({ ...frame, missing: !card });
    if (!card) continue;
    firstSeen.set(frame.stem, frame.number);
    const reqs = card.requires;
    const ancestorsLast = frame.depth === 0 ? [] : [...frame.ancestorsLast, frame.last];
    for (let i = reqs.length - 1; i >= 0; i--) {
      stack.push({
        stem: reqs[i]!,
        depth: frame.depth + 1,
        number: `${frame.number}.${i + 1}`,
        last: i === reqs.length - 1,
        ancestorsLast,
      });
    }
  }
  return out;
}
