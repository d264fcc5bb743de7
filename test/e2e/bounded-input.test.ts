// Hostile input is normal input: every command ends, with a message and exit 2 (or a finding),
// on huge or odd cards, links out of the repository, directories and endless devices.
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupRepos, mikadoBranchRepo } from '../helpers/git-repo.ts';
import { useTempRepos } from './run-helpers.ts';

const repo = useTempRepos();
afterEach(() => {
  cleanupRepos();
});

const FM = '---\ntitle: X\nmodified: 2025-01-01\nstatus: active\n---\n';
const noStack = (text: string): void => {
  expect(text).not.toMatch(/internal error|\n\s+at /);
};

describe('bounded work on hostile cards', () => {
  it('declines a 100 KB line of `>` (nested block quotes) in check, view and the dry run', () => {
    const r = repo();
    r.write(
      'docs/cards/x.md',
      `${FM}# X\n\n${'>'.repeat(100_000)}\n\n\`\`\`ts run\nmikado.log(1);\n\`\`\`\n`,
    );
    r.commit();
    const check = r.mikado(['check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(
      /docs\/cards\/x\.md:8:1 +error +markdown-too-costly +Unexpected more than 400 nested block quotes or list items, expected at most 100/,
    );
    expect(r.mikado(['view', '--json']).code).toBe(0);
    const dry = r.mikado(['run', 'x', '--dry-run']);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toMatch(/docs\/cards\/x\.md:8:1: .*\(markdown-too-costly\)/);
  });

  it('declines a paragraph of lazy lines after a block quote, and lists nested by indentation', () => {
    const r = repo();
    r.write('docs/cards/lazy.md', `${FM}# L\n\n> x\n${'a\n'.repeat(5000)}`);
    const nested = Array.from({ length: 150 }, (_, k) => `${' '.repeat(2 * k)}- x`).join('\n');
    r.write('docs/cards/deep.md', `${FM}# D\n\n${nested}\n`);
    const check = r.mikado(['check']);
    expect(check.stdout).toMatch(
      /docs\/cards\/lazy\.md:8:1 +error +markdown-too-costly +Unexpected paragraph of \d+\+ lines/,
    );
    expect(check.stdout).toMatch(
      /docs\/cards\/deep\.md:\d+:1 +error +markdown-too-costly +Unexpected 101 nested/,
    );
  });

  it('reads `requires` with 50,000 entries', () => {
    const r = repo();
    const list = Array.from({ length: 50_000 }, (_, i) => `  - c${i}`).join('\n');
    r.write(
      'docs/cards/y.md',
      `---\ntitle: Y\nmodified: 2025-01-01\nstatus: active\nrequires:\n${list}\n---\n# Y\n`,
    );
    r.commit();
    const check = r.mikado(['check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/c49999/);
    expect(r.mikado(['view', 'y']).code).toBe(0);
    expect(r.mikado(['run', 'y', '--dry-run']).stdout).toMatch(
      /Unexpected prerequisite `c49999` of `y`/,
    );
  });

  it('reports a symlink out of the repository and does not walk it', () => {
    const r = repo();
    r.write('docs/cards/a.md', `${FM}# A\n`);
    symlinkSync('/', path.join(r.dir, 'docs/cards/rootlink'));
    const check = r.mikado(['check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(
      /docs\/cards\/rootlink:1:1 +error +symlink-outside +Unexpected symlink `docs\/cards\/rootlink` to `\/`, outside the repository/,
    );
    expect(r.mikado(['view']).code).toBe(0);
  });

  it('reports `null: c` at its own line', () => {
    const r = repo();
    r.write('docs/cards/n.md', '---\ntitle: N\nmodified: 2025-01-01\nnull: c\n---\n# N\n');
    expect(r.mikado(['check']).stdout).toMatch(
      /docs\/cards\/n\.md:4:1 +warning +frontmatter-unknown-key/,
    );
  });

  it('turns a file-system error into a message and exit 2 (`.mikado` is a file)', () => {
    const r = repo();
    r.card('g', { blocks: [{ code: 'mikado.log(1);' }] });
    r.commit();
    writeFileSync(path.join(r.dir, '.mikado'), 'not a folder');
    const out = r.mikado(['run', 'g']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/\.mikado.*: Unexpected `(EEXIST|ENOTDIR)`/);
    noStack(out.stderr);
  });
});

describe('bounded message files', () => {
  it('refuses a directory and an endless device as the commit message file', () => {
    const r = mikadoBranchRepo();
    mkdirSync(path.join(r.dir, 'msgdir'));
    const dir = r.mikado(['hook', 'commit-msg', 'msgdir']);
    expect(dir.status).toBe(2);
    expect(dir.stderr).toMatch(/msgdir: Unexpected directory as the commit message file/);
    noStack(dir.stderr);
    const zero = r.mikado(['hook', 'commit-msg', '/dev/zero']);
    expect(zero.status).toBe(2);
    expect(zero.stderr).toMatch(/\/dev\/zero: Unexpected commit message file over 1048576 bytes/);
    noStack(zero.stderr);
  });
});

describe('mikado new', () => {
  it('checks every folder of a stem like a stem, and refuses folders the walker skips', () => {
    const r = repo();
    r.card('g', {});
    const injected = r.mikado(['new', '$(touch x)/y', '--for', 'g']);
    expect(injected.code).toBe(2);
    expect(injected.stderr).toMatch(/Unexpected folder name `\$\(touch x\)`/);
    expect(existsSync(path.join(r.dir, 'docs/cards/$(touch x)'))).toBe(false);
    const hidden = r.mikado(['new', 'node_modules/z', '--for', 'g']);
    expect(hidden.code).toBe(2);
    expect(hidden.stderr).toMatch(
      /Unexpected card `node_modules\/z\.md` in a folder mikado does not read/,
    );
    const fix = /fix: .*`(mikado new [^`]+)`/.exec(hidden.stderr)?.[1];
    expect(fix).toBe('mikado new z --for g');
    expect(r.mikado(fix!.split(' ').slice(1)).code).toBe(0);
    expect(r.exists('docs/cards/z.md')).toBe(true);
  });
});
