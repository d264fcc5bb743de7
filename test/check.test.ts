import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCard } from '../src/cards/parse-card.ts';
import { checkCards } from '../src/check/check-cards.ts';
import { checkSyntax } from '../src/check/check-syntax.ts';
import { headingKey } from '../src/check/heading-key.ts';
import { CACHE_FILE } from '../src/check/load-checked-cards.ts';
import { nearest } from '../src/check/nearest.ts';
import { RESULT_CACHE_FILE } from '../src/check/result-cache.ts';
import { sortDiagnostics } from '../src/check/sort-diagnostics.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { tempTree } from './helpers/temp-dir.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function repo(files: Record<string, string>): string {
  const t = tempTree('check', files);
  cleanups.push(t.cleanup);
  return t.dir;
}

const card = (title: string, body = '', requires: string[] = []) =>
  `---\ntitle: ${title}\nmodified: 2026-01-01\nstatus: active\n${requires.length ? `requires: [${requires.join(', ')}]\n` : ''}---\n# ${title}\n${body}`;

describe('checkCards', () => {
  it('reuses the last findings only while nothing changed, and re-parses a changed card', async () => {
    const root = repo({
      'docs/cards/goal.md': card('Goal', '\nSee [[step#Roll back]].\n', ['step']),
      'docs/cards/step.md': card('Step', '\n## Roll back\n'),
    });
    const config = loadConfig({ root });
    const first = await checkCards(config);
    expect([first.cache, first.diagnostics]).toEqual(['cards', []]);
    expect(existsSync(path.join(root, CACHE_FILE))).toBe(true);
    expect(existsSync(path.join(root, RESULT_CACHE_FILE))).toBe(true);
    expect((await checkCards(config)).cache).toBe('result');
    // Renaming the heading breaks the link in the other card.
    writeFileSync(path.join(root, 'docs/cards/step.md'), card('Step', '\n## Undo\n'));
    const changed = await checkCards(config);
    expect(changed.cache).toBe('cards');
    expect(changed.diagnostics.map((d) => `${d.path}:${d.line} ${d.rule}`)).toEqual([
      'docs/cards/goal.md:9 broken-heading',
    ]);
    // A new doc elsewhere under docs/ invalidates the findings too (links may now resolve).
    writeFileSync(
      path.join(root, 'docs/cards/goal.md'),
      card('Goal', '\nSee [[runbook]].\n', ['step']),
    );
    expect((await checkCards(config)).diagnostics.map((d) => d.rule)).toEqual(['broken-link']);
    writeFileSync(path.join(root, 'docs/runbook.md'), '# Runbook\n');
    expect((await checkCards(config)).diagnostics).toEqual([]);
  });

  it('touches no cache with cache: false', async () => {
    const root = repo({ 'docs/cards/goal.md': card('Goal') });
    const result = await checkCards(loadConfig({ root }), { cache: false });
    expect([result.cache, result.cardCount]).toEqual(['off', 1]);
    expect(existsSync(path.join(root, '.mikado'))).toBe(false);
  });

  it('ignores a corrupt cache', async () => {
    const root = repo({ 'docs/cards/goal.md': card('Goal', '\n[[nope]]\n') });
    mkdirSync(path.join(root, '.mikado/cache'), { recursive: true });
    writeFileSync(path.join(root, CACHE_FILE), '{"version": "mikado-cards-1", "entries": ');
    writeFileSync(path.join(root, RESULT_CACHE_FILE), 'garbage');
    const result = await checkCards(loadConfig({ root }));
    expect(result.diagnostics.map((d) => d.rule)).toEqual(['broken-link']);
    expect(JSON.parse(readFileSync(path.join(root, RESULT_CACHE_FILE), 'utf8')).cardCount).toBe(1);
  });

  it('names both files of a duplicate stem that takes part in a chain, and only warns otherwise', async () => {
    const root = repo({
      'docs/a/goal.md': card('Goal'),
      'docs/b/goal.md': card('Other goal'),
      'docs/a/readme.md': '---\ntitle: Readme\nmodified: 2026-01-01\n---\n',
      'docs/b/readme.md': '---\ntitle: Readme\nmodified: 2026-01-01\n---\n',
    });
    const result = await checkCards(loadConfig({ root, cards: 'docs', cwd: root }));
    expect(result.diagnostics.map((d) => `${d.path} ${d.severity} ${d.rule} ${d.message}`)).toEqual(
      [
        'docs/b/goal.md error duplicate-stem Unexpected second card with stem `goal` (also `docs/a/goal.md`), expected unique stems',
        'docs/b/readme.md warning duplicate-stem Unexpected second card with stem `readme` (also `docs/a/readme.md`), expected unique stems',
      ],
    );
  });
});

describe('checkSyntax', () => {
  const withBlocks = (stem: string, codes: string[]) =>
    parseCard(
      `---\ntitle: T\nmodified: 2026-01-01\n---\n${codes.map((c) => `\`\`\`ts run\n${c}\n\`\`\`\n`).join('\n')}`,
      { path: `docs/cards/${stem}.md`, absPath: `/r/${stem}.md` },
    );

  it('finds each broken block among many good ones, at the card line', async () => {
    const good = Array.from(
      { length: 300 },
      (_, i) => `const v${i}: number = await Promise.resolve(${i});`,
    );
    const cards = [
      withBlocks('a', good.slice(0, 150)),
      withBlocks('b', [...good.slice(150, 200), 'const x = ;', ...good.slice(200)]),
      withBlocks('c', [
        'import fs from "node:fs";\nfs.existsSync("x");',
        'export const y = 1 +;',
        'await 1;',
      ]),
      withBlocks('d', ['} const escaped = 1; {', 'let s = `unterminated']),
    ];
    const found = await checkSyntax(cards);
    const rows = [...found.values()].flat().map((d) => `${d.path}:${d.line}:${d.column} ${d.rule}`);
    expect(rows).toEqual([
      'docs/cards/b.md:206:11 ts-syntax',
      'docs/cards/c.md:11:21 ts-syntax',
      'docs/cards/d.md:10:22 ts-syntax',
      'docs/cards/d.md:6:1 ts-syntax',
    ]);
  });
});

describe('helpers', () => {
  it('compares headings the way Obsidian does', () => {
    expect(headingKey('Why postgres on ringtail (not cross-cluster)')).toBe(
      headingKey('why Postgres on ringtail: not cross-cluster'),
    );
    expect(headingKey('Roll back!')).toBe(headingKey('roll  back'));
    expect(headingKey('Rollback')).not.toBe(headingKey('Roll back'));
  });

  it('suggests the nearest stem', () => {
    expect(nearest('cnpg-on-ringtial', ['cnpg-on-ringtail', 'immich-pg-on-ringtail'])).toBe(
      'cnpg-on-ringtail',
    );
    expect(nearest('zzz', ['cnpg-on-ringtail'])).toBeUndefined();
  });

  it('sorts findings and drops repeats', () => {
    const d = (p: string, line: number) => ({
      path: p,
      line,
      column: 1,
      severity: 'error' as const,
      rule: 'r',
      message: 'm',
    });
    expect(
      sortDiagnostics([d('b', 1), d('a', 2), d('a', 1), d('a', 2)]).map(
        (x) => `${x.path}${x.line}`,
      ),
    ).toEqual(['a1', 'a2', 'b1']);
  });
});

describe('the card format page', () => {
  it('shows a card example that passes check', async () => {
    const page = readFileSync(path.resolve(import.meta.dirname, '../docs/card-format.md'), 'utf8');
    const example = /````markdown\n([\s\S]*?)````\n/.exec(page)?.[1];
    expect(example).toContain('title: Migrate Immich to ringtail');
    const small = (title: string, body = '') =>
      `---\ntitle: ${title}\nmodified: 2026-05-13\n---\n# ${title}\n${body}`;
    const root = repo({
      'docs/cards/migrate-immich-to-ringtail.md': example!,
      'docs/cards/cnpg-on-ringtail.md': small('CNPG'),
      'docs/cards/sifaka-nfs-from-ringtail.md': small('NFS'),
      'docs/cards/immich-pg-data-migration.md': small('Data', '\n## Option A\n'),
      'docs/diagram.png': 'png',
    });
    const result = await checkCards(loadConfig({ root }), { cache: false });
    expect(result.diagnostics).toEqual([]);
  });
});
