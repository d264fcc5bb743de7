// mikado hook install/uninstall, chaining, and the hook-manager configurations of the README
// (pre-commit/prek by content, lefthook and husky by real runs).
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { installHooks } from '../../src/hook/install.ts';
import { BIN, runMikado } from '../helpers/binary.ts';
import { card, cleanupRepos, mikadoBranchRepo, type TestRepo } from '../helpers/git-repo.ts';

const root = path.resolve(import.meta.dirname, '../..');
// The routes are in the README; the husky, lefthook, pre-commit and prek lines in docs/hook.md.
const readme = ['README.md', 'docs/hook.md']
  .map((f) => readFileSync(path.join(root, f), 'utf8'))
  .join('\n');
afterEach(cleanupRepos);

/** A code block of the README or the hook page marked `<!-- hook-config: NAME -->`. */
function readmeConfig(name: string): string {
  const at = readme.indexOf(`<!-- hook-config: ${name} -->`);
  if (at < 0) throw new Error(`README has no hook-config ${name}`);
  const m = /```[a-z]*\n([\s\S]*?)```/.exec(readme.slice(at));
  return m![1]!;
}

const BROKEN_CARD = '---\ntitle: Broken\nmodified: 13 May\n---\n';
const GOAL_FILES = {
  'docs/cards/goal.md': card({ title: 'Goal', status: 'active', branch: 'mikado/goal' }),
};

function repoOnMikadoBranch(install = true): TestRepo {
  const r = mikadoBranchRepo();
  r.commitNoVerify('C2(goal): plan goal', GOAL_FILES);
  if (install) expect(r.mikado(['hook', 'install']).status).toBe(0);
  return r;
}

describe('mikado hook install', () => {
  it('writes executable commit-msg and pre-commit hooks, idempotently', () => {
    const r = repoOnMikadoBranch(false);
    const first = r.mikado(['hook', 'install']);
    expect([first.status, first.stdout]).toEqual([
      0,
      'installed .git/hooks/commit-msg\ninstalled .git/hooks/pre-commit\n',
    ]);
    const text = readFileSync(path.join(r.dir, '.git/hooks/commit-msg'), 'utf8');
    expect(statSync(path.join(r.dir, '.git/hooks/commit-msg')).mode & 0o111).toBe(0o111);
    expect(text).toContain(`'${BIN}' hook commit-msg "$1"`);
    const again = r.mikado(['hook', 'install']);
    expect([again.status, again.stdout]).toEqual([
      0,
      'unchanged .git/hooks/commit-msg\nunchanged .git/hooks/pre-commit\n',
    ]);
    expect(readFileSync(path.join(r.dir, '.git/hooks/commit-msg'), 'utf8')).toBe(text);
    expect(r.git(['commit', '--allow-empty', '-m', 'bad subject']).status).toBe(1);
    expect(r.git(['commit', '--allow-empty', '-m', 'C2(goal): impl nothing yet']).status).toBe(0);
  });

  it('chains an existing hook: it runs first, and uninstall puts it back', () => {
    const r = repoOnMikadoBranch(false);
    const hook = path.join(r.dir, '.git/hooks/commit-msg');
    const own = `#!/bin/sh\necho "own hook ran" >> "${r.tmp}/own.log"\ngrep -q forbidden "$1" && exit 3\nexit 0\n`;
    writeFileSync(hook, own);
    chmodSync(hook, 0o755);
    const res = r.mikado(['hook', 'install']);
    expect(res.stdout).toContain(
      'chained .git/hooks/commit-msg (the existing hook is kept as commit-msg.pre-mikado and runs first)',
    );
    expect(readFileSync(`${hook}.pre-mikado`, 'utf8')).toBe(own);
    r.gitOk(['checkout', '-q', 'main']);
    expect(r.git(['commit', '--allow-empty', '-m', 'fine on main']).status).toBe(0);
    expect(r.git(['commit', '--allow-empty', '-m', 'forbidden on main']).status).toBe(1);
    expect(readFileSync(`${r.tmp}/own.log`, 'utf8')).toBe('own hook ran\nown hook ran\n');
    expect(r.mikado(['hook', 'install']).stdout).toContain('unchanged .git/hooks/commit-msg');
    const un = r.mikado(['hook', 'uninstall']);
    expect(un.stdout).toBe('restored .git/hooks/commit-msg\nremoved .git/hooks/pre-commit\n');
    expect(readFileSync(hook, 'utf8')).toBe(own);
    expect(existsSync(`${hook}.pre-mikado`)).toBe(false);
    expect(r.mikado(['hook', 'uninstall']).stdout).toBe(
      'foreign .git/hooks/commit-msg (not installed by mikado; left alone)\nabsent .git/hooks/pre-commit\n',
    );
  });

  it('starts Node without NODE_EXTRA_CA_CERTS (read at start-up for nothing); a chained hook keeps it', () => {
    const r = repoOnMikadoBranch(false);
    const hook = path.join(r.dir, '.git/hooks/pre-commit');
    writeFileSync(hook, '#!/bin/sh\necho "chained sees $NODE_EXTRA_CA_CERTS" >&2\n');
    chmodSync(hook, 0o755);
    expect(r.mikado(['hook', 'install']).status).toBe(0);
    // a file Node cannot read: Node says so on standard error when it reads it
    const certs = { NODE_EXTRA_CA_CERTS: path.join(r.tmp, 'no-such-ca.pem') };
    const control = spawnSync(process.execPath, ['-e', '0'], {
      env: { ...process.env, ...certs },
      encoding: 'utf8',
    });
    expect(control.stderr).toContain('Ignoring extra certs');
    r.write({ 'docs/cards/broken.md': BROKEN_CARD });
    r.gitOk(['add', '-A']);
    const cards = r.git(['commit', '-m', 'C2(goal): plan broken'], certs);
    expect(cards.status).toBe(1);
    expect(cards.stderr).toContain('docs/cards/broken.md:3:11');
    expect(cards.stderr).toContain(`chained sees ${certs.NODE_EXTRA_CA_CERTS}`);
    expect(cards.stderr).not.toContain('Ignoring extra certs');
    r.gitOk(['reset', '-q', '--hard']);
    const subject = r.git(['commit', '--allow-empty', '-m', 'not conventional'], certs);
    expect(subject.status).toBe(1);
    expect(subject.stderr).toContain('subject-format');
    expect(subject.stderr).not.toContain('Ignoring extra certs');
  });

  it('refuses when both a foreign hook and a .pre-mikado one exist', () => {
    const r = repoOnMikadoBranch(false);
    writeFileSync(path.join(r.dir, '.git/hooks/commit-msg'), '#!/bin/sh\nexit 0\n');
    writeFileSync(path.join(r.dir, '.git/hooks/commit-msg.pre-mikado'), '#!/bin/sh\nexit 0\n');
    const res = r.mikado(['hook', 'install']);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/both exist and neither is mikado's\n {2}fix: /);
  });

  it('respects core.hooksPath and refuses a husky-managed one', () => {
    const r = repoOnMikadoBranch(false);
    r.gitOk(['config', 'core.hooksPath', 'githooks']);
    expect(r.mikado(['hook', 'install']).stdout).toBe(
      'installed githooks/commit-msg\ninstalled githooks/pre-commit\n',
    );
    expect(r.git(['commit', '--allow-empty', '-m', 'bad subject']).status).toBe(1);
    r.gitOk(['config', 'core.hooksPath', '.husky/_']);
    const husky = r.mikado(['hook', 'install']);
    expect(husky.status).toBe(2);
    expect(husky.stderr).toContain('which husky manages');
  });

  it('decides in sh: on other branches and without staged Markdown, Node is never started', () => {
    const r = repoOnMikadoBranch(false);
    // Hooks whose mikado cannot start: only the sh gates can let these commits through.
    installHooks(r.dir, { node: '/nonexistent/node', script: '/nonexistent/mikado.js' });
    r.write({ 'src/x.txt': 'x\n' });
    r.gitOk(['add', '-A']);
    const onMikado = r.git(['commit', '-m', 'C2(goal): impl x']);
    expect(onMikado.status).not.toBe(0);
    expect(onMikado.stderr).toContain('/nonexistent/mikado.js');
    r.gitOk(['stash', '-q']);
    r.gitOk(['checkout', '-q', 'main']);
    r.gitOk(['stash', 'pop', '-q']);
    expect(r.git(['commit', '-m', 'anything on main']).status).toBe(0);
    r.write({ 'docs/cards/a.md': card({ title: 'A' }) });
    r.gitOk(['add', '-A']);
    expect(r.git(['commit', '-m', 'a card on main']).status).not.toBe(0);
    r.gitOk(['checkout', '-q', '--detach']);
    r.gitOk(['reset', '-q']);
    expect(r.git(['commit', '--allow-empty', '-m', 'detached']).status).toBe(0);
  });

  it('runs without Node on PATH (as from a Git GUI) with the Node that installed it', () => {
    const r = repoOnMikadoBranch(false);
    const tmpBin = path.join(r.tmp, 'bin');
    mkdirSync(tmpBin);
    // git only: the hook's sh needs no other program (no `dirname`)
    for (const tool of ['git']) {
      const found = spawnSync('sh', ['-c', `command -v ${tool}`], {
        encoding: 'utf8',
      }).stdout.trim();
      symlinkSync(found, path.join(tmpBin, tool));
    }
    const gitPath = path.join(tmpBin, 'git');
    installHooks(r.dir, { node: process.execPath, script: BIN });
    const noNode = { PATH: tmpBin };
    expect(spawnSync('sh', ['-c', 'command -v node'], { env: noNode }).status).not.toBe(0);
    const bad = spawnSync(gitPath, ['commit', '--allow-empty', '-m', 'bad subject'], {
      cwd: r.dir,
      env: { ...r.env, ...noNode },
      encoding: 'utf8',
    });
    expect([bad.status, bad.stderr]).toEqual([1, expect.stringContaining('subject-format')]);
    const good = spawnSync(
      gitPath,
      ['commit', '--allow-empty', '-m', 'C2(goal): impl from a GUI'],
      {
        cwd: r.dir,
        env: { ...r.env, ...noNode },
        encoding: 'utf8',
      },
    );
    expect(good.status, good.stderr).toBe(0);
  });

  it('the pre-commit hook checks staged cards only', () => {
    const r = repoOnMikadoBranch();
    r.write({ 'docs/cards/broken.md': BROKEN_CARD, 'docs/cards/unstaged.md': BROKEN_CARD });
    r.gitOk(['add', 'docs/cards/broken.md']);
    const res = r.git(['commit', '-m', 'C2(goal): plan broken']);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('docs/cards/broken.md:3:11  error  frontmatter-date');
    expect(res.stderr).toContain('in 1 staged card\n');
    expect(res.stderr).not.toContain('unstaged.md');
    r.write({ 'docs/cards/unstaged.md': null });
    r.gitOk(['reset', '-q']);
    r.write({ 'src/x.txt': 'x\n' });
    r.gitOk(['add', 'src/x.txt']);
    expect(r.git(['commit', '-m', 'C2(goal): impl x']).status).toBe(0);
  });

  it("the pre-commit hook's gate hands mikado the staged names; a stale or quoted list is not used", () => {
    const r = repoOnMikadoBranch();
    const trace = path.join(r.tmp, 'git.trace');
    /** The `git diff` processes a run started (GIT_TRACE logs every git process). */
    const diffs = (run: () => { status: number | null; stderr: string }) => {
      rmSync(trace, { force: true });
      const res = run();
      const log = existsSync(trace) ? readFileSync(trace, 'utf8') : '';
      return { ...res, diffs: log.match(/built-in: git (?:-c \S+ )?diff /g)?.length ?? 0 };
    };
    r.write({ 'docs/cards/broken.md': BROKEN_CARD, 'docs/cards/ok.md': card({ title: 'Ok' }) });
    r.gitOk(['add', 'docs/cards/broken.md']);
    const commit = () => r.git(['commit', '-m', 'C2(goal): plan broken'], { GIT_TRACE: trace });
    // the gate's own `git diff` only: mikado took its list
    const hooked = diffs(commit);
    expect([hooked.status, hooked.diffs]).toEqual([1, 1]);
    expect(hooked.stderr).toContain('docs/cards/broken.md:3:11');
    // a list exported by someone else (another process id) is not used: mikado asks git
    const stale = { MIKADO_HOOK_STAGED: 'docs/cards/ok.md', MIKADO_HOOK_PID: '1' };
    const direct = diffs(() => r.mikado(['hook', 'pre-commit'], { ...stale, GIT_TRACE: trace }));
    expect([direct.status, direct.diffs]).toEqual([1, 1]);
    expect(direct.stderr).toContain('docs/cards/broken.md:3:11');
    // in a commit, the gate replaces it
    const exported = diffs(() =>
      r.git(['commit', '-m', 'C2(goal): plan broken'], { ...stale, GIT_TRACE: trace }),
    );
    expect([exported.status, exported.diffs]).toEqual([1, 1]);
    expect(exported.stderr).toContain('docs/cards/broken.md:3:11');
    // a name git quotes: mikado asks git, and judges it
    r.gitOk(['reset', '-q']);
    r.write({ 'docs/cards/broken.md': null, 'docs/cards/"quoted".md': BROKEN_CARD });
    r.gitOk(['add', '-A']);
    const quoted = diffs(commit);
    expect([quoted.status, quoted.diffs]).toEqual([1, 2]);
    expect(quoted.stderr).toContain('docs/cards/"quoted".md:3:11');
  });

  it("the pre-commit hook pipes the index's listing into mikado; one incomplete or for other folders is not used", () => {
    const r = repoOnMikadoBranch();
    const trace = path.join(r.tmp, 'trace2.json');
    /** Which process started each `git ls-files` of a run (git's trace2 names the ancestors). */
    const listers = (run: () => SpawnSyncReturns<string>) => {
      rmSync(trace, { force: true });
      const res = run();
      const events = readFileSync(trace, 'utf8')
        .trim()
        .split('\n')
        .map(
          (l) =>
            JSON.parse(l) as { event: string; sid: string; argv?: string[]; ancestry?: string[] },
        );
      const lists = new Set(events.filter((e) => e.argv?.[1] === 'ls-files').map((e) => e.sid));
      const by = events.filter((e) => e.event === 'cmd_ancestry' && lists.has(e.sid));
      return { ...res, listers: by.map((e) => e.ancestry![0]) };
    };
    r.write({ 'docs/cards/broken.md': BROKEN_CARD });
    r.gitOk(['add', 'docs/cards/broken.md']);
    const hooked = listers(() =>
      r.git(['commit', '-m', 'C2(goal): plan broken'], { GIT_TRACE2_EVENT: trace }),
    );
    expect([hooked.status, hooked.listers]).toEqual([1, ['pre-commit']]);
    expect(hooked.stderr).toContain('docs/cards/broken.md:3:11');
    // mikado started as the hook starts it, its standard input given here
    const listing = r.gitOk(['ls-files', '-s', '-z', '--', 'docs/cards', 'docs']); // ends in a NUL
    const mark = '["docs/cards","docs"]';
    const run = (input: string, env: NodeJS.ProcessEnv) =>
      listers(() =>
        runMikado(['hook', 'pre-commit'], {
          cwd: r.dir,
          env: { ...r.env, GIT_TRACE2_EVENT: trace, MIKADO_HOOK_PID: String(process.pid), ...env },
          input,
        }),
      );
    const whole = run(`${listing}${mark}`, { MIKADO_HOOK_LISTING: mark });
    expect([whole.status, whole.listers]).toEqual([1, []]);
    expect(whole.stderr).toContain('docs/cards/broken.md:3:11');
    for (const [what, input, env] of [
      ['no end mark (git failed)', listing, { MIKADO_HOOK_LISTING: mark }],
      ['other folders', `${listing}["docs"]`, { MIKADO_HOOK_LISTING: '["docs"]' }],
      ['another process', `${listing}${mark}`, { MIKADO_HOOK_LISTING: mark, MIKADO_HOOK_PID: '1' }],
    ] as const) {
      const asked = run(input, env);
      expect([asked.status, asked.listers], what).toEqual([1, ['node']]);
      expect(asked.stderr, what).toContain('docs/cards/broken.md:3:11');
    }
  });

  it("the pre-commit hook starts mikado from its CommonJS start-up file, the project's own package first", () => {
    const r = repoOnMikadoBranch(false);
    installHooks(r.dir, { node: process.execPath, script: BIN, listing: ['docs/cards', 'docs'] });
    const log = path.join(r.tmp, 'required.txt');
    const logger = path.join(r.tmp, 'log-requires.cjs');
    writeFileSync(
      logger,
      "process.on('exit', () => require('node:fs').writeFileSync(process.env.LOG, Object.keys(require.cache).join('\\n')));\n",
    );
    const env = { NODE_OPTIONS: `--require=${logger}`, LOG: log };
    r.write({ 'docs/cards/broken.md': BROKEN_CARD });
    r.gitOk(['add', 'docs/cards/broken.md']);
    const installer = r.git(['commit', '-m', 'C2(goal): plan broken'], env);
    expect(installer.stderr).toContain('docs/cards/broken.md:3:11');
    const files = (s: string) => s.split('\n').map((f) => path.relative(root, f));
    expect(files(readFileSync(log, 'utf8'))).toEqual(
      expect.arrayContaining(['bin/pre-commit.cjs', 'dist/pre-commit.cjs']),
    );
    // the project's own mikado-docs, when it has one (a copy: Node would name a link's target)
    const own = path.join(r.dir, 'node_modules/mikado-docs');
    for (const part of ['bin', 'dist', 'package.json']) {
      cpSync(path.join(root, part), path.join(own, part), { recursive: true });
    }
    writeFileSync(path.join(r.dir, '.gitignore'), 'node_modules/\n');
    rmSync(log);
    const ownRun = r.git(['commit', '-m', 'C2(goal): plan broken'], env);
    expect(ownRun.stderr).toContain('docs/cards/broken.md:3:11');
    expect(readFileSync(log, 'utf8').split('\n')).toEqual(
      expect.arrayContaining([
        path.join(own, 'bin/pre-commit.cjs'),
        path.join(own, 'dist/pre-commit.cjs'),
      ]),
    );
  });

  it('the pre-commit hook reads a staged card from its loose object, and a packed one through git', () => {
    const r = repoOnMikadoBranch();
    const trace = path.join(r.tmp, 'git.trace');
    const catFiles = () => {
      rmSync(trace, { force: true });
      const res = r.git(['commit', '-m', 'C2(goal): plan broken'], { GIT_TRACE: trace });
      return { ...res, catFiles: readFileSync(trace, 'utf8').match(/git cat-file/g)?.length ?? 0 };
    };
    r.write({ 'docs/cards/broken.md': BROKEN_CARD });
    r.gitOk(['add', '-A']);
    const loose = catFiles();
    expect([loose.status, loose.catFiles]).toEqual([1, 0]);
    expect(loose.stderr).toContain('docs/cards/broken.md:3:11');
    // the same blob, now only in a pack
    r.commitNoVerify('C2(goal): plan broken anyway');
    r.gitOk(['gc', '-q', '--prune=now']);
    r.gitOk(['rm', '-q', '--cached', 'docs/cards/broken.md']);
    r.gitOk(['commit', '-q', '--no-verify', '-m', 'C2(goal): plan without it']);
    r.gitOk(['add', 'docs/cards/broken.md']);
    const packed = catFiles();
    expect([packed.status, packed.catFiles]).toEqual([1, 1]);
    expect(packed.stderr).toContain('docs/cards/broken.md:3:11');
  });

  it("the pre-commit hook's sh gate lets no card through: `.markdown` and `.MD` cards are judged", () => {
    const r = repoOnMikadoBranch();
    for (const name of ['broken.markdown', 'Broken.MD', 'topic/broken.Markdown']) {
      r.write({ [`docs/cards/${name}`]: BROKEN_CARD });
      r.gitOk(['add', '-A']);
      const res = r.git(['commit', '-m', 'C2(goal): plan broken']);
      expect([res.status, res.stderr]).toEqual([
        1,
        expect.stringContaining(`docs/cards/${name}:3:11  error  frontmatter-date`),
      ]);
      r.gitOk(['rm', '-q', '--cached', `docs/cards/${name}`]);
      r.write({ [`docs/cards/${name}`]: null });
    }
  });
});

describe('hook managers', () => {
  it('.pre-commit-hooks.yaml declares both hooks for pre-commit and prek', () => {
    const hooks = parse(readFileSync(path.join(root, '.pre-commit-hooks.yaml'), 'utf8')) as Array<
      Record<string, unknown>
    >;
    expect(hooks.map((h) => h['id'])).toEqual(['mikado-commit-msg', 'mikado-cards']);
    for (const h of hooks) {
      expect(h).toMatchObject({
        name: expect.any(String),
        entry: expect.stringMatching(/^mikado hook /),
        language: 'node',
      });
      // The entry is a real command of the binary.
      const [, ...args] = String(h['entry']).split(' ');
      const help = runMikado([...args, '--help'], { cwd: process.cwd() });
      expect(help.status).toBe(0);
    }
    expect(hooks[0]).toMatchObject({
      stages: ['commit-msg'],
      pass_filenames: true,
      always_run: true,
    });
    expect(hooks[1]).toMatchObject({ stages: ['commit'], pass_filenames: false });
    // pre-commit and prek run mikado-cards only when a staged file matches `files` (Python's re)
    const names = ['a.md', 'd/B.MD', 'c.Markdown', 'e.markdown', 'f.mdx', 'g.md.txt', 'md'];
    const py = spawnSync(
      'python3',
      [
        '-c',
        'import re,sys; print(" ".join(n for n in sys.argv[2:] if re.search(sys.argv[1], n)))',
        String(hooks[1]!['files']),
        ...names,
      ],
      { encoding: 'utf8' },
    );
    expect([py.status, py.stdout.trim()]).toEqual([0, 'a.md d/B.MD c.Markdown e.markdown']);
    const config = parse(readmeConfig('.pre-commit-config.yaml'));
    expect(config.default_install_hook_types).toEqual(['pre-commit', 'commit-msg']);
    expect(config.repos[0].hooks.map((h: { id: string }) => h.id)).toEqual(
      hooks.map((h) => h['id']),
    );
  });

  it('the pre-commit entry judges the message file it is given, from the repository root', () => {
    const r = repoOnMikadoBranch(false);
    const msg = path.join(r.tmp, 'COMMIT_EDITMSG');
    writeFileSync(msg, 'not conventional\n');
    const bad = r.mikado(['hook', 'commit-msg', msg]);
    expect([bad.status, bad.stderr]).toEqual([1, expect.stringContaining('subject-format')]);
    writeFileSync(msg, 'C2(goal): impl fine\n');
    expect(r.mikado(['hook', 'commit-msg', msg]).status).toBe(0);
  });

  it('lefthook (real run) with the README lines', () => {
    const r = repoOnMikadoBranch(false);
    linkProjectMikado(r);
    r.write({ 'lefthook.yml': readmeConfig('lefthook.yml') });
    r.commitNoVerify('C2(goal): impl lefthook config');
    const env = { PATH: `${path.join(root, 'node_modules/.bin')}:${process.env['PATH']}` };
    const li = spawnSync(path.join(root, 'node_modules/.bin/lefthook'), ['install'], {
      cwd: r.dir,
      env: { ...r.env, ...env },
      encoding: 'utf8',
    });
    expect(li.status, li.stderr).toBe(0);
    const bad = r.git(['commit', '--allow-empty', '-m', 'not conventional'], env);
    expect(bad.status).not.toBe(0);
    expect(bad.stdout + bad.stderr).toContain('subject-format');
    expect(
      r.git(['commit', '--allow-empty', '-m', 'C2(goal): impl via lefthook'], env).status,
    ).toBe(0);
    r.write({ 'docs/cards/broken.MD': BROKEN_CARD });
    r.gitOk(['add', '-A']);
    const cards = r.git(['commit', '-m', 'C2(goal): plan broken'], env);
    expect(cards.status).not.toBe(0);
    expect(cards.stdout + cards.stderr).toContain('docs/cards/broken.MD:3:11');
    r.gitOk(['reset', '-q', '--hard']);
    r.gitOk(['checkout', '-q', 'main']);
    expect(r.git(['commit', '--allow-empty', '-m', 'anything on main'], env).status).toBe(0);
  });

  it("refuses husky's hooks path with a fix that, run as printed, makes husky run mikado", () => {
    const r = huskyRepo();
    const refused = r.mikado(['hook', 'install']);
    expect(refused.status).toBe(2);
    const fix = /fix: Add mikado to husky's hooks instead: `(.*)`$/m.exec(refused.stderr)?.[1];
    expect(fix).toBeDefined();
    const ran = spawnSync('sh', ['-c', fix!], { cwd: r.dir, env: r.env, encoding: 'utf8' });
    expect(ran.status, ran.stderr).toBe(0);
    expectHuskyJudges(r);
    r.write({ 'docs/cards/broken.Md': BROKEN_CARD });
    r.gitOk(['add', '-A']);
    expect(r.git(['commit', '-m', 'C2(goal): plan broken']).stderr).toContain(
      'docs/cards/broken.Md:3:11',
    );
  });

  it('husky (real run) with the README lines', () => {
    const r = huskyRepo();
    r.write({
      '.husky/commit-msg': readmeConfig('.husky/commit-msg'),
      '.husky/pre-commit': readmeConfig('.husky/pre-commit'),
    });
    expectHuskyJudges(r);
    r.write({ 'docs/cards/broken.markdown': BROKEN_CARD });
    r.gitOk(['add', '-A']);
    const cards = r.git(['commit', '-m', 'C2(goal): plan broken']);
    expect(cards.status).not.toBe(0);
    expect(cards.stderr).toContain('docs/cards/broken.markdown:3:11');
    r.gitOk(['reset', '-q', '--hard']);
    r.gitOk(['checkout', '-q', 'main']);
    expect(r.git(['commit', '--allow-empty', '-m', 'anything on main']).status).toBe(0);
  });
});

/** A repository on a `mikado/*` branch with mikado installed and husky set up (core.hooksPath). */
function huskyRepo(): TestRepo {
  const r = repoOnMikadoBranch(false);
  linkProjectMikado(r);
  const h = spawnSync(process.execPath, [path.join(root, 'node_modules/husky/bin.js')], {
    cwd: r.dir,
    env: r.env,
    encoding: 'utf8',
  });
  expect(h.status, h.stderr).toBe(0);
  return r;
}

/** Commits husky's configuration, then checks that husky runs mikado's commit-msg hook. */
function expectHuskyJudges(r: TestRepo): void {
  r.commitNoVerify('C2(goal): impl husky config');
  const bad = r.git(['commit', '--allow-empty', '-m', 'not conventional']);
  expect(bad.status).not.toBe(0);
  expect(bad.stderr).toContain('subject-format');
  expect(r.git(['commit', '--allow-empty', '-m', 'C2(goal): impl via husky']).status).toBe(0);
}

/** Gives the temp project a `node_modules/.bin/mikado`, as an installed dependency would. */
function linkProjectMikado(r: TestRepo): void {
  mkdirSync(path.join(r.dir, 'node_modules/.bin'), { recursive: true });
  symlinkSync(BIN, path.join(r.dir, 'node_modules/.bin/mikado'));
  writeFileSync(path.join(r.dir, '.gitignore'), 'node_modules/\n');
}
