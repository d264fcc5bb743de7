import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { GitError } from '../errors.ts';

/** A commit `mikado replay` applies, in order. */
export interface ReplayPick {
  sha: string;
  subject: string;
}

/**
 * A reset in progress, recorded in `$GIT_DIR/mikado/replay.json` by `mikado reset --apply` and
 * `mikado plan` until the replay finishes or is aborted.
 */
export interface ReplayState {
  version: 1;
  /** `reset`: `mikado reset --apply` (the plan is committed by hand); `plan`: `mikado plan`. */
  kind: 'reset' | 'plan';
  branch: string;
  stem: string;
  /** HEAD before the reset (also kept under {@link ReplayState.backupRef}). */
  head: string;
  /** The reset point: the end of the planning layer. */
  onto: string;
  /** The commits to replay after the new plan, in order. */
  picks: ReplayPick[];
  /** The stash commit holding the uncommitted work, if there was any. */
  stash: string | null;
  /** Its message (`mikado reset mikado/x <time>`). */
  stashName: string;
  /** The ref that keeps the old HEAD. */
  backupRef: string;
  /** `mikado plan`: the plan commit made on top of the old HEAD (replayed first). */
  plan: string | null;
  /** Set once `git rebase` has started the picks. */
  replaying: boolean;
  /** The stash-like commit of the card changes `mikado reset --apply` brought back, if any. */
  restored?: string;
}

/**
 * Where the replay state lives.
 * @param gitDir the worktree's git directory
 * @returns the file's path
 */
export function replayStateFile(gitDir: string): string {
  return path.join(gitDir, 'mikado', 'replay.json');
}

/**
 * Reads the replay state, if a reset is in progress.
 * @param gitDir the worktree's git directory
 * @returns the state, or undefined
 */
export function readReplayState(gitDir: string): ReplayState | undefined {
  const file = replayStateFile(gitDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const state = JSON.parse(text) as ReplayState;
    if (state.version === 1 && Array.isArray(state.picks)) return state;
  } catch {
    // reported below
  }
  throw new GitError(`${file}: unreadable replay state`, {
    fix: `Restore the branch from its backup ref (\`git reset --hard refs/mikado/backup/<stem>\`) and remove ${file}.`,
  });
}

/**
 * Records the replay state (written atomically).
 * @param gitDir the worktree's git directory
 * @param state the state
 */
export function writeReplayState(gitDir: string, state: ReplayState): void {
  const file = replayStateFile(gitDir);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic.sync(file, `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * Forgets the replay state (the replay finished or was aborted).
 * @param gitDir the worktree's git directory
 */
export function clearReplayState(gitDir: string): void {
  rmSync(replayStateFile(gitDir), { force: true });
}
