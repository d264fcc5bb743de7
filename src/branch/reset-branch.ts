import { existsSync } from 'node:fs';
import path from 'node:path';
import type { MikadoConfig } from '../config/types.ts';
import { GitError, MikadoError, UsageError } from '../errors.ts';
import { git, gitTry } from '../git/git.ts';
import { analyseBranch, type BranchAnalysis } from './check-branch.ts';
import { type ResetPoint, short } from './judge-branch.ts';
import { mikadoStem, readRepoState } from './repo-state.ts';

/** A commit named in a reset plan. */
export interface PlannedCommit {
  sha: string;
  subject: string;
  /** An `impl` commit that could be replayed after the reset. */
  replay: boolean;
}

/** What `mikado reset` will do (or did). */
export interface ResetPlan {
  branch: string;
  stem: string;
  /** HEAD before the reset. */
  head: string;
  /** Where the branch goes, or undefined when there is nothing to reset. */
  resetPoint?: ResetPoint;
  /** Why there is nothing to reset. */
  nothing?: string;
  /** Commits the reset removes from the branch (oldest first). */
  dropped: PlannedCommit[];
  /** Uncommitted changes (staged, unstaged or untracked) that will be stashed. */
  dirty: boolean;
  /** The stash message used for uncommitted work. */
  stashName: string;
  /** `git cherry-pick ...` for the replayable commits, if any. */
  cherryPick?: string;
  analysis: BranchAnalysis;
}

/** What applying a reset did. */
export interface ResetOutcome {
  /** The stash entry holding the uncommitted work, if there was any. */
  stash?: string;
}

/**
 * Plans a reset of the current Mikado branch: the reset point is the commit before the first
 * violation or, on a conventional branch, the last `plan` or `close` before the current cycle's
 * `impl` commits.
 * @param config the resolved config
 * @param now the time, for the stash name
 * @returns the plan
 */
export async function planReset(config: MikadoConfig, now: Date = new Date()): Promise<ResetPlan> {
  const state = readRepoState(config.root);
  const stem = mikadoStem(state.branch);
  if (!stem || !state.branch) {
    throw new UsageError(
      state.branch
        ? `Unexpected branch \`${state.branch}\`, expected a Mikado branch \`mikado/<stem>\``
        : 'Unexpected detached HEAD, expected a Mikado branch `mikado/<stem>` checked out',
      { fix: "Check out the chain's branch first: `git switch mikado/<stem>`." },
    );
  }
  if (!state.head) {
    throw new UsageError(`\`${state.branch}\` has no commits yet; there is nothing to reset`);
  }
  const analysis = await analyseBranch({
    root: config.root,
    config,
    target: { branch: state.branch, ref: `refs/heads/${state.branch}`, sha: state.head },
    mode: 'resume',
  });
  const v = analysis.verdict;
  const dirty =
    (gitTry(['status', '--porcelain', '--untracked-files=all'], { cwd: config.root }) ?? '') !== '';
  const stashName = `mikado reset ${state.branch} ${now.toISOString().replace(/\.\d+Z$/, 'Z')}`;
  const base = { branch: state.branch, stem, head: state.head, dirty, stashName, analysis };
  const rp = v.resetPoint;
  if (!rp || rp.sha === state.head) {
    const last = v.entries[v.entries.length - 1];
    return {
      ...base,
      dropped: [],
      nothing: last
        ? `HEAD \`${last.commit.subject}\` (\`${short(state.head)}\`) is already a reset point`
        : `\`${state.branch}\` has no commits since \`${analysis.base.name}\``,
    };
  }
  const replay = new Set(v.replay.map((c) => c.sha));
  const commits = analysis.history.commits;
  const from = commits.findIndex((c) => c.sha === rp.sha);
  const dropped = commits
    .slice(from + 1)
    .map((c) => ({ sha: c.sha, subject: c.subject, replay: replay.has(c.sha) }));
  const picks = dropped.filter((c) => c.replay).map((c) => short(c.sha));
  return {
    ...base,
    resetPoint: rp,
    dropped,
    cherryPick: picks.length > 0 ? `git cherry-pick ${picks.join(' ')}` : undefined,
  };
}

/**
 * Applies a reset plan: stashes uncommitted work (untracked files too) under the plan's name,
 * checks that nothing uncommitted is left, then moves the branch to the reset point. It never
 * discards uncommitted work: if the stash fails, nothing is reset.
 * @param plan the plan from {@link planReset}
 * @param root repository root
 * @returns the stash that holds the uncommitted work, if any
 */
export function applyReset(plan: ResetPlan, root: string): ResetOutcome {
  if (!plan.resetPoint) return {};
  const state = readRepoState(root);
  if (state.branch !== plan.branch || state.head !== plan.head) {
    throw new MikadoError('The branch moved since the reset was planned', {
      fix: 'Run `mikado reset` again to see the new plan.',
    });
  }
  for (const marker of [
    'MERGE_HEAD',
    'CHERRY_PICK_HEAD',
    'REVERT_HEAD',
    'rebase-merge',
    'rebase-apply',
  ]) {
    if (existsSync(path.join(state.gitDir, marker))) {
      throw new GitError(`A merge, cherry-pick, revert or rebase is in progress (\`${marker}\`)`, {
        fix: 'Finish or abort it first (`git merge --abort`, `git cherry-pick --abort`, `git rebase --abort`).',
      });
    }
  }
  let stash: string | undefined;
  if (plan.dirty) {
    git(['stash', 'push', '--include-untracked', '-m', plan.stashName], { cwd: root });
    const left = gitTry(['status', '--porcelain', '--untracked-files=all'], { cwd: root }) ?? '?';
    if (left !== '') {
      throw new GitError('Uncommitted work is left after `git stash`; nothing was reset', {
        fix: 'Commit or stash it yourself (`git stash list` shows what was stashed), then run `mikado reset --apply` again.',
      });
    }
    stash = findStash(root, plan.stashName);
  }
  git(['reset', '--hard', '--quiet', plan.resetPoint.sha], { cwd: root });
  return { stash };
}

function findStash(root: string, name: string): string | undefined {
  const list = gitTry(['stash', 'list', '--format=%gd%x00%gs'], { cwd: root }) ?? '';
  for (const line of list.split('\n')) {
    const [ref, subject] = line.split('\0');
    if (subject?.endsWith(name)) return ref;
  }
  return undefined;
}
