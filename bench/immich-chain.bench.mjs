// The Immich chain benchmark: the whole chain (seven cards) in the sandbox on a source of the given
// size, by Option A (basebackup replica, promoted) and Option B (pg_dump -Fc / pg_restore -j2),
// against the same data steps done by hand with the raw tools (the sandbox's kubectl, psql,
// pg_dump and pg_restore through `kubectl exec`, no runner, row counts as the only check).
//
//   node bench/immich-chain.bench.mjs [--size 1GB] [--method A|B|both] [--json]
//   MIKADO_BENCH_SIZE=100MB node bench/immich-chain.bench.mjs
//
// Reports per method: the downtime window (quiesce to verified: from the quiesce block's start to
// the end of `verify-final-sync`; by hand: from the scale-down to the last count), the rehearsal's
// window, and the total time (the whole `mikado run`; by hand: the data path only, replica or
// dump and restore plus the window). Needs dist/ and sandbox/dist/ (built if missing); runs as root
// like the tests.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const argv = process.argv.slice(2);
const opt = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const size = opt('--size', process.env.MIKADO_BENCH_SIZE ?? '1GB');
const methodArg = opt('--method', process.env.MIKADO_BENCH_METHOD ?? 'both');
const methods = methodArg === 'both' ? ['A', 'B'] : [methodArg];
const json = argv.includes('--json');
const log = (line) => {
  if (!json) process.stdout.write(`${line}\n`);
};
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

for (const [pkg, built] of [
  ['.', 'cli.js'],
  ['sandbox', 'sandbox-kubectl.js'],
]) {
  if (!existsSync(path.join(root, pkg, 'dist', built))) {
    execFileSync(process.execPath, [path.join(root, pkg, 'scripts', 'build.mjs')], {
      stdio: 'inherit',
    });
  }
}
const BIN = path.join(root, 'bin', 'mikado.js');
const GIT_ENV = {
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@mikado.invalid',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@mikado.invalid',
};
const baseEnv = { ...process.env, NO_COLOR: '1', ...GIT_ENV };
delete baseEnv.MIKADO_SANDBOX_DIR;

/** A temp git repository with the chain, this package linked as `mikado-docs`, a sandbox up. */
function makeRepo() {
  const dir = mkdtempSync(path.join(tmpdir(), 'mikado-bench-chain-'));
  cpSync(path.join(root, 'docs/cards/immich'), path.join(dir, 'docs/cards/immich'), {
    recursive: true,
  });
  cpSync(path.join(root, 'mikado.config.yaml'), path.join(dir, 'mikado.config.yaml'));
  writeFileSync(path.join(dir, '.gitignore'), 'node_modules\n');
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(root, path.join(dir, 'node_modules/mikado-docs'));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  execFileSync('git', ['add', '-A'], { cwd: dir });
  execFileSync('git', ['commit', '-q', '-m', 'chain'], { cwd: dir, env: baseEnv });
  const mikado = (args, env = {}) => {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      cwd: dir,
      env: { ...baseEnv, ...env },
      encoding: 'utf8',
      maxBuffer: 256 * 2 ** 20,
    });
    if (r.status !== 0) {
      throw new Error(
        `mikado ${args.join(' ')} failed (${r.status}):\n${r.stdout.slice(-4000)}\n${r.stderr}`,
      );
    }
    return r.stdout;
  };
  const t = performance.now();
  mikado(['sandbox', 'up', '--size', size]);
  const upMs = performance.now() - t;
  const kubectlPath = path.join(dir, '.mikado/sandbox/bin/kubectl');
  const k = (args, opts = {}) =>
    execFileSync(kubectlPath, args, {
      cwd: dir,
      env: baseEnv,
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
      ...opts,
    });
  return {
    dir,
    upMs,
    mikado,
    k,
    kubectlPath,
    remove() {
      try {
        mikado(['sandbox', 'down']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function journal(dir) {
  const file = path.join(dir, '.mikado/journal/sandbox.jsonl');
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** The chain by mikado: total wall time, downtime window, the rehearsal's window. */
function byMikado(method) {
  const repo = makeRepo();
  try {
    log(`  [${method}] mikado: sandbox up (${size}) ${secs(repo.upMs)}; running the chain`);
    const t = performance.now();
    repo.mikado(['run', 'migrate-immich-to-ringtail', '--profile', 'sandbox', '--yes'], {
      MIKADO_MIGRATION_METHOD: method,
    });
    const totalMs = performance.now() - t;
    const records = journal(repo.dir);
    const at = (type, block) =>
      Date.parse(records.find((r) => r.type === type && r.block === block).at);
    const windowMs = at('block-end', 'verify-final-sync') - at('block-start', 'quiesce');
    const rehearsal = records
      .filter((r) => r.type === 'set' && r.key === 'verdict:immich.rehearsal')
      .at(-1);
    const blocks = records
      .filter((r) => r.type === 'block-end')
      .map((r) => ({ block: r.block, ms: r.durationMs }));
    return {
      totalMs,
      windowMs,
      rehearsalWindowMs: rehearsal?.value?.details?.windowMs,
      finalSyncMs: blocks.find((b) => b.block === 'final-sync')?.ms,
      verifyMs: blocks.find((b) => b.block === 'verify-final-sync')?.ms,
      blocks,
    };
  } finally {
    repo.remove();
  }
}

const COUNTS = `select string_agg(format('%s=%s', relname, n), ',' order by relname) from (
  select relname, (xpath('/row/c/text()', query_to_xml(format('select count(*) as c from %I.%I', schemaname, relname), false, true, '')))[1]::text::bigint as n
  from pg_stat_user_tables) s`;

/** The same data steps by hand with the raw tools (no runner, counts as the check). */
function byHand(method) {
  const repo = makeRepo();
  try {
    // Not timed: the operator and the empty ringtail cluster, as the chain's first two cards leave them.
    repo.mikado(['run', 'immich-pg-on-ringtail', '--profile', 'sandbox', '--yes']);
    const { k } = repo;
    const src = ['--context=minikube-indri', '-n', 'databases'];
    const tgt = ['--context=k3s-ringtail', '-n', 'databases'];
    const psql = (ctx, db, sql) =>
      k([
        ...ctx,
        'exec',
        'svc/immich-pg-rw',
        '-c',
        'postgres',
        '--',
        'psql',
        '-XAtq',
        '-d',
        db,
        '-c',
        sql,
      ]).trim();
    const until = (what, check) => {
      const end = Date.now() + 3_600_000;
      while (!check()) {
        if (Date.now() > end) throw new Error(`by hand: timed out waiting for ${what}`);
        spawnSync('sleep', ['0.2']);
      }
    };
    const copySecret = (name, newName) => {
      const s = JSON.parse(k([...src, 'get', 'secret', name, '-o', 'json']));
      const copy = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: newName, namespace: 'databases' },
        type: s.type,
        data: s.data,
      };
      k([...tgt, 'apply', '-f', '-'], { input: JSON.stringify(copy) });
    };
    const t0 = performance.now();
    if (method === 'A') {
      k([...tgt, 'delete', 'cluster.postgresql.cnpg.io', 'immich-pg', '--wait=true']);
      k([...tgt, 'delete', 'pvc', '-l', 'cnpg.io/cluster=immich-pg', '--wait=true']);
      k([
        ...tgt,
        'delete',
        'secret',
        'immich-pg-app',
        'immich-pg-superuser',
        '--ignore-not-found',
        '--wait=true',
      ]);
      copySecret('immich-pg-superuser', 'immich-pg-minikube-superuser');
      copySecret('immich-pg-superuser', 'immich-pg-superuser');
      copySecret('immich-pg-app', 'immich-pg-app');
      k(['--context=k3s-ringtail', 'apply', '-k', 'docs/cards/immich/manifests/immich-pg-replica']);
      k([
        ...tgt,
        'wait',
        '--for=condition=Ready',
        'cluster.postgresql.cnpg.io/immich-pg',
        '--timeout=3600s',
      ]);
    }
    const tw = performance.now();
    k([
      '--context=minikube-indri',
      '-n',
      'immich',
      'scale',
      'deployment',
      'immich-server',
      'immich-machine-learning',
      '--replicas=0',
    ]);
    until(
      'no sessions',
      () =>
        psql(
          src,
          'immich',
          "select count(*) from pg_stat_activity where datname = 'immich' and backend_type = 'client backend' and pid <> pg_backend_pid()",
        ) === '0',
    );
    if (method === 'A') {
      const lsn = psql(src, 'immich', 'select pg_current_wal_lsn()');
      until(
        'replay',
        () => psql(tgt, 'postgres', `select pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn`) === 't',
      );
      k([
        ...tgt,
        'patch',
        'cluster.postgresql.cnpg.io/immich-pg',
        '--type=merge',
        '-p',
        '{"spec":{"replica":{"enabled":false}}}',
      ]);
      until('promotion', () => psql(tgt, 'postgres', 'select pg_is_in_recovery()') === 'f');
    } else {
      const file = path.join(repo.dir, 'by-hand.dump');
      const out = openSync(file, 'w');
      spawnSync(
        repo.kubectlPath,
        [
          ...src,
          'exec',
          'svc/immich-pg-rw',
          '-c',
          'postgres',
          '--',
          'pg_dump',
          '-Fc',
          '-d',
          'immich',
        ],
        { stdio: ['ignore', out, 'inherit'] },
      );
      closeSync(out);
      psql(tgt, 'postgres', 'drop database if exists immich with (force)');
      psql(tgt, 'postgres', 'create database immich owner immich');
      const inp = openSync(file, 'r');
      spawnSync(
        repo.kubectlPath,
        [
          ...tgt,
          'exec',
          '-i',
          'svc/immich-pg-rw',
          '-c',
          'postgres',
          '--',
          'sh',
          '-c',
          'cat > /var/lib/postgresql/data/by-hand.dump',
        ],
        { stdio: [inp, 'ignore', 'inherit'] },
      );
      closeSync(inp);
      k([
        ...tgt,
        'exec',
        'svc/immich-pg-rw',
        '-c',
        'postgres',
        '--',
        'pg_restore',
        '--jobs=2',
        '--exit-on-error',
        '-d',
        'immich',
        '/var/lib/postgresql/data/by-hand.dump',
      ]);
      k([
        ...tgt,
        'exec',
        'svc/immich-pg-rw',
        '-c',
        'postgres',
        '--',
        'rm',
        '-f',
        '/var/lib/postgresql/data/by-hand.dump',
      ]);
      log(`  [${method}] by hand: dump ${(statSync(file).size / 1e6).toFixed(0)} MB`);
    }
    const a = psql(src, 'immich', COUNTS);
    const b = psql(tgt, 'immich', COUNTS);
    const end = performance.now();
    if (a !== b) throw new Error(`by hand: counts differ:\n${a}\n${b}`);
    return { totalMs: end - t0, windowMs: end - tw };
  } finally {
    repo.remove();
  }
}

const results = [];
for (const method of methods) {
  log(`immich-chain: Option ${method}, source ${size}`);
  const m = byMikado(method);
  log(
    `  [${method}] mikado: total ${secs(m.totalMs)}, window ${secs(m.windowMs)} (final sync ${secs(m.finalSyncMs)}, verification ${secs(m.verifyMs)}), rehearsal window ${secs(m.rehearsalWindowMs ?? 0)}`,
  );
  const h = byHand(method);
  log(`  [${method}] by hand: data path ${secs(h.totalMs)}, window ${secs(h.windowMs)}`);
  results.push({ method, size, mikado: m, byHand: h });
}

if (json) {
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} else {
  log('');
  log(
    `| option | size | mikado: window (quiesce → verified) | mikado: total (7 cards) | rehearsal window | by hand: window (quiesce → counted) | by hand: data path |`,
  );
  log('|---|---|---|---|---|---|---|');
  for (const r of results) {
    log(
      `| ${r.method} | ${r.size} | ${secs(r.mikado.windowMs)} | ${secs(r.mikado.totalMs)} | ${secs(r.mikado.rehearsalWindowMs ?? 0)} | ${secs(r.byHand.windowMs)} | ${secs(r.byHand.totalMs)} |`,
    );
  }
}
