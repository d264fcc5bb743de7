import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SandboxPaths } from './paths.ts';
import { pidAlive } from './pid-alive.ts';
import { writeFileAtomic } from './store.ts';

/** A process the sandbox started, recorded so `down` can stop it even after a crash. */
export interface ProcessRecord {
  /** Record name (file stem): `controller`, `port-forward-<pid>`. */
  name: string;
  pid: number;
  /** A string the process's command line contains (guards against a reused pid). */
  marker: string;
  /** ISO start time. */
  startedAt: string;
  /** What it is for (status output). */
  description: string;
}

/**
 * Records a process.
 * @param paths sandbox paths
 * @param rec the record
 */
export function registerProcess(paths: SandboxPaths, rec: ProcessRecord): void {
  writeFileAtomic(path.join(paths.processes, `${rec.name}.json`), `${JSON.stringify(rec)}\n`);
}

/**
 * Removes a process record.
 * @param paths sandbox paths
 * @param name record name
 */
export function unregisterProcess(paths: SandboxPaths, name: string): void {
  rmSync(path.join(paths.processes, `${name}.json`), { force: true });
}

/**
 * Lists recorded processes.
 * @param paths sandbox paths
 * @returns the records
 */
export function listProcesses(paths: SandboxPaths): ProcessRecord[] {
  if (!existsSync(paths.processes)) return [];
  const out: ProcessRecord[] = [];
  for (const f of readdirSync(paths.processes)) {
    if (!f.endsWith('.json')) continue;
    try {
      out.push(JSON.parse(readFileSync(path.join(paths.processes, f), 'utf8')) as ProcessRecord);
    } catch {}
  }
  return out;
}

/**
 * Whether a recorded process still runs (same pid and its command line holds the marker).
 * @param rec the record
 * @returns true when alive and ours
 */
export function processAlive(rec: Pick<ProcessRecord, 'pid' | 'marker'>): boolean {
  if (!pidAlive(rec.pid)) return false;
  try {
    return readFileSync(`/proc/${rec.pid}/cmdline`, 'utf8')
      .replace(/\0/g, ' ')
      .includes(rec.marker);
  } catch {
    return false;
  }
}

/**
 * Stops a recorded process (SIGTERM, SIGKILL after the timeout) if it is still ours, and removes
 * its record.
 * @param paths sandbox paths
 * @param rec the record
 * @param timeoutMs how long to wait after SIGTERM
 * @returns true if a process was stopped
 */
export async function stopProcess(
  paths: SandboxPaths,
  rec: ProcessRecord,
  timeoutMs = 15_000,
): Promise<boolean> {
  let stopped = false;
  if (processAlive(rec)) {
    try {
      process.kill(rec.pid, 'SIGTERM');
      stopped = true;
    } catch {}
    const deadline = Date.now() + timeoutMs;
    while (processAlive(rec)) {
      if (Date.now() > deadline) {
        try {
          process.kill(rec.pid, 'SIGKILL');
        } catch {}
        await sleep(100);
        break;
      }
      await sleep(25);
    }
  }
  unregisterProcess(paths, rec.name);
  return stopped;
}
