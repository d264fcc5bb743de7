// Benchmark of the card graph's algorithms against graphology's standard libraries, on the same
// graphs: cycles (strongly connected components) and a chain's topological order.
//   ours:       buildGraph (src/graph/build-graph.ts): iterative Tarjan, depth-first post-order
//   graphology: a DirectedGraph, graphology-components' stronglyConnectedComponents and
//               graphology-dag's topologicalSort (and hasCycle, the cheapest question)
// Graphs: 10,000 cards in 500 chains of 20 (each card requires the next two of its chain) and
// one 20,000-card deep chain (the depth the graph must survive).
// Run alone with `node bench/graph.bench.mjs` (builds dist/ if needed). BENCH_RUNS sets the runs.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { benchArgs } from './bench-args.mjs';

const root = path.resolve(import.meta.dirname, '..');
if (!existsSync(path.join(root, 'dist/index.js'))) {
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root });
}
const { buildGraph } = await import(path.join(root, 'dist/index.js'));
const require = createRequire(import.meta.url);
const { DirectedGraph } = require('graphology');
const { stronglyConnectedComponents } = require('graphology-components');
const { hasCycle, topologicalSort } = require('graphology-dag');
const args = benchArgs(
  "node bench/graph.bench.mjs\n\nThe card graph's own algorithms (order, components, cycles) against graphology's standard\nlibraries (graphology-dag, graphology-components) on card graphs of 10,000 and 20,000 cards.",
  {
    runs: {
      type: 'string',
      default: '15',
      env: 'BENCH_RUNS',
      describe: 'runs per measure (medians)',
    },
  },
);
const RUNS = Number(args.runs);

const card = (stem, requires) => ({
  stem,
  path: `docs/cards/${stem}.md`,
  status: 'active',
  requires,
});
const stem = (n) => `card-${String(n).padStart(5, '0')}`;

function chains(count, length) {
  const cards = [];
  for (let c = 0; c < count; c++) {
    for (let i = 0; i < length; i++) {
      const n = c * length + i;
      const reqs = [n + 1, n + 2].filter((m) => m < (c + 1) * length).map(stem);
      cards.push(card(stem(n), reqs));
    }
  }
  return cards;
}
const deep = (n) =>
  Array.from({ length: n }, (_, i) => card(stem(i), i + 1 < n ? [stem(i + 1)] : []));

function median(fn) {
  const times = [];
  let result;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    result = fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], result };
}

function graphologyGraph(cards) {
  const g = new DirectedGraph();
  for (const c of cards) g.addNode(c.stem);
  for (const c of cards) for (const r of c.requires) g.mergeEdge(c.stem, r);
  return g;
}

const fmt = (m) => `${m.toFixed(1)} ms`;
const rows = [];
for (const [name, cards, goal] of [
  ['10,000 cards, 500 chains of 20', chains(500, 20), stem(0)],
  ['20,000-card deep chain', deep(20_000), stem(0)],
]) {
  const ours = median(() => {
    const g = buildGraph(cards);
    return { cycles: g.cycles.length, order: g.chain(goal).order.length };
  });
  const build = median(() => graphologyGraph(cards));
  const g = build.result;
  const attempt = (fn) => {
    try {
      return fmt(median(fn).ms);
    } catch (error) {
      return error instanceof RangeError ? 'stack overflow' : String(error);
    }
  };
  rows.push([
    name,
    fmt(ours.ms),
    fmt(build.ms),
    attempt(() => stronglyConnectedComponents(g)),
    attempt(() => hasCycle(g)),
    attempt(() => topologicalSort(g)),
  ]);
}
console.log(`graph algorithms, median of ${RUNS} runs (node ${process.version})`);
console.log(
  '| graph | ours: graph, cycles and one chain order | graphology: build the graph | + stronglyConnectedComponents | + hasCycle | + topologicalSort |',
);
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
