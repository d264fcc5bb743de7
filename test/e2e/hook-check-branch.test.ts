// `mikado hook check-branch`: judging an existing branch in CI.
import { afterEach, describe, expect, it } from 'vitest';
import { runMikado } from '../helpers/binary.ts';
import { cleanupRepos, goalLeafMidCycleRepo } from '../helpers/git-repo.ts';

afterEach(cleanupRepos);

describe('mikado hook check-branch', () => {
  it('passes a conventional branch', () => {
    const r = goalLeafMidCycleRepo();
    const res = r.mikado(['hook', 'check-branch']);
    expect([res.status, res.stdout]).toEqual([
      0,
      'mikado: `mikado/goal`: 2 commits since `main` follow the Mikado Branch Invariant (mid-cycle).\n',
    ]);
  });

  it('reports unsquashed fixups (unless --allow-fixups), with JSON', () => {
    const r = goalLeafMidCycleRepo();
    const fixup = r.commitNoVerify('fixup! C2(goal): impl leaf', { 'src/leaf.txt': 'leaf 2\n' });
    const res = r.mikado(['hook', 'check-branch']);
    expect(res.status).toBe(1);
    expect(res.stdout).toContain(
      `  ${fixup.slice(0, 7)}  fixup-unsquashed  fixup! C2(goal): impl leaf\n`,
    );
    expect(res.stdout).toContain('fix: squash it with `git rebase -i --autosquash ');
    expect(r.mikado(['hook', 'check-branch', '--allow-fixups']).status).toBe(0);
    const json = JSON.parse(r.mikado(['hook', 'check-branch', '--json']).stdout);
    expect(json).toMatchObject({
      version: 1,
      checked: true,
      branch: 'mikado/goal',
      commits: 3,
      violations: [{ commit: fixup, rule: 'fixup-unsquashed' }],
    });
  });

  it('checks a named ref from another branch, and origin/$GITHUB_HEAD_REF on a detached HEAD', () => {
    const r = goalLeafMidCycleRepo();
    r.commitNoVerify('not conventional');
    r.gitOk(['update-ref', 'refs/remotes/origin/mikado/goal', 'HEAD']);
    r.gitOk(['checkout', '-q', 'main']);
    const named = r.mikado(['hook', 'check-branch', 'mikado/goal']);
    expect([named.status, named.stdout]).toEqual([1, expect.stringContaining('subject-format')]);
    r.gitOk(['checkout', '-q', '--detach']);
    const ci = r.mikado(['hook', 'check-branch'], { GITHUB_HEAD_REF: 'mikado/goal' });
    expect([ci.status, ci.stdout]).toEqual([1, expect.stringContaining('on `mikado/goal`')]);
    expect(r.mikado(['hook', 'check-branch']).stdout).toBe(
      'mikado: HEAD is detached; nothing to check.\n',
    );
  });

  it('passes other branches and exits 2 on an unknown ref', () => {
    const r = goalLeafMidCycleRepo();
    r.gitOk(['checkout', '-q', 'main']);
    expect(r.mikado(['hook', 'check-branch']).stdout).toBe(
      'mikado: `main` is not a Mikado branch; nothing to check.\n',
    );
    const bad = r.mikado(['hook', 'check-branch', 'no/such/ref']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('Unexpected ref `no/such/ref`');
  });

  it('commit-msg exits 2 outside a repository and for a missing message file', () => {
    const r = goalLeafMidCycleRepo();
    const missing = r.mikado(['hook', 'commit-msg', 'no-such-file']);
    expect([missing.status, missing.stderr]).toEqual([
      2,
      expect.stringContaining('no-such-file: no such message file'),
    ]);
    const outside = runMikado(['hook', 'commit-msg', 'msg'], { cwd: r.tmp, env: r.env });
    expect([outside.status, outside.stderr]).toEqual([
      2,
      expect.stringContaining('not inside a git work tree'),
    ]);
  });
});
