// DOT and Mermaid escape every string they emit: random stems and titles, parsed by Graphviz's
// `dot` and by Mermaid's own parser and renderer (in headless Chromium), give one node per card
// and nothing the text did not ask for (no links, no attributes, no directives).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card } from '../src/cards/types.ts';
import { buildGraph } from '../src/graph/build-graph.ts';
import { renderDot } from '../src/render/render-dot.ts';
import { renderMermaid } from '../src/render/render-mermaid.ts';
import { runMikado } from './helpers/binary.ts';
import { cardObject } from './helpers/card-object.ts';
import { tempTree } from './helpers/temp-dir.ts';

const DOT = '/usr/bin/dot';
const CHROMIUM = '/usr/bin/chromium';

/** Characters that mean something to DOT, Mermaid, HTML or a shell. */
const hostile = fc.constantFrom(
  ...'"\'\\\n\r\t%{}[]()<>&#;|:=,`$-_./ abcXYZ09éü🔑'.split(/(?:)/u),
  '%%{init: {"securityLevel":"loose"}}%%',
  '",URL="javascript:alert(1)",z="',
  '<img src=x onerror=alert(1)>',
  '\\N\\G\\l',
  '-->',
  'click n0 href "javascript:alert(1)"',
);
const text = fc.array(hostile, { minLength: 1, maxLength: 8 }).map((a) => a.join(''));

function card(stem: string, title: string | undefined, requires: string[]): Card {
  return cardObject(stem, { title, requires });
}

/** Random chains: distinct hostile stems, hostile titles, each card requiring earlier ones. */
const chains = fc
  .uniqueArray(text, { minLength: 1, maxLength: 5 })
  .chain((stems) =>
    fc.tuple(
      fc.constant(stems),
      fc.array(fc.option(text, { nil: undefined }), {
        minLength: stems.length,
        maxLength: stems.length,
      }),
      fc.array(fc.subarray(stems), { minLength: stems.length, maxLength: stems.length }),
    ),
  )
  .map(([stems, titles, requires]) => {
    const cards = stems.map((s, i) =>
      card(
        s,
        titles[i],
        requires[i]!.filter((r) => stems.indexOf(r) < i),
      ),
    );
    // A missing prerequisite and a cycle too, so every kind of node and comment is drawn.
    cards[0]!.requires.push(`${stems[0]}"missing`);
    if (cards.length > 1) cards[0]!.requires.push(stems.at(-1)!);
    return cards;
  });

describe('DOT escaping', () => {
  it('keeps a stem that spells DOT attributes out of the attributes (`mikado view --format dot`)', () => {
    const stem = 'x",URL="javascript:alert(1)",z="z';
    const t = tempTree('dot', {
      [`docs/cards/${stem}.md`]: '---\ntitle: X\nmodified: 2025-01-01\nstatus: active\n---\n# X\n',
      'docs/cards/quote/".md': '---\ntitle: Q\nmodified: 2025-01-01\nstatus: active\n---\n# Q\n',
    });
    try {
      const view = runMikado(['--root', t.dir, 'view', '--all', '--format', 'dot'], { cwd: t.dir });
      expect(view.status).toBe(0);
      const svg = spawnSync(DOT, ['-Tsvg'], { input: view.stdout, encoding: 'utf8' });
      expect(svg.stderr).toBe('');
      expect(svg.stdout).not.toMatch(/xlink:href|\shref=/);
      expect(svg.stdout).toContain('x&quot;,URL=&quot;javascript:alert(1)&quot;,z=&quot;z');
    } finally {
      t.cleanup();
    }
  });

  it('gives Graphviz one node per card and no attribute the text did not ask for', () => {
    expect(existsSync(DOT), `${DOT} is missing: apt-get install graphviz`).toBe(true);
    fc.assert(
      fc.property(chains, (cards) => {
        const g = buildGraph(cards);
        const dot = renderDot(g, [...g.cards.keys()]);
        const r = spawnSync(DOT, ['-Tsvg'], { input: dot, encoding: 'utf8' });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        const nodes = r.stdout.match(/<g id="node\d+" class="node">/g) ?? [];
        expect(nodes).toHaveLength(cards.length + 1);
        expect(r.stdout).not.toMatch(/<img|<script|\shref=|xlink:href=/);
      }),
      { numRuns: 40 },
    );
  });
});

describe('Mermaid escaping', () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage();
    await page.setContent('<!doctype html><html><body></body></html>');
    const mermaid = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');
    await page.addScriptTag({ path: mermaid });
    await page.evaluate(() => {
      (globalThis as unknown as { mermaid: { initialize(o: object): void } }).mermaid.initialize({
        startOnLoad: false,
        securityLevel: 'strict',
      });
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('parses and renders with one node per card and nothing the text did not ask for', async () => {
    await fc.assert(
      fc.asyncProperty(chains, async (cards) => {
        const g = buildGraph(cards);
        const fenced = renderMermaid(g, [...g.cards.keys()]);
        const source = fenced.replace(/^```mermaid\n/, '').replace(/```\n$/, '');
        const out = await page.evaluate(async (text) => {
          const m = (
            globalThis as unknown as {
              mermaid: {
                parse(t: string): Promise<unknown>;
                render(id: string, t: string): Promise<{ svg: string }>;
              };
            }
          ).mermaid;
          try {
            await m.parse(text);
            const { svg } = await m.render(`g${Math.random().toString(36).slice(2)}`, text);
            return { svg };
          } catch (error) {
            return { error: String(error) };
          }
        }, source);
        expect(out.error).toBeUndefined();
        const nodes = out.svg!.match(/<g class="node [^"]*" id="[^"]*flowchart-n\d+-\d+"/g) ?? [];
        expect(nodes).toHaveLength(cards.length + 1);
        expect(out.svg).not.toMatch(/<img|<script|\shref=|xlink:href=/);
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
