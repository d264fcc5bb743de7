import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sync as writeFileAtomicSync } from 'write-file-atomic';
import { SandboxError } from './errors.ts';
import type { JsonObject, K8sObject } from './objects.ts';
import { type SandboxPaths, sandboxPaths } from './paths.ts';
import { pidAlive } from './pid-alive.ts';

/** One emulated Kubernetes cluster. */
export interface SandboxCluster {
  /** kube context name (`minikube-indri`, `k3s-ringtail`). */
  context: string;
  /** The single node's name. */
  node: string;
  /** The node's CPU architecture. */
  arch: 'amd64' | 'arm64';
  /** API server URL (what an ArgoCD `destination.server` names). */
  server: string;
  /** Cluster names ArgoCD knows it by (`destination.name`). */
  argocdNames: string[];
  /** Physical GPUs of the node (model and count), if any. */
  gpu?: { model: string; count: number };
  /** Kubelet version shown on the node. */
  kubeletVersion: string;
}

/** What `sandbox up` recorded: the layout and the wiring of the emulation. */
export interface SandboxMeta {
  version: 1;
  /** ISO time of the first `up`. */
  createdAt: string;
  /** The working repository (ArgoCD syncs read manifests from it with git). */
  repoRoot: string;
  /** The `dist/` directory holding the stand-ins. */
  distDir: string;
  /** Node binary the shims exec. */
  nodePath: string;
  /** The two clusters. */
  clusters: SandboxCluster[];
  /** The dataset size given to `up`. */
  size: string;
  /** Assets generated in the source database. */
  assets: number;
  /** Set once the source database was filled. */
  datasetGenerated?: boolean;
  /** The load writer: which Deployment is "the app" whose scale-down stops it. */
  loadWriter: {
    context: string;
    namespace: string;
    deployment: string;
    cluster: { namespace: string; name: string };
    database: string;
    pidFile: string;
    logFile: string;
  };
}

/** Per-object bookkeeping the API server would keep out of the object. */
export interface ObjectBook {
  /** Server-side apply: the last manifest applied per field manager. */
  ssa?: Record<string, JsonObject>;
  /** When the pod template last changed (new pods). */
  templateAt?: string;
  /** Controller notes (CNPG emulation). */
  controller?: JsonObject;
}

/** The stored state of one kube context. */
export interface ContextState {
  context: string;
  /** Last resourceVersion handed out. */
  resourceVersion: number;
  /** Objects by key (`group|kind|namespace|name`). */
  objects: Record<string, K8sObject>;
  /** Bookkeeping by object key. */
  books: Record<string, ObjectBook>;
}

/** Everything the sandbox knows, loaded from disk. */
export interface World {
  paths: SandboxPaths;
  meta: SandboxMeta;
  contexts: Record<string, ContextState>;
}

/**
 * Writes a file atomically (temp file + rename in the same directory, by write-file-atomic), making
 * its directory first.
 * @param file target
 * @param text content
 */
export function writeFileAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  // The emulator's state is thrown away with the sandbox: no fsync, as before.
  writeFileAtomicSync(file, text, { fsync: false });
}

/**
 * Reads the sandbox meta; fails when the directory holds no sandbox.
 * @param paths sandbox paths
 * @returns the meta
 */
export function readMeta(paths: SandboxPaths): SandboxMeta {
  try {
    return JSON.parse(readFileSync(paths.meta, 'utf8')) as SandboxMeta;
  } catch {
    throw new SandboxError(`No sandbox in \`${paths.dir}\` (no \`state/sandbox.json\`)`, {
      fix: 'Run `mikado sandbox up` (or `mise run sandbox-up`) first',
    });
  }
}

/**
 * Loads every context's state.
 * @param dir the sandbox directory
 * @returns the world
 */
export function loadWorld(dir: string): World {
  const paths = sandboxPaths(dir);
  const meta = readMeta(paths);
  const contexts: Record<string, ContextState> = {};
  for (const c of meta.clusters) {
    const file = path.join(paths.contexts, `${c.context}.json`);
    contexts[c.context] = existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as ContextState)
      : { context: c.context, resourceVersion: 0, objects: {}, books: {} };
  }
  return { paths, meta, contexts };
}

/**
 * Saves every context's state atomically and bumps the generation (which wakes the controller).
 * @param world the world to save
 */
export function saveWorld(world: World): void {
  for (const [name, ctx] of Object.entries(world.contexts)) {
    writeFileAtomic(path.join(world.paths.contexts, `${name}.json`), `${JSON.stringify(ctx)}\n`);
  }
  bumpGeneration(world.paths);
}

/**
 * Marks the state as changed.
 * @param paths sandbox paths
 */
export function bumpGeneration(paths: SandboxPaths): void {
  writeFileAtomic(paths.generation, `${Date.now()}-${process.pid}-${Math.random()}\n`);
}

/**
 * Reads the generation marker.
 * @param paths sandbox paths
 * @returns its content ('' when absent)
 */
export function readGeneration(paths: SandboxPaths): string {
  try {
    return readFileSync(paths.generation, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Takes the state lock (a file created exclusively, holding the owner's pid; a lock whose owner
 * died is taken over), runs `fn`, releases the lock.
 * @param paths sandbox paths
 * @param fn work to do while holding the lock
 * @returns what `fn` returns
 */
export async function withLock<T>(paths: SandboxPaths, fn: () => T | Promise<T>): Promise<T> {
  mkdirSync(paths.state, { recursive: true });
  const deadline = Date.now() + 120_000;
  let delay = 5;
  for (;;) {
    try {
      const fd = openSync(paths.lock, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(paths.lock, 'utf8').trim());
      } catch {}
      if (Number.isInteger(owner) && owner > 0 && !pidAlive(owner)) {
        // The owner died holding the lock: take it over (rename is atomic; only one wins).
        try {
          renameSync(paths.lock, `${paths.lock}.stale.${process.pid}`);
          rmSync(`${paths.lock}.stale.${process.pid}`, { force: true });
        } catch {}
        continue;
      }
      if (Date.now() > deadline) {
        throw new SandboxError(`Timed out waiting for the sandbox lock \`${paths.lock}\``, {
          fix: `Another stand-in call holds it (pid ${owner}); remove the file if that process is gone`,
        });
      }
      // Asynchronously: the controller answers stand-in calls in its own process, so the holder
      // may be another call of this process.
      await sleep(delay);
      delay = Math.min(delay * 2, 50);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(paths.lock, { force: true });
  }
}

/**
 * Loads the world under the lock, runs `fn` on it and saves it when `fn` returns true-ish `changed`.
 * @param dir sandbox directory
 * @param fn the change; returns `{ changed, result }`
 * @returns `fn`'s result
 */
export async function updateWorld<T>(
  dir: string,
  fn: (world: World) => Promise<{ changed: boolean; result: T }> | { changed: boolean; result: T },
): Promise<T> {
  const paths = sandboxPaths(dir);
  return withLock(paths, async () => {
    const world = loadWorld(dir);
    const { changed, result } = await fn(world);
    if (changed) saveWorld(world);
    return result;
  });
}

/**
 * Lists the context state files present (for status and down).
 * @param paths sandbox paths
 * @returns context names
 */
export function listContextFiles(paths: SandboxPaths): string[] {
  if (!existsSync(paths.contexts)) return [];
  return readdirSync(paths.contexts)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5));
}
