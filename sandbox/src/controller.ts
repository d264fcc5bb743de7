import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { selfHealApplications } from './argocd.ts';
import { reclaimVolumes, reconcileCnpg } from './cnpg-controller.ts';
import { SandboxError } from './errors.ts';
import { loadWriterStatus, stopLoadWriter } from './load-writer.ts';
import { dig, objectKey } from './objects.ts';
import { sandboxPaths } from './paths.ts';
import {
  listProcesses,
  processAlive,
  registerProcess,
  stopProcess,
  unregisterProcess,
} from './processes.ts';
import { reconcileState } from './reconcile-state.ts';
import { serveStandIns } from './stand-in-server.ts';
import { loadWorld, readGeneration, readMeta, saveWorld, type World, withLock } from './store.ts';

/** Marker in the controller's command line. */
const MARKER = 'sandbox-controller';

/**
 * Whether the app the load writer stands for is quiesced: its Deployment is gone or scaled to 0.
 * @param world the world
 * @returns true when the writer must not run
 */
export function appQuiesced(world: World): boolean {
  const lw = world.meta.loadWriter;
  const d =
    world.contexts[lw.context]?.objects[
      objectKey('apps', 'Deployment', lw.namespace, lw.deployment)
    ];
  return (
    !d || Boolean(d.metadata.deletionTimestamp) || Number(dig(d, 'spec', 'replicas') ?? 1) === 0
  );
}

/**
 * Stops the load writer (and waits for it to exit) when the source app is scaled to 0, the way
 * quiescing Immich stops writes.
 * @param dir sandbox directory
 * @returns true if a writer was stopped
 */
export async function enforceQuiesce(dir: string): Promise<boolean> {
  const world = loadWorld(dir);
  const pidFile = world.meta.loadWriter.pidFile;
  if (!loadWriterStatus(pidFile).running || !appQuiesced(world)) return false;
  return stopLoadWriter(pidFile);
}

/**
 * One pass of every emulated controller.
 * @param dir sandbox directory
 * @param appsSeen when each automated ArgoCD app was last compared with its source (kept across
 *   passes by the controller loop)
 */
export async function reconcileOnce(
  dir: string,
  appsSeen: Map<string, number> = new Map(),
): Promise<void> {
  const paths = sandboxPaths(dir);
  await withLock(paths, () => {
    const w = loadWorld(dir);
    if (reconcileState(w)) saveWorld(w);
  });
  await reclaimVolumes(dir);
  await reconcileCnpg(dir);
  await selfHealApplications(dir, appsSeen);
  await enforceQuiesce(dir);
}

/**
 * The controller loop: reconciles after every state change (and every second, so a crashed
 * server is restarted) until `signal` aborts; meanwhile it answers the stand-ins' calls
 * (`stand-in-server.ts`).
 * @param dir sandbox directory
 * @param signal stops the loop
 * @param log where to report errors
 */
export async function runController(
  dir: string,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<void> {
  const paths = sandboxPaths(dir);
  // Listening before it registers: once `sandbox up` sees the controller, the shims reach it.
  const standIns = await serveStandIns(dir, log);
  registerProcess(paths, {
    name: 'controller',
    pid: process.pid,
    marker: MARKER,
    startedAt: new Date().toISOString(),
    description: 'emulated operators (CNPG, provisioner, Tailscale, external-secrets)',
  });
  const appsSeen = new Map<string, number>();
  try {
    while (!signal.aborted) {
      const gen = readGeneration(paths);
      try {
        await reconcileOnce(dir, appsSeen);
      } catch (e) {
        log(`${new Date().toISOString()} reconcile failed: ${(e as Error).stack ?? String(e)}`);
      }
      const until = Date.now() + 1000;
      while (!signal.aborted && Date.now() < until && readGeneration(paths) === gen)
        await sleep(40);
    }
  } finally {
    await standIns?.close();
    unregisterProcess(paths, 'controller');
  }
}

/**
 * Whether the controller of a sandbox runs.
 * @param dir sandbox directory
 * @returns running and pid
 */
export function controllerStatus(dir: string): { running: boolean; pid?: number } {
  const rec = listProcesses(sandboxPaths(dir)).find((p) => p.name === 'controller');
  if (!rec || !processAlive(rec)) return { running: false };
  return { running: true, pid: rec.pid };
}

/**
 * Fails loudly when the controller is not running (the stand-ins' changes would never settle).
 * @param dir sandbox directory
 */
export function requireController(dir: string): void {
  if (!controllerStatus(dir).running) {
    throw new SandboxError(
      `error: the mikado sandbox controller is not running (sandbox ${dir}); run \`mikado sandbox up --dir ${dir}\``,
    );
  }
}

/**
 * Starts the controller as a detached process (`dist/sandbox-controller.js`) and waits until it
 * has registered itself.
 * @param dir sandbox directory
 * @returns its pid
 */
export async function startController(dir: string): Promise<number> {
  const st = controllerStatus(dir);
  if (st.running) return st.pid!;
  const paths = sandboxPaths(dir);
  const meta = readMeta(paths);
  mkdirSync(paths.logs, { recursive: true });
  const logFile = path.join(paths.logs, 'controller.log');
  const out = openSync(logFile, 'a');
  const child = spawn(
    meta.nodePath,
    [path.join(meta.distDir, 'sandbox-controller.js'), paths.dir],
    {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, MIKADO_SANDBOX_DIR: paths.dir },
    },
  );
  closeSync(out);
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  child.unref();
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const now = controllerStatus(dir);
    if (now.running && now.pid === child.pid) return child.pid!;
    if (exited) break;
    await sleep(25);
  }
  let tail = '';
  try {
    tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join('\n');
  } catch {}
  throw new SandboxError(`The sandbox controller did not start${tail ? `:\n${tail}` : ''}`, {
    fix: `See ${logFile}`,
  });
}

/**
 * Stops the controller if it runs (SIGTERM; it finishes its current pass).
 * @param dir sandbox directory
 * @returns true if it was stopped
 */
export async function stopController(dir: string): Promise<boolean> {
  const paths = sandboxPaths(dir);
  const rec = listProcesses(paths).find((p) => p.name === 'controller');
  if (!rec) return false;
  return stopProcess(paths, rec, 60_000);
}
