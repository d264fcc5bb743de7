// The HTML picture: whole `mikado view CARD --format html` processes on the shipped Immich chain
// (Graphviz compiled to WebAssembly lays it out; card bodies go through remark and rehype),
// against `--format tree` of the same chain, and the layout alone in this process (the first
// call loads the WebAssembly module). Medians of several runs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { benchArgs } from './bench-args.mjs';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin/mikado.js');
if (!existsSync(path.join(root, 'dist/cli.js'))) {
  console.error('dist/ is missing: run `npm run build` first (mise run bench does).');
  process.exit(2);
}
benchArgs(
  'node bench/html-view.bench.mjs\n\nWhole `mikado view CHAIN --format html` processes against `--format tree`, the Graphviz\nWebAssembly load and one layout of the shipped chain (medians of 9).',
  {},
);
const RUNS = 9;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function processMs(format) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(
      process.execPath,
      [bin, 'view', 'migrate-immich-to-ringtail', '--format', format],
      {
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    if (r.status !== 0) throw new Error(`view --format ${format} exited ${r.status}: ${r.stderr}`);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(times);
}

const { Graphviz } = await import('@hpcc-js/wasm-graphviz');
const dot = spawnSync(
  process.execPath,
  [bin, 'view', 'migrate-immich-to-ringtail', '--format', 'dot'],
  {
    cwd: root,
    encoding: 'utf8',
  },
).stdout;
let t = performance.now();
const gv = await Graphviz.load();
const loadMs = performance.now() - t;
const layouts = [];
for (let i = 0; i < RUNS; i++) {
  t = performance.now();
  gv.layout(dot, 'json', 'dot');
  layouts.push(performance.now() - t);
}

console.log('| measure | median |');
console.log('|---|---|');
console.log(
  `| \`view CHAIN --format tree\` (whole process) | ${processMs('tree').toFixed(0)} ms |`,
);
console.log(
  `| \`view CHAIN --format html\` (whole process) | ${processMs('html').toFixed(0)} ms |`,
);
console.log(`| Graphviz WebAssembly load (once per process) | ${loadMs.toFixed(0)} ms |`);
console.log(`| one layout of the 7-card chain | ${median(layouts).toFixed(1)} ms |`);
