import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GitError } from '../errors.ts';
import { gitTry } from '../git/git.ts';

/** Where HEAD is. */
export interface RepoState {
  /** Absolute worktree root. */
  root: string;
  /** Absolute git directory of this worktree. */
  gitDir: string;
  /** The checked-out branch's short name (`mikado/x`), or undefined on a detached HEAD. */
  branch?: string;
  /** HEAD's sha, or undefined on an unborn branch. */
  head?: string;
}

/** The prefix of every Mikado branch. */
export const MIKADO_PREFIX = 'mikado/';

/**
 * Reads the repository root, git directory, current branch and HEAD.
 * @param cwd a directory inside the repository
 * @returns the state
 */
export function readRepoState(cwd: string): RepoState {
  // One process in the common case (a branch with commits); HEAD's symbolic name is `HEAD` when
  // detached. An unborn branch makes `HEAD` fail to resolve: then ask one question at a time.
  const all = gitTry(
    ['rev-parse', '--show-toplevel', '--absolute-git-dir', '--verify', '-q', 'HEAD^{commit}'],
    { cwd },
  );
  const lines = all?.split('\n');
  if (lines?.length === 3) {
    const [root = cwd, gitDir = '', head] = lines;
    return { root, gitDir, branch: headBranch(root, gitDir), head };
  }
  const top = gitTry(['rev-parse', '--show-toplevel', '--absolute-git-dir'], { cwd });
  if (top === undefined) {
    throw new GitError(`${cwd}: not inside a git work tree`, {
      fix: 'Run mikado inside a git repository (or pass `--root`).',
    });
  }
  const [root = cwd, gitDir = ''] = top.split('\n');
  const ref = gitTry(['symbolic-ref', '-q', 'HEAD'], { cwd: root });
  const branch = ref?.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
  const head = gitTry(['rev-parse', '-q', '--verify', 'HEAD^{commit}'], { cwd: root });
  return { root, gitDir, branch, head };
}

/** The checked-out branch, read from `$GIT_DIR/HEAD` (asking git only for a reftable HEAD). */
function headBranch(root: string, gitDir: string): string | undefined {
  let ref: string | undefined;
  try {
    const text = readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
    ref = text.startsWith('ref: ') ? text.slice(5) : undefined;
    if (ref === 'refs/heads/.invalid') ref = gitTry(['symbolic-ref', '-q', 'HEAD'], { cwd: root });
  } catch {
    ref = gitTry(['symbolic-ref', '-q', 'HEAD'], { cwd: root });
  }
  return ref?.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
}

/**
 * The stem of a Mikado branch name.
 * @param branch a branch name such as `mikado/x`
 * @returns `x`, or undefined when the branch is not a Mikado branch
 */
export function mikadoStem(branch: string | undefined): string | undefined {
  if (!branch?.startsWith(MIKADO_PREFIX)) return undefined;
  const stem = branch.slice(MIKADO_PREFIX.length);
  return stem === '' ? undefined : stem;
}
