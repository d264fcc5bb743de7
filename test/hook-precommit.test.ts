// The pre-commit hook: the check rules on staged cards only, in their staged content.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load-config.ts';
import { INDEX_CARDS_CACHE, loadIndexCards } from '../src/hook/index-cards.ts';
import { preCommit } from '../src/hook/pre-commit.ts';
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
    const skip = new Set(['docs/cards/a.md']);
    // b.md was staged too, so pre-commit parsed it in full: the first read caches it.
    expect((await loadIndexCards(config, skip)).cacheHits).toBe(2);
    const warm = await loadIndexCards(config, skip);
    expect(warm.cacheHits).toBe(warm.cards.length);
    expect(warm.cards.map((c) => [c.path, c.status, c.requires])).toEqual([
      ['docs/cards/b.md', 'active', []],
      ['docs/cards/goal.md', 'active', ['a']],
      ['docs/cards/old-broken.md', null, []],
    ]);
    r.write({ [`.git/${INDEX_CARDS_CACHE}`]: null });
    expect((await loadIndexCards(config, skip)).cacheHits).toBe(0);
  });
});
