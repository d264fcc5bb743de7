import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, copyFixture, mikado, tempDir } from './check-helpers.ts';

afterAll(cleanup);

const STACK = /\n\s+at .*:\d+:\d+/;

describe('bad input never gives a stack trace', () => {
  it('an empty git repository: view and check say the cards root is missing (exit 2)', () => {
    const root = tempDir();
    execFileSync('git', ['init', '-q'], { cwd: root });
    for (const cmd of ['view', 'check']) {
      const [code, out, err] = mikado([cmd], { cwd: root });
      expect([code, out]).toEqual([2, '']);
      expect(err).toBe(
        'mikado: docs/cards: Unexpected missing directory `docs/cards`, expected the cards root to exist\n' +
          '  fix: Create the directory, or point `--cards` (or `cards:` in mikado.config.yaml) at the cards root.\n',
      );
    }
  });

  it('an empty cards root: no chains, no problems', () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'docs/cards'), { recursive: true });
    expect(mikado(['view'], { cwd: root })).toEqual([
      0,
      'No active chains under docs/cards (0 cards).\n',
      '',
    ]);
    expect(mikado(['check'], { cwd: root })).toEqual([0, '✓ no problems in 0 cards\n', '']);
  });

  it('binary, non-UTF-8, huge, looping and dangling files are findings with positions', () => {
    const root = copyFixture('chain-shared-prerequisite');
    const cards = path.join(root, 'docs/cards');
    writeFileSync(
      path.join(cards, 'logo.md'),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00]),
    );
    writeFileSync(
      path.join(cards, 'latin1.md'),
      Buffer.from('---\ntitle: Caf\xe9\n---\n', 'latin1'),
    );
    writeFileSync(
      path.join(cards, 'huge.md'),
      `---\ntitle: Huge\nmodified: 2026-01-01\n---\n${'A line of a very large card, [[goal]].\n'.repeat(270_000)}`,
    );
    symlinkSync('.', path.join(cards, 'loop'));
    symlinkSync('missing.md', path.join(cards, 'dangling.md'));
    const [code, out, err] = mikado(['check'], { cwd: root });
    expect([code, err]).toEqual([1, '']);
    const rows = out.split('\n').filter((l) => /^\S+:\d+:\d+ {2}/.test(l));
    expect(rows).toEqual([
      'docs/cards/dangling.md:1:1  error  unreadable  Unexpected `ENOENT` following symlink, expected a link to an existing file',
      'docs/cards/huge.md:1:1  error  card-too-large  Unexpected 10.0 MiB card, expected at most 1 MiB (its body was not read)',
      'docs/cards/latin1.md:2:11  error  encoding  Unexpected byte `0xe9`, expected UTF-8 text',
      'docs/cards/logo.md:3:1  error  binary-file  Unexpected NUL byte, expected a text file (this looks binary)',
      'docs/cards/loop:1:1  error  symlink-loop  Unexpected symlink loop: `docs/cards/loop` leads back to `docs/cards`, expected a tree',
    ]);
    // The viewer still shows the chain and points at check (it reads frontmatter only, so the
    // size of the huge card is check's business).
    const view = mikado(['view'], { cwd: root });
    expect(view[0]).toBe(0);
    expect(view[1]).toContain('goal  The goal  not started  3/4');
    expect(view[2]).toMatch(
      /^mikado: at least 4 problems in the cards \(first: docs\/cards\/\S+:\d+:\d+ .*\); run `mikado check` to list them all\n$/,
    );
    expect(view[2]).not.toMatch(STACK);
  });

  it('a malformed config is an input error with a position', () => {
    const root = copyFixture('chain-immich');
    writeFileSync(path.join(root, 'mikado.config.yaml'), 'cards: [docs\n');
    const [code, out, err] = mikado(['view'], { cwd: root });
    expect([code, out]).toEqual([2, '']);
    expect(err).toMatch(/^mikado: mikado\.config\.yaml:\d+:\d+: /);
    expect(err).not.toMatch(STACK);
  });

  it('--strict fails on warnings, --json prints the findings as data', () => {
    const root = copyFixture('cycle-active-only');
    const [code, out] = mikado(['check', '--json'], { cwd: root });
    expect(code).toBe(1);
    const doc = JSON.parse(out);
    expect([doc.version, doc.cards, doc.errors, doc.warnings]).toEqual([1, 3, 1, 3]);
    expect(doc.diagnostics[1]).toEqual({
      path: 'docs/cards/a.md',
      line: 7,
      column: 5,
      severity: 'error',
      rule: 'cycle',
      message: 'Unexpected cycle `a → b → c → a`, expected prerequisites that never lead back',
      fix: 'Remove one `requires` entry on the cycle; a card cannot depend on itself.',
    });
    const plain = tempDir();
    mkdirSync(path.join(plain, 'docs/cards'), { recursive: true });
    writeFileSync(path.join(plain, 'docs/cards/plain.md'), '# no frontmatter\n');
    expect(mikado(['check'], { cwd: plain })[0]).toBe(0);
    expect(mikado(['check', '--strict'], { cwd: plain })[0]).toBe(1);
  });
});
