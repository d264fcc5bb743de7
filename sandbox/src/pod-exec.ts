import { type StdioOptions, spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  appendFileSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import type { ClusterView, PodInfo, PodMount } from './cluster-view.ts';
import { dig, type JsonObject } from './objects.ts';
import { findPgBinDir } from './pg-server.ts';
import { StandInError } from './stand-in-error.ts';
import type { StandInIo } from './stand-in-io.ts';
import type { World } from './store.ts';

/** PATH inside emulated pods (after the pod's own stand-ins and the PostgreSQL client tools). */
const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Options of {@link execInPod}. */
export interface ExecOptions {
  io: StandInIo;
  world: World;
  view: ClusterView;
  pod: PodInfo;
  container?: string;
  command: string[];
  stdin: boolean;
  tty: boolean;
}

let unshareWorks: boolean | undefined;

/**
 * Whether private mount namespaces work here (`unshare --mount`, needs root).
 * @returns true when bind mounts can be made for a single command
 */
export function mountNamespacesWork(): boolean {
  if (unshareWorks === undefined) {
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'true'], {
      stdio: 'ignore',
    });
    unshareWorks = r.status === 0;
  }
  return unshareWorks;
}

function which(cmd: string, pathVar: string): string | undefined {
  if (cmd.includes('/')) return existsSync(cmd) ? cmd : undefined;
  for (const dir of pathVar.split(':')) {
    const p = path.join(dir, cmd);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {}
  }
  return undefined;
}

/** Creates a mount point, recording the directories it had to create (removed by `down`). */
function ensureMountPoint(world: World, dir: string): void {
  const created: string[] = [];
  let d = dir;
  while (!existsSync(d)) {
    created.unshift(d);
    d = path.dirname(d);
  }
  if (created.length === 0) return;
  mkdirSync(dir, { recursive: true });
  appendFileSync(path.join(world.paths.state, 'mountpoints.txt'), `${created.join('\n')}\n`);
}

/**
 * Removes the mount points exec created on the host (empty directories only), deepest first.
 * @param world the world (for its paths)
 */
export function removeMountPoints(world: Pick<World, 'paths'>): void {
  const file = path.join(world.paths.state, 'mountpoints.txt');
  if (!existsSync(file)) return;
  const dirs = [...new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean))].sort(
    (a, b) => b.length - a.length,
  );
  const left: string[] = [];
  for (const d of dirs) {
    try {
      rmdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') left.push(d);
    }
  }
  writeFileSync(file, left.length > 0 ? `${left.join('\n')}\n` : '');
}

/**
 * Runs a command "inside" an emulated pod: on this machine, with the container's environment,
 * the pod's volumes bind-mounted at their mount paths in a private mount namespace (so
 * `ls /usr/src/app/upload` lists the library), the PostgreSQL client tools and libpq variables of
 * a CNPG instance, and `nvidia-smi` for pods of the `nvidia` runtime class. Exit codes pass
 * through, as with `kubectl exec`.
 * @param o what to run where
 * @returns the exit code
 */
export async function execInPod(o: ExecOptions): Promise<number> {
  const { io, pod, world } = o;
  const name = pod.pod.metadata.name;
  const containers = (dig(pod.pod, 'spec', 'containers') as JsonObject[] | undefined) ?? [];
  const containerName = o.container ?? String(containers[0]?.['name'] ?? '');
  if (!containers.some((c) => c['name'] === containerName)) {
    throw new StandInError(`error: container ${containerName} is not valid for pod ${name}`);
  }
  if (pod.problem?.scheduling) {
    throw new StandInError(
      `Error from server (BadRequest): pod ${name} does not have a host assigned`,
    );
  }
  if (!pod.running) {
    throw new StandInError(
      `error: unable to upgrade connection: container not found ("${containerName}")`,
    );
  }
  const podBinParts: string[] = [];
  const gpuRuntime = dig(pod.pod, 'spec', 'runtimeClassName') === 'nvidia';
  if (gpuRuntime) podBinParts.push(world.paths.podBin);
  let pgBin: string | undefined;
  try {
    pgBin = findPgBinDir(io.env);
  } catch {}
  if (pgBin) podBinParts.push(pgBin);
  const PATH = [...podBinParts, BASE_PATH].join(':');
  const env: NodeJS.ProcessEnv = {
    PATH,
    HOME: process.env['HOME'] ?? '/root',
    HOSTNAME: name,
    LANG: 'C.UTF-8',
    KUBERNETES_SERVICE_HOST: '10.43.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    ...pod.env,
    MIKADO_SANDBOX_DIR: io.dir,
    MIKADO_SANDBOX_POD: `${pod.context}/${pod.pod.metadata.namespace}/${name}`,
  };
  if (gpuRuntime) {
    env['MIKADO_SANDBOX_GPU'] = pod.gpuAllocated ? String(pod.gpuRequested) : '0';
    env['MIKADO_SANDBOX_GPU_MODEL'] = o.view.cluster(pod.context).gpu?.model ?? '';
    env['NVIDIA_VISIBLE_DEVICES'] = pod.gpuAllocated ? 'all' : 'void';
  }
  if (pod.cnpgCluster) {
    const st = o.view.pgServerFor(pod.context, pod.cnpgCluster)?.status();
    if (!st?.running || !st.port)
      throw new StandInError(
        `error: unable to upgrade connection: container not found ("postgres")`,
      );
    Object.assign(env, {
      PGHOST: '127.0.0.1',
      PGPORT: String(st.port),
      PGUSER: 'postgres',
      PGDATA: '/var/lib/postgresql/data/pgdata',
    });
  }
  const cmd = o.command[0]!;
  if (!which(cmd, PATH)) {
    throw new StandInError(
      `error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: exec: "${cmd}": executable file not found in $PATH: unknown`,
    );
  }
  if (o.tty && !process.stdin.isTTY) {
    io.stderr.write('Unable to use a TTY - input is not a terminal or the right kind of file\n');
  }
  const mounts: PodMount[] = pod.mounts.filter((m) => m.mountPath.startsWith('/'));
  io.recorder.add({
    context: pod.context,
    pod: `${pod.pod.metadata.namespace}/${name}`,
    notes: mounts.map(
      (m) =>
        `mount ${m.nfs ? `${m.nfs.server}:${m.nfs.path} (${m.nfs.route})` : m.hostPath} at ${m.mountPath}`,
    ),
  });
  let file: string;
  let args: string[];
  if (mounts.length > 0 && mountNamespacesWork()) {
    const tmpfs = new Set<string>();
    for (const m of mounts) {
      mkdirSync(m.hostPath, { recursive: true });
      if (existsSync(m.mountPath)) continue;
      // A missing mount point is made inside the namespace, on a tmpfs over its nearest existing
      // ancestor, so nothing changes on the host; only a top-level one (`/photos`) is created.
      let anc = path.dirname(m.mountPath);
      while (!existsSync(anc)) anc = path.dirname(anc);
      const depth = anc.split('/').filter(Boolean).length;
      const shadows = (p: string) => p === anc || p.startsWith(`${anc}/`);
      if (
        depth >= 2 &&
        anc !== '/tmp' &&
        !shadows(io.dir) &&
        !mounts.some((x) => shadows(x.hostPath))
      ) {
        tmpfs.add(anc);
      } else ensureMountPoint(world, m.mountPath);
    }
    const tops = [...tmpfs].filter(
      (a) => ![...tmpfs].some((b) => b !== a && a.startsWith(`${b}/`)),
    );
    const script = [
      'set -e',
      'while [ "$1" != "--" ]; do mount -t tmpfs -o mode=755 mikado-pod "$1"; shift; done',
      'shift',
      'while [ "$1" != "--" ]; do',
      '  mkdir -p "$1"',
      '  mount --bind "$2" "$1"',
      '  if [ "$3" = ro ]; then mount -o remount,bind,ro "$1"; fi',
      '  shift 3',
      'done',
      'shift',
      'exec "$@"',
    ].join('\n');
    file = 'unshare';
    args = [
      '--mount',
      '--propagation',
      'private',
      '--',
      '/bin/sh',
      '-c',
      script,
      'pod-exec',
      ...tops,
      '--',
      ...mounts.flatMap((m) => [m.mountPath, m.hostPath, m.readOnly ? 'ro' : 'rw']),
      '--',
      ...o.command,
    ];
  } else {
    // No mount namespaces: map mount paths in the arguments to their host directories.
    file = cmd;
    args = o.command.slice(1).map((a) => {
      for (const m of mounts) {
        if (a === m.mountPath || a.startsWith(`${m.mountPath}/`))
          return m.hostPath + a.slice(m.mountPath.length);
      }
      return a;
    });
    if (mounts.length > 0)
      io.recorder.add({ notes: ['no mount namespaces: mount paths rewritten in arguments'] });
  }
  const direct = io.stdout === process.stdout && io.stderr === process.stderr;
  const stdio: StdioOptions = direct
    ? [o.stdin ? 'inherit' : 'ignore', 'inherit', 'inherit']
    : [o.stdin ? 'inherit' : 'ignore', 'pipe', 'pipe'];
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, cwd: '/', stdio });
    child.stdout?.on('data', (b: Buffer) => io.stdout.write(b));
    child.stderr?.on('data', (b: Buffer) => io.stderr.write(b));
    child.on('error', (e) => {
      io.stderr.write(`error: ${e.message}\n`);
      resolve(1);
    });
    child.on('close', (code, signal) => {
      const exit = code ?? (signal ? 137 : 1);
      if (exit !== 0) io.stderr.write(`command terminated with exit code ${exit}\n`);
      resolve(exit);
    });
  });
}
