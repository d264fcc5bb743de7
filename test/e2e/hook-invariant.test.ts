// The Mikado Branch Invariant, scenario by scenario: real repositories, the installed hook, real
// `git commit`. History is built with --no-verify; the last commit goes through the hook.
import { rmSync, writeFileSync } from 'node:fs';
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
  type TestRepo,
} from '../helpers/git-repo.ts';

type Files = Record<string, string | null>;
interface Step {
  msg: string;
  files?: Files;
}
interface Final extends Step {
  /** Extra `git commit` arguments (`--amend`, `-v`, ...). */
  args?: string[];
  /** Type the message in an editor (above git's comment template) instead of `-m`. */
  typed?: boolean;
  /** Pass the message with `-F` from a file with exactly these bytes. */
  file?: boolean;
  /** git config set before the commit. */
  config?: Record<string, string>;
  /** Run `git merge --no-ff` of a side branch instead of a commit. */
  merge?: boolean;
  /** Give the message as the value of a clustered `-am`. */
  clustered?: boolean;
}
interface Scenario {
  name: string;
  /** The branch `git init` starts on (default `main`); a Mikado branch here means "no main". */
  init?: string;
  /** The branch the work happens on (default `mikado/goal`). */
  branch?: string;
  /** Set up the repository before the branch exists (default: one commit on main). */
  setup?: (repo: TestRepo) => void;
  steps?: Step[];
  final: Final;
  /** `ok`, or the rules reported (in any order) and the subject of the reset point. */
  expect: 'ok' | { rules: string[]; resetPoint?: string };
}

const LEAF2 = 'docs/cards/leaf2.md';
const PLAN: Step = { msg: 'C2(goal): plan goal and leaf', files: goalLeafPlan() };
const PLAN2: Step = {
  msg: 'C2(goal): plan leaf2',
  files: {
    [GOAL]: goalCard({ requires: ['leaf', 'leaf2'] }),
    [LEAF2]: card({ title: 'Leaf 2', status: 'active' }),
  },
};
let n = 0;
const impl = (what = 'work'): Step => ({
  msg: `C2(goal): impl ${what}`,
  files: { [`src/${what}-${++n}.txt`]: `${what}\n` },
});
const CLOSE_LEAF: Step = {
  msg: 'C2(goal): close leaf',
  files: { [LEAF]: card({ title: 'Leaf' }) },
};
const CLOSE_LEAF2: Step = {
  msg: 'C2(goal): close leaf2',
  files: { [LEAF2]: card({ title: 'Leaf 2' }) },
};
const CLOSE_GOAL: Step = {
  msg: 'C2(goal): close goal',
  files: { [GOAL]: card({ title: 'Goal', branch: 'mikado/goal', requires: ['leaf'] }) },
};
const FINALIZE: Step = {
  msg: 'C2(goal): finalize goal',
  files: { [GOAL]: card({ title: 'Goal' }), [LEAF]: card({ title: 'Leaf' }) },
};
const CYCLE = [PLAN, impl(), CLOSE_LEAF];
const IMPL_X: Step = { msg: 'C2(goal): impl x', files: { 'src/x.txt': 'x\n' } };

const scenarios: Scenario[] = [
  // --- conventional branches pass ---------------------------------------------------------
  { name: 'first plan commit creates the goal', final: PLAN, expect: 'ok' },
  {
    name: 'length-zero planning layer: the goal was planned on main, the branch starts with impl',
    setup: (r) => r.commitNoVerify('plan on main', PLAN.files),
    final: impl(),
    expect: 'ok',
  },
  { name: 'several plan commits', steps: [PLAN], final: PLAN2, expect: 'ok' },
  { name: 'impl after plan', steps: [PLAN], final: impl(), expect: 'ok' },
  { name: 'several impl commits', steps: [PLAN, impl()], final: impl(), expect: 'ok' },
  {
    name: 'a goal card named `goal.MD` and a leaf `leaf.Markdown` are cards as `mikado check` reads them',
    steps: [
      {
        msg: 'C2(goal): plan goal and leaf',
        files: {
          'docs/cards/goal.MD': goalCard({ requires: ['leaf'] }),
          'docs/cards/leaf.Markdown': card({ title: 'Leaf', status: 'active' }),
        },
      },
      impl(),
    ],
    final: {
      msg: 'C2(goal): close leaf',
      files: { 'docs/cards/leaf.Markdown': card({ title: 'Leaf' }) },
    },
    expect: 'ok',
  },
  { name: 'close after impl', steps: [PLAN, impl()], final: CLOSE_LEAF, expect: 'ok' },
  {
    name: 'two closes in a row',
    steps: [PLAN, PLAN2, impl(), CLOSE_LEAF],
    final: CLOSE_LEAF2,
    expect: 'ok',
  },
  { name: 'second cycle starts with impl', steps: CYCLE, final: impl(), expect: 'ok' },
  {
    name: 'several cycles then close the goal',
    steps: [PLAN, PLAN2, impl(), CLOSE_LEAF2, impl(), CLOSE_LEAF, impl()],
    final: CLOSE_GOAL,
    expect: 'ok',
  },
  {
    name: 'finalize after the last close',
    steps: [...CYCLE, impl(), CLOSE_GOAL],
    final: FINALIZE,
    expect: 'ok',
  },
  {
    name: 'close names the card as a wikilink',
    steps: [PLAN, impl()],
    final: { ...CLOSE_LEAF, msg: 'C2(goal): close [[leaf]]: operator installed' },
    expect: 'ok',
  },
  {
    name: 'close of a card in a topic folder',
    steps: [
      {
        msg: 'C2(goal): plan goal',
        files: {
          [GOAL]: goalCard({ requires: ['deep'] }),
          'docs/cards/topic/deep.md': card({ title: 'Deep', status: 'active' }),
        },
      },
      impl(),
    ],
    final: {
      msg: 'C2(goal): close deep',
      files: { 'docs/cards/topic/deep.md': card({ title: 'Deep' }) },
    },
    expect: 'ok',
  },
  {
    name: 'an excluded Markdown file under the cards root is not a card',
    setup: (r) => r.commitNoVerify('config', { 'mikado.config.yaml': 'exclude: ["notes/**"]\n' }),
    steps: [PLAN],
    final: { msg: 'C2(goal): impl notes', files: { 'docs/cards/notes/log.md': '# log\n' } },
    expect: 'ok',
  },
  {
    name: 'cards root from mikado.config.yaml',
    setup: (r) => r.commitNoVerify('config', { 'mikado.config.yaml': 'cards: plan\n' }),
    steps: [{ msg: 'C2(goal): plan goal', files: { 'plan/goal.md': goalCard({ requires: [] }) } }],
    final: {
      msg: 'C2(goal): impl touches docs',
      files: { 'docs/cards/other.md': '# not a card here\n' },
    },
    expect: 'ok',
  },
  {
    name: 'baseBranch from the config',
    setup: (r) => {
      r.commitNoVerify('init on main');
      r.gitOk(['checkout', '-q', '-b', 'trunk']);
      r.commitNoVerify('config', { 'mikado.config.yaml': 'baseBranch: trunk\n' });
      r.commitNoVerify('unconventional commit on trunk');
    },
    final: PLAN,
    expect: 'ok',
  },
  // --- message normalisation --------------------------------------------------------------
  {
    name: 'trailing whitespace in the subject',
    final: { ...PLAN, msg: 'C2(goal): plan goal and leaf   \t' },
    expect: 'ok',
  },
  {
    name: 'CRLF message file',
    final: { ...PLAN, msg: 'C2(goal): plan goal and leaf\r\n\r\nBody line.\r\n', file: true },
    expect: 'ok',
  },
  {
    name: 'message typed in the editor above git comment lines',
    final: { ...PLAN, msg: 'C2(goal): plan goal and leaf\n', typed: true },
    expect: 'ok',
  },
  {
    name: 'an indented # line is not a comment: it is the subject',
    final: {
      ...PLAN,
      msg: '  # C2(goal): plan goal and leaf\nC2(goal): plan goal and leaf\n',
      typed: true,
    },
    expect: { rules: ['subject-format'] },
  },
  {
    name: 'a # line is the subject with core.commentChar=;',
    final: {
      ...PLAN,
      msg: '# not a comment here\nC2(goal): plan goal and leaf\n',
      typed: true,
      config: { 'core.commentChar': ';' },
    },
    expect: { rules: ['subject-format'] },
  },
  {
    name: 'core.commentChar=; strips ; lines',
    final: {
      ...PLAN,
      msg: '; a comment\nC2(goal): plan goal and leaf\n',
      typed: true,
      config: { 'core.commentChar': ';' },
    },
    expect: 'ok',
  },
  {
    name: 'core.commentChar=auto',
    final: {
      ...PLAN,
      msg: 'C2(goal): plan goal and leaf\n',
      typed: true,
      config: { 'core.commentChar': 'auto' },
    },
    expect: 'ok',
  },
  {
    name: 'core.commentChar=auto picks ; when a line starts with #: the # line stays',
    final: {
      ...PLAN,
      msg: '#x not a comment\n',
      typed: true,
      args: ['-e', '-m', '#body line'],
      config: { 'core.commentChar': 'auto' },
    },
    expect: { rules: ['subject-format'] },
  },
  {
    name: 'git commit -v: the scissors line ends the message (the diff below is not read)',
    steps: [PLAN],
    final: { ...impl(), msg: 'C2(goal): impl with verbose diff\n', typed: true, args: ['-v'] },
    expect: 'ok',
  },
  {
    name: 'git commit -m keeps a # line (no editor, whitespace cleanup)',
    final: { ...PLAN, msg: '# C2(goal): plan goal and leaf' },
    expect: { rules: ['subject-format'] },
  },
  {
    name: 'unicode stem and description',
    branch: 'mikado/über-ziel',
    final: {
      msg: 'C2(über-ziel): plan Ziel für Ümläute ✓',
      files: {
        'docs/cards/über-ziel.md': card({
          title: 'Über',
          status: 'active',
          branch: 'mikado/über-ziel',
        }),
      },
    },
    expect: 'ok',
  },
  {
    name: 'whitespace runs after `C2(stem):` and after the verb, as the original hook accepts them',
    final: { ...PLAN, msg: 'C2(goal):\tplan\u00a0\u00a0goal and leaf' },
    expect: 'ok',
  },
  {
    name: 'a close with several spaces and a tab',
    steps: [PLAN, impl()],
    final: { ...CLOSE_LEAF, msg: 'C2(goal):   close\tleaf' },
    expect: 'ok',
  },
  // --- branches the hook leaves alone -----------------------------------------------------
  {
    name: 'non-mikado branch: anything goes',
    branch: 'feature/x',
    final: { msg: 'wip!!' },
    expect: 'ok',
  },
  {
    name: 'detached HEAD: anything goes',
    setup: (r) => {
      r.commitNoVerify('init');
      r.gitOk(['checkout', '-q', '-b', 'mikado/goal']);
      r.commitNoVerify(PLAN.msg, PLAN.files);
      r.gitOk(['checkout', '-q', '--detach']);
    },
    branch: '',
    final: { msg: 'detached wip' },
    expect: 'ok',
  },
  // --- base branch fallbacks ---------------------------------------------------------------
  {
    name: 'no main: the branch is the whole history',
    init: 'mikado/goal',
    steps: [PLAN],
    final: impl(),
    expect: 'ok',
  },
  {
    name: 'no main: a violation is still found',
    init: 'mikado/goal',
    steps: [PLAN, impl()],
    final: PLAN2,
    expect: { rules: ['plan-after-cycle'], resetPoint: PLAN.msg },
  },
  {
    name: 'only origin/main exists',
    setup: (r) => {
      r.commitNoVerify('init on main');
      r.gitOk(['update-ref', 'refs/remotes/origin/main', 'HEAD']);
      r.gitOk(['checkout', '-q', '-b', 'tmp']);
      r.gitOk(['branch', '-D', 'main']);
    },
    final: PLAN,
    expect: 'ok',
  },
  // --- amend ------------------------------------------------------------------------------
  {
    name: 'amend replaces HEAD: an impl amended into a plan is judged without the impl',
    steps: [PLAN, IMPL_X],
    final: { ...PLAN2, files: { ...PLAN2.files, 'src/x.txt': null }, args: ['--amend'] },
    expect: 'ok',
  },
  {
    name: 'amend fixes a bad last subject',
    steps: [PLAN, { msg: 'wip', files: { 'src/a.txt': 'a\n' } }],
    final: { msg: 'C2(goal): impl a', args: ['--amend'] },
    expect: 'ok',
  },
  {
    name: 'amend with an abbreviated option (--amen)',
    steps: [PLAN, IMPL_X],
    final: { ...PLAN2, files: { ...PLAN2.files, 'src/x.txt': null }, args: ['--amen'] },
    expect: 'ok',
  },
  {
    name: '-am is --all plus -m, not an amend',
    steps: [PLAN, impl()],
    final: { ...PLAN2, clustered: true },
    expect: { rules: ['plan-after-cycle'], resetPoint: PLAN.msg },
  },
  {
    name: 'amend still judges the rest of the branch',
    steps: [PLAN, impl(), IMPL_X],
    final: { ...PLAN2, files: { ...PLAN2.files, 'src/x.txt': null }, args: ['--amend'] },
    expect: { rules: ['plan-after-cycle'], resetPoint: PLAN.msg },
  },
  // --- violations of the new commit -------------------------------------------------------
  {
    name: 'plan after impl',
    steps: [PLAN, impl()],
    final: PLAN2,
    expect: { rules: ['plan-after-cycle'], resetPoint: PLAN.msg },
  },
  {
    name: 'plan after close: the plan goes to the end of the planning layer',
    steps: [...CYCLE, impl()],
    final: PLAN2,
    expect: { rules: ['plan-after-cycle'], resetPoint: PLAN.msg },
  },
  {
    name: 'close right after plan',
    steps: [PLAN],
    final: CLOSE_LEAF,
    expect: { rules: ['close-before-impl'] },
  },
  {
    name: 'close as the first commit',
    setup: (r) => r.commitNoVerify('plan on main', PLAN.files),
    final: CLOSE_LEAF,
    expect: { rules: ['close-before-impl'] },
  },
  {
    name: 'commit after finalize',
    steps: [...CYCLE, impl(), CLOSE_GOAL, FINALIZE],
    final: impl(),
    expect: { rules: ['finalize-not-last'] },
  },
  {
    name: 'every ordering violation of a commit is reported: a plan after finalize',
    steps: [...CYCLE, impl(), CLOSE_GOAL, FINALIZE],
    final: PLAN2,
    expect: { rules: ['finalize-not-last', 'plan-after-cycle'], resetPoint: PLAN.msg },
  },
  {
    name: 'finalize right after impl',
    steps: [...CYCLE, impl()],
    final: FINALIZE,
    expect: { rules: ['finalize-open-cycle'] },
  },
  {
    name: 'impl changes a card',
    steps: [PLAN],
    final: {
      msg: 'C2(goal): impl and note',
      files: {
        'src/x.txt': 'x\n',
        [LEAF]: card({ title: 'Leaf', status: 'active', body: 'note' }),
      },
    },
    expect: { rules: ['impl-changes-card'] },
  },
  {
    name: 'impl deletes a card',
    steps: [PLAN, PLAN2],
    final: { msg: 'C2(goal): impl drop leaf2', files: { [LEAF2]: null } },
    expect: { rules: ['impl-changes-card'] },
  },
  {
    name: 'plan changes code',
    steps: [PLAN],
    final: {
      msg: 'C2(goal): plan with code',
      files: { [LEAF2]: card({ title: 'x', status: 'active' }), 'src/y.txt': 'y\n' },
    },
    expect: { rules: ['plan-changes-code'] },
  },
  {
    name: 'close that leaves the named card unchanged',
    steps: [PLAN, impl()],
    final: { msg: 'C2(goal): close leaf', files: { 'src/z.txt': 'z\n' } },
    expect: { rules: ['close-card', 'close-changes-code'] },
  },
  {
    name: 'close naming no card',
    steps: [PLAN, impl()],
    final: { ...CLOSE_LEAF, msg: 'C2(goal): close nosuchcard' },
    expect: { rules: ['close-card'] },
  },
  {
    name: 'close that keeps status: active',
    steps: [PLAN, impl()],
    final: {
      msg: 'C2(goal): close leaf',
      files: { [LEAF]: card({ title: 'Leaf done?', status: 'active' }) },
    },
    expect: { rules: ['close-card'] },
  },
  {
    name: 'close that completes another card too',
    steps: [PLAN, PLAN2, impl()],
    final: { msg: 'C2(goal): close leaf', files: { ...CLOSE_LEAF.files, ...CLOSE_LEAF2.files } },
    expect: { rules: ['close-card'] },
  },
  {
    name: 'close of a card that was not active',
    steps: [PLAN, impl(), CLOSE_LEAF, impl()],
    final: { msg: 'C2(goal): close leaf', files: { [LEAF]: card({ title: 'Leaf again' }) } },
    expect: { rules: ['close-card'] },
  },
  {
    name: 'an impl that adds a card after a cycle',
    steps: [...CYCLE],
    final: {
      msg: 'C2(goal): impl more',
      files: { 'src/more.txt': 'm\n', [LEAF2]: card({ title: 'Leaf 2', status: 'active' }) },
    },
    expect: { rules: ['impl-changes-card', 'card-after-cycle'], resetPoint: PLAN.msg },
  },
  {
    name: 'a close that adds a card after a cycle',
    steps: [PLAN, PLAN2, impl(), CLOSE_LEAF, impl()],
    final: {
      msg: 'C2(goal): close leaf2',
      files: {
        ...CLOSE_LEAF2.files,
        'docs/cards/leaf3.md': card({ title: 'L3', status: 'active' }),
      },
    },
    expect: { rules: ['card-after-cycle'], resetPoint: PLAN2.msg },
  },
  {
    name: 'a card added in the planning layer is fine',
    steps: [PLAN],
    final: PLAN2,
    expect: 'ok',
  },
  {
    name: 'close of a card whose prerequisite is still active',
    steps: [PLAN, impl()],
    final: CLOSE_GOAL,
    expect: { rules: ['close-not-leaf'] },
  },
  {
    name: 'close of a card whose prerequisite is missing',
    steps: [
      {
        msg: 'C2(goal): plan goal',
        files: { [GOAL]: goalCard({ requires: ['ghost'] }) },
      },
      impl(),
    ],
    final: {
      ...CLOSE_GOAL,
      files: { [GOAL]: card({ title: 'Goal', branch: 'mikado/goal', requires: ['ghost'] }) },
    },
    expect: { rules: ['close-not-leaf'] },
  },
  {
    name: 'close that changes code',
    steps: [PLAN, impl()],
    final: { ...CLOSE_LEAF, files: { ...CLOSE_LEAF.files, 'src/late.txt': 'late\n' } },
    expect: { rules: ['close-changes-code'] },
  },
  {
    name: 'finalize that leaves requires in the goal',
    steps: [...CYCLE, impl(), CLOSE_GOAL],
    final: {
      ...FINALIZE,
      files: {
        [GOAL]: card({ title: 'Goal', requires: ['leaf'] }),
        [LEAF]: card({ title: 'Leaf' }),
      },
    },
    expect: { rules: ['finalize-frontmatter'] },
  },
  {
    name: 'finalize that leaves the goal branch',
    steps: [...CYCLE, impl(), CLOSE_GOAL],
    final: { ...FINALIZE, files: { [LEAF]: card({ title: 'Leaf' }) } },
    expect: { rules: ['finalize-frontmatter'] },
  },
  {
    name: 'goal card missing',
    final: {
      msg: 'C2(goal): plan leaf only',
      files: { [LEAF]: card({ title: 'Leaf', status: 'active' }) },
    },
    expect: { rules: ['goal-card'] },
  },
  {
    name: 'goal card names another branch',
    final: { ...PLAN, files: { ...PLAN.files, [GOAL]: goalCard({ branch: 'mikado/other' }) } },
    expect: { rules: ['goal-card'] },
  },
  {
    name: 'goal card without branch',
    final: { ...PLAN, files: { ...PLAN.files, [GOAL]: card({ title: 'Goal', status: 'active' }) } },
    expect: { rules: ['goal-card'] },
  },
  {
    name: 'stem does not match the branch',
    final: { ...PLAN, msg: 'C2(other): plan goal' },
    expect: { rules: ['subject-stem'] },
  },
  {
    name: 'subject without C2',
    final: { ...PLAN, msg: 'plan goal and leaf' },
    expect: { rules: ['subject-format'] },
  },
  {
    name: 'unknown verb',
    final: { ...PLAN, msg: 'C2(goal): design goal' },
    expect: { rules: ['subject-format'] },
  },
  {
    name: 'no description',
    final: { ...PLAN, msg: 'C2(goal): plan' },
    expect: { rules: ['subject-format'] },
  },
  {
    name: 'lower-case c2',
    final: { ...PLAN, msg: 'c2(goal): plan goal' },
    expect: { rules: ['subject-format'] },
  },
  {
    name: 'merge commit',
    steps: [PLAN],
    final: { msg: 'Merge side', merge: true },
    expect: { rules: ['merge-commit'] },
  },
  // --- violations already in the history --------------------------------------------------
  {
    name: 'a bad subject in history blocks every later commit',
    steps: [PLAN, { msg: 'quick fix', files: { 'src/q.txt': 'q\n' } }],
    final: impl(),
    expect: { rules: ['subject-format'] },
  },
  {
    name: 'an impl that changed a card in history',
    steps: [
      PLAN,
      {
        msg: 'C2(goal): impl sneaky',
        files: { [LEAF]: card({ title: 'Leaf edited', status: 'active' }) },
      },
    ],
    final: impl(),
    expect: { rules: ['impl-changes-card'] },
  },
  {
    name: 'a merge in history is reported once; the commits it brought in are not judged',
    setup: (r) => {
      r.commitNoVerify('init');
      r.gitOk(['checkout', '-q', '-b', 'side']);
      r.commitNoVerify('side work, not conventional', { 'side.txt': 's\n' });
      r.gitOk(['checkout', '-q', 'main']);
      r.gitOk(['checkout', '-q', '-b', 'mikado/goal']);
      r.commitNoVerify(PLAN.msg, PLAN.files);
      r.gitOk(['merge', '-q', '--no-ff', '--no-verify', '-m', 'Merge side', 'side']);
    },
    branch: '',
    final: impl(),
    expect: { rules: ['merge-commit'] },
  },
  // --- fixup! and squash! -----------------------------------------------------------------
  {
    name: 'fixup! of an earlier commit is accepted while work goes on',
    steps: [PLAN, { msg: 'C2(goal): impl the thing', files: { 'src/t.txt': 't\n' } }],
    final: { msg: 'fixup! C2(goal): impl the thing', files: { 'src/t.txt': 't2\n' } },
    expect: 'ok',
  },
  {
    name: 'squash! with a prefix of the target subject',
    steps: [PLAN, { msg: 'C2(goal): impl the thing', files: { 'src/t.txt': 't\n' } }],
    final: { msg: 'squash! C2(goal): impl the', files: { 'src/t.txt': 't3\n' } },
    expect: 'ok',
  },
  {
    name: 'fixup! naming no commit of the branch',
    steps: [PLAN],
    final: { msg: 'fixup! C2(goal): impl never made', files: { 'src/t.txt': 't\n' } },
    expect: { rules: ['fixup-target'] },
  },
  {
    name: 'fixup! of an impl that changes a card',
    steps: [PLAN, { msg: 'C2(goal): impl the thing', files: { 'src/t.txt': 't\n' } }],
    final: {
      msg: 'fixup! C2(goal): impl the thing',
      files: { [LEAF]: card({ title: 'L', status: 'active' }) },
    },
    expect: { rules: ['impl-changes-card'] },
  },
];

afterEach(cleanupRepos);

describe('commit-msg hook: the Mikado Branch Invariant', () => {
  it('has at least 40 scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(40);
  });

  for (const s of scenarios) {
    it(s.name, () => {
      const r = createRepo({ branch: s.init ?? 'main' });
      // These scenarios are about commit-msg; the card checks of pre-commit have tests of their own.
      rmSync(path.join(r.dir, '.git/hooks/pre-commit'));
      if (s.setup) s.setup(r);
      else if (!s.init) r.commitNoVerify('init', { 'README.md': '# project\n' });
      const branch = s.branch ?? 'mikado/goal';
      if (branch !== '' && !s.init) r.gitOk(['checkout', '-q', '-b', branch]);
      for (const step of s.steps ?? []) r.commitNoVerify(step.msg, step.files);
      const before = r.head();
      const result = runFinal(r, s.final);
      const after = r.head();
      if (s.expect === 'ok') {
        expect({ status: result.status, stderr: result.stderr }).toEqual({
          status: 0,
          stderr: expect.any(String),
        });
        expect(after).not.toBe(before);
        return;
      }
      expect(result.status, result.stderr).not.toBe(0);
      expect(after).toBe(before);
      const reported = [
        ...result.stderr.matchAll(/^ {2}(?:this commit|[0-9a-f]{7}) {2}([a-z-]+)/gm),
      ].map((m) => m[1]);
      expect([...new Set(reported)].sort()).toEqual([...new Set(s.expect.rules)].sort());
      // Every violation explains itself: a sentence and what to do.
      const blocks = result.stderr.split(/\n(?= {2}(?:this commit|[0-9a-f]{7}) {2})/).slice(1);
      expect(blocks.length).toBeGreaterThan(0);
      for (const b of blocks) expect(b).toMatch(/\n {4}\S.*\.\n {4}fix: \S/);
      if (s.expect.resetPoint) {
        const sha = r.gitOk([
          'log',
          '--format=%h',
          '--abbrev=7',
          '-1',
          '--fixed-strings',
          `--grep=${s.expect.resetPoint}`,
        ]);
        expect(sha).toMatch(/^[0-9a-f]{7}$/);
        expect(result.stderr).toContain(`reset point \`${s.expect.resetPoint}\` at \`${sha}\``);
        expect(result.stderr).toMatch(/`[^`]*mikado (plan|reset)/);
      }
    });
  }
});

function runFinal(r: TestRepo, f: Final) {
  for (const [k, v] of Object.entries(f.config ?? {})) r.gitOk(['config', k, v]);
  if (f.merge) {
    const branch = r.gitOk(['symbolic-ref', '--short', 'HEAD']);
    r.gitOk(['checkout', '-q', '-b', 'side', 'HEAD~1']);
    r.commitNoVerify('side work', { 'side.txt': 'side\n' });
    r.gitOk(['checkout', '-q', branch]);
    return r.git(['merge', '--no-ff', '-m', f.msg, 'side']);
  }
  r.write(f.files ?? {});
  r.gitOk(['add', '-A']);
  const args = ['commit', '--allow-empty', ...(f.args ?? [])];
  if (f.typed) return r.git(args, r.editorTyping(f.msg));
  if (f.file) {
    const file = path.join(r.tmp, 'message.txt');
    writeFileSync(file, f.msg);
    return r.git([...args, '-F', file]);
  }
  if (f.clustered) return r.git([...args, '-am', f.msg]);
  return r.git([...args, '-m', f.msg]);
}
