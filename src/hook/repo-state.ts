import { GitError } from '../errors.ts';
import { gitTry } from './git.ts';

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

/**
 * Reads a single git config value.
 * @param cwd repository directory
 * @param key the config key
 * @returns the value, or undefined when unset
 */
export function gitConfig(cwd: string, key: string): string | undefined {
  return gitTry(['config', '--get', key], { cwd });
}

/**
 * Reads several git config keys in one process.
 * @param cwd repository directory
 * @param pattern a regular expression over key names (as `git config --get-regexp` takes it)
 * @returns the last value of each key found (keys lower-cased as git prints them)
 */
export function gitConfigMatching(cwd: string, pattern: string): Map<string, string> {
  const out = new Map<string, string>();
  const text = gitTry(['config', '-z', '--get-regexp', pattern], { cwd });
  if (!text) return out;
  for (const entry of text.split('\0')) {
    if (entry === '') continue;
    const nl = entry.indexOf('\n');
    out.set(nl < 0 ? entry : entry.slice(0, nl), nl < 0 ? '' : entry.slice(nl + 1));
  }
  return out;
}
