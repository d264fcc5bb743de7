// The safety gates of `mikado run`: what runs is decided by the cards committed at HEAD alone.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type TempRepo, useTempRepos } from './run-helpers.ts';

const repo = useTempRepos();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const marker = (name: string): string =>
  `import { appendFileSync } from 'node:fs'; appendFileSync('ran.txt', '${name}\\n');`;

/** A prerequisite card with the given frontmatter lines and a backup block. */
function prerequisite(frontmatter: string): string {
  return `---\n${frontmatter}\n---\n# P\n\n\`\`\`ts run name=backup\n${marker('backup')}\n\`\`\`\n`;
}

/** A goal `g` that requires `p` and has a destructive block. */
function goalRepo(p: string): TempRepo {
  const r = repo();
  r.write('docs/cards/p.md', p);
  r.card('g', {
    title: 'G',
    requires: ['p'],
    blocks: [{ meta: 'name=destroy', code: marker('destroy') }],
  });
  r.commit();
  return r;
}

const ran = (r: TempRepo): string[] =>
  r.exists('ran.txt') ? r.read('ran.txt').trim().split('\n') : [];

describe('mikado run: a prerequisite whose frontmatter does not parse', () => {
  const variants: [string, string, RegExp][] = [
    ['an unclosed quote', 'title: "P: x\nmodified: 2025-01-01\nstatus: active', /frontmatter-yaml/],
    [
      'a duplicate key',
      'title: P\ntitle: Q\nmodified: 2025-01-01\nstatus: active',
      /frontmatter-yaml/,
    ],
    ['a list', '- title: P\n- status: active', /frontmatter-yaml/],
    ['a scalar', 'just some words', /frontmatter-yaml/],
    ['`status: done`', 'title: P\nmodified: 2025-01-01\nstatus: done', /frontmatter-schema/],
    ['`status: true`', 'title: P\nmodified: 2025-01-01\nstatus: true', /frontmatter-schema/],
    [
      'an undefined alias',
      'title: *nope\nmodified: 2025-01-01\nstatus: active',
      /frontmatter-yaml/,
    ],
    [
      'tab indentation',
      'title: P\nmodified: 2025-01-01\nrequires:\n\t- x\nstatus: active',
      /frontmatter-yaml/,
    ],
  ];
  it.each(variants)(
    'with %s stops the run and the dry run with its place; nothing runs',
    (_, fm, rule) => {
      const r = goalRepo(prerequisite(fm));
      const dry = r.mikado(['run', 'g', '--dry-run']);
      expect(dry.code).toBe(2);
      expect(dry.stdout).toMatch(new RegExp(`docs/cards/p\\.md:\\d+:\\d+: .*\\(${rule.source}\\)`));
      expect(dry.stdout).toMatch(/p {2}docs\/cards\/p\.md {2}skipped: unreadable frontmatter/);
      const run = r.mikado(['run', 'g', '--yes']);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`docs/cards/p\\.md:\\d+:\\d+: .*\\(${rule.source}\\)`));
      expect(ran(r)).toEqual([]);
      expect(r.journal()).toEqual([]);
    },
  );

  it('with no closing `---` stops the run too', () => {
    const r = goalRepo('---\ntitle: P\nstatus: active\n# P\n');
    const out = r.mikado(['run', 'g', '--yes']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/docs\/cards\/p\.md:1:1: .*\(frontmatter-unclosed\)/);
    expect(ran(r)).toEqual([]);
  });

  it('runs once the fix is committed', () => {
    const r = goalRepo(prerequisite('title: "P: x\nmodified: 2025-01-01\nstatus: active'));
    expect(r.mikado(['run', 'g', '--yes']).code).toBe(2);
    r.write('docs/cards/p.md', prerequisite('title: "P: x"\nmodified: 2025-01-01\nstatus: active'));
    const uncommitted = r.mikado(['run', 'g', '--yes']);
    expect(uncommitted.code).toBe(2);
    expect(uncommitted.stderr).toMatch(/docs\/cards\/p\.md: Unexpected card modified since HEAD/);
    r.commit('fix p');
    expect(r.mikado(['run', 'g', '--yes']).code).toBe(0);
    expect(ran(r)).toEqual(['backup', 'destroy']);
  });
});

describe('mikado run: cards git does not vouch for', () => {
  it('refuses an uncommitted edit that completes a prerequisite, naming the card and --allow-dirty', () => {
    const r = goalRepo(prerequisite('title: P\nmodified: 2025-01-01\nstatus: active'));
    r.write('docs/cards/p.md', r.read('docs/cards/p.md').replace('status: active\n', ''));
    for (const args of [
      ['run', 'g', '--yes'],
      ['run', 'g', '--dry-run'],
    ]) {
      const out = r.mikado(args);
      expect(out.code).toBe(2);
      expect(`${out.stdout}${out.stderr}`).toMatch(
        /docs\/cards\/p\.md: Unexpected card modified since HEAD, .*`--allow-dirty`/,
      );
    }
    expect(ran(r)).toEqual([]);
    // Followed literally, the fix restores the committed card, which then runs.
    execFileSync(
      'git',
      ['restore', '--source=HEAD', '--staged', '--worktree', '--', 'docs/cards/p.md'],
      {
        cwd: r.dir,
      },
    );
    expect(r.mikado(['run', 'g', '--yes']).code).toBe(0);
    expect(ran(r)).toEqual(['backup', 'destroy']);
  });

  it('plans from HEAD: a staged change that is then undone in the work tree runs HEAD', () => {
    const r = goalRepo(prerequisite('title: P\nmodified: 2025-01-01\nstatus: active'));
    const head = r.read('docs/cards/p.md');
    r.write('docs/cards/p.md', head.replace("'backup", "'staged"));
    execFileSync('git', ['add', 'docs/cards/p.md'], { cwd: r.dir });
    r.write('docs/cards/p.md', head);
    expect(r.mikado(['run', 'g', '--yes']).code).toBe(0);
    expect(ran(r)).toEqual(['backup', 'destroy']);
  });

  it('refuses an untracked card with the stem of a chain card, and a target only the work tree has', () => {
    const r = goalRepo(prerequisite('title: P\nmodified: 2025-01-01\nstatus: active'));
    r.write('docs/cards/sub/p.md', prerequisite('title: P2\nmodified: 2025-01-01\nstatus: active'));
    const twin = r.mikado(['run', 'g', '--yes']);
    expect(twin.code).toBe(2);
    expect(twin.stderr).toMatch(/docs\/cards\/sub\/p\.md: Unexpected card untracked/);
    r.card('fresh', { blocks: [{ code: marker('fresh') }] });
    const fresh = r.mikado(['run', 'fresh']);
    expect(fresh.code).toBe(2);
    expect(fresh.stderr).toMatch(
      /docs\/cards\/fresh\.md: Unexpected card `fresh` that is not committed at HEAD/,
    );
    expect(fresh.stderr).toMatch(/--allow-dirty/);
    expect(ran(r)).toEqual([]);
    expect(r.mikado(['run', 'fresh', '--allow-dirty']).code).toBe(0);
    expect(ran(r)).toEqual(['fresh']);
  });

  it('refuses outside a repository with commits, with a fix that works', () => {
    const r = repo();
    r.card('solo', { blocks: [{ code: marker('solo') }] });
    const out = r.mikado(['run', 'solo']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(
      /Unexpected cards without a commit to read them from \(no commit yet\)/,
    );
    const fix = /fix: Commit the cards \(`([^`]+)`\)/.exec(out.stderr)?.[1];
    expect(fix).toBe('git add docs/cards && git commit -m "Add the cards"');
    execFileSync('sh', ['-c', fix!], { cwd: r.dir, env: { ...process.env, ...gitIdentity } });
    expect(r.mikado(['run', 'solo']).code).toBe(0);
    expect(ran(r)).toEqual(['solo']);
  });
});

const gitIdentity = {
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@mikado.invalid',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@mikado.invalid',
};

describe('mikado run: symbolic links', () => {
  it('never runs a committed symlink to a card outside the repository, even when git status is clean', () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'mikado-outside-'));
    dirs.push(outside);
    const ext = path.join(outside, 'ext.md');
    writeFileSync(ext, prerequisite('title: Ext\nmodified: 2025-01-01\nstatus: active'));
    const r = repo();
    symlinkSync(ext, path.join(r.dir, 'docs/cards/ext.md'));
    r.commit();
    writeFileSync(
      ext,
      prerequisite('title: Ext\nmodified: 2025-01-01\nstatus: active').replace(
        "'backup",
        "'edited",
      ),
    );
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: r.dir, encoding: 'utf8' })).toBe(
      '',
    );
    for (const args of [
      ['run', 'ext', '--yes'],
      ['run', 'ext', '--dry-run'],
    ]) {
      const out = r.mikado(args);
      expect(out.code).toBe(2);
      expect(`${out.stdout}${out.stderr}`).toMatch(
        /docs\/cards\/ext\.md:1:1: Unexpected symbolic link committed as a card/,
      );
    }
    // From the work tree, the walker does not follow a link out of the repository.
    const dirty = r.mikado(['run', 'ext', '--yes', '--allow-dirty']);
    expect(dirty.code).toBe(2);
    expect(dirty.stderr).toMatch(
      /docs\/cards\/ext\.md:1:1: Unexpected symlink `docs\/cards\/ext\.md` to `[^`]+`, outside the repository/,
    );
    expect(ran(r)).toEqual([]);
    // Followed literally, the fix commits the card itself, which then runs.
    const fix = /`(cp --remove-destination [^`]+)`/.exec(r.mikado(['run', 'ext']).stderr)?.[1];
    expect(fix).toBeDefined();
    execFileSync('sh', ['-c', fix!], { cwd: r.dir, env: { ...process.env, ...gitIdentity } });
    unlinkSync(ext);
    expect(r.mikado(['run', 'ext', '--yes']).code).toBe(0);
    expect(ran(r)).toEqual(['edited']);
  });

  it('refuses a committed card replaced by a symlink in the work tree', () => {
    const r = goalRepo(prerequisite('title: P\nmodified: 2025-01-01\nstatus: active'));
    r.write('elsewhere/p.md', prerequisite('title: P\nmodified: 2025-01-01'));
    unlinkSync(path.join(r.dir, 'docs/cards/p.md'));
    symlinkSync(path.join(r.dir, 'elsewhere/p.md'), path.join(r.dir, 'docs/cards/p.md'));
    const out = r.mikado(['run', 'g', '--yes']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/docs\/cards\/p\.md: Unexpected card replaced by a symbolic link/);
    expect(ran(r)).toEqual([]);
  });
});
