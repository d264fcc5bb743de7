// `mikado reset` on real repositories: the plan, and --apply with uncommitted work.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  card,
  cleanupRepos,
  createRepo,
  mikadoBranchRepo,
  type TestRepo,
} from './helpers/git-repo.ts';

const GOAL = 'docs/cards/goal.md';
const LEAF = 'docs/cards/leaf.md';
afterEach(cleanupRepos);

/** main, then on mikado/goal: plan, impl a, close leaf, impl b, impl c. */
function branchMidCycle(): { r: TestRepo; sha: Record<string, string> } {
  const r = mikadoBranchRepo();
  const sha: Record<string, string> = {};
  sha['plan'] = r.commitNoVerify('C2(goal): plan goal', {
    [GOAL]: card({ title: 'Goal', status: 'active', branch: 'mikado/goal', requires: ['leaf'] }),
    [LEAF]: card({ title: 'Leaf', status: 'active' }),
  });
  sha['implA'] = r.commitNoVerify('C2(goal): impl a', { 'src/a.txt': 'a\n' });
  sha['close'] = r.commitNoVerify('C2(goal): close leaf', { [LEAF]: card({ title: 'Leaf' }) });
  sha['implB'] = r.commitNoVerify('C2(goal): impl b', { 'src/b.txt': 'b\n' });
  sha['implC'] = r.commitNoVerify('C2(goal): impl c', { 'src/c.txt': 'c\n' });
  return { r, sha };
}

const short = (s: string | undefined) => (s ?? '').slice(0, 7);

describe('mikado reset', () => {
  it('prints the plan and changes nothing without --apply', () => {
    const { r, sha } = branchMidCycle();
    r.write({ 'src/b.txt': 'edited\n', 'untracked.txt': 'u\n' });
    const res = r.mikado(['reset']);
    expect(res.status).toBe(0);
    expect(res.stdout).toContain(
      `would reset \`mikado/goal\` to the reset point \`C2(goal): close leaf\` at \`${short(sha['close'])}\``,
    );
    expect(res.stdout).toContain(
      `${short(sha['implB'])}  C2(goal): impl b  (impl: can be replayed)`,
    );
    expect(res.stdout).toMatch(/uncommitted work will be stashed as "mikado reset mikado\/goal /);
    expect(res.stdout).toContain(`git cherry-pick ${short(sha['implB'])} ${short(sha['implC'])}`);
    expect(res.stdout).toContain('run `mikado reset --apply` to do it');
    expect(r.head()).toBe(sha['implC']);
    expect(readFileSync(path.join(r.dir, 'src/b.txt'), 'utf8')).toBe('edited\n');
    expect(r.gitOk(['stash', 'list'])).toBe('');
  });

  it('--apply stashes staged, unstaged and untracked work under a named stash, then resets', () => {
    const { r, sha } = branchMidCycle();
    r.write({ 'src/b.txt': 'unstaged edit\n', 'staged.txt': 'staged\n', 'untracked.txt': 'u\n' });
    r.gitOk(['add', 'staged.txt']);
    const res = r.mikado(['reset', '--apply']);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('reset `mikado/goal` to the reset point `C2(goal): close leaf`');
    expect(res.stdout).toMatch(
      /uncommitted work stashed as stash@\{0\}: "mikado reset mikado\/goal [^"]+"/,
    );
    expect(r.head()).toBe(sha['close']);
    expect(r.gitOk(['status', '--porcelain', '--untracked-files=all'])).toBe('');
    expect(r.gitOk(['stash', 'list'])).toMatch(
      /^stash@\{0\}: On mikado\/goal: mikado reset mikado\/goal /,
    );
    // Nothing was lost: the stash brings every change back.
    r.gitOk(['cherry-pick', short(sha['implB']), short(sha['implC'])]);
    r.gitOk(['stash', 'pop', '--index']);
    expect(readFileSync(path.join(r.dir, 'src/b.txt'), 'utf8')).toBe('unstaged edit\n');
    expect(readFileSync(path.join(r.dir, 'untracked.txt'), 'utf8')).toBe('u\n');
    expect(r.gitOk(['diff', '--cached', '--name-only'])).toBe('staged.txt');
  });

  it('resets to before the first violation', () => {
    const { r, sha } = branchMidCycle();
    const bad = r.commitNoVerify('C2(goal): plan another', {
      'docs/cards/x.md': card({ status: 'active' }),
    });
    r.commitNoVerify('C2(goal): impl d', { 'src/d.txt': 'd\n' });
    const res = r.mikado(['reset', '--json']);
    expect(res.status).toBe(0);
    const plan = JSON.parse(res.stdout);
    expect(plan).toMatchObject({
      version: 1,
      branch: 'mikado/goal',
      resetPoint: { sha: sha['close'], subject: 'C2(goal): close leaf' },
      dirty: false,
      applied: false,
    });
    expect(plan.dropped.map((c: { sha: string }) => c.sha)).toEqual([
      sha['implB'],
      sha['implC'],
      bad,
      r.head(),
    ]);
  });

  it('resets to the base when no plan or close precedes the impl commits', () => {
    const r = createRepo({ install: false });
    const base = r.commitNoVerify('plan on main', {
      [GOAL]: card({ title: 'Goal', status: 'active', branch: 'mikado/goal' }),
    });
    r.gitOk(['checkout', '-q', '-b', 'mikado/goal']);
    r.commitNoVerify('C2(goal): impl a', { 'src/a.txt': 'a\n' });
    const res = r.mikado(['reset', '--apply']);
    expect(res.status).toBe(0);
    expect(res.stdout).toContain(`to the reset point \`main\` at \`${short(base)}\``);
    expect(r.head()).toBe(base);
  });

  it('has nothing to do between cycles', () => {
    const { r, sha } = branchMidCycle();
    r.gitOk(['reset', '-q', '--hard', sha['close']!]);
    const res = r.mikado(['reset', '--apply']);
    expect([res.status, res.stdout]).toEqual([
      0,
      `mikado: nothing to reset: HEAD \`C2(goal): close leaf\` (\`${short(sha['close'])}\`) is already a reset point.\n`,
    ]);
    expect(r.head()).toBe(sha['close']);
  });

  it('refuses outside a Mikado branch (exit 2)', () => {
    const r = createRepo({ install: false });
    r.commitNoVerify('init');
    const res = r.mikado(['reset']);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/^mikado: Unexpected branch `main`, expected a Mikado branch/);
  });

  it('refuses --apply during a merge and leaves the work alone', () => {
    const { r, sha } = branchMidCycle();
    r.write({ 'src/c.txt': 'mine\n' });
    r.gitOk(['update-ref', 'MERGE_HEAD', sha['plan']!]);
    const res = r.mikado(['reset', '--apply']);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('in progress');
    expect(r.head()).toBe(sha['implC']);
    expect(readFileSync(path.join(r.dir, 'src/c.txt'), 'utf8')).toBe('mine\n');
  });
});
