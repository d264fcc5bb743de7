import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MikadoConfig } from '../config/types.ts';
import { UsageError } from '../errors.ts';
import { git, gitTry } from '../git/git.ts';
import { shellQuote } from '../shell-quote.ts';
import { cardMatcher } from './card-matcher.ts';
import { analyseBranch } from './check-branch.ts';
import { short, type Violation } from './judge-branch.ts';
import {
  clearReplayState,
  type ReplayState,
  readReplayState,
  writeReplayState,
} from './replay-state.ts';
import { readRepoState } from './repo-state.ts';
import { isDirty, stashName, stashRefOf } from './reset-branch.ts';
import { applyStash, stashPart } from './stash-part.ts';

/** What `mikado replay` did. */
export interface ReplayOutcome {
  /** `done`: every commit replayed; `stopped`: a conflict; `aborted`: the branch is back. */
  status: 'done' | 'stopped' | 'aborted';
  branch: string;
  /** The commits replayed after the plan (the plan commit of `mikado plan` not counted). */
  picks: ReplayState['picks'];
  /** When stopped: the commit being applied and the files in conflict. */
  stoppedAt?: { sha: string; subject: string };
  conflicts: string[];
  /** The uncommitted work restored from the stash met the replayed branch: markers left. */
  stashConflict?: string;
  /** Uncommitted work found when aborting, kept in this stash. */
  savedStash?: string;
  /** A plan commit made after the reset, kept under this ref when aborting. */
  keptPlan?: string;
  /** The ref that keeps the HEAD from before the reset. */
  backupRef: string;
  /** The judge's findings on the replayed branch. */
  violations: Violation[];
}

/**
 * `mikado replay`: after `mikado reset --apply` and the plan commit, replays the recorded
 * commits with `git rebase` (stopping on a conflict the way it does), then restores the
 * uncommitted work that was stashed. `--continue` goes on after a conflict is resolved;
 * `--abort` puts the branch, the index and the work tree back as they were before the reset.
 * @param config the resolved config
 * @param mode `start`, `continue` or `abort`
 * @param now the time, for the stash that keeps work found when aborting
 * @returns what happened
 */
export async function replayBranch(
  config: MikadoConfig,
  mode: 'start' | 'continue' | 'abort',
  now: Date = new Date(),
): Promise<ReplayOutcome> {
  const root = config.root;
  const repo = readRepoState(root);
  const state = readReplayState(repo.gitDir);
  if (!state) {
    throw new UsageError('Unexpected `mikado replay` with no reset in progress', {
      fix: 'Run `mikado reset --apply` (or `mikado plan`) first; `mikado view --resume` says what to do next.',
    });
  }
  // While the rebase is stopped HEAD is detached; the rebase names the branch it works on.
  const onBranch =
    repo.branch ??
    readText(path.join(repo.gitDir, 'rebase-merge', 'head-name'))?.replace(/^refs\/heads\//, '');
  if (onBranch !== state.branch) {
    throw new UsageError(
      `Unexpected branch \`${repo.branch ?? 'HEAD'}\`: the reset in progress is on \`${state.branch}\``,
      { fix: `Switch back first: \`git switch ${state.branch}\`.` },
    );
  }
  if (mode === 'abort') return abort(config, state, now);
  if (rebaseInProgress(repo.gitDir)) {
    if (mode === 'start') {
      throw new UsageError('The replay stopped on a conflict and is still in progress', {
        fix: 'Resolve it, `git add` the files, then run `mikado replay --continue` (or `mikado replay --abort`).',
      });
    }
    const r = rebase(root, ['rebase', '--continue']);
    if (!r.ok) return stopped(root, repo.gitDir, state);
    return finish(config, state);
  }
  if (state.replaying) return finish(config, state);
  return start(config, state);
}

/**
 * Starts the replay: one `git rebase -i` whose todo is the recorded picks.
 * @param config the resolved config
 * @param state the reset in progress
 * @returns what happened
 */
export async function start(config: MikadoConfig, state: ReplayState): Promise<ReplayOutcome> {
  const root = config.root;
  const repo = readRepoState(root);
  const head = repo.head ?? '';
  if (gitTry(['merge-base', '--is-ancestor', state.onto, head], { cwd: root }) === undefined) {
    throw new UsageError(
      `Unexpected HEAD \`${short(head)}\`: it does not build on the reset point \`${short(state.onto)}\``,
      {
        fix: 'Run `mikado replay --abort` to put the branch back as it was before the reset.',
      },
    );
  }
  const matcher = cardMatcher(config);
  const tracked = gitTry(['status', '--porcelain', '--untracked-files=no'], { cwd: root }) ?? '';
  const untrackedCards = (
    gitTry(['ls-files', '-z', '--others', '--exclude-standard'], { cwd: root }) ?? ''
  )
    .split('\0')
    .filter((p) => p !== '' && matcher.isCard(p));
  if (tracked !== '' || untrackedCards.length > 0) {
    throw new UsageError('Unexpected uncommitted changes: the replay needs a clean work tree', {
      fix: `Commit the new cards as the plan first (\`git add -A && git commit -m 'C2(${state.stem}): plan ...'\`), or stash the rest (\`git stash\`).`,
    });
  }
  const todo = path.join(repo.gitDir, 'mikado', 'replay-todo');
  writeFileSync(todo, state.picks.map((p) => `pick ${p.sha} ${p.subject}\n`).join(''));
  writeReplayState(repo.gitDir, { ...state, replaying: true });
  // `mikado plan` rebases the branch (the plan commit on top) onto the reset point; after
  // `mikado reset --apply` the branch is at the plan already and the picks go on top.
  const upstream = state.kind === 'plan' ? state.onto : 'HEAD';
  const r = rebase(root, ['rebase', '-i', '--empty=keep', '--no-autosquash', upstream], {
    GIT_SEQUENCE_EDITOR: `cp ${shellQuote(todo)}`,
  });
  rmSync(todo, { force: true });
  if (!r.ok) {
    if (rebaseInProgress(repo.gitDir)) return stopped(root, repo.gitDir, state);
    writeReplayState(repo.gitDir, { ...state, replaying: false });
    throw new UsageError(`\`git rebase\` refused to replay: ${firstLine(r.output)}`, {
      fix: 'Fix what git says, then run `mikado replay` again (or `mikado replay --abort`).',
    });
  }
  return finish(config, state);
}

async function finish(config: MikadoConfig, state: ReplayState): Promise<ReplayOutcome> {
  const root = config.root;
  const repo = readRepoState(root);
  let stashConflict: string | undefined;
  if (state.stash) {
    const part =
      state.kind === 'reset'
        ? stashPart(root, repo.gitDir, state.stash, cardMatcher(config).isCard, 'rest')
        : state.stash;
    const ref = stashRefOf(root, state.stash);
    if (part && applyStash(root, part) === 'conflict') {
      stashConflict = ref ?? state.stash;
    } else if (ref) {
      git(['stash', 'drop', '--quiet', ref], { cwd: root });
    }
  }
  clearReplayState(repo.gitDir);
  return {
    status: 'done',
    branch: state.branch,
    picks: replayed(state),
    conflicts: [],
    stashConflict,
    backupRef: state.backupRef,
    violations: await judge(config, state.branch),
  };
}

function abort(config: MikadoConfig, state: ReplayState, now: Date): ReplayOutcome {
  const root = config.root;
  const repo = readRepoState(root);
  if (rebaseInProgress(repo.gitDir)) git(['rebase', '--abort'], { cwd: root });
  const head = readRepoState(root).head ?? '';
  let savedStash: string | undefined;
  // Work done since the reset (or left by the rebase) is kept, never discarded.
  if (state.kind === 'reset' && isDirty(root)) {
    const name = stashName('mikado replay --abort', state.branch, now);
    git(['stash', 'push', '--include-untracked', '--quiet', '-m', name], { cwd: root });
    const saved = git(['rev-parse', 'stash@{0}'], { cwd: root }).trim();
    // Only the card changes the reset brought back (the old stash has them): nothing new.
    if (state.restored && sameStash(root, saved, state.restored)) {
      git(['stash', 'drop', '--quiet', 'stash@{0}'], { cwd: root });
    } else {
      savedStash = stashRefOf(root, saved);
    }
  }
  let keptPlan: string | undefined;
  if (
    state.kind === 'reset' &&
    head !== state.onto &&
    gitTry(['merge-base', '--is-ancestor', head, state.head], { cwd: root }) === undefined
  ) {
    keptPlan = `refs/mikado/aborted-plan/${state.stem}`;
    git(['update-ref', '-m', 'mikado replay --abort', keptPlan, head], { cwd: root });
  }
  // `mikado plan`: the rebase is undone (HEAD at the plan commit); otherwise back to the old HEAD.
  git(
    ['reset', '--hard', '--quiet', state.kind === 'plan' ? (state.plan ?? state.head) : state.head],
    {
      cwd: root,
    },
  );
  let stashConflict: string | undefined;
  if (state.stash) {
    const ref = stashRefOf(root, state.stash);
    if (applyStash(root, state.stash) === 'conflict') stashConflict = ref ?? state.stash;
    else if (ref) git(['stash', 'drop', '--quiet', ref], { cwd: root });
  }
  // The plan commit's cards go back to being staged on the old HEAD.
  if (state.kind === 'plan') git(['reset', '--soft', '--quiet', state.head], { cwd: root });
  clearReplayState(repo.gitDir);
  return {
    status: 'aborted',
    branch: state.branch,
    picks: replayed(state),
    conflicts: [],
    stashConflict,
    savedStash,
    keptPlan,
    backupRef: state.backupRef,
    violations: [],
  };
}

function stopped(root: string, gitDir: string, state: ReplayState): ReplayOutcome {
  const conflicts = (gitTry(['diff', '--name-only', '--diff-filter=U'], { cwd: root }) ?? '')
    .split('\n')
    .filter(Boolean);
  // The last line of the rebase's `done` file is the pick it stopped on.
  const done = readText(path.join(gitDir, 'rebase-merge', 'done'))?.split('\n') ?? [];
  const sha = done[done.length - 1]?.split(' ')[1] ?? '';
  const stoppedAt = sha ? state.picks.find((p) => p.sha.startsWith(sha)) : undefined;
  return {
    status: 'stopped',
    branch: state.branch,
    picks: replayed(state),
    stoppedAt,
    conflicts,
    backupRef: state.backupRef,
    violations: [],
  };
}

async function judge(config: MikadoConfig, branch: string): Promise<Violation[]> {
  const head = readRepoState(config.root).head ?? '';
  const analysis = await analyseBranch({
    root: config.root,
    config,
    target: { branch, ref: `refs/heads/${branch}`, sha: head },
    mode: 'resume',
  });
  return analysis.verdict.violations;
}

/** Whether two stash-like commits hold the same changes (work tree, index, untracked files). */
function sameStash(root: string, a: string, b: string): boolean {
  const parts = (s: string): string[] => [
    gitTry(['diff', '--binary', `${s}^1`, s], { cwd: root }) ?? 'x',
    gitTry(['diff', '--binary', `${s}^1`, `${s}^2`], { cwd: root }) ?? 'x',
    gitTry(['rev-parse', '-q', '--verify', `${s}^3^{tree}`], { cwd: root }) ?? '',
  ];
  return parts(a).join('\0') === parts(b).join('\0');
}

function replayed(state: ReplayState): ReplayState['picks'] {
  return state.plan ? state.picks.filter((p) => p.sha !== state.plan) : state.picks;
}

/**
 * Whether a `git rebase` is stopped in this worktree.
 * @param gitDir the worktree's git directory
 * @returns true while `rebase-merge` or `rebase-apply` exists
 */
export function rebaseInProgress(gitDir: string): boolean {
  return (
    existsSync(path.join(gitDir, 'rebase-merge')) || existsSync(path.join(gitDir, 'rebase-apply'))
  );
}

function rebase(
  root: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { ok: boolean; output: string } {
  try {
    git(args, { cwd: root, env: { ...process.env, GIT_EDITOR: 'true', ...env } });
    return { ok: true, output: '' };
  } catch (error) {
    return { ok: false, output: error instanceof Error ? error.message : String(error) };
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}
