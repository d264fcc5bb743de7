import { existsSync } from 'node:fs';
import path from 'node:path';
import type { MikadoConfig } from '../config/types.ts';
import { GitError, MikadoError, UsageError } from '../errors.ts';
import { git, gitTry } from '../git/git.ts';
import { cardMatcher, cardStem } from './card-matcher.ts';
import { analyseBranch, type BranchAnalysis } from './check-branch.ts';
import { type ResetPoint, short } from './judge-branch.ts';
import { type ReplayPick, readReplayState, writeReplayState } from './replay-state.ts';
import { mikadoStem, type RepoState, readRepoState } from './repo-state.ts';
import { applyStash, stashPart } from './stash-part.ts';

/** A commit named in a reset plan. */
export interface PlannedCommit {
  sha: string;
  subject: string;
  /** Replayed after the new plan (every commit after the reset point is). */
  replay: boolean;
}

/** What `mikado reset` will do (or did). */
export interface ResetPlan {
  branch: string;
  stem: string;
  /** HEAD before the reset. */
  head: string;
  /** Where the branch goes (the end of the planning layer), or undefined when nothing to reset. */
  resetPoint?: ResetPoint;
  /** Why there is nothing to reset. */
  nothing?: string;
  /** Commits the reset takes off the branch, oldest first; `mikado replay` puts them back. */
  dropped: PlannedCommit[];
  /** The order `mikado replay` applies them in (`plan` commits first). */
  picks: ReplayPick[];
  /** Uncommitted changes (staged, unstaged or untracked) that will be stashed. */
  dirty: boolean;
  /** The stash message used for uncommitted work. */
  stashName: string;
  /** The ref that keeps the old HEAD. */
  backupRef: string;
  analysis: BranchAnalysis;
}

/** What applying a reset did. */
export interface ResetOutcome {
  /** The stash entry holding the uncommitted work, if there was any. */
  stash?: string;
  /** Card changes brought back from the stash onto the reset point (to commit as the plan). */
  cards: string[];
  /** The subject to commit them with: `C2(<stem>): plan <the new cards' stems>`. */
  planSubject?: string;
  /** The stash-like commit of the card changes that were brought back. */
  restored?: string;
  /** Bringing the card changes back met changes of the reset point: conflict markers are left. */
  conflict: boolean;
}

/**
 * Plans a reset of the current Mikado branch to the end of its planning layer (the last commit
 * before the first `impl` or `close`, or the base), where a new prerequisite can be planned.
 * @param config the resolved config
 * @param now the time, for the stash name
 * @returns the plan
 */
export async function planReset(config: MikadoConfig, now: Date = new Date()): Promise<ResetPlan> {
  const state = mikadoBranchState(config.root);
  refuseOperationInProgress(state);
  const branch = state.branch!;
  const head = state.head!;
  const stem = mikadoStem(branch)!;
  const analysis = await analyseBranch({
    root: config.root,
    config,
    target: { branch, ref: `refs/heads/${branch}`, sha: head },
    mode: 'resume',
  });
  const v = analysis.verdict;
  const base = {
    branch,
    stem,
    head,
    dirty: isDirty(config.root),
    stashName: stashName('mikado reset', branch, now),
    backupRef: backupRef(stem),
    analysis,
  };
  const rp = v.resetPoint;
  if (!rp || rp.sha === head) {
    const last = v.entries[v.entries.length - 1];
    return {
      ...base,
      dropped: [],
      picks: [],
      nothing: last
        ? `HEAD \`${last.commit.subject}\` (\`${short(head)}\`) is in the planning layer: a plan can be committed here`
        : `\`${branch}\` has no commits since \`${analysis.base.name}\``,
    };
  }
  const commits = analysis.history.commits;
  const from = commits.findIndex((c) => c.sha === rp.sha);
  const dropped = commits.slice(from + 1);
  const merge = dropped.find((c) => c.parents.length > 1);
  if (merge) {
    throw new UsageError(
      `Unexpected merge commit \`${short(merge.sha)}\` after the reset point: a replay cannot apply it`,
      { fix: `Drop the merge first (\`git rebase -i ${short(merge.sha)}^\`), then reset.` },
    );
  }
  return {
    ...base,
    resetPoint: rp,
    dropped: dropped.map((c) => ({ sha: c.sha, subject: c.subject, replay: true })),
    picks: v.replay.map((c) => ({ sha: c.sha!, subject: c.subject })),
  };
}

/**
 * Applies a reset plan without losing anything: stashes uncommitted work (untracked files too)
 * under the plan's name, keeps the old HEAD under a backup ref, records the commits to replay,
 * moves the branch to the reset point and brings the stashed card changes back there (staged as
 * they were), ready to be committed as the plan. `mikado replay` then replays the commits and the
 * rest of the stash; `mikado replay --abort` puts everything back.
 * @param plan the plan from {@link planReset}
 * @param config the resolved config
 * @returns the stash and the card changes brought back
 */
export function applyReset(plan: ResetPlan, config: MikadoConfig): ResetOutcome {
  const root = config.root;
  if (!plan.resetPoint) return { cards: [], conflict: false };
  const state = readRepoState(root);
  if (state.branch !== plan.branch || state.head !== plan.head) {
    throw new MikadoError('The branch moved since the reset was planned', {
      fix: 'Run `mikado reset` again to see the new plan.',
    });
  }
  refuseOperationInProgress(state);
  let stash: string | undefined;
  let stashRef: string | undefined;
  if (plan.dirty) {
    stash = stashAll(root, plan.stashName);
    stashRef = stashRefOf(root, stash);
  }
  git(['update-ref', '-m', 'mikado reset', plan.backupRef, plan.head], { cwd: root });
  writeReplayState(state.gitDir, {
    version: 1,
    kind: 'reset',
    branch: plan.branch,
    stem: plan.stem,
    head: plan.head,
    onto: plan.resetPoint.sha,
    picks: plan.picks,
    stash: stash ?? null,
    stashName: plan.stashName,
    backupRef: plan.backupRef,
    plan: null,
    replaying: false,
  });
  git(['reset', '--hard', '--quiet', plan.resetPoint.sha], { cwd: root });
  if (!stash) return { cards: [], conflict: false };
  const matcher = cardMatcher(config);
  const cards = stashPart(root, state.gitDir, stash, matcher.isCard, 'cards');
  if (!cards) return { stash: stashRef, cards: [], conflict: false };
  const conflict = applyStash(root, cards) === 'conflict';
  writeReplayState(state.gitDir, { ...readReplayState(state.gitDir)!, restored: cards });
  const changed = cardChanges(root, matcher.isCard);
  const added = changed.filter((c) => c.added);
  const named = (added.length > 0 ? added : changed).map((c) => cardStem(c.path)).join(', ');
  return {
    stash: stashRef,
    cards: changed.map((c) => c.path),
    planSubject: `C2(${plan.stem}): plan ${named}`,
    restored: cards,
    conflict,
  };
}

/**
 * The cards with uncommitted changes (staged, unstaged or untracked).
 * @param root repository root
 * @param isCard whether a path is a card
 * @returns each card's path and whether it is new
 */
export function cardChanges(
  root: string,
  isCard: (p: string) => boolean,
): { path: string; added: boolean }[] {
  const out = gitTry(['status', '--porcelain', '-z', '--untracked-files=all'], { cwd: root }) ?? '';
  const entries = out.split('\0');
  const changes: { path: string; added: boolean }[] = [];
  for (let i = 0; i < entries.length; i++) {
    const line = entries[i]!;
    if (line.length < 4) continue;
    const xy = line.slice(0, 2);
    // A rename or copy is followed by its source path.
    if (xy[0] === 'R' || xy[0] === 'C') i++;
    const p = line.slice(3);
    if (isCard(p)) changes.push({ path: p, added: xy === '??' || xy[0] === 'A' });
  }
  return changes;
}

/**
 * The current branch, checked to be a Mikado branch with commits.
 * @param root repository root
 * @returns the repository state
 */
export function mikadoBranchState(root: string): RepoState {
  const state = readRepoState(root);
  if (!mikadoStem(state.branch) || !state.branch) {
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
  return state;
}

/**
 * Refuses while git is in the middle of a merge, cherry-pick, revert or rebase, or while a
 * `mikado` reset waits for its replay.
 * @param state the repository state
 */
export function refuseOperationInProgress(state: RepoState): void {
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
  const replay = readReplayState(state.gitDir);
  if (replay) {
    throw new UsageError(`A reset of \`${replay.branch}\` is waiting for its replay`, {
      fix: 'Run `mikado replay` to finish it, or `mikado replay --abort` to put the branch back as it was.',
    });
  }
}

/**
 * Whether the work tree has uncommitted changes (staged, unstaged or untracked).
 * @param root repository root
 * @returns true when something is uncommitted
 */
export function isDirty(root: string): boolean {
  return (gitTry(['status', '--porcelain', '--untracked-files=all'], { cwd: root }) ?? '') !== '';
}

/**
 * Stashes every uncommitted change, untracked files too, and checks nothing is left.
 * @param root repository root
 * @param name the stash message
 * @returns the stash commit
 */
export function stashAll(root: string, name: string): string {
  git(['stash', 'push', '--include-untracked', '--quiet', '-m', name], { cwd: root });
  if (isDirty(root)) {
    throw new GitError('Uncommitted work is left after `git stash`; nothing was reset', {
      fix: 'Commit or stash it yourself (`git stash list` shows what was stashed), then try again.',
    });
  }
  return git(['rev-parse', 'stash@{0}'], { cwd: root }).trim();
}

/**
 * The `stash@{n}` name of a stash commit, if it is still in the stash list.
 * @param root repository root
 * @param sha the stash commit
 * @returns `stash@{n}`, or undefined
 */
export function stashRefOf(root: string, sha: string): string | undefined {
  const list = gitTry(['stash', 'list', '--format=%gd %H'], { cwd: root }) ?? '';
  for (const line of list.split('\n')) {
    const [ref, commit] = line.split(' ');
    if (commit === sha) return ref;
  }
  return undefined;
}

/**
 * A stash message that names the operation, the branch and the time.
 * @param what `mikado reset`, `mikado plan`, ...
 * @param branch the branch
 * @param now the time
 * @returns the message
 */
export function stashName(what: string, branch: string, now: Date): string {
  return `${what} ${branch} ${now.toISOString().replace(/\.\d+Z$/, 'Z')}`;
}

/**
 * The ref that keeps a Mikado branch's HEAD from before its last reset.
 * @param stem the branch's stem
 * @returns `refs/mikado/backup/<stem>`
 */
export function backupRef(stem: string): string {
  return `refs/mikado/backup/${stem}`;
}
