// Random card stems and titles (markup, quotes, entities, emoji, odd spacing) through the HTML
// view into headless Chromium: nothing the cards say runs, every node and section is there once
// with its stem intact, and every node links to its own section.
import fc from 'fast-check';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCard } from '../../src/cards/parse-card.ts';
import { buildGraph } from '../../src/graph/build-graph.ts';
import { renderHtml } from '../../src/render/render-html.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});
afterAll(async () => {
  await browser?.close();
});

const HOSTILE = [
  '<script>window.__pwned=1</script>',
  '"><img src=x onerror="window.__pwned=1">',
  "'; window.__pwned=1; '",
  '&amp;&lt;&#x3c;',
  '</title><svg onload=window.__pwned=1>',
  'javascript:window.__pwned=1',
  ']]></text>',
];
const char = fc.constantFrom(
  ...'ab-_.<>&"\' #|%`[]()é😀\u00a0\u200b\\'.split(''),
  ...['\u{1F600}', 'ß', '中'],
);
const stem = fc
  .string({ unit: char, minLength: 1, maxLength: 12 })
  .filter((s) => s.trim() !== '' && s.trim() === s && !s.startsWith('.'));
const title = fc.oneof(fc.string({ unit: char, maxLength: 40 }), fc.constantFrom(...HOSTILE));

const CHECK = `(() => {
  const nodes = [...document.querySelectorAll('svg a.node')];
  const ids = [...document.querySelectorAll('section.card')].map((s) => s.id);
  const links = nodes.map((a) => {
    const target = document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)));
    return target && target.querySelector(':scope > h2').textContent.includes(a.dataset.stem);
  });
  return { stems: nodes.map((a) => a.dataset.stem).sort(), uniqueIds: new Set(ids).size === ids.length,
    sections: ids.length, links, pwned: window.__pwned ?? null,
    scripts: document.querySelectorAll('script, [onerror], [onload], [onclick]').length };
})()`;

describe('the HTML view of random cards, in Chromium', () => {
  it('escapes every stem and title and links every node to its section', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(stem, title), { minLength: 1, maxLength: 5, selector: ([s]) => s }),
        async (specs) => {
          const stems = specs.map(([s]) => s);
          const cards = specs.map(([s, t], i) => {
            const requires = stems.slice(i + 1, i + 3);
            const text = `---\ntitle: ${JSON.stringify(t || 'x')}\nmodified: 2026-01-01\nstatus: active\nrequires: ${JSON.stringify(requires)}\n---\nSee [[${stems[0]}]] and <b onclick="window.__pwned=1">${t}</b>\n`;
            return parseCard(text, {
              path: `docs/cards/${s}.md`,
              absPath: `/r/docs/cards/${s}.md`,
            });
          });
          const graph = buildGraph(cards);
          const html = await renderHtml(graph, [stems[0]!]);
          const page = await browser.newPage();
          const errors: string[] = [];
          page.on('pageerror', (e) => errors.push(e.message));
          page.on('dialog', (d) => {
            errors.push(`dialog: ${d.message()}`);
            void d.dismiss();
          });
          await page.setContent(html);
          const got = (await page.evaluate(CHECK)) as {
            stems: string[];
            uniqueIds: boolean;
            sections: number;
            links: boolean[];
            pwned: unknown;
            scripts: number;
          };
          await page.close();
          const shown = graph.chain(stems[0]!).order;
          expect(errors).toEqual([]);
          expect(got.pwned).toBeNull();
          expect(got.scripts).toBe(0);
          expect(got.stems).toEqual([...shown].sort());
          expect(got.sections).toBe(shown.length);
          expect(got.uniqueIds).toBe(true);
          expect(got.links.every(Boolean)).toBe(true);
        },
      ),
      { numRuns: 20 },
    );
  }, 300_000);
});
