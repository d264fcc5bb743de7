// Sandbox benchmark: how long `sandbox up` takes, what one stand-in call costs (the overhead a card
// pays per kubectl call in the sandbox; answered by the controller, and, for `get`, also as its own
// Node process, MIKADO_SANDBOX_OWN_PROCESS=1), and how fast the emulated CNPG operator bootstraps a
// pg_basebackup replica of the source and promotes it.
//
//   node bench/sandbox-stand-ins.bench.mjs [--size tiny|small|medium|large|500MB] [--calls 20] [--json]
//
// Needs sandbox/dist/ (built if missing) and PostgreSQL server binaries.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { benchArgs } from './bench-args.mjs';

const run = promisify(execFile);
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const args = benchArgs(
  'node bench/sandbox-stand-ins.bench.mjs [options]\n\nHow long `sandbox up` takes, what one stand-in call costs, and how fast the emulated CNPG\noperator bootstraps a pg_basebackup replica and promotes it.',
  {
    size: {
      type: 'string',
      default: 'small',
      describe: 'dataset: tiny, small, medium, large, 500MB, 1GB',
    },
    calls: { type: 'string', default: '20', describe: 'calls timed per stand-in command' },
    json: { type: 'boolean', describe: 'print the results as JSON' },
  },
);
const size = args.size;
const calls = Number(args.calls);
const json = args.json === true;

if (!existsSync(path.join(root, 'sandbox', 'dist', 'sandbox-kubectl.cjs'))) {
  execFileSync(process.execPath, ['sandbox/scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
}
const { sandboxUp, sandboxDown, clusterConnectionString, loadWorld, replicaManifests } =
  await import(path.join(root, 'sandbox', 'dist', 'index.js'));

const dir = mkdtempSync(path.join(tmpdir(), 'mikado-bench-sandbox-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = async (fn) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};
const kubectl = (...args) => run(path.join(dir, 'bin', 'kubectl'), args, { maxBuffer: 64 << 20 });
const kubectlOwnProcess = (...args) =>
  run(path.join(dir, 'bin', 'kubectl'), args, {
    maxBuffer: 64 << 20,
    env: { ...process.env, MIKADO_SANDBOX_OWN_PROCESS: '1' },
  });
const figures = { size, calls };
try {
  let up;
  figures.upMs = await time(async () => {
    up = await sandboxUp({ dir, repoRoot: root, size });
  });
  figures.assets = up.dataset?.rows['public.assets'];
  figures.sourceMiB = Math.round((up.dataset?.databaseBytes ?? 0) / 2 ** 20);
  const samples = { get: [], getOwnProcess: [], jsonpath: [], apply: [], exec: [] };
  for (let i = 0; i < calls; i++) {
    samples.get.push(await time(() => kubectl('--context', 'minikube-indri', 'get', 'pods', '-A')));
    samples.getOwnProcess.push(
      await time(() => kubectlOwnProcess('--context', 'minikube-indri', 'get', 'pods', '-A')),
    );
    samples.jsonpath.push(
      await time(() =>
        kubectl(
          '--context',
          'minikube-indri',
          '-n',
          'databases',
          'get',
          'cluster',
          'immich-pg',
          '-o',
          'jsonpath={.status.readyInstances}',
        ),
      ),
    );
    samples.apply.push(
      await time(() =>
        run(path.join(dir, 'bin', 'kubectl'), [
          '--context',
          'k3s-ringtail',
          'create',
          'configmap',
          `bench-${i}`,
          '--from-literal=a=b',
        ]),
      ),
    );
    samples.exec.push(
      await time(() =>
        kubectl(
          '--context',
          'minikube-indri',
          '-n',
          'databases',
          'exec',
          'immich-pg-1',
          '--',
          'psql',
          '-tAc',
          'select 1',
        ),
      ),
    );
  }
  for (const [k, xs] of Object.entries(samples)) figures[`${k}MedianMs`] = Math.round(median(xs));
  // The emulated CNPG operator: install on ringtail, bootstrap a replica over the tailnet, promote.
  const sh = (script) =>
    run('sh', ['-c', script], {
      env: { ...process.env, PATH: `${path.join(dir, 'bin')}:${process.env.PATH}` },
      maxBuffer: 64 << 20,
    });
  const { operatorApp, cluster, sourceSecret } = replicaManifests();
  await sh(`cat <<'EOF' | kubectl --context minikube-indri apply -f -
${operatorApp}EOF
argocd app sync cloudnative-pg-ringtail >/dev/null
kubectl --context k3s-ringtail create namespace databases
kubectl --context minikube-indri -n databases patch cluster immich-pg --type=merge -p '{"spec":{"postgresql":{"pg_hba":["host replication postgres all scram-sha-256"]}}}'
kubectl --context k3s-ringtail -n databases create secret generic ${sourceSecret} --from-literal=password="$(kubectl --context minikube-indri -n databases get secret immich-pg-superuser -o jsonpath='{.data.password}' | base64 -d)"`);
  figures.replicaReadyMs = await time(() =>
    sh(`cat <<'EOF' | kubectl --context k3s-ringtail apply -f - && kubectl --context k3s-ringtail -n databases wait --for=condition=Ready cluster/immich-pg --timeout=30m
${cluster}EOF`),
  );
  figures.promoteMs = await time(async () => {
    await kubectl(
      '--context',
      'k3s-ringtail',
      '-n',
      'databases',
      'patch',
      'cluster',
      'immich-pg',
      '--type',
      'merge',
      '-p',
      '{"spec":{"replica":{"enabled":false}}}',
    );
    const { default: pg } = await import('pg');
    for (;;) {
      const conn = clusterConnectionString(
        loadWorld(dir),
        'k3s-ringtail',
        'databases',
        'immich-pg',
      );
      const c = new pg.Client({ connectionString: conn });
      await c.connect();
      const r = (await c.query('select pg_is_in_recovery() as r')).rows[0].r;
      await c.end();
      if (!r) break;
      await new Promise((res) => setTimeout(res, 50));
    }
  });
  figures.downMs = await time(() => sandboxDown(dir));
} finally {
  await sandboxDown(dir);
  rmSync(dir, { recursive: true, force: true });
}
if (json) process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
else {
  const r = (ms) => `${(ms / 1000).toFixed(2)} s`;
  process.stdout.write(
    [
      `sandbox benchmark (size ${size}: ${figures.assets} assets, ${figures.sourceMiB} MiB source)`,
      `  sandbox up (seed, initdb, dataset)      ${r(figures.upMs)}`,
      `  kubectl get pods -A (median of ${calls})      ${figures.getMedianMs} ms`,
      `    the same as its own Node process       ${figures.getOwnProcessMedianMs} ms`,
      `  kubectl get -o jsonpath (median)         ${figures.jsonpathMedianMs} ms`,
      `  kubectl create configmap (median)        ${figures.applyMedianMs} ms`,
      `  kubectl exec psql (median, own process)  ${figures.execMedianMs} ms`,
      `  replica Cluster applied → Ready           ${r(figures.replicaReadyMs)}`,
      `  replica.enabled=false → promoted          ${r(figures.promoteMs)}`,
      `  sandbox down                             ${r(figures.downMs)}`,
      '',
    ].join('\n'),
  );
}
