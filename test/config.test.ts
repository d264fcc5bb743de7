import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findRoot, loadConfig, parseDuration } from '../src/config/load-config.ts';
import { ConfigError } from '../src/errors.ts';
import { gitDirs } from '../src/git/find-git-top-level.ts';
import { cleanupRepos, createRepo } from './helpers/git-repo.ts';
import { tempDir, tempTree } from './helpers/temp-dir.ts';

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups) c();
  cleanupRepos();
});

function tempRoot(files: Record<string, string>): string {
  const t = tempTree('config', files);
  cleanups.push(t.cleanup);
  return t.dir;
}

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '10', 'm', '10x', '10m junk'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('loadConfig', () => {
  it('defaults cards to docs/cards under the root', () => {
    const root = tempRoot({});
    const config = loadConfig({ root });
    expect(config.cardsDir).toBe(path.join(root, 'docs/cards'));
    expect(config.docsDir).toBe(path.join(root, 'docs'));
    expect(config.baseBranch).toBe('main');
    expect(config.configFile).toBeUndefined();
  });

  it('reads mikado.config.yaml and lets flags override it', () => {
    const root = tempRoot({
      'mikado.config.yaml': 'cards: docs\nexclude: ["changelog.d/**"]\nbaseBranch: trunk\n',
    });
    expect(loadConfig({ root }).cardsDir).toBe(path.join(root, 'docs'));
    expect(loadConfig({ root }).exclude).toEqual(['changelog.d/**']);
    expect(loadConfig({ root, cards: 'plans', cwd: root }).cardsDir).toBe(path.join(root, 'plans'));
  });

  it('reads extraDocs, a list of files, and refuses anything else', () => {
    const ok = tempRoot({ 'mikado.config.yaml': 'extraDocs: [CHANGELOG.md]\n' });
    expect(loadConfig({ root: ok }).extraDocs).toEqual(['CHANGELOG.md']);
    expect(loadConfig({ root: tempRoot({}) }).extraDocs).toEqual([]);
    const bad = tempRoot({ 'mikado.config.yaml': 'extraDocs: CHANGELOG.md\n' });
    expect(() => loadConfig({ root: bad })).toThrow(/`extraDocs`.*a list of file paths/);
  });

  it('reads the `mikado` key of package.json', () => {
    const root = tempRoot({ 'package.json': JSON.stringify({ mikado: { baseBranch: 'dev' } }) });
    expect(loadConfig({ root }).baseBranch).toBe('dev');
  });

  it('reads profiles with secret variables', () => {
    const root = tempRoot({
      'mikado.config.yaml':
        'profiles:\n  sandbox:\n    path: [sandbox/bin]\n    vars:\n      ctx: k3s\n      pw: {env: PGPASSWORD, secret: true}\n',
    });
    const p = loadConfig({ root }).profiles['sandbox'];
    expect(p?.path).toEqual(['sandbox/bin']);
    expect(p?.vars['ctx']).toEqual({ value: 'k3s' });
    expect(p?.vars['pw']).toEqual({ value: undefined, env: 'PGPASSWORD', secret: true });
  });

  it('names the line and column of a YAML error', () => {
    const root = tempRoot({ 'mikado.config.yaml': 'cards: docs\nexclude: [a\n' });
    expect(() => loadConfig({ root })).toThrow(ConfigError);
    expect(() => loadConfig({ root })).toThrow(/^mikado\.config\.yaml:\d+:\d+: /);
  });

  it('rejects a config that is not a mapping', () => {
    const root = tempRoot({ 'mikado.config.yaml': '- a\n- b\n' });
    expect(() => loadConfig({ root })).toThrow(/expected a mapping/);
  });
});

describe('findRoot', () => {
  /** A repository with a subdirectory, a linked worktree, a submodule and a symlink into it. */
  function layout(): { dirs: string[]; inGitDir: string[] } {
    const lib = createRepo({ install: false });
    lib.commitNoVerify('lib', { 'x.md': 'x\n' });
    const repo = createRepo({ install: false });
    repo.commitNoVerify('one', { 'docs/cards/a.md': 'a\n' });
    repo.gitOk(['-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', lib.dir, 'lib']);
    repo.commitNoVerify('submodule');
    const worktree = path.join(repo.tmp, 'worktree');
    repo.gitOk(['worktree', 'add', '-q', worktree, '-b', 'other']);
    mkdirSync(path.join(repo.dir, 'lib/deep'));
    const link = path.join(repo.tmp, 'link');
    symlinkSync(path.join(repo.dir, 'docs/cards'), link);
    return {
      dirs: [
        repo.dir,
        path.join(repo.dir, 'docs/cards'),
        worktree,
        path.join(worktree, 'docs'),
        path.join(repo.dir, 'lib'),
        path.join(repo.dir, 'lib/deep'),
        link,
        repo.tmp,
      ],
      inGitDir: [path.join(repo.dir, '.git'), path.join(repo.dir, '.git/refs')],
    };
  }

  const gitTopLevel = (cwd: string): string => {
    const r = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd, encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : path.resolve(cwd);
  };

  /** Runs `fn` with the given environment changes, restoring process.env afterwards. */
  function withEnv<T>(changes: Record<string, string | undefined>, fn: () => T): T {
    const saved = { ...process.env };
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    try {
      return fn();
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  }

  const noGitEnv = Object.fromEntries(
    Object.keys(process.env)
      .filter((k) => k.startsWith('GIT_'))
      .map((k) => [k, undefined]),
  );

  it('finds what `git rev-parse --show-toplevel` finds', () => {
    const { dirs, inGitDir } = layout();
    for (const dir of [...dirs, ...inGitDir]) {
      expect([dir, withEnv(noGitEnv, () => findRoot(dir))]).toEqual([dir, gitTopLevel(dir)]);
    }
  });

  it('needs no git for repositories, linked worktrees and submodules', () => {
    const { dirs } = layout();
    const expected = dirs.map(gitTopLevel);
    const { dir: emptyBin, cleanup } = tempDir('no-git');
    cleanups.push(cleanup);
    const found = withEnv({ ...noGitEnv, PATH: emptyBin }, () => dirs.map((d) => findRoot(d)));
    expect(found).toEqual(expected);
  });

  it('asks git when GIT_DIR says where the repository is', () => {
    const { dirs } = layout();
    const [repoDir, sub] = dirs as [string, string];
    const { dir: outside, cleanup } = tempDir('outside');
    cleanups.push(cleanup);
    const env = { ...noGitEnv, GIT_DIR: path.join(repoDir, '.git'), GIT_WORK_TREE: repoDir };
    expect(withEnv(env, () => findRoot(outside))).toBe(repoDir);
    expect(withEnv(env, () => findRoot(sub))).toBe(repoDir);
  });

  it('takes the current directory, as git does, when GIT_DIR alone is set (a hook in a linked worktree)', () => {
    const { dirs } = layout();
    const [repoDir, sub, worktree] = dirs as [string, string, string];
    const worktreeGitDir = path.join(repoDir, '.git/worktrees/worktree');
    // a git that logs its calls: the answer must come without one
    const { dir: bin, cleanup } = tempDir('logging-git');
    cleanups.push(cleanup);
    const calls = path.join(bin, 'calls.log');
    const realGit = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(
      path.join(bin, 'git'),
      `#!/bin/sh\necho "$*" >> '${calls}'\nexec '${realGit}' "$@"\n`,
      { mode: 0o755 },
    );
    const logged = () => (existsSync(calls) ? readFileSync(calls, 'utf8') : '');
    const topLevel = (cwd: string, gitDir: string) =>
      spawnSync('git', ['rev-parse', '--show-toplevel'], {
        cwd,
        env: { ...process.env, ...noGitEnv, GIT_DIR: gitDir },
        encoding: 'utf8',
      }).stdout.trim();
    const cases: [string, string][] = [
      [worktree, worktreeGitDir],
      [repoDir, '.git'],
      [sub, path.join(repoDir, '.git')],
      [path.join(worktree, 'docs'), worktreeGitDir],
    ];
    const path_ = `${bin}:${process.env['PATH']}`;
    for (const [cwd, gitDir] of cases) {
      const found = withEnv({ ...noGitEnv, GIT_DIR: gitDir, PATH: path_ }, () => findRoot(cwd));
      expect([cwd, found, logged()]).toEqual([cwd, topLevel(cwd, gitDir), '']);
    }
    // a config naming the work tree is git's to read (then the top level is not `cwd`)
    spawnSync('git', ['config', 'core.worktree', repoDir], { cwd: repoDir });
    const gitDir = path.join(repoDir, '.git');
    expect(topLevel(sub, gitDir)).toBe(repoDir);
    expect(withEnv({ ...noGitEnv, GIT_DIR: gitDir, PATH: path_ }, () => findRoot(sub))).toBe(
      repoDir,
    );
    expect(logged()).toBe('rev-parse --show-toplevel\n');
  });
});

describe('gitDirs', () => {
  const gitDirsOf = (cwd: string, env: NodeJS.ProcessEnv) => {
    const r = spawnSync(
      'git',
      ['rev-parse', '--path-format=absolute', '--git-dir', '--git-common-dir'],
      { cwd, env, encoding: 'utf8' },
    );
    const [gitDir, commonDir] = r.stdout.trim().split('\n');
    return { gitDir: gitDir!, commonDir: commonDir! };
  };
  const real = (d: { gitDir: string; commonDir: string }) => ({
    gitDir: realpathSync(d.gitDir),
    commonDir: realpathSync(d.commonDir),
  });

  it('finds what `git rev-parse --git-dir --git-common-dir` finds, without git in the usual cases', () => {
    const lib = createRepo({ install: false });
    lib.commitNoVerify('lib', { 'x.md': 'x\n' });
    const repo = createRepo({ install: false });
    repo.commitNoVerify('one', { 'a.md': 'a\n' });
    repo.gitOk(['-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', lib.dir, 'lib']);
    const worktree = path.join(repo.tmp, 'worktree');
    repo.gitOk(['worktree', 'add', '-q', worktree, '-b', 'other']);
    const worktreeGitDir = path.join(repo.dir, '.git/worktrees/worktree');
    const { dir: emptyBin, cleanup } = tempDir('no-git');
    cleanups.push(cleanup);
    const cases: [string, NodeJS.ProcessEnv][] = [
      [repo.dir, repo.env],
      [path.join(repo.dir, 'lib'), repo.env],
      [worktree, repo.env],
      // as git runs hooks in a linked worktree, and a relative GIT_DIR
      [worktree, { ...repo.env, GIT_DIR: worktreeGitDir }],
      [repo.dir, { ...repo.env, GIT_DIR: '.git' }],
    ];
    for (const [root, env] of cases) {
      const expected = real(gitDirsOf(root, env));
      expect([root, real(gitDirs(root, { ...env, PATH: emptyBin }))]).toEqual([root, expected]);
    }
    // anything else is git's to say
    const common = { ...repo.env, GIT_COMMON_DIR: path.join(repo.dir, '.git') };
    expect(gitDirs(worktree, common)).toEqual(gitDirsOf(worktree, common));
    expect(() => gitDirs(worktree, { ...common, PATH: emptyBin })).toThrow(/git/);
  });
});
