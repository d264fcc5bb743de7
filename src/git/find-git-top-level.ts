import { readFileSync, realpathSync, type Stats, statSync } from 'node:fs';
import path from 'node:path';
import { git, gitTry } from './git.ts';

/** Variables that change how git finds the repository: with any of them set, ask git. */
const GIT_DISCOVERY_ENV = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_COMMON_DIR',
  'GIT_CEILING_DIRECTORIES',
  'GIT_DISCOVERY_ACROSS_FILESYSTEM',
];
/** A `.git` file's line naming the git directory. */
const GITDIR_LINE = /^gitdir: (.+?)\r?\n?$/;
const CONFIG_WORKTREE_OR_BARE = /^[ \t]*(?:worktree[ \t]*=|bare[ \t]*=[ \t]*true)/im;

/**
 * Finds the git top level of `cwd` the way `git rev-parse --show-toplevel` does, without starting
 * git in the common cases: walks up to the first directory holding a `.git` directory (a
 * repository) or a `.git` file (a linked worktree or a submodule), or takes `cwd` itself when
 * `GIT_DIR` alone is set (as in a hook in a linked worktree). Anything unusual (other git
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
  const alone = GIT_DISCOVERY_ENV.filter((name) => process.env[name] !== undefined);
  if (alone.length === 1 && alone[0] === 'GIT_DIR')
    return gitDirAlone(cwd, process.env['GIT_DIR']!);
  if (alone.length > 0) return 'ask-git';
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

/**
 * `GIT_DIR` alone, as git sets it for hooks in a linked worktree: git then takes the current
 * directory as the top level (git-rev-parse(1), `--git-dir`), unless the repository's config
 * names a work tree (`core.worktree`) or none (`core.bare`), which are git's to read.
 * @param cwd the current directory
 * @param named `$GIT_DIR`, relative to `cwd` or absolute
 * @returns `cwd` (its real path, as git prints it), or 'ask-git'
 */
function gitDirAlone(cwd: string, named: string): string | 'ask-git' {
  let dir: string;
  try {
    dir = realpathSync.native(path.resolve(cwd));
  } catch {
    return 'ask-git';
  }
  const gitDir = path.resolve(dir, named);
  const head = statSync(path.join(gitDir, 'HEAD'), { throwIfNoEntry: false });
  // git refuses repositories of another owner (`safe.directory`)
  if (!head?.isFile() || head.uid !== process.getuid?.()) return 'ask-git';
  const common = readOptional(path.join(gitDir, 'commondir')).replace(/[\r\n]+$/, '');
  const commonDir = common === '' ? gitDir : path.resolve(gitDir, common);
  const configs = [path.join(commonDir, 'config'), path.join(gitDir, 'config.worktree')];
  return configs.some((f) => CONFIG_WORKTREE_OR_BARE.test(readOptional(f))) ? 'ask-git' : dir;
}

/** A `.git` directory with a HEAD and neither `core.worktree` nor `core.bare` in its config. */
function plainGitDir(gitDir: string): boolean {
  if (!statSync(path.join(gitDir, 'HEAD'), { throwIfNoEntry: false })?.isFile()) return false;
  return !CONFIG_WORKTREE_OR_BARE.test(readOptional(path.join(gitDir, 'config')));
}

/** A `.git` file (`gitdir: PATH`) naming an existing git directory that does not move the work tree. */
function gitFile(dir: string, dotGit: string): boolean {
  const m = GITDIR_LINE.exec(readOptional(dotGit));
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

/** A work tree's git directory and the repository's common one (they differ in a linked worktree). */
export interface GitDirs {
  /** The git directory (`git rev-parse --git-dir`), absolute. */
  gitDir: string;
  /** The common git directory (`git rev-parse --git-common-dir`), absolute. */
  commonDir: string;
}

/**
 * The git directory and the common git directory, as `git rev-parse --path-format=absolute
 * --git-dir --git-common-dir` gives them, without starting git in the usual cases: the git
 * directory is `$GIT_DIR` (git sets it for hooks in a linked worktree) or the root's `.git` (a
 * directory, or a `gitdir:` file), and its `commondir` file, when there is one, names the common
 * directory. With `GIT_COMMON_DIR` set, or when what was found is not a git directory, git is
 * asked.
 * @param root the work tree's top level (where git runs hooks)
 * @param env the environment git would see
 * @returns the absolute directories
 */
export function gitDirs(root: string, env: NodeJS.ProcessEnv = process.env): GitDirs {
  const found = readGitDirs(root, env);
  if (found) return found;
  const out = git(['rev-parse', '--path-format=absolute', '--git-dir', '--git-common-dir'], {
    cwd: root,
    env,
  }).split('\n');
  return { gitDir: out[0]!, commonDir: out[1]! };
}

function readGitDirs(root: string, env: NodeJS.ProcessEnv): GitDirs | undefined {
  if (env['GIT_COMMON_DIR'] !== undefined) return undefined;
  let gitDir: string;
  if (env['GIT_DIR'] !== undefined) {
    gitDir = path.resolve(root, env['GIT_DIR']);
  } else {
    const dotGit = path.join(root, '.git');
    const st = statSync(dotGit, { throwIfNoEntry: false });
    if (st?.isDirectory()) {
      gitDir = dotGit;
    } else if (st?.isFile()) {
      const m = GITDIR_LINE.exec(readOptional(dotGit));
      if (!m) return undefined;
      gitDir = path.resolve(root, m[1]!);
    } else {
      return undefined;
    }
  }
  // git trims the file's line ends; a relative path is relative to the git directory
  const named = readOptional(path.join(gitDir, 'commondir')).replace(/[\r\n]+$/, '');
  const commonDir = named === '' ? gitDir : path.resolve(gitDir, named);
  const isGitDir =
    statSync(path.join(gitDir, 'HEAD'), { throwIfNoEntry: false })?.isFile() &&
    statSync(path.join(commonDir, 'objects'), { throwIfNoEntry: false })?.isDirectory();
  return isGitDir ? { gitDir, commonDir } : undefined;
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
