// Every rejection's `fix:` is followed literally, as an agent that knows nothing else would:
// the commands it names (in backticks, in order) run in the repository, and lead to an accepted
// commit and a branch that passes `mikado hook check-branch`. Real repositories, the installed
// hooks, real `git commit`.
import { afterEach, describe, expect, it } from 'vitest';
import {
  card,
  cleanupRepos,
  GOAL,
  goalCard,
  goalLeafPlan,
  LEAF,
  mikadoBranchRepo,
  mikadoOnPath,
  type TestRepo,
} from '../helpers/git-repo.ts';

const NEW = 'docs/cards/found.md';
const PLAN = goalLeafPlan();

afterEach(cleanupRepos);

/** A repository with the hooks installed and `mikado` on PATH, on `mikado/goal`. */
function repo(): TestRepo & { sh: ReturnType<typeof mikadoOnPath> } {
  const r = mikadoBranchRepo({ install: true });
  return Object.assign(r, { sh: mikadoOnPath(r) });
}

/** The fix line of the violation `rule` in the hook's output. */
function fixOf(stderr: string, rule: string): string {
  const block = stderr
    .split(/\n(?= {2}(?:this commit|[0-9a-f]{7}) {2})/)
    .find((b) => new RegExp(`^ {2}(?:this commit|[0-9a-f]{7}) {2}${rule}\\b`, 'm').test(b));
  const fix = block?.match(/\n {4}fix: (.*)/)?.[1];
  if (!fix) throw new Error(`no fix for ${rule} in:\n${stderr}`);
  return fix;
}

/** Runs every `git ...` and `mikado ...` command in backticks of a fix, in order. */
function follow(r: ReturnType<typeof repo>, fix: string): string[] {
  const commands = [...fix.matchAll(/`((?:git|mikado) [^`]+)`/g)].map((m) => m[1]!);
  expect(commands.length, fix).toBeGreaterThan(0);
  for (const c of commands) {
    const res = r.sh(c);
    expect({ c, status: res.status, err: res.stderr }).toMatchObject({ c, status: 0 });
  }
  return commands;
}

/** Commits what is staged through the hooks; expects a rejection naming these rules. */
function rejected(r: ReturnType<typeof repo>, msg: string, rules: string[], args: string[] = []) {
  const before = r.head();
  const res = r.git(['commit', ...args, '-m', msg]);
  expect(res.status, res.stderr).toBe(1);
  expect(r.head()).toBe(before);
  const seen = [...res.stderr.matchAll(/^ {2}(?:this commit|[0-9a-f]{7}) {2}([a-z-]+)/gm)].map(
    (m) => m[1],
  );
  expect([...new Set(seen)].sort()).toEqual([...rules].sort());
  return res.stderr;
}

function passes(r: ReturnType<typeof repo>): void {
  const res = r.mikado(['hook', 'check-branch']);
  expect([res.status, res.stdout]).toEqual([0, expect.stringContaining('follow the Mikado')]);
}

const log = (r: TestRepo) => r.gitOk(['log', '--format=%s', 'main..HEAD']).split('\n').reverse();

describe('following the fix of each rejection leads to an accepted commit', () => {
  it('plan-after-cycle: `mikado plan` puts the plan at the end of the planning layer, code stays uncommitted', () => {
    const r = repo();
    r.commitNoVerify('C2(goal): plan goal', PLAN);
    r.commitNoVerify('C2(goal): impl leaf', { 'src/a.txt': 'a\n' });
    r.write({
      [NEW]: card({ title: 'Found', status: 'active' }),
      [GOAL]: goalCard({ requires: ['leaf', 'found'] }),
      'src/a.txt': 'more\n',
    });
    r.gitOk(['add', '-A']);
    const err = rejected(r, 'C2(goal): plan found', ['plan-after-cycle', 'plan-changes-code']);
    follow(r, fixOf(err, 'plan-after-cycle'));
    expect(log(r)).toEqual(['C2(goal): plan goal', 'C2(goal): plan found', 'C2(goal): impl leaf']);
    // Still staged, as it was.
    expect(r.gitOk(['status', '--porcelain'])).toBe('M  src/a.txt');
    passes(r);
  });

  it('card-after-cycle and impl-changes-card: the impl without the card, then the card planned', () => {
    const r = repo();
    r.commitNoVerify('C2(goal): plan goal', PLAN);
    r.commitNoVerify('C2(goal): impl leaf', { 'src/a.txt': 'a\n' });
    r.write({ 'src/b.txt': 'b\n', [NEW]: card({ title: 'Found', status: 'active' }) });
    r.gitOk(['add', '-A']);
    const err = rejected(r, 'C2(goal): impl more', ['card-after-cycle', 'impl-changes-card']);
    follow(r, fixOf(err, 'card-after-cycle'));
    expect(log(r)).toEqual([
      'C2(goal): plan goal',
      'C2(goal): plan found',
      'C2(goal): impl leaf',
      'C2(goal): impl more',
    ]);
    passes(r);
  });

  it('impl-changes-card for a changed card: the impl alone, the card change as a plan', () => {
    const r = repo();
    r.commitNoVerify('C2(goal): plan goal', PLAN);
    r.write({
      'src/b.txt': 'b\n',
      [LEAF]: card({ title: 'Leaf', status: 'active', body: 'note' }),
    });
    r.gitOk(['add', '-A']);
    const err = rejected(r, 'C2(goal): impl b', ['impl-changes-card']);
    follow(r, fixOf(err, 'impl-changes-card'));
    expect(log(r)).toEqual(['C2(goal): plan goal', 'C2(goal): plan leaf', 'C2(goal): impl b']);
    passes(r);
  });

  it('close-changes-code: the code as impl first, then the close', () => {
    const r = repo();
    r.commitNoVerify('C2(goal): plan goal', PLAN);
    r.commitNoVerify('C2(goal): impl leaf', { 'src/a.txt': 'a\n' });
    r.write({ 'src/late.txt': 'late\n', [LEAF]: card({ title: 'Leaf' }) });
    r.gitOk(['add', '-A']);
    const err = rejected(r, 'C2(goal): close leaf', ['close-changes-code']);
    follow(r, fixOf(err, 'close-changes-code'));
    expect(log(r).slice(-2)).toEqual(['C2(goal): impl leaf', 'C2(goal): close leaf']);
    expect(r.gitOk(['status', '--porcelain'])).toBe('');
    passes(r);
  });

  it('close-not-leaf: the close is kept in a stash and the resume says what to work on', () => {
    const r = repo();
    r.commitNoVerify('C2(goal): plan goal', PLAN);
    r.commitNoVerify('C2(goal): impl goal', { 'src/a.txt': 'a\n' });
    r.write({ [GOAL]: card({ title: 'Goal', branch: 'mikado/goal', requires: ['leaf'] }) });
    r.gitOk(['add', '-A']);
    const err = rejected(r, 'C2(goal): close goal', ['close-not-leaf']);
    follow(r, fixOf(err, 'close-not-leaf'));
    expect(r.gitOk(['status', '--porcelain'])).toBe('');
    expect(r.gitOk(['stash', 'list'])).toContain('mikado: close goal');
    const next = JSON.parse(r.mikado(['view', '--resume', '--json']).stdout).next;
    expect(next.command).toBe("git add -A && git commit -m 'C2(goal): impl leaf'");
    r.write({ 'src/leaf.txt': 'leaf\n' });
    expect(r.sh(next.command).status).toBe(0);
    passes(r);
  });

  it('close-before-impl: the work is committed as impl first', () => {
    const r = repo();
    r.commitNoVerify('C2(goal): plan goal', PLAN);
    r.write({ 'src/a.txt': 'a\n', [LEAF]: card({ title: 'Leaf' }) });
    r.gitOk(['add', '-A']);
    const err = rejected(r, 'C2(goal): close leaf', ['close-before-impl', 'close-changes-code']);
    follow(r, fixOf(err, 'close-before-impl'));
    expect(log(r)).toEqual(['C2(goal): plan goal', 'C2(goal): impl leaf']);
    passes(r);
  });

  it('plan-changes-code: the plan alone, the code left for an impl', () => {
    const r = repo();
    r.commitNoVerify('C2(goal): plan goal', PLAN);
    r.write({ [NEW]: card({ title: 'Found', status: 'active' }), 'src/x.txt': 'x\n' });
    r.gitOk(['add', '-A']);
    const err = rejected(r, 'C2(goal): plan found', ['plan-changes-code']);
    follow(r, fixOf(err, 'plan-changes-code'));
    expect(log(r)).toEqual(['C2(goal): plan goal', 'C2(goal): plan found']);
    expect(r.gitOk(['status', '--porcelain', '--untracked-files=all'])).toBe('?? src/x.txt');
    passes(r);
  });

  it('subject-format and subject-stem: the suggested subject is accepted', () => {
    const r = repo();
    r.commitNoVerify('C2(goal): plan goal', PLAN);
    r.write({ 'src/x.txt': 'x\n' });
    r.gitOk(['add', '-A']);
    follow(r, fixOf(rejected(r, 'wip on the leaf', ['subject-format']), 'subject-format'));
    r.write({ 'src/y.txt': 'y\n' });
    r.gitOk(['add', '-A']);
    follow(r, fixOf(rejected(r, 'C2(other): impl y', ['subject-stem']), 'subject-stem'));
    expect(log(r)).toEqual([
      'C2(goal): plan goal',
      'C2(goal): impl wip on the leaf',
      'C2(goal): impl y',
    ]);
    passes(r);
  });

  it('a plan committed after a cycle without the hook: `mikado reset --apply && mikado replay` mends the branch', () => {
    const r = repo();
    r.commitNoVerify('C2(goal): plan goal', PLAN);
    r.commitNoVerify('C2(goal): impl leaf', { 'src/a.txt': 'a\n' });
    r.commitNoVerify('C2(goal): plan found', { [NEW]: card({ title: 'Found', status: 'active' }) });
    r.write({ 'src/b.txt': 'b\n' });
    r.gitOk(['add', '-A']);
    const err = rejected(r, 'C2(goal): impl b', ['plan-after-cycle']);
    const commands = follow(r, fixOf(err, 'plan-after-cycle'));
    expect(commands).toEqual(['mikado reset --apply && mikado replay']);
    expect(r.git(['commit', '-m', 'C2(goal): impl b']).status).toBe(0);
    expect(log(r)).toEqual([
      'C2(goal): plan goal',
      'C2(goal): plan found',
      'C2(goal): impl leaf',
      'C2(goal): impl b',
    ]);
    passes(r);
  });
});
