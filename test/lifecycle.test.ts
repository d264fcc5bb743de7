import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../src/cli/main.ts';
import { loadConfig } from '../src/config/load-config.ts';
import type { MikadoConfig } from '../src/config/types.ts';
import { closeCard } from '../src/lifecycle/close-card.ts';
import { editFrontmatter } from '../src/lifecycle/edit-frontmatter.ts';
import { finalizeChain } from '../src/lifecycle/finalize-chain.ts';
import { newCard, renderTemplate, titleFromStem } from '../src/lifecycle/new-card.ts';

const fixture = path.resolve(import.meta.dirname, 'fixtures/lifecycle-cards-with-comments');
let dir: string;
let config: MikadoConfig;
const read = (p: string) => readFileSync(path.join(dir, p), 'utf8');
const GOAL = 'docs/cards/goal.md';
const LEAF_A = 'docs/cards/topic/leaf-a.md';
const LEAF_B = 'docs/cards/leaf-b.md';
const DATE = '2026-06-01';

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'mikado-lifecycle-'));
  cpSync(fixture, dir, { recursive: true });
  config = loadConfig({ root: dir, cwd: dir });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('mikado close', () => {
  it('removes status: active and updates modified, every other byte unchanged', async () => {
    const before = read(LEAF_A);
    const r = await closeCard(config, 'leaf-a', DATE);
    expect(r).toEqual({ path: LEAF_A, alreadyComplete: false });
    expect(read(LEAF_A)).toBe(
      before.replace('status: active\n', '').replace('2026-05-02 # last', `${DATE} # last`),
    );
  });

  it('keeps CRLF line ends and the quoting of modified', async () => {
    await closeCard(config, 'leaf-a', DATE);
    await closeCard(config, 'leaf-b', DATE);
    expect(read(LEAF_B)).toBe(
      '---\r\ntitle: Leaf B\r\nmodified: "2026-06-01"\r\nrequires: [leaf-a]\r\n---\r\n\r\n# Leaf B\r\n\r\nCRLF body.\r\n',
    );
  });

  it('refuses while the card has active prerequisites, and writes nothing', async () => {
    const before = read(LEAF_B);
    await expect(closeCard(config, 'leaf-b', DATE)).rejects.toMatchObject({
      code: 1,
      message: expect.stringContaining('active prerequisite `leaf-a`'),
    });
    expect(read(LEAF_B)).toBe(before);
  });

  it('refuses a missing prerequisite', async () => {
    writeFileSync(
      path.join(dir, 'docs/cards/orphan.md'),
      '---\ntitle: O\nmodified: 2026-01-01\nstatus: active\nrequires: [ghost]\n---\n',
    );
    await expect(closeCard(config, 'orphan', DATE)).rejects.toThrow(/missing prerequisite `ghost`/);
  });

  it('is a no-op on a complete card and an error on an unknown one', async () => {
    await closeCard(config, 'leaf-a', DATE);
    const after = read(LEAF_A);
    expect(await closeCard(config, 'leaf-a', '2030-01-01')).toEqual({
      path: LEAF_A,
      alreadyComplete: true,
    });
    expect(read(LEAF_A)).toBe(after);
    await expect(closeCard(config, 'nope', DATE)).rejects.toMatchObject({ code: 2 });
  });
});

describe('mikado new', () => {
  it("creates a prerequisite from the template and turns the parent's `requires: []` into a block list", async () => {
    const parentBefore = read(LEAF_A);
    const r = await newCard({ config, stem: 'leaf-c', parent: 'leaf-a', date: DATE });
    expect(r).toEqual({ path: 'docs/cards/leaf-c.md', parentPath: LEAF_A, branch: undefined });
    expect(read(LEAF_A)).toBe(
      parentBefore
        .replace('requires: [] # none yet\n', 'requires: # none yet\n  - leaf-c\n')
        .replace('2026-05-02', DATE),
    );
    const created = read('docs/cards/leaf-c.md');
    expect(created).toContain('title: Leaf c\nmodified: 2026-06-01\n');
    expect(created).toContain('A prerequisite of [[leaf-a]].');
    expect(created).toContain('# Leaf c\n');
    expect(parse(created.split('---\n')[1]!)).toMatchObject({ status: 'active', requires: [] });
  });

  it('appends to a block list with comments, keeping its indentation', async () => {
    const before = read(GOAL);
    await newCard({
      config,
      stem: 'leaf-d',
      parent: 'goal',
      date: DATE,
      title: 'Leaf D: "quoted"',
    });
    expect(read(GOAL)).toBe(
      before
        .replace('  - leaf-b\n', '  - leaf-b\n  - leaf-d\n')
        .replace("modified: '2026-05-01'", `modified: '${DATE}'`),
    );
    const created = read('docs/cards/leaf-d.md');
    expect(parse(created.split('---\n')[1]!)).toMatchObject({ title: 'Leaf D: "quoted"' });
    expect(created).toContain('# Leaf D: "quoted"\n');
  });

  it('appends to a flow list in a CRLF card', async () => {
    await newCard({ config, stem: 'leaf-e', parent: 'leaf-b', date: DATE, dir: 'topic' });
    expect(read(LEAF_B)).toBe(
      '---\r\ntitle: Leaf B\r\nmodified: "2026-06-01"\r\nstatus: active\r\nrequires: [leaf-a, leaf-e]\r\n---\r\n\r\n# Leaf B\r\n\r\nCRLF body.\r\n',
    );
    expect(existsSync(path.join(dir, 'docs/cards/topic/leaf-e.md'))).toBe(true);
  });

  it('creates a goal, with branch when on mikado/<stem>, in a topic folder given in the stem', async () => {
    const r = await newCard({
      config,
      stem: 'chains/big-move',
      goal: true,
      date: DATE,
      currentBranch: 'mikado/big-move',
    });
    expect(r).toEqual({
      path: 'docs/cards/chains/big-move.md',
      parentPath: undefined,
      branch: 'mikado/big-move',
    });
    const text = read(r.path);
    expect(parse(text.split('---\n')[1]!)).toMatchObject({
      title: 'Big move',
      status: 'active',
      branch: 'mikado/big-move',
    });
    expect(text).toContain('The goal of this chain.');
    const r2 = await newCard({
      config,
      stem: 'other-goal',
      goal: true,
      date: DATE,
      currentBranch: 'main',
    });
    expect(r2.branch).toBeUndefined();
    expect(read(r2.path)).not.toContain('branch:');
  });

  it("prefers the project's own templates/", async () => {
    const tdir = path.join(dir, 'templates');
    cpSync(path.join(import.meta.dirname, '../templates'), tdir, { recursive: true });
    writeFileSync(
      path.join(tdir, 'card.md'),
      '---\ntitle: {{title}}\nmodified: {{date}}\nstatus: active\n---\nOurs, for [[{{parent}}]].\n',
    );
    await newCard({ config, stem: 'own', parent: 'goal', date: DATE });
    expect(read('docs/cards/own.md')).toBe(
      '---\ntitle: Own\nmodified: 2026-06-01\nstatus: active\n---\nOurs, for [[goal]].\n',
    );
  });

  it.each([
    [{ stem: 'leaf-a', parent: 'goal' }, /it exists already/],
    [{ stem: 'x', parent: 'ghost' }, /no such card/],
    [{ stem: 'x' }, /without a parent/],
    [{ stem: 'x', parent: 'goal', goal: true }, /`--goal` with `--for`/],
    [{ stem: 'has space', parent: 'goal' }, /Unexpected card stem/],
    [{ stem: 'x', parent: 'goal', dir: '../out' }, /inside the cards root/],
  ])('refuses %j', async (opts, message) => {
    const before = read(GOAL);
    await expect(newCard({ config, date: DATE, ...opts })).rejects.toThrow(message);
    expect(read(GOAL)).toBe(before);
  });

  it('fills templates: YAML-quoted in the frontmatter, as written in the body', () => {
    expect(
      renderTemplate('---\ntitle: {{title}}\n---\n# {{title}}\n', {
        title: 'a: b',
        date: '',
        parent: '',
      }),
    ).toBe('---\ntitle: "a: b"\n---\n# a: b\n');
    expect(titleFromStem('cnpg-on-ringtail')).toBe('Cnpg on ringtail');
  });
});

describe('mikado finalize', () => {
  it('refuses while a chain card is active', async () => {
    await expect(finalizeChain(config, 'goal', DATE)).rejects.toMatchObject({
      code: 1,
      message: expect.stringContaining('`goal`, `leaf-a`, `leaf-b`'),
    });
  });

  it('strips status, requires and branch from every chain card, keeping comments and the body', async () => {
    await closeCard(config, 'leaf-a', DATE);
    await closeCard(config, 'leaf-b', DATE);
    await closeCard(config, 'goal', DATE);
    const goalBefore = read(GOAL);
    const r = await finalizeChain(config, 'goal', DATE);
    expect(r.changed.sort()).toEqual([GOAL, LEAF_B, LEAF_A].sort());
    expect(read(GOAL)).toBe(
      '---\n# The chain\'s goal: keep this comment\ntitle: "Migrate: Immich to ringtail"   # quoted, with a colon\n' +
        "modified: '2026-06-01'\ntags: [mikado, immich]\n---\n" +
        goalBefore.slice(goalBefore.indexOf('---\n', 4) + 4),
    );
    expect(read(LEAF_A)).toBe(
      '---\ntitle: Leaf A\nmodified: 2026-06-01 # last touched\ntags:\n  - mikado\n---\n# Leaf A\n\n```ts run name=install\nawait $`echo hi`\n```\n',
    );
    expect(read(LEAF_B)).toBe(
      '---\r\ntitle: Leaf B\r\nmodified: "2026-06-01"\r\n---\r\n\r\n# Leaf B\r\n\r\nCRLF body.\r\n',
    );
    expect(await finalizeChain(config, 'goal', DATE)).toEqual({
      changed: [],
      unchanged: expect.any(Array),
    });
  });
});

describe('editFrontmatter', () => {
  it('reports YAML errors with the card line', () => {
    expect(() =>
      editFrontmatter('---\ntitle: x\n  bad: [\n---\n', [{ op: 'remove', key: 'status' }], 'c.md'),
    ).toThrow(/^c\.md:\d+:\d+: /);
  });

  it('refuses a card without frontmatter', () => {
    expect(() =>
      editFrontmatter('# no frontmatter\n', [{ op: 'remove', key: 'status' }], 'c.md'),
    ).toThrow(/without frontmatter/);
  });

  it('adds a missing key and list at the end of the frontmatter', () => {
    const text = '---\ntitle: x # c\n---\nbody\n';
    expect(
      editFrontmatter(
        text,
        [
          { op: 'set', key: 'branch', value: 'mikado/x' },
          { op: 'append', key: 'requires', item: 'y' },
        ],
        'c.md',
      ),
    ).toBe('---\ntitle: x # c\nbranch: mikado/x\nrequires:\n  - y\n---\nbody\n');
  });

  it('handles a flow-mapping frontmatter through the yaml library', () => {
    const out = editFrontmatter(
      '---\n{title: x, status: active}\n---\nbody\n',
      [{ op: 'remove', key: 'status' }],
      'c.md',
    );
    expect(out.endsWith('---\nbody\n')).toBe(true);
    expect(parse(out.split('---\n')[1]!)).toEqual({ title: 'x' });
  });

  it('keeps the body byte for byte and every untouched key, for any body and key order', () => {
    const keys = ['title', 'modified', 'status', 'requires', 'branch', 'tags'];
    fc.assert(
      fc.property(
        fc.shuffledSubarray(keys, { minLength: 1 }),
        fc.string(),
        fc.constantFrom<'remove' | 'set' | 'append'>('remove', 'set', 'append'),
        fc.constantFrom(...keys),
        (order, body, op, key) => {
          const lines = order.map((k) =>
            k === 'requires' || k === 'tags'
              ? `${k}:\n  - a # c\n  - b`
              : `${k}: v-${k}  # about ${k}`,
          );
          const text = `---\n# head\n${lines.join('\n')}\n---\n${body}`;
          const change =
            op === 'remove'
              ? { op, key }
              : op === 'set'
                ? { op, key: key === 'requires' || key === 'tags' ? 'modified' : key, value: 'new' }
                : { op, key: 'requires', item: 'z' };
          const out = editFrontmatter(text, [change], 'c.md');
          expect(out.endsWith(`\n---\n${body}`)).toBe(true);
          expect(out.startsWith('---\n# head\n')).toBe(true);
          const data = parse(out.slice(4, out.lastIndexOf(`\n---\n${body}`))) ?? {};
          const orig = parse(text.slice(4, text.lastIndexOf(`\n---\n${body}`)));
          for (const k of order) {
            if (k === change.key) continue;
            expect(data[k]).toEqual(orig[k]);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('lifecycle commands through the CLI', () => {
  const cli = async (args: string[]) => {
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = '';
    let stderr = '';
    out.on('data', (d) => {
      stdout += d;
    });
    err.on('data', (d) => {
      stderr += d;
    });
    const code = await main([...args, '--root', dir], {
      cwd: dir,
      env: { NO_COLOR: '1' },
      stdout: out,
      stderr: err,
    });
    return { code, stdout, stderr };
  };

  it('new, close and finalize print what they did and the commit to make', async () => {
    expect(await cli(['new', 'leaf-f', '--for', 'goal'])).toEqual({
      code: 0,
      stdout: expect.stringMatching(
        /^created docs\/cards\/leaf-f\.md\nupdated docs\/cards\/goal\.md \(requires leaf-f\)\nnext: .*C2\(<goal>\): plan leaf-f/,
      ),
      stderr: '',
    });
    expect(await cli(['close', 'leaf-a'])).toEqual({
      code: 0,
      stdout: `closed ${LEAF_A}\nnext: \`git add ${LEAF_A}\` and commit \`C2(<goal>): close leaf-a\`\n`,
      stderr: '',
    });
  });

  it('exit 1 for a refused close or finalize, 2 for usage errors', async () => {
    const refused = await cli(['close', 'leaf-b']);
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toMatch(
      /^mikado: Unexpected close of `leaf-b` while it has active prerequisite `leaf-a`\n {2}fix: /,
    );
    expect((await cli(['finalize', 'goal'])).code).toBe(1);
    expect((await cli(['new', 'leaf-g'])).code).toBe(2);
    expect((await cli(['close'])).code).toBe(2);
  });
});
