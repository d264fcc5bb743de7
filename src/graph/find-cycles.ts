import type { DirectedGraph } from 'graphology';

/** At most this many cycles are listed (a pathological tangle could have exponentially many). */
export const MAX_CYCLES = 100;

/**
 * Finds the cycles of a directed graph: every strongly connected component with more than one
 * node (or a self-loop) yields the shortest cycle through each of its nodes, each cycle listed
 * once, rotated to start at its smallest node and closed (`[a, b, a]`).
 * @param graph the graph (edge card → prerequisite)
 * @returns the cycles, sorted
 */
export function findCycles(graph: DirectedGraph): string[][] {
  const out = new Map<string, string[]>();
  for (const scc of stronglyConnected(graph)) {
    const members = new Set(scc);
    if (scc.length === 1 && !graph.hasEdge(scc[0]!, scc[0]!)) continue;
    for (const start of [...scc].sort().slice(0, 200)) {
      const cycle = shortestCycle(graph, start, members);
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

function shortestCycle(graph: DirectedGraph, start: string, members: Set<string>): string[] | null {
  const parent = new Map<string, string>();
  const queue = [start];
  for (let qi = 0; qi < queue.length; qi++) {
    const node = queue[qi]!;
    for (const next of graph.outNeighbors(node).sort()) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(parent.get(path[0]!)!);
        return path;
      }
      if (!parent.has(next)) {
        parent.set(next, node);
        queue.push(next);
      }
    }
  }
  return null;
}

/**
 * Tarjan's strongly connected components, iteratively (deep chains do not overflow the stack).
 * @param graph the graph
 * @returns the components
 */
export function stronglyConnected(graph: DirectedGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result: string[][] = [];
  let counter = 0;
  for (const root of graph.nodes()) {
    if (index.has(root)) continue;
    const work: { node: string; next: string[]; i: number }[] = [];
    const push = (node: string): void => {
      index.set(node, counter);
      low.set(node, counter);
      counter++;
      stack.push(node);
      onStack.add(node);
      work.push({ node, next: graph.outNeighbors(node), i: 0 });
    };
    push(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.i < frame.next.length) {
        const next = frame.next[frame.i++]!;
        if (!index.has(next)) push(next);
        else if (onStack.has(next))
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(next)!));
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
