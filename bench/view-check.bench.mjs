// Wall time of whole `mikado` processes on synthetic card trees (bench/corpus.mjs):
//   view (chain list) on 1,000 and 10,000 cards, cold (no cache is involved);
//   check on 1,000 and 10,000 cards, cold (cache deleted first) and warm (cache kept);
//   view on a 125-doc tree (8 cards among ordinary docs) against `node -e 0`.
// Medians of several runs; the corpus is generated once into bench/.corpus (git-ignored).
// Targets (issue 2, 2-core machine): view 10k ≤ 1.5 s; check 10k ≤ 6 s cold, ≤ 0.5 s warm;
// view 125 docs ≤ 1.5 × node -e 0.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { benchArgs } from './bench-args.mjs';
import { writeCardTree, writeDocsTree } from './corpus.mjs';

benchArgs(
  'node bench/view-check.bench.mjs\n\nWall time of whole `mikado view` and `mikado check` processes on synthetic card trees of\n1,000 and 10,000 cards (cold and warm) and on a 125-doc tree, against `node -e 0`.',
  {},
);

const here = import.meta.dirname;
const bin = path.resolve(here, '../bin/mikado.js');
if (!existsSync(path.resolve(here, '../dist/cli.js'))) {
  console.error('dist/ is missing: run `npm run build` first (mise run bench does).');
  process.exit(2);
}
const corpus = path.join(here, '.corpus');
const trees = {
  docs125: path.join(corpus, 'docs-125'),
  k1: path.join(corpus, 'cards-1000'),
  k10: path.join(corpus, 'cards-10000'),
};
writeDocsTree(trees.docs125);
writeCardTree(trees.k1, 1000);
writeCardTree(trees.k10, 10000);

function once(args, cwd, before) {
  before?.();
  const t = process.hrtime.bigint();
  const r = spawnSync(args[0], args.slice(1), { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0 && r.status !== 1) {
    throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  return ms;
}

function median(args, cwd, runs, before) {
  once(args, cwd, before); // warm the OS file cache
  const times = Array.from({ length: runs }, () => once(args, cwd, before)).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const row = (name, ms, target) =>
  console.log(`${name.padEnd(44)} ${fmt(ms).padStart(9)}${target ? `   (target ${target})` : ''}`);
const mikado = (...args) => [process.execPath, bin, '--root', '.', ...args];
const dropCache = (dir) => () =>
  rmSync(path.join(dir, '.mikado'), { recursive: true, force: true });

console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} CPUs; medians\n`);
// Interleave node -e 0 and the 125-doc view so machine load affects both alike.
const base = [];
const shell = [];
const small = [];
for (let i = 0; i < 15; i++) {
  base.push(once([process.execPath, '-e', '0'], trees.docs125));
  shell.push(once([process.execPath, bin, '--version'], trees.docs125));
  small.push(once(mikado('view'), trees.docs125));
}
const med = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
const nodeMs = med(base);
const smallMs = med(small);
row('node -e 0', nodeMs);
row('mikado --version (the CLI shell alone)', med(shell));
row('view, 125-doc tree (8 cards)', smallMs, `≤ ${fmt(1.5 * nodeMs)} = 1.5 × node -e 0`);
console.log(`${''.padEnd(44)} ${(smallMs / nodeMs).toFixed(2).padStart(8)}×`);
row('view, 1,000 cards', median(mikado('view'), trees.k1, 5));
row('view, 10,000 cards', median(mikado('view'), trees.k10, 3), '≤ 1.5 s');
row('view CARD (chain walk), 10,000 cards', median(mikado('view', 'c0-card-0'), trees.k10, 3));
row('check, 1,000 cards, cold', median(mikado('check'), trees.k1, 3, dropCache(trees.k1)));
row('check, 1,000 cards, warm', median(mikado('check'), trees.k1, 5));
row(
  'check, 10,000 cards, cold',
  median(mikado('check'), trees.k10, 3, dropCache(trees.k10)),
  '≤ 6 s',
);
row('check, 10,000 cards, warm', median(mikado('check'), trees.k10, 5), '≤ 0.5 s');
dropCache(trees.k1)();
dropCache(trees.k10)();
