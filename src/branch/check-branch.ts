import type { MikadoConfig } from '../config/types.ts';
import { GitError, UsageError } from '../errors.ts';
import { gitTry } from '../git/git.ts';
import {
  type BranchBase,
  type BranchHistory,
  readBranchHistory,
  resolveBase,
} from './branch-history.ts';
import { cardMatcher } from './card-matcher.ts';
import { gitCardSource } from './git-card-source.ts';
import { judgeBranch, judgedCommits, type Verdict } from './judge-branch.ts';
import { mikadoStem, readRepoState } from './repo-state.ts';

/** A branch to judge, resolved. */
export interface ResolvedBranch {
  /** Branch name (`mikado/x`). */
  branch: string;
  /** The ref that was read (`refs/heads/mikado/x`, `refs/remotes/origin/mikado/x`, `HEAD`). */
  ref: string;
  /** The tip's sha. */
  sha: string;
}

/** What {@link analyseBranch} needs. */
export interface AnalyseOptions {
  /** Repository root. */
  root: string;
  config: MikadoConfig;
  /** The branch. */
  target: ResolvedBranch;
  /** Base branch name override (default: the config's `baseBranch`). */
  base?: string;
  /** `branch` (CI: fixups are findings) or `resume` (fixups are fine while work goes on). */
  mode: 'branch' | 'resume';
}

/** A branch's history with the judge's verdict. */
export interface BranchAnalysis {
  branch: string;
  stem: string;
  sha: string;
  history: BranchHistory;
  base: BranchBase;
  verdict: Verdict;
}

/**
 * Resolves the branch to judge: a name or ref given by the user, else the checked-out branch,
 * else (detached HEAD in CI) `origin/$GITHUB_HEAD_REF`.
 * @param root repository root
 * @param ref what the user named, if anything
 * @param env environment (for `GITHUB_HEAD_REF`)
 * @returns the branch, or undefined when HEAD is detached and nothing names a branch
 */
export function resolveBranch(
  root: string,
  ref: string | undefined,
  env: NodeJS.ProcessEnv,
): ResolvedBranch | undefined {
  if (ref === undefined) {
    const state = readRepoState(root);
    if (state.branch) {
      if (!state.head) return { branch: state.branch, ref: 'HEAD', sha: '' };
      return { branch: state.branch, ref: `refs/heads/${state.branch}`, sha: state.head };
    }
    const headRef = env['GITHUB_HEAD_REF'];
    if (!headRef) return undefined;
    ref = `origin/${headRef}`;
  }
  const full = gitTry(['rev-parse', '--symbolic-full-name', ref], { cwd: root }) || ref;
  const sha = gitTry(['rev-parse', '-q', '--verify', `${ref}^{commit}`], { cwd: root });
  if (!sha) {
    throw new UsageError(
      `Unexpected ref \`${ref}\`, expected a branch or commit of this repository`,
      {
        fix: 'Name an existing branch, for example `mikado hook check-branch origin/mikado/x`.',
      },
    );
  }
  let branch = full;
  if (full.startsWith('refs/heads/')) branch = full.slice('refs/heads/'.length);
  else if (full.startsWith('refs/remotes/')) branch = full.split('/').slice(3).join('/');
  return { branch, ref: full, sha };
}

/**
 * Reads and judges an existing branch (no commit being made).
 * @param options root, config, branch and mode
 * @returns the analysis
 */
export async function analyseBranch(options: AnalyseOptions): Promise<BranchAnalysis> {
  const { root, config, target } = options;
  const stem = mikadoStem(target.branch);
  if (!stem) throw new GitError(`\`${target.branch}\` is not a Mikado branch (\`mikado/<stem>\`)`);
  const base = resolveBase(root, options.base ?? config.baseBranch);
  const history: BranchHistory = target.sha
    ? readBranchHistory(root, target.sha, target.branch, base)
    : { base, commits: [] };
  const matcher = cardMatcher(config);
  const cards = gitCardSource(root, matcher);
  try {
    const verdict = await judgeBranch({
      stem,
      base: history.base,
      commits: judgedCommits(history.commits),
      mode: options.mode === 'branch' ? 'branch' : 'commit',
      isCard: matcher.isCard,
      cards,
    });
    return { branch: target.branch, stem, sha: target.sha, history, base: history.base, verdict };
  } finally {
    cards.close();
  }
}
