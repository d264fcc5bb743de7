import path from 'node:path';

/** Where everything of one sandbox lives, all under the directory the caller chose. */
export interface SandboxPaths {
  /** The sandbox directory. */
  dir: string;
  /** Shims of the stand-ins (`kubectl`, `argocd`, ...): put first on PATH. */
  bin: string;
  /** Shims only visible inside emulated pods (`nvidia-smi`). */
  podBin: string;
  /** Emulated state: contexts, meta, lock, processes. */
  state: string;
  /** One JSON file per kube context. */
  contexts: string;
  /** `sandbox.json`: what `sandbox up` set up. */
  meta: string;
  /** The lock file serialising state changes. */
  lock: string;
  /** Bumped on every state change (wakes the controller). */
  generation: string;
  /** The controller's socket, where the shims' client hands it stand-in calls. */
  standInSocket: string;
  /** Volumes: one directory per PersistentVolume (PostgreSQL data directories live here). */
  volumes: string;
  /** Pid records of processes the sandbox started (controller, port-forwards, load writer). */
  processes: string;
  /** Append-only record of every stand-in call. */
  calls: string;
  /** Logs of the controller and the load writer. */
  logs: string;
  /** Stand-in of the NFS export `sifaka:/volume1/photos`. */
  library: string;
  /** Stand-in of the operator's ops repository (ansible roles for caddy and borgmatic). */
  ops: string;
  /** Backups written by the borgmatic stand-in. */
  backups: string;
  /** Bare repositories standing in for the forge ArgoCD reads (`<owner>/<name>.git`). */
  forge: string;
}

/** Tailnet domain of the homelab. */
export const TAILNET = 'tail8d86e.ts.net';

/**
 * Lays out the paths of a sandbox directory.
 * @param dir the sandbox directory
 * @returns absolute paths
 */
export function sandboxPaths(dir: string): SandboxPaths {
  const d = path.resolve(dir);
  const state = path.join(d, 'state');
  return {
    dir: d,
    bin: path.join(d, 'bin'),
    podBin: path.join(d, 'pod-bin'),
    state,
    contexts: path.join(state, 'contexts'),
    meta: path.join(state, 'sandbox.json'),
    lock: path.join(state, 'lock'),
    generation: path.join(state, 'generation'),
    standInSocket: path.join(state, 'stand-ins.sock'),
    volumes: path.join(d, 'volumes'),
    processes: path.join(state, 'processes'),
    calls: path.join(d, 'calls.jsonl'),
    logs: path.join(d, 'logs'),
    library: path.join(d, 'library'),
    ops: path.join(d, 'ops'),
    backups: path.join(d, 'backups'),
    forge: path.join(d, 'forge'),
  };
}

/**
 * Picks the sandbox directory: the explicit one, else `MIKADO_SANDBOX_DIR`, else
 * `<root>/.mikado/sandbox`.
 * @param options explicit directory, environment, repository root, working directory
 * @returns absolute directory
 */
export function resolveSandboxDir(options: {
  dir?: string;
  env?: NodeJS.ProcessEnv;
  root: string;
  cwd?: string;
}): string {
  const cwd = options.cwd ?? process.cwd();
  if (options.dir) return path.resolve(cwd, options.dir);
  const fromEnv = options.env?.['MIKADO_SANDBOX_DIR'];
  if (fromEnv) return path.resolve(cwd, fromEnv);
  return path.join(options.root, '.mikado', 'sandbox');
}
