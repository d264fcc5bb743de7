import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSandboxCalls } from '../src/calls.ts';
import { sandboxStatus } from '../src/sandbox.ts';
import { type RunResult, startSandbox, type TestSandbox, until } from './helpers/sandbox.ts';

let sb: TestSandbox;
let repo: string;
let branchSha: string;

const APP = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: immich-ringtail
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://forge.ops.eblu.me/eblume/blumeops.git
    path: argocd/manifests/immich-ringtail
    targetRevision: test-main
  destination:
    server: https://ringtail.tail8d86e.ts.net:6443
    namespace: immich
  syncPolicy:
    syncOptions: [CreateNamespace=true]
`;

const VALKEY = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: immich-valkey}
spec:
  selector: {matchLabels: {app: immich-valkey}}
  template:
    metadata: {labels: {app: immich-valkey}}
    spec:
      containers: [{name: valkey, image: ${image}, ports: [{containerPort: 6379}]}]
---
apiVersion: v1
kind: Service
metadata: {name: immich-valkey}
spec: {selector: {app: immich-valkey}, ports: [{port: 6379}]}
`;

const ML = `apiVersion: apps/v1
kind: Deployment
metadata: {name: immich-machine-learning, namespace: immich}
spec:
  selector: {matchLabels: {app: ml}}
  template:
    metadata: {labels: {app: ml}}
    spec:
      runtimeClassName: nvidia
      containers:
        - name: machine-learning
          image: ghcr.io/immich-app/immich-machine-learning:v1.137.3-cuda
          resources: {limits: {nvidia.com/gpu: 1}}
`;

const git = (...args: string[]) =>
  execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
    encoding: 'utf8',
  }).trim();

beforeAll(async () => {
  repo = mkdtempSync(path.join(tmpdir(), 'mikado-sandbox-repo-'));
  git('init', '-q', '-b', 'main');
  mkdirSync(path.join(repo, 'argocd/apps'), { recursive: true });
  mkdirSync(path.join(repo, 'argocd/manifests/immich-ringtail'), { recursive: true });
  writeFileSync(path.join(repo, 'argocd/apps/immich-ringtail.yaml'), APP);
  writeFileSync(
    path.join(repo, 'argocd/manifests/immich-ringtail/valkey.yaml'),
    VALKEY('registry.ops.eblu.me/valkey/valkey:8.1.3-alpine'),
  );
  git('add', '-A');
  git('commit', '-qm', 'main');
  git('checkout', '-qb', 'mikado/migrate');
  writeFileSync(
    path.join(repo, 'argocd/manifests/immich-ringtail/valkey.yaml'),
    VALKEY('docker.io/valkey/valkey:8.1.3-alpine'),
  );
  git('commit', '-qam', 'upstream valkey');
  branchSha = git('rev-parse', 'HEAD');
  git('checkout', '-q', 'main');
  sb = await startSandbox({ repoRoot: repo });
  // ArgoCD reads the forge: publish both branches there (`sandbox up` routed the forge's URL to
  // the sandbox for this repository).
  git('remote', 'add', 'origin', 'https://forge.ops.eblu.me/eblume/blumeops.git');
  git('push', '-q', 'origin', 'main:test-main', 'mikado/migrate');
});

afterAll(async () => {
  await sb?.cleanup();
  rmSync(repo, { recursive: true, force: true });
});

const k = (ctx: string, ...args: string[]): Promise<RunResult> =>
  sb.run('kubectl', ['--context', ctx, ...args]);
const ringtail = (...args: string[]) => k('k3s-ringtail', ...args);
const minikube = (...args: string[]) => k('minikube-indri', ...args);

describe('kubectl stand-in: verbs and validation', () => {
  it('rejects an unknown verb, an unknown flag and an invalid manifest loudly, applying nothing', async () => {
    const verb = await ringtail('logs', 'deploy/frigate');
    expect(verb.code).toBe(1);
    expect(verb.stderr).toMatch(/unsupported by the sandbox: `kubectl logs`/);
    const flag = await ringtail('get', 'pods', '--watch');
    expect(flag.code).toBe(1);
    expect(flag.stderr).toMatch(/unsupported by the sandbox: flag `--watch`/);
    const bad = await sb.run('kubectl', ['--context', 'k3s-ringtail', 'apply', '-f', '-'], {
      input:
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: good, namespace: default}\n---\nkind: ConfigMap\nmetadata: {name: no-api-version}\n',
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error validating "-" \(line 5\).*apiVersion not set/);
    expect((await ringtail('get', 'configmap', 'good')).stderr).toMatch(
      /NotFound.*configmaps "good" not found/,
    );
    const noContext = await sb.run('kubectl', ['get', 'pods']);
    expect(noContext.code).toBe(1);
    expect(noContext.stderr).toMatch(/pass --context/);
    const version = await sb.run('kubectl', ['version', '--client']);
    expect(version.stdout).toMatch(/mikado sandbox stand-in for kubectl, not the real kubectl/);
  });

  it('fails a Cluster on a context without the CNPG CRD like real kubectl ("no matches for kind")', async () => {
    const r = await sb.run('kubectl', ['--context', 'k3s-ringtail', 'apply', '-f', '-'], {
      input:
        'apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: immich-pg, namespace: default}\nspec: {instances: 1}\n',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /no matches for kind "Cluster" in version "postgresql.cnpg.io\/v1"\nensure CRDs are installed first/,
    );
    expect((await minikube('get', 'crd', 'clusters.postgresql.cnpg.io', '-o', 'name')).stdout).toBe(
      'customresourcedefinition.apiextensions.k8s.io/clusters.postgresql.cnpg.io\n',
    );
  });

  it('shows the seeded BEFORE state through get -o jsonpath, json and tables', async () => {
    const phase = await minikube(
      '-n',
      'databases',
      'get',
      'cluster',
      'immich-pg',
      '-o',
      'jsonpath={.status.phase}/{.status.readyInstances}',
    );
    expect(phase.stdout).toBe('Cluster in healthy state/1');
    const deploys = JSON.parse(
      (await minikube('-n', 'immich', 'get', 'deploy', '-o', 'json')).stdout,
    ) as { items: { metadata: { name: string }; status: { readyReplicas?: number } }[] };
    expect(deploys.items.map((d) => [d.metadata.name, d.status.readyReplicas])).toEqual([
      ['immich-machine-learning', 1],
      ['immich-server', 1],
      ['immich-valkey', 1],
    ]);
    const pods = await ringtail('get', 'pods', '-A');
    expect(pods.stdout).toMatch(/frigate\s+frigate-\S+\s+1\/1\s+Running/);
    expect(pods.stdout).toMatch(/ollama\s+ollama-\S+\s+1\/1\s+Running/);
    const gpu = await ringtail(
      'get',
      'node',
      'ringtail',
      '-o',
      'jsonpath={.status.allocatable.nvidia\\.com/gpu} {.metadata.labels.kubernetes\\.io/arch}',
    );
    expect(gpu.stdout).toBe('2 amd64');
  });
});

describe('kubectl stand-in: ringtail realism', () => {
  it('keeps a GPU pod beyond the time slices Pending until the device plugin ConfigMap is raised; nvidia-smi then shows the RTX 4080', async () => {
    expect(
      (
        await sb.run('kubectl', ['--context', 'k3s-ringtail', 'apply', '-f', '-'], {
          input: `apiVersion: v1\nkind: Namespace\nmetadata: {name: immich}\n---\n${ML}`,
        })
      ).code,
    ).toBe(0);
    const pending = await ringtail(
      '-n',
      'immich',
      'get',
      'pods',
      '-l',
      'app=ml',
      '-o',
      'jsonpath={.items[0].status.phase}: {.items[0].status.conditions[?(@.type=="PodScheduled")].message}',
    );
    expect(pending.stdout).toMatch(
      /^Pending: 0\/1 nodes are available: 1 Insufficient nvidia\.com\/gpu/,
    );
    const waited = await sb.run('kubectl', [
      '--context',
      'k3s-ringtail',
      '-n',
      'immich',
      'wait',
      '--for=condition=Available',
      'deploy/immich-machine-learning',
      '--timeout=1s',
    ]);
    expect(waited.code).toBe(1);
    expect(waited.stderr).toMatch(
      /timed out waiting for the condition on deployments\.apps\/immich-machine-learning/,
    );
    const raised = await ringtail(
      '-n',
      'nvidia-device-plugin',
      'patch',
      'configmap',
      'nvidia-device-plugin-config',
      '--type',
      'merge',
      '-p',
      JSON.stringify({
        data: {
          'config.yaml':
            'version: v1\nsharing:\n  timeSlicing:\n    resources:\n      - name: nvidia.com/gpu\n        replicas: 3\n',
        },
      }),
    );
    expect(raised.stdout).toBe('configmap/nvidia-device-plugin-config patched\n');
    const rolled = await ringtail(
      '-n',
      'immich',
      'rollout',
      'status',
      'deploy/immich-machine-learning',
      '--timeout=20s',
    );
    expect(rolled.stdout).toMatch(/deployment "immich-machine-learning" successfully rolled out/);
    const smi = await ringtail(
      '-n',
      'immich',
      'exec',
      'deploy/immich-machine-learning',
      '--',
      'nvidia-smi',
    );
    expect(smi.code).toBe(0);
    expect(smi.stdout).toMatch(/NVIDIA GeForce RTX 4080/);
    const noGpu = await ringtail(
      '-n',
      'frigate',
      'exec',
      'deploy/frigate',
      '--',
      'nvidia-smi',
      '-L',
    );
    expect(noGpu.stdout).toMatch(/GPU 0: NVIDIA GeForce RTX 4080/);
    const cpuPod = await minikube(
      '-n',
      'immich',
      'exec',
      'deploy/immich-machine-learning',
      '--',
      'nvidia-smi',
    );
    expect(cpuPod.code).toBe(1);
    expect(cpuPod.stderr).toMatch(/"nvidia-smi": executable file not found in \$PATH/);
  });

  it('registers an app out of band, pins it to a branch sha and syncs it: the arm64-only valkey crash-loops, the upstream one runs', async () => {
    const reg = await minikube('apply', '-f', path.join(repo, 'argocd/apps/immich-ringtail.yaml'));
    expect(reg.stdout).toBe('application.argoproj.io/immich-ringtail created\n');
    const sync = await sb.run('argocd', ['app', 'sync', 'immich-ringtail']);
    expect(sync.code).toBe(0);
    expect(sync.stdout).toMatch(/Deployment\s+immich\s+immich-valkey\s+Synced/);
    const crash = await ringtail(
      '-n',
      'immich',
      'get',
      'pods',
      '-l',
      'app=immich-valkey',
      '-o',
      'jsonpath={.items[0].status.containerStatuses[0].state.waiting.reason}|{.items[0].status.containerStatuses[0].lastState.terminated.message}',
    );
    expect(crash.stdout).toMatch(
      /^CrashLoopBackOff\|exec \/usr\/local\/bin\/docker-entrypoint\.sh: exec format error/,
    );
    expect((await sb.run('argocd', ['app', 'get', 'immich-ringtail'])).stdout).toMatch(
      /Health Status:\s+Degraded/,
    );
    expect(
      (await sb.run('argocd', ['app', 'set', 'immich-ringtail', '--revision', branchSha])).code,
    ).toBe(0);
    const again = await sb.run('argocd', ['app', 'sync', 'immich-ringtail']);
    expect(again.stdout).toMatch(new RegExp(`Sync Status:\\s+Synced to ${branchSha}`));
    expect(
      (await ringtail('-n', 'immich', 'rollout', 'status', 'deploy/immich-valkey', '--timeout=10s'))
        .code,
    ).toBe(0);
    const unknown = await sb.run('argocd', ['app', 'rollback', 'immich-ringtail']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unsupported by the sandbox/);
  });

  it('lets a pod mounting the sifaka NFS volume see the library at its mount path (read, write a probe, remove it)', async () => {
    const lib = path.join(sb.dir, 'library');
    const ls = await minikube(
      '-n',
      'immich',
      'exec',
      'deploy/immich-server',
      '--',
      'ls',
      '/usr/src/app/upload/library',
    );
    expect(ls.stdout.split('\n').filter(Boolean)).toEqual(['admin', 'erich']);
    const probe = await minikube(
      '-n',
      'immich',
      'exec',
      'deploy/immich-server',
      '--',
      'sh',
      '-c',
      'echo ok > /usr/src/app/upload/probe && cat /usr/src/app/upload/probe',
    );
    expect(probe.stdout).toBe('ok\n');
    expect(readFileSync(path.join(lib, 'probe'), 'utf8')).toBe('ok\n');
    expect(
      (
        await minikube(
          '-n',
          'immich',
          'exec',
          'deploy/immich-server',
          '--',
          'rm',
          '/usr/src/app/upload/probe',
        )
      ).code,
    ).toBe(0);
    expect(existsSync(path.join(lib, 'probe'))).toBe(false);
    const failing = await minikube(
      '-n',
      'immich',
      'exec',
      'deploy/immich-server',
      '--',
      'ls',
      '/usr/src/app/upload/nope',
    );
    expect(failing.code).toBe(2);
    expect(failing.stderr).toMatch(/command terminated with exit code 2/);
    expect(sandboxStatus(sb.dir).mounts).toContainEqual(
      expect.objectContaining({
        context: 'minikube-indri',
        server: 'sifaka',
        path: '/volume1/photos',
        route: 'lan',
        mountPath: '/usr/src/app/upload',
      }),
    );
  });
});

describe('kubectl stand-in: port-forward, tailnet, routing, backups, calls', () => {
  it('port-forwards to the real PostgreSQL server and to the Immich API, whose statistics come from its database', async () => {
    const pf = spawn(
      path.join(sb.dir, 'bin', 'kubectl'),
      ['--context', 'minikube-indri', '-n', 'immich', 'port-forward', 'svc/immich-server', ':2283'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const pg = spawn(
      path.join(sb.dir, 'bin', 'kubectl'),
      [
        '--context',
        'minikube-indri',
        '-n',
        'databases',
        'port-forward',
        'svc/immich-pg-rw',
        '0:5432',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const portOf = async (child: typeof pf) => {
        let out = '';
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
        });
        return until(() => /Forwarding from 127\.0\.0\.1:(\d+) -> \d+/.exec(out)?.[1], 15_000);
      };
      const [apiPort, pgPort] = await Promise.all([portOf(pf), portOf(pg)]);
      const version = await (await fetch(`http://127.0.0.1:${apiPort}/api/server/version`)).json();
      expect(version).toEqual({ major: 1, minor: 137, patch: 3 });
      expect((await fetch(`http://127.0.0.1:${apiPort}/api/server/statistics`)).status).toBe(401);
      const stats = (await (
        await fetch(`http://127.0.0.1:${apiPort}/api/server/statistics`, {
          headers: { 'x-api-key': 'test' },
        })
      ).json()) as { photos: number; videos: number };
      const { default: pgLib } = await import('pg');
      // Through the forward, the server asks for the password (scram-sha-256), as CNPG's does.
      const noPassword = new pgLib.Client({
        connectionString: `postgresql://postgres@127.0.0.1:${pgPort}/immich`,
      });
      await expect(noPassword.connect()).rejects.toThrow(/password/);
      const secret = await minikube(
        '-n',
        'databases',
        'get',
        'secret',
        'immich-pg-superuser',
        '-o',
        'jsonpath={.data.password}',
      );
      const client = new pgLib.Client({
        host: '127.0.0.1',
        port: Number(pgPort),
        user: 'postgres',
        database: 'immich',
        password: Buffer.from(secret.stdout, 'base64').toString(),
      });
      await client.connect();
      const owner = await client.query<{ o: string }>(
        "select pg_get_userbyid(relowner) as o from pg_class where relname = 'assets'",
      );
      expect(owner.rows[0]?.o).toBe('immich');
      const row = (
        await client.query<{ n: number }>(
          'select count(*)::int as n from assets where "deletedAt" is null',
        )
      ).rows[0]!;
      await client.end();
      expect(stats.photos + stats.videos).toBe(row.n);
    } finally {
      pf.kill('SIGTERM');
      pg.kill('SIGTERM');
    }
    await until(
      () => !sandboxStatus(sb.dir).processes.some((p) => p.name.startsWith('port-forward')),
      10_000,
    );
  });

  it("undoes a hand-made change to an app with automated sync and self-heal (ArgoCD's self-heal)", async () => {
    const app = await sb.run('argocd', ['app', 'get', 'immich', '-o', 'json']);
    expect(JSON.parse(app.stdout).spec.syncPolicy.automated).toEqual({
      prune: true,
      selfHeal: true,
    });
    expect(
      (await minikube('-n', 'immich', 'scale', 'deploy/immich-machine-learning', '--replicas=0'))
        .code,
    ).toBe(0);
    expect((await minikube('-n', 'immich', 'delete', 'ingress', 'immich-tailscale')).code).toBe(0);
    await until(async () => {
      const ml = await minikube(
        '-n',
        'immich',
        'get',
        'deploy',
        'immich-machine-learning',
        '-o',
        'jsonpath={.spec.replicas}',
      );
      const ing = await minikube(
        '-n',
        'immich',
        'get',
        'ingress',
        'immich-tailscale',
        '--ignore-not-found',
        '-o',
        'name',
      );
      return (
        ml.stdout === '1' && ing.stdout.trim() === 'ingress.networking.k8s.io/immich-tailscale'
      );
    }, 20_000);
  });

  it('gives a second ingress claiming a taken tailnet name a suffixed name, and the name once it is free', async () => {
    const ingress = (host: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: immich-tailscale, namespace: immich}
spec:
  ingressClassName: tailscale
  defaultBackend: {service: {name: immich-valkey, port: {number: 6379}}}
  tls: [{hosts: [${host}]}]
`;
    const apply = (host: string) =>
      sb.run('kubectl', ['--context', 'k3s-ringtail', 'apply', '-f', '-'], {
        input: ingress(host),
      });
    const names = async () =>
      (await sb.run('tailscale', ['status'])).stdout
        .split('\n')
        .map((l) => l.split(/\s+/)[1])
        .filter(Boolean);
    // The minikube app's automated sync would recreate its ingress once deleted below.
    await minikube(
      '-n',
      'argocd',
      'patch',
      'application',
      'immich',
      '--type=merge',
      '-p',
      '{"spec":{"syncPolicy":{"automated":null}}}',
    );
    await apply('photos');
    expect(await names()).toEqual(expect.arrayContaining(['photos', 'photos-1']));
    await apply('photos-ringtail');
    expect(await names()).not.toContain('photos-1');
    expect(await names()).toContain('photos-ringtail');
    expect((await minikube('-n', 'immich', 'delete', 'ingress', 'immich-tailscale')).stdout).toBe(
      'ingress.networking.k8s.io "immich-tailscale" deleted\n',
    );
    expect(await names()).not.toContain('photos');
    await apply('photos');
    const json = JSON.parse((await sb.run('tailscale', ['status', '--json'])).stdout) as {
      Peer: Record<string, { DNSName: string; mikadoOwner?: { context: string } }>;
    };
    const photos = Object.values(json.Peer).find((p) => p.DNSName === 'photos.tail8d86e.ts.net.');
    expect(photos?.mikadoOwner?.context).toBe('k3s-ringtail');
  });

  it('routes Caddy only to an upstream that answers, and backs up with a real pg_dump as the borgmatic role', async () => {
    const caddy = path.join(sb.dir, 'ops', 'ansible/roles/caddy/defaults/main.yml');
    writeFileSync(
      caddy,
      readFileSync(caddy, 'utf8').replace(
        'https://photos.tail8d86e.ts.net',
        'https://photos-nowhere.tail8d86e.ts.net',
      ),
    );
    const bad = await sb.run('mise', ['run', 'provision-indri', '--', '--tags', 'caddy'], {
      cwd: path.join(sb.dir, 'ops'),
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /upstream https:\/\/photos-nowhere\.tail8d86e\.ts\.net does not resolve on the tailnet/,
    );
    writeFileSync(caddy, readFileSync(caddy, 'utf8').replace('photos-nowhere', 'photos'));
    expect((await sb.run('mise', ['run', 'provision-indri', '--tags', 'all'])).stderr).toMatch(
      /unsupported by the sandbox/,
    );
    const backup = await sb.run('borgmatic', ['create', '--stats']);
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/immich: \d+ B from immich-pg\.tail8d86e\.ts\.net/);
    expect(sandboxStatus(sb.dir).routes).toEqual([
      { domain: 'photos.ops.eblu.me', upstream: 'https://photos.tail8d86e.ts.net' },
    ]);
    const list = await sb.run('borgmatic', ['list']);
    expect(list.stdout).toMatch(/^indri-/);
    const archive = readdirArchive(sb.dir);
    const toc = execFileSync('pg_restore', ['-l', archive], { encoding: 'utf8' });
    expect(toc).toMatch(/TABLE public assets/);
  });

  it('deletes an Application with its resources (cascade); the retained library volume keeps its data', async () => {
    const del = await sb.run('argocd', ['app', 'delete', 'immich', '--yes']);
    expect(del.stdout).toBe("application 'immich' deleted\n");
    expect((await minikube('-n', 'immich', 'get', 'deploy')).stderr).toBe(
      'No resources found in immich namespace.\n',
    );
    expect(
      (await minikube('get', 'pv', 'immich-library', '-o', 'jsonpath={.status.phase}')).stdout,
    ).toBe('Released');
    expect(existsSync(path.join(sb.dir, 'library', 'library', 'admin'))).toBe(true);
    expect((await sb.run('argocd', ['app', 'get', 'immich'])).stderr).toMatch(
      /applications\.argoproj\.io "immich" not found/,
    );
  });

  it('records every call with argv, stdin manifests, context and exit code', async () => {
    const input =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: recorded, namespace: default}\ndata: {a: b}\n';
    await sb.run('kubectl', ['--context', 'k3s-ringtail', 'apply', '-f', '-'], { input });
    const calls = readSandboxCalls(sb.dir, { tool: 'kubectl', argvIncludes: ['apply', '-'] });
    const last = calls.at(-1)!;
    expect(last).toMatchObject({
      tool: 'kubectl',
      context: 'k3s-ringtail',
      exitCode: 0,
      stdin: input,
      objects: ['k3s-ringtail:ConfigMap/default/recorded'],
    });
    expect(Date.parse(last.end!)).toBeGreaterThanOrEqual(Date.parse(last.start));
    const failed = readSandboxCalls(sb.dir, { tool: 'kubectl', argvIncludes: ['logs'] });
    expect(failed[0]?.exitCode).toBe(1);
    expect(readSandboxCalls(sb.dir, { tool: 'nvidia-smi' })[0]?.pod).toMatch(
      /^k3s-ringtail\/immich\/immich-machine-learning-/,
    );
  });
});

function readdirArchive(dir: string): string {
  const base = path.join(dir, 'backups');
  const [archive] = execFileSync('ls', [base], { encoding: 'utf8' }).split('\n').filter(Boolean);
  return path.join(base, archive!, 'immich.dump');
}
