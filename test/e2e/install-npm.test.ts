// The README's install routes through npm, each in a fresh project repository, run as written:
// a packed tarball and a git URL, then the hook by plain git, husky and lefthook, and the mise
// task with completion of card stems. Installs come from the machine's npm cache.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { card, cleanupRepos, type TestRepo } from '../helpers/git-repo.ts';
import { markedBlock } from '../helpers/readme.ts';
import {
  expectHookJudges,
  npmEnv,
  projectRepo,
  readmeFor,
  type SourceRepo,
  sh,
  shOk,
  sourceRepo,
} from './install-helpers.ts';

let src: SourceRepo;

beforeAll(() => {
  src = sourceRepo();
  // The README's packing step, in a fresh copy of this repository.
  const packed = sh(
    { dir: src.dir } as TestRepo,
    markedBlock('pack'),
    npmEnv({ env: process.env } as TestRepo),
  );
  expect(packed.status, packed.stderr).toBe(0);
  expect(packed.stdout).toMatch(/^mikado-docs-0\.1\.0\.tgz$/m);
  expect(existsSync(path.join(src.dir, 'mikado-docs-0.1.0.tgz'))).toBe(true);
}, 400_000);

afterAll(() => {
  cleanupRepos();
  src?.cleanup();
});

/** A project with mikado installed from the tarball, as the README says. */
function tarballProject(): TestRepo {
  const r = projectRepo();
  r.write({ 'docs/cards/goal.md': card({ title: 'My goal', status: 'active' }) });
  const out = shOk(r, readmeFor('npm-tarball', src));
  expect(out).toMatch(/^goal +My goal +not started +0\/0/m);
  return r;
}

describe('npm install', () => {
  it('from the packed tarball: dist/ comes with it; the plain git hook judges commits', () => {
    const r = tarballProject();
    expect(existsSync(path.join(r.dir, 'node_modules/mikado-docs/dist/cli.js'))).toBe(true);
    shOk(r, markedBlock('git-hooks'));
    r.commitNoVerify('add mikado');
    expectHookJudges(r);
  }, 300_000);

  it('from a git URL: the first run builds dist/; husky with the lines of docs/hook.md', () => {
    const r = projectRepo();
    r.write({ 'docs/cards/goal.md': card({ title: 'My goal', status: 'active' }) });
    const res = sh(r, readmeFor('npm-git', src));
    expect(res.status, res.stderr).toBe(0);
    expect(res.stderr).toContain('mikado: building dist/ (once, after an install from source)');
    expect(res.stdout).toMatch(/^goal +My goal +not started/m);
    shOk(r, 'npm install -D husky && npx husky init');
    r.write({
      '.husky/commit-msg': markedBlock('.husky/commit-msg', 'docs/hook.md'),
      '.husky/pre-commit': markedBlock('.husky/pre-commit', 'docs/hook.md'),
      'docs/cards/goal.md': null,
    });
    r.commitNoVerify('add mikado and husky');
    expectHookJudges(r);
  }, 300_000);

  it('lefthook with the lines of docs/hook.md', () => {
    const r = tarballProject();
    shOk(r, 'npm install -D lefthook');
    r.write({
      'lefthook.yml': markedBlock('lefthook.yml', 'docs/hook.md'),
      'docs/cards/goal.md': null,
    });
    shOk(r, 'npx lefthook install');
    r.commitNoVerify('add mikado and lefthook');
    expectHookJudges(r);
  }, 300_000);
});

describe('mise', () => {
  it('runs the docs-mikado task of the README and completes card stems', () => {
    const r = tarballProject();
    shOk(r, 'npm install -D @jdxcode/mise');
    r.write({ 'mise.toml': markedBlock('mise.toml', 'docs/cli.md') });
    const env = npmEnv(r, { PATH: `${path.join(r.dir, 'node_modules/.bin')}:${r.env['PATH']}` });
    const out = shOk(r, markedBlock('mise'), env);
    expect(out).toMatch(/^goal +My goal +not started/m);
    const chain = shOk(r, 'mise run docs-mikado goal --format tree', env);
    expect(chain).toContain('▶ goal  My goal (ready)');
    const complete = (line: string, word: string) =>
      shOk(r, `mise __complete_word__ --shell bash --line '${line}' --bash-word '${word}'`, env);
    expect(complete('mise run docs-mikado go', 'go')).toBe('goal\n');
    expect(complete('mise run docs-mikado --format ', '')).toContain('mermaid\n');
  }, 300_000);
});
