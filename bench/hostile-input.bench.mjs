// Bounded work on hostile input, and the cost of planning a run from HEAD:
//   `mikado check` (cold) on a card holding one 1 MiB line: of `>` (nested block quotes, declined
//   by the nesting bound) and of plain text (parsed);
//   `mikado run --dry-run` of the shipped Immich chain (cards read from HEAD with one
//   `git ls-tree` and one `git cat-file --batch`, compared byte for byte with the work tree).
// Medians of several runs. Set MIKADO_BENCH_BIN to time another build of the binary.
// Target (issue 10, 2-core machine): under 1 s per card on any single card up to 1 MiB.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchArgs } from './bench-args.mjs';

const here = import.meta.dirname;
const project = path.resolve(here, '..');
const args = benchArgs(
  'node bench/hostile-input.bench.mjs\n\n`mikado check` on a card that is one line of about 1 MiB, and `mikado run --dry-run` of the\nshipped Immich chain (planned from the cards committed at HEAD).',
  {
    bin: {
      type: 'string',
      env: 'MIKADO_BENCH_BIN',
      describe: 'the binary to time (default bin/mikado.js)',
    },
  },
);
const bin = args.bin ?? path.join(project, 'bin/mikado.js');
if (!existsSync(path.join(path.dirname(bin), '../dist/cli.js'))) {
  console.error('dist/ is missing: run `npm run build` first.');
  process.exit(2);
}
const MiB = 1024 * 1024;
const FM = '---\ntitle: Hostile\nmodified: 2025-01-01\nstatus: active\n---\n# Hostile\n\n';

/** A git repository holding one card whose body is one line of `fill`, about 1 MiB in all. */
function oneLineTree(name, fill) {
  const dir = path.join(here, '.corpus', `hostile-${name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'docs/cards'), { recursive: true });
  const line = fill.repeat(Math.floor((MiB - FM.length - 2) / fill.length));
  writeFileSync(path.join(dir, 'docs/cards/hostile.md'), `${FM}${line}\n`);
  execFileSync('git', ['init', '-q'], { cwd: dir });
  return dir;
}

function once(args, cwd, before) {
  before?.();
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0 && r.status !== 1) {
    throw new Error(`mikado ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  return ms;
}

function median(args, cwd, runs, before) {
  once(args, cwd, before);
  const times = Array.from({ length: runs }, () => once(args, cwd, before)).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const row = (name, ms, target) =>
  console.log(`${name.padEnd(52)} ${fmt(ms).padStart(9)}${target ? `   (target ${target})` : ''}`);
const cold = (dir) => () => rmSync(path.join(dir, '.mikado'), { recursive: true, force: true });

console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} CPUs; medians\n`);
for (const [name, fill] of [
  ['`>` (nested block quotes)', '>'],
  ['plain text', 'a'],
]) {
  const dir = oneLineTree(name.startsWith('`') ? 'quotes' : 'text', fill);
  row(`check, one 1 MiB line of ${name}`, median(['check'], dir, 5, cold(dir)), '≤ 1 s');
}
row(
  'run --dry-run, the shipped Immich chain (homelab)',
  median(['run', 'migrate-immich-to-ringtail', '--dry-run', '--profile', 'homelab'], project, 7),
);
