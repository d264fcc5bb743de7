// The pre-commit and prek routes of docs/hook.md, run as written in fresh project repositories: each
// tool clones this repository (a local copy of it) at a commit, installs it with npm and runs the
// hooks. Debian's pre-commit (3.0.4 on Debian 12) and prek from npm; packages from the npm cache.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupRepos } from '../helpers/git-repo.ts';
import {
  expectHookJudges,
  npmEnv,
  projectRepo,
  readmeFor,
  type SourceRepo,
  shOk,
  sourceRepo,
} from './install-helpers.ts';

let src: SourceRepo;
beforeAll(() => {
  src = sourceRepo();
});
afterAll(() => {
  cleanupRepos();
  src?.cleanup();
});

describe.each(['pre-commit', 'prek'])('%s', (tool) => {
  it('installs the hooks of .pre-commit-hooks.yaml and runs them on commits', () => {
    const r = projectRepo();
    r.write({
      '.pre-commit-config.yaml': readmeFor('.pre-commit-config.yaml', src, 'docs/hook.md'),
    });
    const out = shOk(r, readmeFor(tool, src, 'docs/hook.md'));
    expect(out).toMatch(
      /installed at \.git\/hooks\/commit-msg|Installed Git hook at `\.git\/hooks\/commit-msg`/,
    );
    r.commitNoVerify(`add ${tool}`);
    // The first commit makes the tool clone and install mikado-docs (a minute or more).
    expectHookJudges(r, npmEnv(r));
  }, 600_000);
});
