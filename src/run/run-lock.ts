import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunError } from '../errors.ts';
import { isProcessAlive, processStartTime } from './proc.ts';

/** Who holds a profile's run lock. */
export interface LockOwner {
  pid: number;
  host: string;
  /** Process start time from `/proc` (guards against a reused pid). */
  procStart?: string;
  /** ISO time the lock was taken. */
  since: string;
  /** The command line, for humans. */
  command: string;
  run: string;
}

/**
 * Where a profile's run lock lives: `<root>/.mikado/locks/<profile>.lock`.
 * @param root repository root
 * @param profile profile name
 * @returns absolute path
 */
export function lockPath(root: string, profile: string): string {
  return path.join(root, '.mikado', 'locks', `${profile}.lock`);
}

/**
 * Reads the owner of a lock file.
 * @param file lock path
 * @returns the owner, or undefined when there is no lock (or it is unreadable)
 */
export function readLockOwner(file: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

/**
 * Whether a lock's owner still runs. An owner on another host cannot be checked and counts as alive.
 * @param owner the lock owner
 * @returns true when alive (or unknowable)
 */
export function isOwnerAlive(owner: LockOwner): boolean {
  if (owner.host !== os.hostname()) return true;
  return isProcessAlive(owner.pid, owner.procStart);
}

/** A held run lock. */
export interface RunLock {
  file: string;
  owner: LockOwner;
  /** The owner found dead and replaced, if any. */
  tookOverFrom?: LockOwner;
  /** Removes the lock if it is still ours. */
  release(): void;
}

/**
 * Takes the one-run-per-profile lock. The lock file is written whole under a temporary name and
 * hard-linked into place, so it appears atomically and complete. A lock left by a dead runner (its
 * pid gone, or reused by another process) is taken over; a live one refuses, naming its owner.
 * @param file lock path
 * @param info the run id and command line to record
 * @returns the held lock
 */
export function acquireRunLock(file: string, info: { run: string; command: string }): RunLock {
  mkdirSync(path.dirname(file), { recursive: true });
  const owner: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    procStart: processStartTime(process.pid),
    since: new Date().toISOString(),
    command: info.command,
    run: info.run,
  };
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(owner)}\n`);
  let tookOverFrom: LockOwner | undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw error;
      }
      const current = readLockOwner(file);
      if (current && isOwnerAlive(current)) {
        throw new RunError(
          `Another run holds the lock for this profile: pid ${current.pid} on ${current.host} since ${current.since} (\`${current.command}\`)`,
          {
            fix: `Wait for it to finish or stop it. If that process is gone for good, delete ${file}.`,
          },
        );
      }
      tookOverFrom = current;
      try {
        unlinkSync(file);
      } catch {
        // Someone else removed it first: try again.
      }
    }
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
  }
  return {
    file,
    owner,
    tookOverFrom,
    release() {
      const current = readLockOwner(file);
      if (current && current.run === owner.run && current.pid === owner.pid) {
        try {
          unlinkSync(file);
        } catch {
          // already gone
        }
      }
    },
  };
}
