// The pre-commit hook: the check rules on staged cards only, in their staged content.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCardFast } from '../src/cards/parse-card-fast.ts';
import type { Card, Diagnostic } from '../src/cards/types.ts';
import { buildDocsIndex } from '../src/check/docs-index.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { gitBuffer } from '../src/git/git.ts';
import { INDEX_CARDS_CACHE } from '../src/hook/blob-cache.ts';
import { indexLayout, loadIndexCards } from '../src/hook/index-cards.ts';
import { INDEX_SNAPSHOT, readIndexView } from '../src/hook/index-snapshot.ts';
import { linkCandidate, linkCandidates, linkNames, preCommit } from '../src/hook/pre-commit.ts';
import { replaceFile } from '../src/hook/replace-file.ts';
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
    loadIndexCards(config, skip);
    const warm = loadIndexCards(config, skip);
    expect(warm.cacheHits).toBe(warm.cards.length);
    expect(warm.cards.map((c) => [c.path, c.status, c.requires])).toEqual([
      ['docs/cards/b.md', 'active', []],
      ['docs/cards/goal.md', 'active', ['a']],
      ['docs/cards/old-broken.md', null, []],
    ]);
    expect(warm.staged).toEqual([{ path: 'docs/cards/a.md', text: staged['docs/cards/a.md'] }]);
    // the staged card went into the cache too: once committed, it is one of the others
    expect(loadIndexCards(config, ['docs/cards/b.md']).cacheHits).toBe(3);
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

describe('the cards around the staged ones, from the last reading of the index', () => {
  /** A seeded generator (mulberry32), so a failure names a step that comes back. */
  function random(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it('reads only the entries that changed since the last run, and knows the others', async () => {
    const r = base();
    r.commitNoVerify('more', {
      'docs/cards/x/c.md': card({ title: 'C', status: 'active', requires: ['a'] }),
      'docs/cards/x/d.md': card({ title: 'D' }),
      'docs/guide.md': '# Guide\n',
    });
    const config = loadConfig({ root: r.dir });
    const listing = () =>
      gitBuffer(['ls-files', '-s', '-z', '--', ...indexLayout(config).specs], { cwd: r.dir });
    const stage = (files: Record<string, string | null>) => {
      r.write(files);
      r.gitOk(['add', '-A', '--', ...Object.keys(files)]);
    };
    stage({ 'docs/cards/x/d.md': card({ title: 'D', status: 'active' }) });
    const first = readIndexView(config, ['docs/cards/x/d.md'], listing());
    expect(first?.read).toBe(listing().length);
    const fields = (v: typeof first) =>
      [...(v?.fielded ?? [])].map(([p, f]) => [p, f.slim.status, f.slim.requires]);
    const known = [
      ['docs/cards/a.md', 'active', []],
      ['docs/cards/goal.md', 'active', ['a']],
      ['docs/cards/x/c.md', 'active', ['a']],
    ];
    expect(fields(first).sort()).toEqual(known);
    // unchanged: nothing read entry by entry
    const again = readIndexView(config, ['docs/cards/x/d.md'], listing());
    expect([again?.read, fields(again).sort()]).toEqual([0, known]);
    // one more card staged: its entry alone is read, and the others are still known
    stage({ 'docs/cards/b.md': card({ title: 'B', requires: ['goal'] }) });
    const entry = (p: string) =>
      listing()
        .toString('latin1')
        .split('\0')
        .find((e) => e.endsWith(p));
    const next = readIndexView(config, ['docs/cards/b.md', 'docs/cards/x/d.md'], listing());
    expect(next?.read).toBe(entry('docs/cards/b.md')!.length + 1);
    expect(fields(next).sort()).toEqual(known);
    expect(next?.cardsWithStems(new Set(['a', 'd', 'nope']))).toEqual([
      'docs/cards/a.md',
      'docs/cards/x/d.md',
    ]);
    // a committed change moves the entries after it; a card with fields then is one of the others
    r.commitNoVerify('d is active');
    stage({ 'docs/cards/a.md': card({ title: 'A' }) });
    const moved = readIndexView(config, ['docs/cards/a.md'], listing());
    expect(fields(moved).sort()).toEqual([
      ['docs/cards/b.md', null, ['goal']],
      ['docs/cards/goal.md', 'active', ['a']],
      ['docs/cards/x/c.md', 'active', ['a']],
      ['docs/cards/x/d.md', 'active', []],
    ]);
    expect(moved?.read).toBeLessThan(listing().length / 2);
    // an unmerged path (stages 1 to 3) is in the changed part: every card is read then
    const sha = r.gitOk(['rev-parse', ':docs/cards/a.md']);
    const info = `100644 ${sha} 1\tdocs/cards/u.md\n100644 ${sha} 2\tdocs/cards/u.md\n`;
    const update = spawnSync('git', ['update-index', '--index-info'], {
      cwd: r.dir,
      env: r.env,
      input: info,
    });
    expect(update.status).toBe(0);
    expect(listing().toString('latin1')).toContain(' 2\tdocs/cards/u.md');
    expect(readIndexView(config, ['docs/cards/a.md'], listing())).toBeUndefined();
    const judged = await preCommit({ root: r.dir, config });
    expect(judged.judged).toBe('every');
  });

  it('judges alike when its caches cannot be written, and leaves no temp file', async () => {
    const r = base();
    // a file where the caches' directory should be
    r.write({ '.git/mikado': 'in the way\n' });
    const staged = {
      'docs/cards/c.md': card({ title: 'C', status: 'active', requires: ['a', 'x'] }),
    };
    const found = await check(r, staged);
    expect(found).toContain('docs/cards/c.md:7:5 unknown-requires');
    expect(await check(r, staged)).toEqual(found);
    expect(readdirSync(path.join(r.dir, '.git')).filter((f) => f.includes('mikado'))).toEqual([
      'mikado',
    ]);
    expect(replaceFile(path.join(r.dir, '.git/mikado/x'), 'x')).toBe(false);
    expect(replaceFile(path.join(r.dir, '.git/other/x'), 'x')).toBe(true);
    expect(readdirSync(path.join(r.dir, '.git/other'))).toEqual(['x']);
  });

  it('finds the cards and files a link can resolve to as a look at every entry does', () => {
    const r = createRepo({ install: false });
    const names = ['a', 'A', 'a b', 'c.md', 'C.markdown', 'd.png', 'a.MD', '.md', 'x.md.md'];
    const dirs = ['docs', 'docs/cards', 'docs/cards/x', 'docs/X', 'docs/cards/.hidden'];
    const files: Record<string, string> = { 'README.md': '# Readme\n', 'src/a.md': 'a\n' };
    for (const d of dirs) for (const n of names) files[`${d}/${n}`] = `# ${n}\n`;
    r.commitNoVerify('files', files);
    const config = loadConfig({ root: r.dir });
    const candidates = (targets: string[]) => {
      r.write({ 'docs/cards/s.md': card({ title: 'S' }) });
      r.gitOk(['add', 'docs/cards/s.md']);
      const listing = gitBuffer(['ls-files', '-s', '-z', '--', ...indexLayout(config).specs], {
        cwd: r.dir,
      });
      const view = readIndexView(config, ['docs/cards/s.md'], listing)!;
      const found = view.linkCandidates(linkNames(targets), linkCandidate(targets));
      const every = loadIndexCards(config, ['docs/cards/s.md'], listing.toString('utf8'));
      const accept = linkCandidate(targets);
      return [
        found,
        {
          cards: [...every.cards.map((c) => c.path), 'docs/cards/s.md'].filter(accept).sort(),
          docs: every.docs.filter(accept).map(every.docsFile),
        },
      ];
    };
    const targets = ['a', ' A ', 'x/a b', 'c', 'C.MD', 'd.png', 'a.md', '', 'x.md', 's', 'nope'];
    const [ascii, asciiEvery] = candidates(targets);
    expect(ascii).toEqual(asciiEvery);
    expect(ascii!.cards.length).toBeGreaterThan(5);
    expect(ascii!.docs.length).toBeGreaterThan(10);
    r.commitNoVerify('out of ASCII', {
      'docs/ü/a.md': '# ü\n',
      'docs/cards/\u212A.md': '# kelvin\n',
    });
    const [other, otherEvery] = candidates([...targets, 'k']);
    expect(other).toEqual(otherEvery);
    expect(other!.docs.map((d) => d.path)).toContain('docs/ü/a.md');
    // K (the Kelvin sign) is k in lower case: a link to `k` can name it
    expect(other!.cards).toContain('docs/cards/\u212A.md');
  });

  it('finds what reading every card finds, over commits, stagings and damaged snapshots', async () => {
    const rand = random(2026);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const STEMS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] as const;
    const DIRS = ['docs/cards', 'docs/cards/x', 'docs/cards/x/y'] as const;
    const text = (stem: string): string => {
      const kind = rand();
      if (kind < 0.1) return `# ${stem} without frontmatter\n`;
      if (kind < 0.4) return card({ title: stem, body: `# ${stem}\n\nSee [[${pick(STEMS)}]].\n` });
      const requires = STEMS.filter(() => rand() < 0.25);
      if (rand() < 0.04) requires.push('ghost' as never);
      return card({
        title: stem,
        status: rand() < 0.6 ? 'active' : undefined,
        requires,
        branch: rand() < 0.15 ? `mikado/${stem}` : undefined,
        body: `# ${stem}\n\n${rand() < 0.2 ? `[[${pick(['guide', 'Guide#Nope', 'x/img.png', 'nowhere'])}]]` : ''}\n`,
      });
    };
    const r = createRepo({ install: false });
    const files: Record<string, string> = { 'docs/guide.md': '# Guide\n', 'docs/x/img.png': 'png' };
    for (const s of STEMS) files[`${pick(DIRS)}/${s}.md`] = text(s);
    r.commitNoVerify('cards', files);
    const config = loadConfig({ root: r.dir });
    const snapshot = path.join(r.dir, '.git', INDEX_SNAPSHOT);
    const judged = { around: 0, every: 0 };
    for (let step = 0; step < 24; step++) {
      const existing = r.gitOk(['ls-files', 'docs/cards']).split('\n').filter(Boolean);
      for (let n = 1 + Math.floor(rand() * 2); n > 0; n--) {
        // the first change writes a card, so a card is staged at each step
        const op = n === 1 ? 0 : rand();
        if (op < 0.6) {
          const p = rand() < 0.7 ? pick(existing) : `${pick(DIRS)}/${pick(STEMS)}.md`;
          r.write({ [p]: text(path.basename(p, '.md')) });
        } else if (op < 0.65) {
          // a name out of ASCII: link candidates are then looked for entry by entry
          const p = `docs/cards/ü/${pick(STEMS)}.md`;
          r.write({ [p]: existing.includes(p) ? null : text(path.basename(p, '.md')) });
        } else if (op < 0.8 && existing.length > 4) {
          r.write({ [pick(existing)]: null });
        } else {
          const from = pick(existing);
          const to = `${pick(DIRS)}/${path.basename(from)}`;
          if (to !== from) r.gitOk(['mv', '-k', from, to]);
        }
      }
      r.gitOk(['add', '-A', '--', 'docs']);
      const damage = rand();
      if (damage < 0.2 && existsSync(snapshot)) {
        const bytes = readFileSync(snapshot);
        const at = Math.floor(rand() * bytes.length);
        bytes[at] = bytes[at]! ^ 0x20;
        writeFileSync(snapshot, bytes);
      }
      const fast = await preCommit({ root: r.dir, config });
      const every = await preCommit({ root: r.dir, config, every: true });
      expect([step, fast.diagnostics]).toEqual([step, every.diagnostics]);
      if (fast.judged) judged[fast.judged]++;
      if (rand() < 0.7) r.commitNoVerify(`step ${step}`);
    }
    // both ways were taken: around the staged cards mostly, every card when a finding needs it
    expect(judged.around).toBeGreaterThan(8);
    expect(judged.every).toBeGreaterThan(0);
  });
});
