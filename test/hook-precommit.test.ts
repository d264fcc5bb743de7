// The pre-commit hook: the check rules on staged cards only, in their staged content.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCardFast } from '../src/cards/parse-card-fast.ts';
import type { Card, Diagnostic } from '../src/cards/types.ts';
import { buildDocsIndex } from '../src/check/docs-index.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { INDEX_CARDS_CACHE } from '../src/hook/blob-cache.ts';
import { loadIndexCards } from '../src/hook/index-cards.ts';
import { linkCandidates, preCommit } from '../src/hook/pre-commit.ts';
import { pruneToStaged, stagedGraphFindings, stemsAroundStaged } from '../src/hook/staged-graph.ts';
import { cardObject } from './helpers/card-object.ts';
import { card, cleanupRepos, createRepo, type TestRepo } from './helpers/git-repo.ts';

afterEach(cleanupRepos);

function base(): TestRepo {
  const r = createRepo({ install: false });
  r.commitNoVerify('cards', {
    'docs/cards/goal.md': card({
      title: 'Goal',
      status: 'active',
      requires: ['a'],
      body: '# Goal\n\n## Why\n',
    }),
    'docs/cards/a.md': card({ title: 'A', status: 'active' }),
    'docs/cards/old-broken.md': '---\ntitle: 1\n---\n',
  });
  return r;
}

async function check(r: TestRepo, stage: Record<string, string | null>) {
  r.write(stage);
  r.gitOk(['add', '-A', '--', ...Object.keys(stage)]);
  const result = await preCommit({ root: r.dir, config: loadConfig({ root: r.dir }) });
  return result.diagnostics.map((d) => `${d.path}:${d.line}:${d.column} ${d.rule}`);
}

describe('mikado hook pre-commit', () => {
  it('finds nothing when no card is staged, and ignores unstaged broken cards', async () => {
    const r = base();
    expect(await check(r, { 'src/x.txt': 'x\n' })).toEqual([]);
  });

  it('checks the staged content, not the work tree', async () => {
    const r = base();
    expect(await check(r, { 'docs/cards/b.md': '---\ntitle: B\nmodified: 13 May\n---\n' })).toEqual(
      ['docs/cards/b.md:3:11 frontmatter-date'],
    );
    r.write({ 'docs/cards/b.md': card({ title: 'B' }) });
    const again = await preCommit({ root: r.dir, config: loadConfig({ root: r.dir }) });
    expect(again.diagnostics.map((d) => d.rule)).toEqual(['frontmatter-date']);
  });

  it('reports graph rules that concern a staged card: unknown requires, a cycle it closes', async () => {
    const r = base();
    expect(
      await check(r, {
        'docs/cards/a.md': card({ title: 'A', status: 'active', requires: ['goal', 'nope'] }),
      }),
    ).toEqual(
      [
        'docs/cards/a.md:1:1 unreachable',
        'docs/cards/a.md:6:5 cycle',
        'docs/cards/a.md:7:5 unknown-requires',
      ].sort(),
    );
  });

  it('checks links and headings and the TypeScript of ts run blocks', async () => {
    const r = base();
    const body =
      '# B\n\nSee [[goal#Why]], [[goal#Nope]] and [[ghost]].\n\n```ts run\nconst x = ;\n```\n';
    const found = await check(r, { 'docs/cards/b.md': card({ title: 'B', body }) });
    expect(found).toEqual([
      'docs/cards/b.md:8:19 broken-heading',
      'docs/cards/b.md:8:37 broken-link',
      'docs/cards/b.md:11:11 ts-syntax',
    ]);
  });
  it('reads a card the scanner declines with the Markdown parser, as check does', async () => {
    const r = base();
    const body = '# B\n\n> Quoted [[ghost]] and [[goal#Nope]].\n';
    const text = card({ title: 'B', body });
    // the path under test: the scanner declines this card (a block quote)
    const opts = { path: 'docs/cards/b.md', absPath: `${r.dir}/docs/cards/b.md` };
    expect(parseCardFast(text, opts)).toBeUndefined();
    expect(await check(r, { 'docs/cards/b.md': text })).toEqual([
      'docs/cards/b.md:8:10 broken-link',
      'docs/cards/b.md:8:24 broken-heading',
    ]);
  });
});

describe('the other cards as the index holds them', () => {
  it('sees a prerequisite only once it is staged, and reads unchanged cards from the cache', async () => {
    const r = base();
    r.write({ 'docs/cards/b.md': card({ title: 'B', status: 'active' }) });
    const staged = { 'docs/cards/a.md': card({ title: 'A', status: 'active', requires: ['b'] }) };
    // b.md is only in the work tree: the commit would name a card it does not hold.
    expect(await check(r, staged)).toContain('docs/cards/a.md:6:5 unknown-requires');
    r.gitOk(['add', 'docs/cards/b.md']);
    expect(await check(r, staged)).not.toContain('docs/cards/a.md:6:5 unknown-requires');
    const config = loadConfig({ root: r.dir });
    const skip = ['docs/cards/a.md'];
    // b.md was staged with a.md: the hook cached it too (once committed, it is an other card)
    const warm = loadIndexCards(config, skip);
    expect(warm.cacheHits).toBe(warm.cards.length);
    expect(warm.cards.map((c) => [c.path, c.status, c.requires])).toEqual([
      ['docs/cards/b.md', 'active', []],
      ['docs/cards/goal.md', 'active', ['a']],
      ['docs/cards/old-broken.md', null, []],
    ]);
    expect(warm.staged).toEqual([{ path: 'docs/cards/a.md', text: staged['docs/cards/a.md'] }]);
    r.write({ [`.git/${INDEX_CARDS_CACHE}`]: null });
    expect(loadIndexCards(config, skip).cacheHits).toBe(0);
    expect(loadIndexCards(config, skip).cacheHits).toBe(3);
  });

  it('never judges from a damaged cache: it reads the cards again and writes a new one', async () => {
    const r = base();
    const staged = { 'docs/cards/c.md': card({ title: 'C', status: 'active', requires: ['a'] }) };
    const found = await check(r, staged);
    const cacheFile = path.join(r.dir, '.git', INDEX_CARDS_CACHE);
    const good = readFileSync(cacheFile, 'utf8');
    const config = loadConfig({ root: r.dir });
    expect(loadIndexCards(config, ['docs/cards/c.md']).cacheHits).toBe(3);
    const data = JSON.parse(good) as { plain: string; entries: string; width: number };
    // goal (active, requires a) and a (active) are entries; old-broken has no fields
    const damaged: Record<string, string> = {
      truncated: good.slice(0, good.length - 9),
      'not JSON': 'x',
      // an edit the checksum does not match: a complete `a` would hide the goal's open work
      'an entry edited': JSON.stringify({
        ...data,
        entries: data.entries.replaceAll('"active"', 'null'),
      }),
      'ids out of order': JSON.stringify({
        ...data,
        plain: `${'f'.repeat(data.width)}${data.plain}`,
      }),
      'ids cut short': JSON.stringify({ ...data, plain: data.plain.slice(1) }),
    };
    for (const [what, text] of Object.entries(damaged)) {
      r.write({ [`.git/${INDEX_CARDS_CACHE}`]: text });
      const cards = loadIndexCards(config, ['docs/cards/c.md']);
      expect([what, cards.cacheHits]).toEqual([what, 0]);
      expect(cards.cards.map((c) => [c.path, c.status, c.requires])).toEqual([
        ['docs/cards/a.md', 'active', []],
        ['docs/cards/goal.md', 'active', ['a']],
        ['docs/cards/old-broken.md', null, []],
      ]);
      expect([what, await check(r, staged)]).toEqual([what, found]);
      expect(loadIndexCards(config, ['docs/cards/c.md']).cacheHits).toBe(3);
    }
  });
});

describe('the graph judged around the staged cards', () => {
  const STEMS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  const cardArb = fc.record({
    stem: fc.constantFrom(...STEMS),
    dir: fc.constantFrom('docs/cards', 'docs/cards/x'),
    requires: fc.uniqueArray(fc.constantFrom(...STEMS, 'ghost', 'b-'), { maxLength: 3 }),
    active: fc.boolean(),
    branch: fc.constantFrom(undefined, 'goal', 'own'),
  });

  it('finds what the whole graph finds about the staged cards, with most edges pruned', () => {
    let pruned = 0;
    let fewer = 0;
    fc.assert(
      fc.property(
        fc.uniqueArray(cardArb, {
          minLength: 1,
          maxLength: 14,
          selector: (c) => `${c.dir}/${c.stem}`,
        }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
        (specs, picks) => {
          const cards: Card[] = specs
            .map((s) =>
              cardObject(s.stem, {
                path: `${s.dir}/${s.stem}.md`,
                absPath: `/r/${s.dir}/${s.stem}.md`,
                status: s.active ? 'active' : null,
                requires: s.requires,
                ...(s.branch === undefined
                  ? {}
                  : { branch: s.branch === 'own' ? `mikado/${s.stem}` : 'mikado/goal' }),
              }),
            )
            .sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
          const staged = [...new Set(picks.map((i) => cards[i % cards.length]!))];
          const key = (d: { path: string; line: number; rule: string; message: string }) =>
            `${d.path}:${d.line} ${d.rule} ${d.message}`;
          const whole = stagedGraphFindings(cards, staged, { whole: true }).diagnostics.map(key);
          expect(stagedGraphFindings(cards, staged).diagnostics.map(key).sort()).toEqual(
            whole.sort(),
          );
          const stagedStems = new Set(staged.map((c) => c.stem));
          const kept = pruneToStaged(cards, stagedStems);
          if (kept.some((c, i) => c.requires.length < cards[i]!.requires.length)) pruned++;
          // the cards with the stems around the staged ones judge them as every card does
          const around = stemsAroundStaged(cards, stagedStems);
          const some = cards.filter((c) => around.has(c.stem));
          if (some.length < cards.length) fewer++;
          const judged = stagedGraphFindings(some, staged).diagnostics;
          expect(judged.map(key).sort()).toEqual(whole.sort());
          // but for the nearest stem an unknown prerequisite's fix suggests, from every stem
          const withFix = (ds: Diagnostic[]) =>
            ds.filter((d) => d.rule !== 'unknown-requires').map((d) => `${key(d)} ${d.fix}`);
          const wholeFix = stagedGraphFindings(cards, staged, { whole: true }).diagnostics;
          expect(withFix(judged).sort()).toEqual(withFix(wholeFix).sort());
        },
      ),
      { numRuns: 400, seed: 13 },
    );
    // the pruned graph was really judged: edges were dropped in many of the cases, and cards
    // left out
    expect(pruned).toBeGreaterThan(100);
    expect(fewer).toBeGreaterThan(100);
  });
});

describe('the docs a staged card links to', () => {
  it('resolves every target as the index of all files does, from the candidates alone', () => {
    const name = fc.constantFrom('a', 'B', 'a b', 'c.md', 'C.markdown', 'd.png', 'a.MD');
    const dir = fc.constantFrom('docs', 'docs/cards', 'docs/x/y', 'docs/X');
    const target = fc.oneof(
      name,
      fc
        .tuple(fc.constantFrom('x', 'y', 'x/y', 'cards', 'X/Y', './x', '/x'), name)
        .map(([d, n]) => `${d}/${n}`),
      fc.constantFrom(' a ', 'A', 'b.md', 'c', 'y/', '', 'd.PNG'),
    );
    let fewer = 0;
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.tuple(dir, name).map(([d, n]) => `${d}/${n}`),
          { maxLength: 12 },
        ),
        fc.array(target, { minLength: 1, maxLength: 4 }),
        (paths, targets) => {
          const files = paths.map((p) => ({ absPath: `/r/${p}`, path: p, relToDir: p.slice(5) }));
          const index = (f: typeof files) =>
            buildDocsIndex('/r/docs', '/r', [], { files: f, diagnostics: [] }).index;
          const whole = index(files);
          const candidates = linkCandidates(files, targets);
          if (candidates.length < files.length) fewer++;
          const some = index(candidates);
          for (const t of targets) expect([t, some.resolve(t)]).toEqual([t, whole.resolve(t)]);
        },
      ),
      { numRuns: 1000 },
    );
    // the candidates were really a part of the files in most cases
    expect(fewer).toBeGreaterThan(500);
  });
});
