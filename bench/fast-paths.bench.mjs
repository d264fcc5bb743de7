// What each hand-written fast path saves, on the benchmark corpus's cards (bench/corpus.mjs,
// 1,000 cards of about 2.4 KB), in one process:
//   - the Markdown scanner (src/cards/scan-markdown.ts) against the remark pipeline it stands in
//     for: `parseCardBody` (the scanner, remark when it declines) vs `parseCardBodyWithRemark`;
//   - the simple YAML reader (src/cards/parse-simple-yaml.ts) against the `yaml` package:
//     `parseFrontmatter` vs `parseFrontmatterWithYaml`; plus what loading `yaml` costs a process
//     (the fast path never loads it).
// Per-card figures are medians of BENCH_RUNS passes over all cards (default 7), after one
// warm-up pass; "share" is how many of the cards the fast path takes.
// Run alone with `node bench/fast-paths.bench.mjs` (builds dist/ if needed).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { benchArgs } from './bench-args.mjs';
import { writeCardTree } from './corpus.mjs';

const root = path.resolve(import.meta.dirname, '..');
if (!existsSync(path.join(root, 'dist/index.js'))) {
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root });
}
const lib = await import(path.join(root, 'dist/index.js'));
const args = benchArgs(
  'node bench/fast-paths.bench.mjs\n\nWhat each hand-written fast path (the Markdown scanner, the simple YAML reader) saves against\nthe library it stands in for, per card and for 10,000 cards, and how often it is taken.',
  {
    runs: {
      type: 'string',
      default: '7',
      env: 'BENCH_RUNS',
      describe: 'passes over all cards (medians)',
    },
  },
);
const RUNS = Number(args.runs);
const dir = path.join(root, 'bench/.corpus/cards-1000');
writeCardTree(dir, 1000);
const files = readdirSync(path.join(dir, 'docs/cards'), { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((f) => ({
    path: `docs/cards/${f}`,
    text: readFileSync(path.join(dir, 'docs/cards', f), 'utf8'),
  }));

function medianMs(fn) {
  fn();
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const cards = files.map((f) =>
  lib.parseCardFrontmatter(f.text, { path: f.path, absPath: path.join(dir, f.path) }),
);
const bodies = () => cards.map((c, i) => ({ ...c, diagnostics: [], text: files[i].text }));
const scanned = cards.filter(
  (c, i) => lib.scanMarkdown(files[i].text, { stem: c.stem, startLine: c.bodyLine }) !== null,
).length;
const scanner = medianMs(() => {
  for (const c of bodies()) lib.parseCardBody(c, c.text);
});
const remark = medianMs(() => {
  for (const c of bodies()) lib.parseCardBodyWithRemark(c, c.text);
});

const yamls = files.map((f) => lib.splitFrontmatter(f.text).yaml);
const opts = { path: 'p', line: 2 };
const simple = yamls.filter((y) => lib.parseSimpleYaml(y, 2) !== null).length;
const fastYaml = medianMs(() => {
  for (const y of yamls) lib.parseFrontmatter(y, opts);
});
const slowYaml = medianMs(() => {
  for (const y of yamls) lib.parseFrontmatterWithYaml(y, opts);
});
const loadYaml = [];
for (let i = 0; i < 5; i++) {
  const out = spawnSync(process.execPath, [
    '-e',
    `const t = performance.now(); require(${JSON.stringify(path.join(root, 'dist/lib/yaml.cjs'))}); console.log(performance.now() - t)`,
  ]);
  loadYaml.push(Number(String(out.stdout)));
}
loadYaml.sort((a, b) => a - b);

const n = files.length;
const per = (ms) => `${((ms / n) * 1000).toFixed(0)} µs`;
const at10k = (ms) => `${((ms / n) * 10).toFixed(2)} s`;
console.log(`fast paths on ${n} corpus cards, median of ${RUNS} passes (node ${process.version})`);
console.log(
  '| fast path | share taken | per card, fast | per card, library | 10,000 cards, fast | 10,000 cards, library |',
);
console.log('|---|---|---|---|---|---|');
console.log(
  `| Markdown scanner vs remark | ${scanned}/${n} | ${per(scanner)} | ${per(remark)} | ${at10k(scanner)} | ${at10k(remark)} |`,
);
console.log(
  `| simple YAML vs yaml | ${simple}/${n} | ${per(fastYaml)} | ${per(slowYaml)} | ${at10k(fastYaml)} | ${at10k(slowYaml)} |`,
);
console.log(
  `loading the yaml package (dist/lib/yaml.cjs) in a fresh process: ${loadYaml[2].toFixed(1)} ms (median of 5)`,
);
