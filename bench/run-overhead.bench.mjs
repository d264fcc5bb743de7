// Benchmark: overhead of one no-op `ts run` block, as whole-process time, against `node -e 0`.
// A block costs one Node process (its own process group), transpiling, three fsync'd journal
// records and its log. Target: ≤ 100 ms over `node -e 0` per block.
//
//   node bench/run-overhead.bench.mjs [--blocks 20] [--rounds 5]
//
// Builds dist/ first if it is missing. Runs `mikado run --force` on a temp git repository with a
// card of N no-op blocks and on one with none; per block = (T(N) - T(0)) / N, medians of rounds.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchArgs } from './bench-args.mjs';

const root = path.resolve(import.meta.dirname, '..');
const args = benchArgs(
  'node bench/run-overhead.bench.mjs [options]\n\nThe overhead of one no-op `ts run` block as whole-process time, against `node -e 0`\n(target: at most 100 ms per block).',
  {
    blocks: { type: 'string', default: '20', describe: 'no-op blocks in the card' },
    rounds: { type: 'string', default: '5', describe: 'rounds (the median is reported)' },
  },
);
const blocks = Number(args.blocks);
const rounds = Number(args.rounds);

if (!existsSync(path.join(root, 'dist/block-runner.js'))) {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
}
const bin = path.join(root, 'bin/mikado.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'mikado-bench-run-'));
const env = {
  ...process.env,
  NO_COLOR: '1',
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@mikado.invalid',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@mikado.invalid',
};

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function time(cmd, args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: dir, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return ms;
}

try {
  mkdirSync(path.join(dir, 'docs/cards'), { recursive: true });
  const card = (n, code = '// nothing') =>
    [
      '---',
      `title: ${n} no-op blocks`,
      'modified: 2025-01-01',
      'status: active',
      '---',
      '',
      ...Array.from({ length: n }, (_, i) => `\`\`\`ts run name=noop-${i}\n${code}\n\`\`\`\n`),
    ].join('\n');
  writeFileSync(path.join(dir, 'docs/cards/many.md'), card(blocks));
  writeFileSync(path.join(dir, 'docs/cards/none.md'), card(0));
  // Blocks that use zx: the first use of a zx global loads zx (lazily) in the block's process.
  writeFileSync(path.join(dir, 'docs/cards/zx.md'), card(blocks, 'await $`true`;'));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  execFileSync('git', ['add', '-A'], { cwd: dir });
  execFileSync('git', ['commit', '-qm', 'bench'], { cwd: dir, env });

  // Warm up the file cache.
  time(process.execPath, ['-e', '0']);
  time(process.execPath, [bin, 'run', 'many', '--force']);

  const nodeMs = [];
  const noneMs = [];
  const manyMs = [];
  const zxMs = [];
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < 5; i++) nodeMs.push(time(process.execPath, ['-e', '0']));
    noneMs.push(time(process.execPath, [bin, 'run', 'none', '--force']));
    manyMs.push(time(process.execPath, [bin, 'run', 'many', '--force']));
    zxMs.push(time(process.execPath, [bin, 'run', 'zx', '--force']));
  }
  const journal = readFileSync(path.join(dir, '.mikado/journal/default.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((j) => j.type === 'block-end' && j.card === 'many')
    .map((j) => j.durationMs);

  const node = median(nodeMs);
  const perBlock = (median(manyMs) - median(noneMs)) / blocks;
  const overhead = perBlock - node;
  console.log(
    `run-overhead: ${blocks} no-op blocks, ${rounds} rounds, medians (${os.cpus().length} cores, Node ${process.version})`,
  );
  console.log(`  node -e 0                         ${node.toFixed(1)} ms`);
  console.log(`  mikado run, card without blocks   ${median(noneMs).toFixed(1)} ms`);
  console.log(`  mikado run, ${blocks} no-op blocks       ${median(manyMs).toFixed(1)} ms`);
  console.log(`  per block (whole process)         ${perBlock.toFixed(1)} ms`);
  console.log(`  block spawn-to-exit (journal)     ${median(journal).toFixed(1)} ms`);
  console.log(
    `  per block running $\`true\` (zx)     ${((median(zxMs) - median(noneMs)) / blocks).toFixed(1)} ms`,
  );
  console.log(
    `  overhead over node -e 0           ${overhead.toFixed(1)} ms (target ≤ 100 ms: ${overhead <= 100 ? 'met' : 'MISSED'})`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
