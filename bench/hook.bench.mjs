// Benchmark of the commit hooks, measured as whole processes (the installed sh scripts, as git
// runs them), against the goals:
//   1. commit-msg on a non-Mikado branch (<= 0.06 s): the script decides in sh, Node never starts;
//   2. commit-msg on a Mikado branch with 100 commits in a repository of 10,000 cards: <= 0.5 x
//      the original Python hook (`mikado-branch-invariant-check`) measured side by side, when it
//      is given: MIKADO_ORIGINAL_HOOK=/path/to/mikado-branch-invariant-check and
//      MIKADO_ORIGINAL_PYTHON=/path/to/python (with typer and rich; default `python3`);
//   3. pre-commit with one staged card among 10,000 (<= 0.15 s), timed twice: with the same
//      staged version each run, and with a new version staged before each run (as in a run of
//      commits).
// Run alone with `node bench/hook.bench.mjs [--only commit-msg|pre-commit]` (builds dist/ if
// needed); uses hyperfine when it is installed, else a plain loop. The corpus is generated under
// bench/.corpus/ (git-ignored). BENCH_RUNS sets the runs (default 30).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { benchArgs } from './bench-args.mjs';

const args = benchArgs(
  'node bench/hook.bench.mjs [--only commit-msg|pre-commit]\n\nTimes the installed commit-msg and pre-commit hooks on a 10,000-card corpus against their goals.\nSet MIKADO_ORIGINAL_HOOK and MIKADO_ORIGINAL_PYTHON to time the original Python hook beside them.',
  {
    only: { type: 'string', describe: 'commit-msg or pre-commit: time only that hook' },
    runs: { type: 'string', default: '30', env: 'BENCH_RUNS', describe: 'runs per measure' },
  },
);
if (args.only && !['commit-msg', 'pre-commit'].includes(args.only)) {
  process.stderr.write(`Unexpected --only ${args.only}, expected commit-msg or pre-commit\n`);
  process.exit(2);
}
const only = (name) => args.only === undefined || args.only === name;

const root = path.resolve(import.meta.dirname, '..');
const corpus = path.join(root, 'bench/.corpus/hook-10k');
const CARDS = 10_000;
const COMMITS = 100;
const RUNS = Number(args.runs);

const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_'))),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: path.join(root, 'bench/.corpus/gitconfig'),
  NO_COLOR: '1',
};
const git = (args, opts = {}) =>
  execFileSync('git', args, { cwd: corpus, env, encoding: 'utf8', maxBuffer: 1 << 28, ...opts });

function cardText(stem, fields = {}) {
  const lines = ['---', `title: Card ${stem}`, 'modified: 2026-05-13', 'tags:', '  - bench'];
  if (fields.status) lines.push('status: active');
  if (fields.requires?.length) lines.push('requires:', ...fields.requires.map((r) => `  - ${r}`));
  if (fields.branch) lines.push(`branch: ${fields.branch}`);
  lines.push('---', '', `# Card ${stem}`, '', 'Some prose with a [[card-00001]] link.', '');
  return lines.join('\n');
}

function write(rel, text) {
  const abs = path.join(corpus, rel);
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, text);
}

function commit(message) {
  git(['add', '-A']);
  git(['commit', '-q', '--no-verify', '--allow-empty', '-m', message]);
}

/** 10,000 cards on main; on mikado/bench: 10 plan commits, then 30 cycles of impl, impl, close. */
function makeCorpus() {
  const stamp = path.join(corpus, '.git/mikado-bench-v1');
  if (existsSync(stamp)) return;
  rmSync(corpus, { recursive: true, force: true });
  mkdirSync(corpus, { recursive: true });
  writeFileSync(env.GIT_CONFIG_GLOBAL, '[user]\n\tname = Bench\n\temail = bench@mikado.invalid\n');
  git(['init', '-q', '-b', 'main']);
  for (let i = 0; i < CARDS; i++) {
    const stem = `card-${String(i).padStart(5, '0')}`;
    write(`docs/cards/topic-${String(i % 100).padStart(2, '0')}/${stem}.md`, cardText(stem));
  }
  write('src/app.txt', 'app\n');
  commit('10,000 cards');
  git(['checkout', '-q', '-b', 'mikado/bench']);
  const leaves = Array.from({ length: 30 }, (_, i) => `leaf-${String(i).padStart(2, '0')}`);
  const goalPath = 'docs/cards/chains/bench.md';
  let n = 0;
  for (let p = 0; p < 10; p++) {
    const planned = leaves.slice(0, (p + 1) * 3);
    write(goalPath, cardText('bench', { status: true, branch: 'mikado/bench', requires: planned }));
    for (const l of leaves.slice(p * 3, (p + 1) * 3))
      write(`docs/cards/chains/${l}.md`, cardText(l, { status: true }));
    commit(`C2(bench): plan ${planned.slice(-3).join(', ')}`);
    n++;
  }
  for (const l of leaves) {
    for (let k = 0; k < 2; k++) {
      write(`src/${l}-${k}.txt`, `${l} ${k}\n`);
      commit(`C2(bench): impl ${l} part ${k + 1}`);
      n++;
    }
    write(`docs/cards/chains/${l}.md`, cardText(l));
    commit(`C2(bench): close ${l}`);
    n++;
  }
  if (n !== COMMITS) throw new Error(`expected ${COMMITS} commits, made ${n}`);
  git(['checkout', '-q', '-b', 'feature/other']);
  git(['checkout', '-q', 'mikado/bench']);
  writeFileSync(stamp, '');
}

/**
 * Times a command as a whole process.
 * @param {string} label what is timed
 * @param {string[]} argv the command
 * @param {string} cwd where it runs
 * @param {string} [prepare] a shell command run before each run, not timed
 */
function measure(label, argv, cwd, prepare) {
  const msg = path.join(corpus, '.git/BENCH_MSG');
  writeFileSync(msg, 'C2(bench): impl the next step\n');
  const before = () =>
    prepare && execFileSync('sh', ['-c', prepare], { cwd, env, stdio: 'ignore' });
  before();
  const check = spawnSync(argv[0], argv.slice(1), { cwd, env, encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`${label}: exit ${check.status}\n${check.stderr}`);
  const hyperfine = spawnSync('hyperfine', ['--version']).status === 0;
  if (hyperfine) {
    const out = path.join(corpus, '.git/hyperfine.json');
    const cmd = argv.map((a) => (/[^\w./=-]/.test(a) ? `'${a}'` : a)).join(' ');
    const prepared = prepare ? ['--prepare', `sh -c '${prepare.replaceAll("'", "'\\''")}'`] : [];
    execFileSync(
      'hyperfine',
      ['-N', '--warmup', '3', '--runs', String(RUNS), ...prepared, '--export-json', out, cmd],
      {
        cwd,
        env,
        stdio: 'ignore',
      },
    );
    const r = JSON.parse(readFileSync(out, 'utf8')).results[0];
    return {
      label,
      mean: r.mean,
      median: r.median,
      stddev: r.stddev,
      min: r.min,
      cpu: r.user + r.system,
      tool: 'hyperfine',
    };
  }
  const times = [];
  for (let i = 0; i < RUNS + 3; i++) {
    before();
    const t = process.hrtime.bigint();
    spawnSync(argv[0], argv.slice(1), { cwd, env });
    if (i >= 3) times.push(Number(process.hrtime.bigint() - t) / 1e9);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return { label, mean, median: times[Math.floor(times.length / 2)], min: times[0], tool: 'loop' };
}

if (!existsSync(path.join(root, 'dist/cli.js'))) {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
}
const t0 = Date.now();
makeCorpus();
const setup = (Date.now() - t0) / 1000;
// the hooks as this checkout installs them (a cached corpus may hold older ones)
execFileSync(process.execPath, [path.join(root, 'bin/mikado.js'), 'hook', 'install'], {
  cwd: corpus,
  env,
});
// Stage a change so the hook has a real diff to read, as in a commit.
write('src/next.txt', `next ${Date.now()}\n`);
git(['add', 'src/next.txt']);

const hook = ['sh', '.git/hooks/commit-msg', '.git/BENCH_MSG'];
let other;
let mikado;
let direct;
if (only('commit-msg')) {
  git(['checkout', '-q', 'feature/other']);
  other = measure('commit-msg hook, non-Mikado branch', hook, corpus);
  git(['checkout', '-q', 'mikado/bench']);
  mikado = measure(
    `commit-msg hook, mikado/* with ${COMMITS} commits, ${CARDS} cards`,
    hook,
    corpus,
  );
  direct = measure(
    'node bin/mikado.js hook commit-msg (same branch, no sh gate)',
    [process.execPath, path.join(root, 'bin/mikado.js'), 'hook', 'commit-msg', '.git/BENCH_MSG'],
    corpus,
  );
}
// The original hook reads the repository above its own folder (`Path(__file__).parent.parent`).
const originalHook = only('commit-msg') ? process.env.MIKADO_ORIGINAL_HOOK : undefined;
let pythonHook;
if (originalHook) {
  const copy = path.join(corpus, '.mikado-original', 'mikado-branch-invariant-check');
  mkdirSync(path.dirname(copy), { recursive: true });
  writeFileSync(copy, readFileSync(originalHook));
  pythonHook = measure(
    'original Python hook (mikado-branch-invariant-check), same branch',
    [process.env.MIKADO_ORIGINAL_PYTHON ?? 'python3', copy, '.git/BENCH_MSG'],
    corpus,
  );
}
git(['reset', '-q']);
// pre-commit with one staged card: the check rules on it, the graph rules against all 10,000.
const staged = 'docs/cards/topic-01/card-00001.md';
const original = readFileSync(path.join(corpus, staged), 'utf8');
write(staged, original.replace('Some prose', 'Changed prose'));
git(['add', staged]);
const preCommit = only('pre-commit')
  ? measure('pre-commit hook, one staged card of 10,000', ['sh', '.git/hooks/pre-commit'], corpus)
  : undefined;
// As in a run of commits: the staged card is a new blob each time (the hook's reading of the
// index then has a changed entry to read, and writes its snapshot again).
const preCommitNew = only('pre-commit')
  ? measure(
      'pre-commit hook, the same with a new version of the card staged before each run',
      ['sh', '.git/hooks/pre-commit'],
      corpus,
      `date +%s%N >> ${staged} && git add ${staged}`,
    )
  : undefined;
// what Node costs on this machine now, to read the figures above against
const nodeFloor = measure(
  'node -e 0 (the floor, for comparison)',
  [process.execPath, '-e', '0'],
  corpus,
);
// The hooks start Node without NODE_EXTRA_CA_CERTS, which Node 20 reads as it starts.
const nodeBare =
  process.env.NODE_EXTRA_CA_CERTS === undefined
    ? undefined
    : measure(
        'node -e 0 without NODE_EXTRA_CA_CERTS (as the hooks start Node)',
        ['env', '-u', 'NODE_EXTRA_CA_CERTS', process.execPath, '-e', '0'],
        corpus,
      );
git(['reset', '-q']);
write(staged, original);

const goals = new Map([
  [other?.label, { limit: 0.06, text: '<= 0.06 s' }],
  [preCommit?.label, { limit: 0.15, text: '<= 0.15 s' }],
  [preCommitNew?.label, { limit: 0.15, text: '<= 0.15 s' }],
]);
if (pythonHook) {
  goals.set(mikado.label, {
    limit: 0.5 * pythonHook.median,
    text: `<= 0.5 x the Python hook = ${(0.5 * pythonHook.median).toFixed(3)} s; ${(mikado.median / pythonHook.median).toFixed(2)} x`,
  });
}
console.log(
  `hook benchmark (corpus ${setup > 1 ? `built in ${setup.toFixed(1)} s` : 'cached'}, ${RUNS} runs, ${nodeFloor.tool}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')})`,
);
for (const r of [
  other,
  mikado,
  direct,
  pythonHook,
  preCommit,
  preCommitNew,
  nodeFloor,
  nodeBare,
].filter(Boolean)) {
  const goal = goals.get(r.label);
  const verdict = goal ? `  (goal ${goal.text}: ${r.median <= goal.limit ? 'ok' : 'MISSED'})` : '';
  console.log(
    `  ${r.label}: median ${r.median.toFixed(3)} s, mean ${r.mean.toFixed(3)} s, min ${r.min.toFixed(3)} s${r.cpu === undefined ? '' : `, CPU ${r.cpu.toFixed(3)} s`}${verdict}`,
  );
}
if (!pythonHook && only('commit-msg')) {
  console.log(
    '  (set MIKADO_ORIGINAL_HOOK and MIKADO_ORIGINAL_PYTHON to measure the commit-msg goal against the original Python hook)',
  );
}
