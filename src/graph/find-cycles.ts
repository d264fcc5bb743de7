/** The prerequisites of a node (edges card → prerequisite). */
export type Successors = (node: string) => string[];

/** At most this many cycles are listed (a pathological tangle could have exponentially many). */
export const MAX_CYCLES = 100;

/**
 * Finds the cycles of a directed graph: every strongly connected component with more than one
 * node (or a self-loop) yields the shortest cycle through each of its nodes, each cycle listed
 * once, rotated to start at its smallest node and closed (`[a, b, a]`).
 * @param nodes every node
 * @param next a node's successors (edge card → prerequisite)
 * @returns the cycles, sorted
 */
export function findCycles(nodes: string[], next: Successors): string[][] {
  const out = new Map<string, string[]>();
  // A node without successors is on no cycle: it needs no walk of its own (most cards are such).
  const starts = nodes.filter((n) => next(n).length > 0);
  for (const scc of stronglyConnected(starts, next)) {
    const members = new Set(scc);
    if (scc.length === 1 && !next(scc[0]!).includes(scc[0]!)) continue;
    for (const start of [...scc].sort().slice(0, 200)) {
      const cycle = shortestCycle(next, start, members);
      if (!cycle) continue;
      const key = canonical(cycle);
      if (!out.has(key.join('\0'))) out.set(key.join('\0'), key);
      if (out.size >= MAX_CYCLES) break;
    }
    if (out.size >= MAX_CYCLES) break;
  }
  return [...out.values()].sort((a, b) => cmp(a.join('\0'), b.join('\0')));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function canonical(open: string[]): string[] {
  let best = 0;
  for (let i = 1; i < open.length; i++) if (open[i]! < open[best]!) best = i;
  const rotated = [...open.slice(best), ...open.slice(0, best)];
  return [...rotated, rotated[0]!];
}

function shortestCycle(next: Successors, start: string, members: Set<string>): string[] | null {
  const parent = new Map<string, string>();
  const queue = [start];
  for (let qi = 0; qi < queue.length; qi++) {
    const node = queue[qi]!;
    for (const succ of [...next(node)].sort()) {
      if (!members.has(succ)) continue;
      if (succ === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(parent.get(path[0]!)!);
        return path;
      }
      if (!parent.has(succ)) {
        parent.set(succ, node);
        queue.push(succ);
      }
    }
  }
  return null;
}

/**
 * Tarjan's strongly connected components, iteratively (deep chains do not overflow the stack).
 * @param nodes the nodes to start from (the components of every node they reach are found too)
 * @param next a node's successors
 * @returns the components
 */
export function stronglyConnected(nodes: string[], next: Successors): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result: string[][] = [];
  let counter = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { node: string; next: string[]; i: number }[] = [];
    const push = (node: string): void => {
      index.set(node, counter);
      low.set(node, counter);
      counter++;
      stack.push(node);
      onStack.add(node);
      work.push({ node, next: next(node), i: 0 });
    };
    push(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.i < frame.next.length) {
        const succ = frame.next[frame.i++]!;
        if (!index.has(succ)) push(succ);
        else if (onStack.has(succ))
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(succ)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const scc: string[] = [];
        let n: string;
        do {
          n = stack.pop()!;
          onStack.delete(n);
          scc.push(n);
        } while (n !== frame.node);
        result.push(scc);
      }
    }
  }
  return result;
}
