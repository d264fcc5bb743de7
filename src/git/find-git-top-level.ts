import { readFileSync, realpathSync, type Stats, statSync } from 'node:fs';
import path from 'node:path';
import { gitTry } from './git.ts';

/** Variables that change how git finds the repository: with any of them set, ask git. */
const GIT_DISCOVERY_ENV = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_COMMON_DIR',
  'GIT_CEILING_DIRECTORIES',
  'GIT_DISCOVERY_ACROSS_FILESYSTEM',
];
const CONFIG_WORKTREE_OR_BARE = /^[ \t]*(?:worktree[ \t]*=|bare[ \t]*=[ \t]*true)/im;

/**
 * Finds the git top level of `cwd` the way `git rev-parse --show-toplevel` does, without starting
 * git in the common cases: walks up to the first directory holding a `.git` directory (a
 * repository) or a `.git` file (a linked worktree or a submodule). Anything unusual (git
 * environment variables, `core.worktree`, a file-system boundary, another owner, `cwd` inside a
 * `.git` directory) is left to git itself.
 * @param cwd directory to start from
 * @returns the absolute top level, or undefined outside a repository
 */
export function findGitTopLevel(cwd: string): string | undefined {
  const walked = walkToGit(cwd);
  return walked === 'ask-git' ? askGit(cwd) : walked;
}

function walkToGit(cwd: string): string | undefined | 'ask-git' {
  if (GIT_DISCOVERY_ENV.some((name) => process.env[name] !== undefined)) return 'ask-git';
  let dir: string;
  let dirStat: Stats;
  try {
    dir = realpathSync.native(path.resolve(cwd));
    dirStat = statSync(dir);
  } catch {
    return 'ask-git';
  }
  if (dir.split(path.sep).includes('.git')) return 'ask-git';
  for (;;) {
    const dotGit = path.join(dir, '.git');
    const st = statSync(dotGit, { throwIfNoEntry: false });
    if (st) {
      // git refuses repositories of another owner (`safe.directory`)
      if (st.uid !== process.getuid?.() || dirStat.uid !== st.uid) return 'ask-git';
      if (st.isDirectory()) return plainGitDir(dotGit) ? dir : 'ask-git';
      if (st.isFile()) return gitFile(dir, dotGit) ? dir : 'ask-git';
      return 'ask-git';
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    const parentStat = statSync(parent, { throwIfNoEntry: false });
    // git stops at a file-system boundary
    if (parentStat?.dev !== dirStat.dev) return 'ask-git';
    dir = parent;
    dirStat = parentStat;
  }
}

/** A `.git` directory with a HEAD and neither `core.worktree` nor `core.bare` in its config. */
function plainGitDir(gitDir: string): boolean {
  if (!statSync(path.join(gitDir, 'HEAD'), { throwIfNoEntry: false })?.isFile()) return false;
  return !CONFIG_WORKTREE_OR_BARE.test(readOptional(path.join(gitDir, 'config')));
}

/** A `.git` file (`gitdir: PATH`) naming an existing git directory that does not move the work tree. */
function gitFile(dir: string, dotGit: string): boolean {
  const m = /^gitdir: (.+?)\r?\n?$/.exec(readOptional(dotGit));
  if (!m) return false;
  const gitDir = path.resolve(dir, m[1]!);
  if (!statSync(path.join(gitDir, 'HEAD'), { throwIfNoEntry: false })?.isFile()) return false;
  const config = readOptional(path.join(gitDir, 'config'));
  // A submodule's git directory names its work tree; it must be this directory.
  const worktree = /^[ \t]*worktree[ \t]*=[ \t]*(.+?)[ \t]*$/im.exec(config);
  if (/^[ \t]*bare[ \t]*=[ \t]*true/im.test(config)) return false;
  if (!worktree) return true;
  try {
    return realpathSync.native(path.resolve(gitDir, worktree[1]!)) === dir;
  } catch {
    return false;
  }
}

function readOptional(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function askGit(cwd: string): string | undefined {
  return gitTry(['rev-parse', '--show-toplevel'], { cwd })?.trim();
}
