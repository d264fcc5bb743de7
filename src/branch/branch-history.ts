import { GitError } from '../errors.ts';
import { git, gitAsync, gitBuffer, gitTry } from '../git/git.ts';
import { subjectOf } from '../hook/clean-message.ts';

/** A path a commit changed (renames appear as a deletion and an addition). */
export interface ChangedPath {
  /** `A`, `M`, `D`, `T`, ... as git's `--name-status` prints it. */
  status: string;
  /** Path relative to the repository root, `/`-separated. */
  path: string;
}

/** One commit of a Mikado branch. */
export interface BranchCommit {
  sha: string;
  parents: string[];
  /** The full message as stored. */
  message: string;
  /** The normalised subject (first non-empty line, no trailing whitespace). */
  subject: string;
  /** Paths changed against the first parent. */
  paths: ChangedPath[];
}

/** Where a Mikado branch starts. */
export interface BranchBase {
  /** The configured base branch name (`main`). */
  name: string;
  /** The refs the branch is measured against (`refs/heads/main`, `refs/remotes/origin/main`). */
  refs: string[];
  /**
   * True when no ref of the base branch exists: the branch's commits are then those on no other
   * local or remote-tracking branch.
   */
  fallback: boolean;
  /** Where the branch leaves the base (merge base), when there is one. */
  sha?: string;
}

/** A branch's commits since its base. */
export interface BranchHistory {
  base: BranchBase;
  /** Oldest first. */
  commits: BranchCommit[];
}

/**
 * Finds the refs of the base branch: the local branch and any remote-tracking branch of that
 * name. With none, the history falls back to "commits on no other branch".
 * @param cwd repository directory
 * @param baseName configured base branch (`main`)
 * @returns the base description (without `sha`)
 */
export function resolveBase(cwd: string, baseName: string): BranchBase {
  return parseBaseRefs(git(baseRefsArgs(baseName), { cwd }), baseName);
}

/**
 * The `git for-each-ref` arguments that list the base branch's refs.
 * @param baseName configured base branch (`main`)
 * @returns git arguments
 */
export function baseRefsArgs(baseName: string): string[] {
  return [
    'for-each-ref',
    '--format=%(refname)',
    `refs/heads/${baseName}`,
    `refs/remotes/*/${baseName}`,
  ];
}

/**
 * Reads the output of {@link baseRefsArgs}.
 * @param out `git for-each-ref` output
 * @param baseName configured base branch
 * @returns the base description (without `sha`)
 */
export function parseBaseRefs(out: string, baseName: string): BranchBase {
  const refs = out
    .split('\n')
    .filter((r) => r === `refs/heads/${baseName}` || r.endsWith(`/${baseName}`))
    .filter((r) => !r.endsWith('/HEAD'));
  return { name: baseName, refs, fallback: refs.length === 0 };
}

/**
 * Revision arguments naming the base branch's refs without knowing which exist (a glob that
 * matches nothing excludes nothing; {@link parseBaseRefs} tells whether to fall back).
 * @param baseName configured base branch
 * @returns `--glob` arguments
 */
export function baseGlobs(baseName: string): string[] {
  // A pattern without a glob character would mean `<pattern>/*`: bracket the last character.
  const literal = /[*?[\]\\]/.test(baseName)
    ? baseName
    : `${baseName.slice(0, -1)}[${baseName.slice(-1)}]`;
  return [`--glob=refs/heads/${literal}`, `--glob=refs/remotes/*/${literal}`];
}

/**
 * The one `git log` that reads a branch: first-parent, with the paths each commit changed.
 * @param tip the branch tip
 * @param exclusion revision arguments after the tip (`--not ...`)
 * @returns git arguments
 */
export function logArgs(tip: string, exclusion: string[]): string[] {
  return [
    'log',
    '--first-parent',
    '--no-renames',
    '--no-color',
    '-z',
    '--name-status',
    '--format=%x1e%H%x1f%P%x1f%B',
    tip,
    ...exclusion,
    '--',
  ];
}

/**
 * The `git log` arguments that exclude the base: the base refs, or (fallback) every other branch.
 * @param base the resolved base
 * @param branch the branch being judged (`mikado/x`), excluded from the fallback
 * @returns revision arguments to put after the tip
 */
export function baseExclusion(base: BranchBase, branch: string): string[] {
  if (!base.fallback) return ['--not', ...base.refs];
  return ['--not', `--exclude=${branch}`, '--branches', `--exclude=*/${branch}`, '--remotes'];
}

/**
 * Reads a branch's commits since its base with one `git log` (first-parent, with the paths each
 * commit changed).
 * @param cwd repository directory
 * @param tip the branch tip (`HEAD`, `refs/heads/mikado/x`, a sha)
 * @param branch the branch name (`mikado/x`), for the fallback exclusion
 * @param base the resolved base
 * @returns the commits, oldest first, and the base with its merge-base sha
 */
export function readBranchHistory(
  cwd: string,
  tip: string,
  branch: string,
  base: BranchBase,
): BranchHistory {
  const raw = gitBuffer(logArgs(tip, baseExclusion(base, branch)), { cwd });
  const commits = parseLog(raw.toString('utf8')).reverse();
  const oldest = commits[0];
  let sha: string | undefined;
  if (oldest) {
    sha = oldest.parents[0];
  } else if (!base.fallback) {
    sha = gitTry(['merge-base', tip, ...base.refs], { cwd });
  } else {
    sha = gitTry(['rev-parse', '--verify', '-q', `${tip}^{commit}`], { cwd });
  }
  return { base: { ...base, sha }, commits };
}

/**
 * Parses `git log -z --name-status --format=%x1e%H%x1f%P%x1f%B` output.
 * @param text the output
 * @returns the commits, newest first
 */
export function parseLog(text: string): BranchCommit[] {
  const commits: BranchCommit[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '\x1e') {
      i++;
      continue;
    }
    const shaEnd = text.indexOf('\x1f', i + 1);
    const parentsEnd = text.indexOf('\x1f', shaEnd + 1);
    const msgEnd = text.indexOf('\0', parentsEnd + 1);
    if (shaEnd < 0 || parentsEnd < 0) break;
    const sha = text.slice(i + 1, shaEnd);
    const parents = text
      .slice(shaEnd + 1, parentsEnd)
      .split(' ')
      .filter(Boolean);
    const end = msgEnd < 0 ? text.length : msgEnd;
    const message = text.slice(parentsEnd + 1, end);
    i = end + 1;
    if (text[i] === '\n') i++;
    const paths: ChangedPath[] = [];
    while (i < text.length && text[i] !== '\x1e') {
      const statusEnd = text.indexOf('\0', i);
      if (statusEnd < 0) break;
      const pathEnd = text.indexOf('\0', statusEnd + 1);
      const status = text.slice(i, statusEnd);
      const path = text.slice(statusEnd + 1, pathEnd < 0 ? text.length : pathEnd);
      paths.push({ status, path });
      i = pathEnd < 0 ? text.length : pathEnd + 1;
    }
    commits.push({ sha, parents, message, subject: subjectOf(message), paths });
  }
  return commits;
}

/**
 * Paths staged in the index against a commit (or against nothing on an unborn branch).
 * @param cwd repository directory (the hook's environment carries `GIT_INDEX_FILE`)
 * @param against the parent the new commit will have, or undefined for a root commit
 * @returns the changed paths
 */
export function stagedPaths(cwd: string, against: string | undefined): ChangedPath[] {
  const args = ['diff', '--cached', '--no-renames', '--name-status', '-z'];
  if (against) args.push(against);
  else args.push(emptyTree(cwd));
  args.push('--');
  return parseNameStatus(git(args, { cwd }));
}

/**
 * {@link stagedPaths} without blocking, against HEAD (or, on an unborn branch, everything staged).
 * @param cwd repository directory
 * @param head HEAD's sha, or undefined on an unborn branch
 * @returns the changed paths
 */
export async function stagedPathsAsync(
  cwd: string,
  head: string | undefined,
): Promise<ChangedPath[]> {
  const args = ['diff', '--cached', '--no-renames', '--name-status', '-z'];
  if (head) args.push(head);
  const out = await gitAsync([...args, '--'], { cwd });
  if (!out) throw new GitError('`git diff --cached` failed');
  return parseNameStatus(out.toString('utf8'));
}

function parseNameStatus(text: string): ChangedPath[] {
  const parts = text.split('\0');
  const out: ChangedPath[] = [];
  for (let k = 0; k + 1 < parts.length; k += 2) {
    const status = parts[k] ?? '';
    const path = parts[k + 1] ?? '';
    if (status !== '') out.push({ status, path });
  }
  return out;
}

function emptyTree(cwd: string): string {
  return git(['hash-object', '-t', 'tree', '--stdin'], { cwd, input: '' }).trim();
}
