// The Immich chain benchmark: the whole chain (seven cards) in the sandbox on a source of the given
// size, by Option A (basebackup replica, promoted) and Option B (pg_dump -Fc / pg_restore -j2),
// against the same data steps done by hand with the raw tools (the sandbox's kubectl, psql,
// pg_dump and pg_restore through `kubectl exec`, no runner, row counts as the only check).
//
//   node bench/immich-chain.bench.mjs [--size 1GB] [--method A|B|both] [--json]
//   MIKADO_BENCH_SIZE=100MB node bench/immich-chain.bench.mjs
//
// Reports per method, in one run: the downtime window (from the `quiesce` block's start to the end
// of `switch-to-ringtail`, when ringtail serves under the tailnet name; also to the end of
// `route-to-ringtail`, Caddy) split into its blocks and the runner's time between them, Option B's
// final sync split into pg_dump and pg_restore, how much the verification hashed in the window,
// the online comparison before it (Option A), the rehearsal's window, and the total time. Next to
// it, the same data steps by hand, split the same way (by hand: from the scale-down to the last
// count; Option B's pg_dump -Fc + copy + pg_restore -j2 is the figure Option B's window is held
// to). Needs dist/ and sandbox/dist/ (built if missing); runs as root like the tests.
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
import { benchArgs } from './bench-args.mjs';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const args = benchArgs(
  'node bench/immich-chain.bench.mjs [options]\n\nRuns the whole Immich chain in the sandbox by Option A and/or B against the same data steps done\nby hand, and reports the downtime window, the rehearsal window and the total per method.',
  {
    size: {
      type: 'string',
      default: '1GB',
      env: 'MIKADO_BENCH_SIZE',
      describe: 'dataset size: tiny, small, 100MB, 1GB, ...',
    },
    method: {
      type: 'string',
      default: 'both',
      env: 'MIKADO_BENCH_METHOD',
      describe: 'A, B or both',
    },
    json: { type: 'boolean', describe: 'print the results as JSON' },
  },
);
const size = args.size;
const methodArg = args.method;
const methods = methodArg === 'both' ? ['A', 'B'] : [methodArg];
const json = args.json === true;
const log = (line) => {
  if (!json) process.stdout.write(`${line}\n`);
};
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

for (const [pkg, built] of [
  ['.', 'cli.js'],
  ['sandbox', 'sandbox-kubectl.cjs'],
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

/** The repository the chain's ArgoCD Applications deploy from (`spec.source.repoURL`). */
const OPS_REPO_URL = 'https://forge.ops.eblu.me/eblume/blumeops.git';

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
  // The operator works on the goal's branch of the ops repository.
  execFileSync('git', ['checkout', '-q', '-b', 'mikado/migrate-immich-to-ringtail'], { cwd: dir });
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
  const remove = () => {
    try {
      mikado(['sandbox', 'down']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const t = performance.now();
  mikado(['sandbox', 'up', '--size', size]);
  const upMs = performance.now() - t;
  try {
    // The preflight wants the commit where the ArgoCD Applications read it: the remote they
    // name, which `sandbox up` routes to the sandbox's forge, pushed (as the chain's tests do).
    execFileSync('git', ['remote', 'add', 'origin', OPS_REPO_URL], { cwd: dir });
    execFileSync('git', ['push', '-q', '-u', 'origin', 'HEAD'], { cwd: dir, env: baseEnv });
  } catch (e) {
    remove();
    throw e;
  }
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
    remove,
  };
}

function journal(dir) {
  const file = path.join(dir, '.mikado/journal/sandbox.jsonl');
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** Blocks of the downtime window, in order: from the quiesce to traffic on ringtail. */
const WINDOW_BLOCKS = [
  'quiesce',
  'final-sync',
  'verify-final-sync',
  'free-tailnet-name',
  'switch-to-ringtail',
];

/** Seconds a block logged for a step (`... in 12.3 s`, `...: 12.3 s`), from its log file. */
function loggedSeconds(dir, record, pattern) {
  if (!record?.log) return undefined;
  const file = path.isAbsolute(record.log) ? record.log : path.join(dir, record.log);
  if (!existsSync(file)) return undefined;
  const m = pattern.exec(readFileSync(file, 'utf8'));
  return m ? Number(m[1]) * 1000 : undefined;
}

/**
 * The chain by mikado: total wall time, the downtime window split into its blocks (and the runner's
 * time between them), the final sync split into dump and restore (Option B), the verification's
 * incremental figures, the online comparison, the rehearsal's window.
 */
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
    const find = (type, block) =>
      records.filter((r) => r.type === type && r.block === block).at(-1);
    const at = (type, block) => Date.parse(find(type, block).at);
    const lastSet = (key) => records.filter((r) => r.type === 'set' && r.key === key).at(-1)?.value;
    const start = at('block-start', 'quiesce');
    // Each block from its journal start to its end (the same clock as the window), so that what
    // is left is the runner's own time between blocks.
    const span = (b) => at('block-end', b) - at('block-start', b);
    const parts = Object.fromEntries(WINDOW_BLOCKS.map((b) => [b, span(b)]));
    const servedMs = at('block-end', 'switch-to-ringtail') - start;
    const routedMs = at('block-end', 'route-to-ringtail') - start;
    const inBlocks = WINDOW_BLOCKS.reduce((n, b) => n + parts[b], 0);
    const finalSync = find('block-end', 'final-sync');
    const verdict = lastSet('verdict:immich.final-sync');
    const online = lastSet('immich.online-compare');
    const rehearsal = lastSet('verdict:immich.rehearsal');
    return {
      totalMs,
      windowMs: servedMs,
      routedMs,
      parts: { ...parts, betweenBlocks: servedMs - inBlocks },
      dumpMs: loggedSeconds(
        repo.dir,
        finalSync,
        /pg_dump of the stopped source: \d+ bytes in ([\d.]+) s/,
      ),
      restoreMs: loggedSeconds(repo.dir, finalSync, /pg_restore --create -j\d+: ([\d.]+) s/),
      since: verdict?.details?.since ?? null,
      onlineCompareMs: online?.comparison?.durationMs,
      rehearsalWindowMs: rehearsal?.details?.windowMs,
      blocks: records
        .filter((r) => r.type === 'block-end')
        .map((r) => ({ block: r.block, ms: r.durationMs })),
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
    const copySecret = (name, newName, keys) => {
      const s = JSON.parse(k([...src, 'get', 'secret', name, '-o', 'json']));
      const copy = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: newName, namespace: 'databases' },
        type: keys ? 'Opaque' : s.type,
        data: keys ? Object.fromEntries(keys.map((key) => [key, s.data[key]])) : s.data,
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
      // The replica logs in as `streaming_replica` with its certificate and checks the source's
      // server certificate against its CA, as start-replica sets it up.
      copySecret('immich-pg-replication', 'immich-pg-minikube-replication');
      copySecret('immich-pg-ca', 'immich-pg-minikube-ca', ['ca.crt']);
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
    const marks = { quiesced: performance.now() };
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
      marks.dumped = performance.now();
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
      marks.copied = performance.now();
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
      marks.restored = performance.now();
      log(`  [${method}] by hand: dump ${(statSync(file).size / 1e6).toFixed(0)} MB`);
    }
    marks.synced = performance.now();
    const a = psql(src, 'immich', COUNTS);
    const b = psql(tgt, 'immich', COUNTS);
    const end = performance.now();
    if (a !== b) throw new Error(`by hand: counts differ:\n${a}\n${b}`);
    const parts =
      method === 'A'
        ? { quiesce: marks.quiesced - tw, replayAndPromote: marks.synced - marks.quiesced }
        : {
            quiesce: marks.quiesced - tw,
            dump: marks.dumped - marks.quiesced,
            copy: marks.copied - marks.dumped,
            restore: marks.restored - marks.copied,
          };
    parts.counts = end - marks.synced;
    return { totalMs: end - t0, windowMs: end - tw, parts };
  } finally {
    repo.remove();
  }
}

const results = [];
const split = (parts) =>
  Object.entries(parts)
    .filter(([, ms]) => ms !== undefined)
    .map(([name, ms]) => `${name} ${secs(ms)}`)
    .join(', ');
/** Runs one side of the benchmark; a failure is its message and exit 2, not a stack trace. */
function attempt(what, run) {
  try {
    return run();
  } catch (e) {
    process.stderr.write(`immich-chain: ${what} failed: ${e instanceof Error ? e.message : e}\n`);
    process.exit(2);
  }
}

for (const method of methods) {
  log(`immich-chain: Option ${method}, source ${size}`);
  const m = attempt(`Option ${method} by mikado`, () => byMikado(method));
  log(
    `  [${method}] mikado: total ${secs(m.totalMs)}; window (quiesce start to ringtail serving) ${secs(m.windowMs)}`,
  );
  log(`  [${method}]   ${split(m.parts)}`);
  if (m.dumpMs !== undefined)
    log(
      `  [${method}]   final sync: pg_dump ${secs(m.dumpMs)}, pg_restore ${secs(m.restoreMs ?? 0)}`,
    );
  if (m.since) {
    log(
      `  [${method}]   verification: ${m.since.rehashed} of ${m.since.chunks} chunks hashed in the window${
        m.onlineCompareMs !== undefined
          ? `; online comparison before it ${secs(m.onlineCompareMs)}`
          : ''
      }`,
    );
  }
  log(
    `  [${method}]   until Caddy routes to ringtail: ${secs(m.routedMs)}; rehearsal window ${secs(m.rehearsalWindowMs ?? 0)}`,
  );
  const h = attempt(`Option ${method} by hand`, () => byHand(method));
  log(
    `  [${method}] by hand: window ${secs(h.windowMs)} (${split(h.parts)}), data path ${secs(h.totalMs)}`,
  );
  results.push({ method, size, mikado: m, byHand: h });
}

if (json) {
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} else {
  const byHandDumpRestore = (h) =>
    (h.parts.dump ?? 0) + (h.parts.copy ?? 0) + (h.parts.restore ?? 0);
  log('');
  log(
    '| option | size | window: quiesce → ringtail serves | quiesce | final sync | verification | free name + switch | between blocks | by hand: window (counts only) | by hand: pg_dump + copy + pg_restore | mikado total |',
  );
  log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const p = r.mikado.parts;
    const dr = byHandDumpRestore(r.byHand);
    log(
      `| ${r.method} | ${r.size} | ${secs(r.mikado.windowMs)} | ${secs(p.quiesce)} | ${secs(p['final-sync'])} | ${secs(p['verify-final-sync'])} | ${secs(p['free-tailnet-name'] + p['switch-to-ringtail'])} | ${secs(p.betweenBlocks)} | ${secs(r.byHand.windowMs)} | ${dr ? `${secs(dr)} (window / this: ${(r.mikado.windowMs / dr).toFixed(2)})` : '-'} | ${secs(r.mikado.totalMs)} |`,
    );
  }
}
