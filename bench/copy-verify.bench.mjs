// Copy-and-verify benchmark: generate the Immich-shaped dataset on one real PostgreSQL server, copy
// it to a second one by hand with `pg_dump -Fc` + `pg_restore -j2`, then verify the copy with the
// verification library in a separate process (so its memory peak is its own).
//
//   node bench/copy-verify.bench.mjs [--size 1GB] [--json]
//   MIKADO_BENCH_SIZE=100MB node bench/copy-verify.bench.mjs
//
// Prints the generation, dump, restore and verification times, verification / copy (goal ≤ 0.5)
// and the verifying process's peak RSS. Needs dist/ and sandbox/dist/ (built if missing).
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { benchArgs } from './bench-args.mjs';

const run = promisify(execFile);
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));

function parseSize(text) {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?$/i.exec(String(text).trim());
  if (!m) throw new Error(`Unexpected size \`${text}\`, expected e.g. 1GB, 200MB`);
  const unit = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9 }[(m[2] ?? 'B').toUpperCase()];
  return Math.round(Number(m[1]) * unit);
}

const args = benchArgs(
  'node bench/copy-verify.bench.mjs [options]\n\nCopies the Immich-shaped dataset between two real PostgreSQL servers with pg_dump -Fc and\npg_restore -j2, then verifies the copy: generation, dump, restore and verification times and\nthe verifying process peak RSS.',
  {
    size: {
      type: 'string',
      default: '1GB',
      env: 'MIKADO_BENCH_SIZE',
      describe: 'dataset size, e.g. 100MB, 1GB',
    },
    json: { type: 'boolean', describe: 'print the results as JSON' },
  },
);
const bytes = parseSize(args.size);
const json = args.json === true;

for (const pkg of ['.', 'sandbox']) {
  if (!existsSync(path.join(root, pkg, 'dist', 'index.js'))) {
    execFileSync(process.execPath, [path.join(root, pkg, 'scripts', 'build.mjs')], {
      stdio: 'inherit',
    });
  }
}
const sandbox = await import(path.join(root, 'sandbox', 'dist', 'index.js'));

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const mb = (b) => `${(b / 1e6).toFixed(0)} MB`;
const log = (line) => {
  if (!json) process.stdout.write(`${line}\n`);
};
const timed = async (fn) => {
  const t = performance.now();
  const value = await fn();
  return [performance.now() - t, value];
};

const dir = mkdtempSync(path.join(tmpdir(), 'mikado-bench-copy-'));
const source = new sandbox.PgServer(path.join(dir, 'source'));
const target = new sandbox.PgServer(path.join(dir, 'target'));
try {
  await source.init();
  await target.init();
  await source.start();
  await target.start();
  await source.query('create database immich');
  await target.query('create database immich');
  const bin = source.binDir;
  log(`copy-verify: target size ${mb(bytes)}, PostgreSQL binaries ${bin}`);

  const [genMs, summary] = await timed(() =>
    sandbox.generateDataset(source.connectionString('immich'), { targetBytes: bytes, seed: 1 }),
  );
  const rows = Object.values(summary.rows).reduce((a, b) => a + b, 0);
  log(
    `  generate         ${seconds(genMs)}  (${mb(summary.databaseBytes)}, ${rows} rows, ${summary.rows['public.assets']} assets)`,
  );

  const dumpFile = path.join(dir, 'immich.dump');
  const [dumpMs] = await timed(() =>
    run(path.join(bin, 'pg_dump'), [
      '-Fc',
      '-f',
      dumpFile,
      '-d',
      source.connectionString('immich'),
    ]),
  );
  log(`  pg_dump -Fc      ${seconds(dumpMs)}  (${mb(statSync(dumpFile).size)} file)`);
  const [restoreMs] = await timed(() =>
    run(path.join(bin, 'pg_restore'), [
      '-j2',
      '--no-owner',
      '-d',
      target.connectionString('immich'),
      dumpFile,
    ]),
  );
  log(`  pg_restore -j2   ${seconds(restoreMs)}`);
  const copyMs = dumpMs + restoreMs;
  log(`  copy total       ${seconds(copyMs)}`);

  // Verify in a child process so its peak RSS is the verifier's alone.
  const child = `
    const lib = await import(${JSON.stringify(path.join(root, 'dist', 'index.js'))});
    const t = performance.now();
    const report = await lib.verifyDatabases(process.argv[1], process.argv[2]);
    const ms = performance.now() - t;
    process.stdout.write(JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS, ok: report.ok,
      failures: report.failures, chunks: report.tables.reduce((n, x) => n + x.chunks, 0),
      summary: lib.formatVerification(report) }));
  `;
  const out = await new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        child,
        source.connectionString('immich'),
        target.connectionString('immich'),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let text = '';
    p.stdout.on('data', (d) => {
      text += d;
    });
    p.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(text)) : reject(new Error(`verifier exited ${code}`)),
    );
  });
  const ratio = out.ms / copyMs;
  log(
    `  verify           ${seconds(out.ms)}  (${out.ok ? 'passed' : 'FAILED'}, ${out.chunks} chunks)`,
  );
  log(`  verify / copy    ${ratio.toFixed(2)}  (goal ≤ 0.50)`);
  log(`  verifier peak    ${(out.maxRssKb / 1024).toFixed(0)} MB RSS`);
  if (!out.ok) log(out.summary);
  const result = {
    bench: 'copy-verify',
    targetBytes: bytes,
    databaseBytes: summary.databaseBytes,
    rows,
    generateMs: Math.round(genMs),
    dumpMs: Math.round(dumpMs),
    restoreMs: Math.round(restoreMs),
    copyMs: Math.round(copyMs),
    verifyMs: Math.round(out.ms),
    ratio: Number(ratio.toFixed(3)),
    verifierPeakRssMb: Math.round(out.maxRssKb / 1024),
    ok: out.ok,
  };
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  if (!out.ok) process.exitCode = 1;
} finally {
  await target.stop({ mode: 'immediate' }).catch(() => undefined);
  await source.stop({ mode: 'immediate' }).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}
