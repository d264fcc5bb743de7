import { chmodSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import picomatch from 'picomatch';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { globMatcher } from '../src/cards/glob-matcher.ts';
import { loadCards } from '../src/cards/load-cards.ts';
import { parseCard } from '../src/cards/parse-card.ts';
import { parseFrontmatter, parseFrontmatterWithYaml } from '../src/cards/parse-frontmatter.ts';
import { parseSimpleYaml } from '../src/cards/parse-simple-yaml.ts';
import { firstInvalidUtf8 } from '../src/cards/read-card-file.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { expectFastPath } from './helpers/fast-path.ts';
import { tempTree } from './helpers/temp-dir.ts';

const opts = { path: 'docs/cards/x.md', absPath: '/r/docs/cards/x.md' };
const rules = (text: string, full = true): string[] =>
  parseCard(text, { ...opts, full }).diagnostics.map((d) => `${d.line}:${d.column} ${d.rule}`);

const GOOD = `---
title: Move the database
modified: 2026-05-13
tags: [immich, postgres]
status: active
requires:
  - cnpg-on-ringtail
  - sifaka-nfs
---
# Move the database

See [[cnpg-on-ringtail#Install the operator|the operator]] and ![[diagram]].

\`\`\`ts run name=install timeout=10m confirm
await $\`kubectl apply -f x.yaml\`
\`\`\`

\`\`\`ts run verify
await $\`kubectl get pods\`
\`\`\`
`;

describe('parseCard', () => {
  it('reads the frontmatter fields', () => {
    const card = parseCard(GOOD, opts);
    expect(card).toMatchObject({
      stem: 'x',
      title: 'Move the database',
      modified: '2026-05-13',
      tags: ['immich', 'postgres'],
      status: 'active',
      requires: ['cnpg-on-ringtail', 'sifaka-nfs'],
      bodyLine: 10,
    });
    expect(card.diagnostics).toEqual([]);
    expect(card.body.startsWith('# Move the database\n')).toBe(true);
  });

  it('reads wikilinks with their positions, headings and run blocks', () => {
    const card = parseCard(GOOD, opts);
    expect(card.headings).toEqual(['Move the database']);
    expect(card.links).toEqual([
      {
        target: 'cnpg-on-ringtail',
        heading: 'Install the operator',
        alias: 'the operator',
        embed: false,
        line: 12,
        column: 5,
      },
      { target: 'diagram', embed: true, line: 12, column: 64 },
    ]);
    expect(
      card.blocks.map((b) => [
        b.name,
        b.index,
        b.line,
        b.codeLine,
        b.code,
        b.confirm,
        b.verify,
        b.timeoutMs,
      ]),
    ).toEqual([
      ['install', 0, 14, 15, 'await $`kubectl apply -f x.yaml`', true, false, 600_000],
      ['x#2', 1, 18, 19, 'await $`kubectl get pods`', false, true, undefined],
    ]);
    expect(card.blocks[0]?.attrs).toEqual({ name: 'install', timeout: '10m', confirm: true });
  });

  it('leaves headings, links and blocks empty on the fast path', () => {
    const card = parseCard(GOOD, { ...opts, full: false });
    expect([card.title, card.links, card.blocks, card.headings]).toEqual([
      'Move the database',
      [],
      [],
      [],
    ]);
  });

  it('does not find wikilinks in code, and emphasis does not break them', () => {
    const text =
      '---\ntitle: t\nmodified: 2026-01-01\n---\n`[[in-code]]` and _[[my_card_name]]_ and **[[a*b]]**\n\n```\n[[in-block]]\n```\n\n    [[indented]]\n';
    expect(parseCard(text, opts).links.map((l) => [l.target, l.line, l.column])).toEqual([
      ['my_card_name', 5, 20],
      ['a*b', 5, 44],
    ]);
  });

  it('reads all wikilink forms', () => {
    const text = '[[a]] [[b#H]] [[c|al]] [[d#H 2|al 2]] ![[e]] [[#Local]] [[]] [[x\ny]]';
    const links = parseCard(text, opts).links;
    expect(links.map((l) => [l.target, l.heading, l.alias, l.embed])).toEqual([
      ['a', undefined, undefined, false],
      ['b', 'H', undefined, false],
      ['c', undefined, 'al', false],
      ['d', 'H 2', 'al 2', false],
      ['e', undefined, undefined, true],
      ['', 'Local', undefined, false],
    ]);
  });

  it('maps YAML errors to the card lines', () => {
    expect(rules('---\ntitle: t\nmodified: 2026-01-01\nrequires: [a\n---\nbody\n')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^[45]:\d+ frontmatter-yaml$/)]),
    );
  });

  it.each([
    ['a list', '---\n- a\n- b\n---\n', ['2:1 frontmatter-yaml']],
    ['a string', '---\njust words\n---\n', ['2:1 frontmatter-yaml']],
    [
      'requires as a string',
      '---\ntitle: t\nmodified: 2026-01-01\nrequires: abc\n---\n',
      ['4:11 frontmatter-schema'],
    ],
    [
      'an unknown key',
      '---\ntitle: t\nmodified: 2026-01-01\ncolour: red\n---\n',
      ['4:1 frontmatter-unknown-key'],
    ],
    ['a bad date', '---\ntitle: t\nmodified: 2026-02-30\n---\n', ['3:11 frontmatter-date']],
    ['no title', '---\nmodified: 2026-02-03\n---\n', ['1:1 frontmatter-schema']],
    [
      'a bad status',
      '---\ntitle: t\nmodified: 2026-01-01\nstatus: done\n---\n',
      ['4:9 frontmatter-schema'],
    ],
    ['no frontmatter', '# Just a doc\n', ['1:1 no-frontmatter']],
    ['unclosed frontmatter', '---\ntitle: t\n', ['1:1 frontmatter-unclosed']],
    [
      'an unclosed fence',
      '---\ntitle: t\nmodified: 2026-01-01\n---\n```ts run\nawait 1\n',
      ['5:1 unclosed-fence'],
    ],
    [
      'an unknown block attribute',
      '---\ntitle: t\nmodified: 2026-01-01\n---\n```ts run confrim\n1\n```\n',
      ['5:11 block-attributes'],
    ],
    [
      'a bad timeout',
      '---\ntitle: t\nmodified: 2026-01-01\n---\n```ts run timeout=soon\n1\n```\n',
      ['5:11 block-attributes'],
    ],
    [
      'a typescript run block',
      '---\ntitle: t\nmodified: 2026-01-01\n---\n```typescript run\n1\n```\n',
      ['5:1 block-language'],
    ],
  ])('reports %s', (_, text, expected) => {
    expect(rules(text)).toEqual(expected);
  });

  it('reads `requires: abc` as [abc] after reporting it', () => {
    expect(
      parseCard('---\ntitle: t\nmodified: 2026-01-01\nrequires: abc\n---\n', opts).requires,
    ).toEqual(['abc']);
  });

  it('reports a card over 1 MiB and does not parse its body', () => {
    const text = `---\ntitle: t\nmodified: 2026-01-01\n---\n${'[[x]] words\n'.repeat(100_000)}`;
    const card = parseCard(text, opts);
    expect(card.links).toEqual([]);
    expect(card.diagnostics.map((d) => d.rule)).toEqual(['card-too-large']);
  });

  it('never throws on odd input', () => {
    for (const text of [
      '',
      '---',
      '---\n---',
      '\uFEFF---\ntitle: x\n---\n',
      '---\n: :\n---',
      '\0\0',
      '---\n[[[\n---\n```',
    ]) {
      expect(() => parseCard(text, opts)).not.toThrow();
    }
  });
});

describe('parseFrontmatter', () => {
  it('gives the same data on the fast path as the yaml package', () => {
    const yaml =
      'title: A card (draft)\nmodified: 2026-01-02\ntags:\n  - a\n  - b-c\nrequires: [x, y]\nstatus: active\nbranch: mikado/x\nempty:\n';
    const fast = parseFrontmatter(yaml, { path: 'p', line: 2 });
    const slow = parseFrontmatter(
      `${yaml}# trailing: comment\n`
        .replace('title: A', "title: 'A'")
        .replace("'A'", "'A card (draft)'")
        .replace(' card (draft)\n', '\n'),
      { path: 'p', line: 2 },
    );
    expect(fast.data).toEqual({
      title: 'A card (draft)',
      modified: '2026-01-02',
      tags: ['a', 'b-c'],
      requires: ['x', 'y'],
      status: 'active',
      branch: 'mikado/x',
      empty: null,
    });
    expect(slow.data).toEqual(fast.data);
    // each item of a flow list at its own column, as the yaml package places it
    expect(fast.places['requires.1']).toEqual({ line: 7, column: 15 });
    expect(fast.places['tags.1']).toEqual({ line: 6, column: 5 });
    expect(fast.places).toEqual(parseFrontmatterWithYaml(yaml, { path: 'p', line: 2 }).places);
  });
});

describe('parseSimpleYaml', () => {
  it('reads config files and frontmatter with quotes, numbers-like words and comments', () => {
    const text = [
      '# mikado-docs configuration',
      'cards: docs',
      'exclude: ["changelog.d/**", \'drafts/**\'] # not cards',
      'defaultTimeout: 30m',
      'title: "Move: the database"',
      'tags:',
      '  - a # first',
      '  # between',
      "  - 'b c'",
      'modified: 2026-05-13',
      '',
    ].join('\n');
    const fast = parseSimpleYaml(text, 1);
    expect(fast?.data).toEqual({
      cards: 'docs',
      exclude: ['changelog.d/**', 'drafts/**'],
      defaultTimeout: '30m',
      title: 'Move: the database',
      tags: ['a', 'b c'],
      modified: '2026-05-13',
    });
    expect(fast?.data).toEqual(parseDocument(text).toJS());
    expect(fast?.places['title.value']).toEqual({ line: 5, column: 8 });
    expect(fast?.places['tags.1']).toEqual({ line: 9, column: 5 });
  });

  it.each([
    'n: 10',
    'n: 1.5',
    'n: 0x1F',
    'n: 1e3',
    'b: true',
    'k: ~',
    'k: "a\\"b"',
    "k: 'it''s'",
    'k: [a, [b]]',
    'k: a: b',
    'p:\n  nested: x',
    'k: |\n  text',
    'k: &a x',
    'a: 1\na: 2',
  ])('leaves %j to the yaml package', (text) => {
    expect(parseSimpleYaml(text, 1)).toBeNull();
  });

  it('gives what the yaml package gives whenever it takes the fast path', () => {
    const scalar = fc.constantFrom(
      'docs',
      'a b',
      'mikado/x',
      'A card (draft)',
      '30m',
      '1.5',
      '10',
      '0x1F',
      '0o17',
      '1e3',
      '1_000',
      '1-2',
      '2026-05-13',
      'v1.2',
      'true',
      'False',
      'null',
      'NULL',
      '~',
      'é-card',
      'Ärger',
      'a#b',
      'a #b',
      'a: b',
      '-a',
      '_x',
      '.5',
      'x ',
      '"a, b"',
      '"x # y"',
      '"a\\"b"',
      '""',
      '" lead"',
      '"é"',
      "'x'",
      "'it''s'",
      "''",
      "'a\"b'",
      '"a\'b"',
      '"tab\there"',
      'a\u00a0b',
      '"a\u00a0b"',
      '"a\u2028b"',
      "'\u0085'",
      '"\ufeffx"',
    );
    const value = fc.oneof(
      scalar,
      fc.array(scalar, { maxLength: 3 }).map((items) => `[${items.join(', ')}]`),
      fc.constantFrom('[]', '[ ]', '[a,]', '[a] x', '[a', '{a: b}', '|', '>'),
    );
    const comment = fc.constantFrom('', '', ' # c', '\t# c', '#c');
    const key = fc.constantFrom('title', 'tags', 'requires', 'cards', 'a-b', 'x_y', 'true', 'k1');
    const indent = fc.constantFrom('', '  ', '    ', '\t', ' ');
    const line = fc.oneof(
      fc.tuple(key, value, comment).map(([k, v, c]) => `${k}: ${v}${c}`),
      fc.tuple(key, comment).map(([k, c]) => `${k}:${c}`),
      fc.tuple(indent, scalar, comment).map(([i, v, c]) => `${i}- ${v}${c}`),
      fc.tuple(indent, comment).map(([i, c]) => `${i}${c.trim()}`),
      fc.constantFrom('  nested: x', 'key:value', '-', '---', ' # x'),
    );
    const texts = fc
      .tuple(fc.array(line, { maxLength: 8 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
      .map(([lines, eol, bom]) => (bom ? '\ufeff' : '') + lines.join(eol));
    expectFastPath(
      texts,
      {
        fast: (text) => parseSimpleYaml(text, 1),
        reference: (text) => {
          const doc = parseDocument(text, { uniqueKeys: true });
          return { errors: doc.errors, data: doc.toJS() ?? {} };
        },
        view: (fast) => ({ errors: [], data: fast.data }),
        minTaken: 0.05,
      },
      3000,
    );
  });
});

describe('globMatcher', () => {
  it('matches as picomatch does with `dot: true`, with or without picomatch', () => {
    const name = fc.constantFrom('a', 'b', 'a.b', '.a', 'x-y', '_', 'changelog.d');
    const dir = fc.array(name, { minLength: 1, maxLength: 3 }).map((p) => p.join('/'));
    const glob = fc.oneof(
      dir,
      dir.map((d) => `${d}/**`),
      fc.constantFrom('**/a', 'a/*', '*.md', 'a/**/b', '**', './a', 'a/', '.', '..', 'a/../b'),
    );
    const segment = fc.constantFrom('a', 'b', 'a.b', '.a', '..', '.', '', 'x-y', '**', 'c.md');
    const input = fc
      .tuple(
        fc.array(segment, { maxLength: 4 }),
        fc.constantFrom('', '/'),
        fc.constantFrom('', '/'),
      )
      .map(([parts, lead, trail]) => `${lead}${parts.join('/')}${trail}`);
    fc.assert(
      fc.property(
        fc.array(glob, { maxLength: 3 }),
        fc.array(input, { maxLength: 8 }),
        (globs, paths) => {
          const ours = globMatcher(globs);
          const theirs = globs.length ? picomatch(globs, { dot: true }) : () => false;
          for (const p of [...paths, ...globs]) expect([p, ours(p)]).toEqual([p, theirs(p)]);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('firstInvalidUtf8', () => {
  it('finds the first bad byte', () => {
    expect(firstInvalidUtf8(Buffer.from('héllo'))).toBe(6);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xe9, 0x62]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xed, 0xa0, 0x80]))).toBe(1);
  });
});

describe('loadCards', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  const tree = (files: Record<string, string | Buffer>): string => {
    const t = tempTree('cards', files);
    cleanups.push(t.cleanup);
    return t.dir;
  };
  const card = (title: string): string => `---\ntitle: ${title}\nmodified: 2026-01-01\n---\nbody\n`;

  it('loads Markdown recursively with paths relative to the root, minus excludes', async () => {
    const root = tree({
      'docs/a.md': card('A'),
      'docs/sub/b.markdown': card('B'),
      'docs/changelog.d/c.md': card('C'),
      'docs/image.png': 'x',
      'docs/.obsidian/d.md': card('D'),
    });
    writeFileSync(
      path.join(root, 'mikado.config.yaml'),
      'cards: docs\nexclude: ["changelog.d/**"]\n',
    );
    const { cards, diagnostics } = await loadCards(loadConfig({ root }), { full: false });
    expect(cards.map((c) => [c.path, c.stem, c.title])).toEqual([
      ['docs/a.md', 'a', 'A'],
      ['docs/sub/b.markdown', 'b', 'B'],
    ]);
    expect(diagnostics).toEqual([]);
  });

  it('reports binary, non-UTF-8 and unreadable files, and symlink loops, without throwing', async () => {
    const root = tree({
      'docs/cards/ok.md': card('OK'),
      'docs/cards/bin.md': Buffer.from([0x2d, 0x2d, 0x0a, 0x00, 0x01]),
      'docs/cards/latin1.md': Buffer.from('---\ntitle: caf\xe9\n', 'latin1'),
    });
    symlinkSync('nowhere.md', path.join(root, 'docs/cards/dangling.md'));
    symlinkSync('.', path.join(root, 'docs/cards/loop'));
    symlinkSync('self.md', path.join(root, 'docs/cards/self.md'));
    const { cards, diagnostics } = await loadCards(loadConfig({ root }));
    expect(cards.map((c) => c.stem)).toEqual(['ok']);
    expect(diagnostics.map((d) => `${d.path}:${d.line}:${d.column} ${d.rule}`).sort()).toEqual([
      'docs/cards/bin.md:2:1 binary-file',
      'docs/cards/dangling.md:1:1 unreadable',
      'docs/cards/latin1.md:2:11 encoding',
      'docs/cards/loop:1:1 symlink-loop',
      'docs/cards/self.md:1:1 symlink-loop',
    ]);
  });

  it('reports a missing cards root', async () => {
    const root = tree({});
    const { cards, diagnostics } = await loadCards(loadConfig({ root }));
    expect(cards).toEqual([]);
    expect(diagnostics.map((d) => d.rule)).toEqual(['missing-dir']);
  });

  it('reports a file where the cards root should be as no cards root', async () => {
    const root = tree({ 'docs/cards/a.md': card('A') });
    // (As root, permissions do not stop reads, so an unreadable directory cannot be made here.)
    rmSync(path.join(root, 'docs/cards'), { recursive: true });
    writeFileSync(path.join(root, 'docs/cards'), 'not a dir');
    chmodSync(path.join(root, 'docs/cards'), 0o644);
    const { diagnostics } = await loadCards(loadConfig({ root }));
    expect(diagnostics.map((d) => [d.rule, d.message])).toEqual([
      ['missing-dir', 'Unexpected file `docs/cards`, expected a directory'],
    ]);
  });
});

describe('the remark plugins in another unified pipeline', () => {
  it('read frontmatter, wikilinks, headings and run blocks as vfile data and messages', async () => {
    const { unified } = await import('unified');
    const { default: remarkParse } = await import('remark-parse');
    const { remarkMikado } = await import('../src/cards/remark-mikado.ts');
    const { VFile } = await import('vfile');
    const file = new VFile({
      path: 'docs/cards/x.md',
      value: GOOD.replace('status: active', 'status: done'),
    });
    const processor = unified().use(remarkParse).use(remarkMikado);
    const tree = processor.parse(file);
    await processor.run(tree, file);
    expect(file.data.mikado).toMatchObject({
      title: 'Move the database',
      requires: ['cnpg-on-ringtail', 'sifaka-nfs'],
    });
    expect(file.data.wikiLinks?.map((l) => l.target)).toEqual(['cnpg-on-ringtail', 'diagram']);
    expect(file.data.headings).toEqual(['Move the database']);
    expect(file.data.runBlocks?.map((b) => b.name)).toEqual(['install', 'x#2']);
    expect(file.messages.map((m) => [m.line, m.column, m.ruleId, m.source, m.fatal])).toEqual([
      [5, 9, 'frontmatter-schema', 'mikado', true],
    ]);
    const links: unknown[] = [];
    const { visit } = await import('unist-util-visit');
    visit(tree, 'wikiLink', (node) => {
      links.push([
        node.target,
        node.position?.start.line,
        node.position?.start.column,
        node.position?.end.column,
      ]);
    });
    expect(links).toEqual([
      ['cnpg-on-ringtail', 12, 5, 59],
      ['diagram', 12, 64, 76],
    ]);
  });
});
