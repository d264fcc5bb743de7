// Shared steps of the install-route tests: a clean git copy of this repository to install from
// (as a clone would be), a fresh project repository to install into, and the commits that show
// the hook at work.
import { execFileSync, type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { card, createRepo, type TestRepo } from '../helpers/git-repo.ts';
import { markedBlock, REPO_ROOT } from '../helpers/readme.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** The npm cache of the machine (filled by `npm ci`), so installs need no network. */
const NPM_CACHE = execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim();

/** A git repository holding this work tree's files (tracked and new, not ignored), committed. */
export interface SourceRepo {
  dir: string;
  /** The commit holding the files. */
  sha: string;
  cleanup(): void;
}

/**
 * Copies this repository's files as a fresh clone has them (no `node_modules`, no `dist/`) into a
 * new git repository with one commit: what pre-commit, prek and npm clone from.
 * @returns the repository
 */
export function sourceRepo(): SourceRepo {
  const t = tempDir('source');
  const dir = path.join(t.dir, 'mikado-docs');
  mkdirSync(dir);
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  })
    .split('\0')
    .filter(Boolean);
  for (const f of files) {
    try {
      cpSync(path.join(REPO_ROOT, f), path.join(dir, f), { recursive: false });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // deleted, not yet staged
    }
  }
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@mikado.invalid', ...args], {
      cwd: dir,
      encoding: 'utf8',
    }).trim();
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '--no-verify', '-m', 'mikado-docs');
  return { dir, sha: git('rev-parse', 'HEAD'), cleanup: t.cleanup };
}

/**
 * A fresh project repository of someone who adopts mikado: a package.json, `node_modules`
 * ignored, committed on main.
 * @returns the repository (hooks not installed)
 */
export function projectRepo(): TestRepo {
  const r = createRepo({ install: false });
  r.commitNoVerify('init', {
    'package.json': '{ "name": "my-infra", "private": true }\n',
    '.gitignore': 'node_modules/\n',
  });
  return r;
}

/**
 * The environment for npm in a test project: the machine's npm cache, preferred over the
 * registry, and quiet.
 * @param r the project
 * @param extra more variables
 * @returns the environment
 */
export function npmEnv(r: TestRepo, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...r.env, ...NPM_OFFLINE, ...extra };
}

/** npm settings for tests: the machine's npm cache, preferred over the registry, and quiet. */
export const NPM_OFFLINE = {
  npm_config_cache: NPM_CACHE,
  npm_config_prefer_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
};

/**
 * Runs a shell script in the project, as a reader pastes a README block.
 * @param r the project
 * @param script the script
 * @param env its environment (default: {@link npmEnv})
 * @returns the finished process
 */
export function sh(r: TestRepo, script: string, env = npmEnv(r)): SpawnSyncReturns<string> {
  return spawnSync('sh', ['-ec', script], { cwd: r.dir, env, encoding: 'utf8' });
}

/**
 * Expects the script to succeed, showing its output when it does not.
 * @param r the project
 * @param script the script
 * @param env its environment
 * @returns stdout
 */
export function shOk(r: TestRepo, script: string, env?: NodeJS.ProcessEnv): string {
  const res = sh(r, script, env);
  expect(res.status, `${script}\n${res.stdout}\n${res.stderr}`).toBe(0);
  return res.stdout;
}

/**
 * On a new `mikado/goal` branch: a conventional first `plan` commit is accepted, a commit with
 * another subject is rejected by the installed hook (whatever runs it), and so is a broken card
 * named `.Markdown`.
 * @param r the project, its hook installed and its setup committed on main
 * @param env the environment git runs in (the hook inherits it)
 */
export function expectHookJudges(r: TestRepo, env: NodeJS.ProcessEnv = r.env): void {
  r.gitOk(['checkout', '-q', '-b', 'mikado/goal']);
  r.write({
    'docs/cards/goal.md': card({ title: 'Goal', status: 'active', branch: 'mikado/goal' }),
  });
  r.gitOk(['add', '-A']);
  const ok = spawnSync('git', ['commit', '-q', '-m', 'C2(goal): plan goal'], {
    cwd: r.dir,
    env,
    encoding: 'utf8',
  });
  expect(ok.status, ok.stdout + ok.stderr).toBe(0);
  const bad = spawnSync('git', ['commit', '-q', '--allow-empty', '-m', 'not conventional'], {
    cwd: r.dir,
    env,
    encoding: 'utf8',
  });
  expect(bad.status).not.toBe(0);
  expect(bad.stdout + bad.stderr).toContain('subject-format');
  // a card is `.md` or `.markdown` in any case: the hook's filter lets none through unjudged
  r.write({ 'docs/cards/Broken.Markdown': '---\ntitle: Broken\nmodified: 13 May\n---\n' });
  r.gitOk(['add', '-A']);
  const broken = spawnSync('git', ['commit', '-q', '-m', 'C2(goal): plan broken'], {
    cwd: r.dir,
    env,
    encoding: 'utf8',
  });
  expect(broken.status).not.toBe(0);
  expect(broken.stdout + broken.stderr).toContain('docs/cards/Broken.Markdown:3:11');
  r.gitOk(['reset', '-q', '--hard']);
  expect(r.gitOk(['log', '-1', '--format=%s'])).toBe('C2(goal): plan goal');
}

/**
 * A README (or docs page) block with its placeholders filled for a test: the hosted repository
 * becomes the local source repository, `<commit>` its commit, and `../mikado-docs/` its folder.
 * @param name the block's marker name
 * @param src the source repository
 * @param file the page holding the block, relative to the repository root
 * @returns the block's text
 */
export function readmeFor(name: string, src: SourceRepo, file = 'README.md'): string {
  return markedBlock(name, file)
    .replaceAll('https://example.invalid/mikado-docs.git', `file://${src.dir}`)
    .replaceAll('<commit>', src.sha)
    .replaceAll('../mikado-docs/', `${src.dir}/`);
}
