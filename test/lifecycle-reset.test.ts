// `mikado reset`, `mikado replay` and `mikado plan` on real repositories: the reset point is the
// end of the planning layer, nothing uncommitted is lost, and `--abort` puts everything back.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  card,
  cleanupRepos,
  createRepo,
  GOAL,
  goalCard,
  goalLeafPlan,
  LEAF,
  mikadoBranchRepo,
  type TestRepo,
} from './helpers/git-repo.ts';

const NEW = 'docs/cards/found.md';
afterEach(cleanupRepos);

/** main, then on mikado/goal: plan, impl a, close leaf, impl b, impl c. */
function branchMidCycle(): { r: TestRepo; sha: Record<string, string> } {
  // The hooks are installed: the commits a user makes after the reset go through them.
  const r = mikadoBranchRepo({ install: true });
  const sha: Record<string, string> = {};
  sha['plan'] = r.commitNoVerify('C2(goal): plan goal', goalLeafPlan());
  sha['implA'] = r.commitNoVerify('C2(goal): impl a', { 'src/a.txt': 'a\n' });
  sha['close'] = r.commitNoVerify('C2(goal): close leaf', { [LEAF]: card({ title: 'Leaf' }) });
  sha['implB'] = r.commitNoVerify('C2(goal): impl b', { 'src/b.txt': 'b\n' });
  sha['implC'] = r.commitNoVerify('C2(goal): impl c', { 'src/c.txt': 'c\n' });
  return { r, sha };
}

const short = (s: string | undefined) => (s ?? '').slice(0, 7);
const read = (r: TestRepo, p: string) => readFileSync(path.join(r.dir, p), 'utf8');
/** Everything uncommitted, exactly: status, unstaged and staged diffs. */
const snapshot = (r: TestRepo) => ({
  head: r.head(),
  status: r.gitOk(['status', '--porcelain', '--untracked-files=all']),
  unstaged: r.gitOk(['diff']),
  staged: r.gitOk(['diff', '--cached']),
  untracked: r.gitOk(['ls-files', '--others', '--exclude-standard']),
});
/** The discovery: a new prerequisite card, and the goal's requires updated, uncommitted. */
const discover = (r: TestRepo) =>
  r.write({
    [NEW]: card({ title: 'Found', status: 'active' }),
    [GOAL]: goalCard({ requires: ['leaf', 'found'] }),
  });
const subjects = (r: TestRepo) =>
  r.gitOk(['log', '--format=%s', 'main..HEAD']).split('\n').reverse();
/** The branch's subjects once the plan of `found` is moved to the end of the planning layer. */
const PLANNED_FIRST = [
  'C2(goal): plan goal',
  'C2(goal): plan found',
  'C2(goal): impl a',
  'C2(goal): close leaf',
  'C2(goal): impl b',
  'C2(goal): impl c',
];

describe('mikado reset', () => {
  it('prints the plan and changes nothing without --apply', () => {
    const { r, sha } = branchMidCycle();
    r.write({ 'src/b.txt': 'edited\n', 'untracked.txt': 'u\n' });
    const before = snapshot(r);
    const res = r.mikado(['reset']);
    expect(res.status).toBe(0);
    expect(res.stdout).toContain(
      `would reset \`mikado/goal\` to the reset point \`C2(goal): plan goal\` at \`${short(sha['plan'])}\` (the end of the planning layer)`,
    );
    for (const k of ['implA', 'close', 'implB', 'implC'])
      expect(res.stdout).toContain(short(sha[k]));
    expect(res.stdout).toMatch(/uncommitted work will be stashed as "mikado reset mikado\/goal /);
    expect(res.stdout).toContain('run `mikado reset --apply` to do it');
    expect(snapshot(r)).toEqual(before);
    expect(r.gitOk(['stash', 'list'])).toBe('');
  });

  it('--apply keeps everything: a named stash, a backup ref, the recorded replay; the card changes come back staged as they were', () => {
    const { r, sha } = branchMidCycle();
    discover(r);
    r.gitOk(['add', NEW]);
    r.write({ 'src/b.txt': 'unstaged edit\n', 'staged.txt': 'staged\n', 'untracked.txt': 'u\n' });
    r.gitOk(['add', 'staged.txt']);
    const res = r.mikado(['reset', '--apply', '--json']);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out).toMatchObject({
      applied: true,
      resetPoint: { sha: sha['plan'] },
      backupRef: 'refs/mikado/backup/goal',
      picks: ['implA', 'close', 'implB', 'implC'].map((k) => ({ sha: sha[k] })),
      cards: [NEW, GOAL],
      conflict: false,
    });
    expect(r.head()).toBe(sha['plan']);
    expect(r.gitOk(['rev-parse', 'refs/mikado/backup/goal'])).toBe(sha['implC']);
    expect(r.gitOk(['stash', 'list'])).toMatch(
      /^stash@\{0\}: On mikado\/goal: mikado reset mikado\/goal /,
    );
    // Only the cards are back, staged as they were: the new card staged, the goal's edit not.
    expect(r.gitOk(['status', '--porcelain', '--untracked-files=all']).split('\n')).toEqual([
      `A  ${NEW}`,
      ` M ${GOAL}`,
    ]);
    expect(
      JSON.parse(readFileSync(path.join(r.dir, '.git/mikado/replay.json'), 'utf8')),
    ).toMatchObject({
      kind: 'reset',
      head: sha['implC'],
      onto: sha['plan'],
    });
  });

  it('then the plan commit passes the hook, and `mikado replay` replays the cycles and the rest of the work', () => {
    const { r, sha } = branchMidCycle();
    discover(r);
    r.write({ 'src/b.txt': 'unstaged edit\n', 'staged.txt': 'staged\n', 'untracked.txt': 'u\n' });
    r.gitOk(['add', 'staged.txt']);
    expect(r.mikado(['reset', '--apply']).status).toBe(0);
    r.gitOk(['add', '--', GOAL, NEW]);
    const plan = r.git(['commit', '-m', 'C2(goal): plan found']);
    expect(plan.stderr).not.toContain('rejected');
    expect(plan.status).toBe(0);
    const res = r.mikado(['replay']);
    expect([res.status, res.stderr]).toEqual([0, '']);
    expect(res.stdout).toContain('replayed 4 commits on `mikado/goal`');
    expect(res.stdout).toContain('follows the Mikado Branch Invariant');
    expect(subjects(r)).toEqual(PLANNED_FIRST);
    // The code of every replayed commit is there, and the uncommitted work as it was.
    expect(r.gitOk(['diff', sha['implC']!, 'HEAD', '--', 'src'])).toBe('');
    expect(read(r, 'src/b.txt')).toBe('unstaged edit\n');
    expect(read(r, 'untracked.txt')).toBe('u\n');
    expect(r.gitOk(['diff', '--cached', '--name-only'])).toBe('staged.txt');
    expect(r.gitOk(['stash', 'list'])).toBe('');
    expect(r.mikado(['hook', 'check-branch']).status).toBe(0);
  });

  it('replay --abort puts the branch, index and work tree back exactly, also after the plan commit', () => {
    const { r, sha } = branchMidCycle();
    discover(r);
    r.gitOk(['add', NEW]);
    r.write({ 'src/b.txt': 'unstaged edit\n', 'untracked.txt': 'u\n' });
    const before = snapshot(r);
    expect(r.mikado(['reset', '--apply']).status).toBe(0);
    r.gitOk(['add', '-A']);
    r.gitOk(['commit', '-q', '--no-verify', '-m', 'C2(goal): plan found']);
    const planned = r.head();
    const res = r.mikado(['replay', '--abort']);
    expect([res.status, res.stderr]).toEqual([0, '']);
    expect(snapshot(r)).toEqual(before);
    expect(r.head()).toBe(sha['implC']);
    expect(r.gitOk(['rev-parse', 'refs/mikado/aborted-plan/goal'])).toBe(planned);
    expect(r.gitOk(['stash', 'list'])).toBe('');
    expect(r.mikado(['replay']).status).toBe(2);
  });

  it('stops on a conflict like git rebase; --continue finishes, --abort restores', () => {
    for (const how of ['continue', 'abort'] as const) {
      const { r, sha } = branchMidCycle();
      r.write({ 'src/c.txt': 'wip\n' });
      const before = snapshot(r);
      expect(r.mikado(['reset', '--apply']).status).toBe(0);
      // Planned at the reset point, the leaf's new requirement meets `close leaf` in the replay.
      r.write({
        [LEAF]: card({ title: 'Leaf (needs found)', status: 'active', requires: ['found'] }),
        [NEW]: card({ title: 'Found', status: 'active' }),
      });
      r.gitOk(['add', '-A']);
      r.gitOk(['commit', '-q', '-m', 'C2(goal): plan found']);
      const stopped = r.mikado(['replay']);
      expect(stopped.status).toBe(1);
      expect(stopped.stdout).toContain(
        `the replay stopped at \`${short(sha['close'])}\` \`C2(goal): close leaf\`: conflict in ${LEAF}`,
      );
      const resume = JSON.parse(r.mikado(['view', '--resume', '--json']).stdout);
      expect(resume).toMatchObject({
        position: 'replaying',
        replay: { stopped: true, conflicts: [LEAF] },
        next: { command: null },
      });
      expect(resume.next.why).toContain('mikado replay --continue');
      if (how === 'abort') {
        expect(r.mikado(['replay', '--abort']).status).toBe(0);
        expect(snapshot(r)).toEqual(before);
        continue;
      }
      r.write({ [LEAF]: card({ title: 'Leaf (needs found)', requires: ['found'] }) });
      r.gitOk(['add', LEAF]);
      expect(JSON.parse(r.mikado(['view', '--resume', '--json']).stdout).next.command).toBe(
        'mikado replay --continue',
      );
      const done = r.mikado(['replay', '--continue']);
      expect(done.status, done.stdout + done.stderr).toBe(1); // `close leaf` with an active prerequisite
      expect(done.stdout).toContain('close-not-leaf');
      expect(subjects(r)).toEqual(PLANNED_FIRST);
      expect(read(r, 'src/c.txt')).toBe('wip\n');
    }
  });

  it('moves a plan committed after a cycle to the end of the planning layer', () => {
    const { r, sha } = branchMidCycle();
    r.commitNoVerify('C2(goal): plan found', { [NEW]: card({ title: 'Found', status: 'active' }) });
    const plan = JSON.parse(r.mikado(['reset', '--json']).stdout);
    expect(plan.picks.map((p: { subject: string }) => p.subject)).toEqual([
      'C2(goal): plan found',
      'C2(goal): impl a',
      'C2(goal): close leaf',
      'C2(goal): impl b',
      'C2(goal): impl c',
    ]);
    const res = r.mikado(['reset', '--apply']);
    expect(res.status).toBe(0);
    expect(r.mikado(['replay']).status).toBe(0);
    expect(subjects(r)[1]).toBe('C2(goal): plan found');
    expect(r.gitOk(['diff', sha['implC']!, 'HEAD', '--', 'src'])).toBe('');
    expect(r.mikado(['hook', 'check-branch']).status).toBe(0);
  });

  it('has nothing to do in the planning layer', () => {
    const { r, sha } = branchMidCycle();
    r.gitOk(['reset', '-q', '--hard', sha['plan']!]);
    const res = r.mikado(['reset', '--apply']);
    expect([res.status, res.stdout]).toEqual([
      0,
      `mikado: nothing to reset: HEAD \`C2(goal): plan goal\` (\`${short(sha['plan'])}\`) is in the planning layer: a plan can be committed here.\n`,
    ]);
    expect(r.head()).toBe(sha['plan']);
  });

  it('resets to the base when the branch starts with an impl', () => {
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

  it('refuses outside a Mikado branch, during a merge, and a second reset before the replay', () => {
    const r = createRepo({ install: false });
    r.commitNoVerify('init');
    const off = r.mikado(['reset']);
    expect(off.status).toBe(2);
    expect(off.stderr).toMatch(/^mikado: Unexpected branch `main`, expected a Mikado branch/);
    const { r: m, sha } = branchMidCycle();
    m.write({ 'src/c.txt': 'mine\n' });
    m.gitOk(['update-ref', 'MERGE_HEAD', sha['plan']!]);
    const merging = m.mikado(['reset', '--apply']);
    expect(merging.status).toBe(2);
    expect(merging.stderr).toContain('in progress');
    expect(m.head()).toBe(sha['implC']);
    expect(read(m, 'src/c.txt')).toBe('mine\n');
    m.gitOk(['update-ref', '-d', 'MERGE_HEAD']);
    expect(m.mikado(['reset', '--apply']).status).toBe(0);
    const again = m.mikado(['reset', '--apply']);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('waiting for its replay');
  });
});

describe('mikado plan', () => {
  it('commits the staged cards at the end of the planning layer and replays the cycles, leaving other work as it was', () => {
    const { r, sha } = branchMidCycle();
    discover(r);
    r.write({ 'src/b.txt': 'unstaged edit\n', 'staged.txt': 'staged\n', 'untracked.txt': 'u\n' });
    r.gitOk(['add', GOAL, NEW, 'staged.txt']);
    const res = r.mikado(['plan']);
    expect([res.status, res.stderr]).toEqual([0, '']);
    expect(res.stdout).toContain(
      'committed `C2(goal): plan found` at the reset point `C2(goal): plan goal`',
    );
    expect(subjects(r)).toEqual(PLANNED_FIRST);
    expect(r.gitOk(['show', '--name-only', '--format=', 'HEAD~4']).split('\n').sort()).toEqual([
      NEW,
      GOAL,
    ]);
    expect(r.git(['status', '--porcelain', '--untracked-files=all']).stdout.split('\n')).toEqual([
      ' M src/b.txt',
      'A  staged.txt',
      '?? untracked.txt',
      '',
    ]);
    expect(r.gitOk(['diff', sha['implC']!, 'HEAD', '--', 'src'])).toBe('');
    expect(r.mikado(['hook', 'check-branch']).status).toBe(0);
  });

  it('before any cycle it is a plain commit on top; without staged cards it says what to stage', () => {
    const r = mikadoBranchRepo();
    r.commitNoVerify('C2(goal): plan goal', {
      [GOAL]: card({ title: 'Goal', status: 'active', branch: 'mikado/goal' }),
    });
    r.write({ [NEW]: card({ title: 'Found', status: 'active' }) });
    const none = r.mikado(['plan']);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain(`\`git add -- ${NEW} && mikado plan\``);
    r.gitOk(['add', NEW]);
    const res = r.mikado(['plan', 'the found step']);
    expect(res.status).toBe(0);
    expect(subjects(r)).toEqual(['C2(goal): plan goal', 'C2(goal): plan the found step']);
    expect(r.gitOk(['status', '--porcelain'])).toBe('');
  });
});
