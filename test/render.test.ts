import { describe, expect, it } from 'vitest';
import type { Card } from '../src/cards/types.ts';
import { buildGraph } from '../src/graph/build-graph.ts';
import { cardState } from '../src/render/card-state.ts';
import type { Paint } from '../src/render/paint.ts';
import { renderChain } from '../src/render/render-chain.ts';
import { renderDiagnostics } from '../src/render/render-diagnostics.ts';
import { renderDot } from '../src/render/render-dot.ts';
import { renderHtml } from '../src/render/render-html.ts';
import { chainJson } from '../src/render/render-json.ts';
import { renderList } from '../src/render/render-list.ts';
import { renderMermaid } from '../src/render/render-mermaid.ts';
import { renderTree } from '../src/render/render-tree.ts';
import { walkChain } from '../src/render/walk-chain.ts';

function card(stem: string, requires: string[] = [], extra: Partial<Card> = {}): Card {
  return {
    stem,
    path: `docs/cards/${stem}.md`,
    absPath: `/r/docs/cards/${stem}.md`,
    title: `Title of ${stem}`,
    tags: [],
    status: 'active',
    requires,
    frontmatter: {},
    bodyLine: 5,
    body: `\n# ${stem}\n\nBody of [[${stem}]] with [brackets].\n`,
    headings: [stem],
    links: [],
    blocks: [],
    diagnostics: [],
    ...extra,
  };
}

const tagged: Paint = {
  bold: (s) => `<b>${s}</b>`,
  dim: (s) => `<d>${s}</d>`,
  red: (s) => `<r>${s}</r>`,
  green: (s) => `<g>${s}</g>`,
  yellow: (s) => `<y>${s}</y>`,
  cyan: (s) => `<c>${s}</c>`,
  magenta: (s) => `<m>${s}</m>`,
};

describe('renderers', () => {
  const g = buildGraph([
    card('goal', ['a', 'b', 'ghost']),
    card('a', ['c']),
    card('b', ['c']),
    card('c', [], { status: null }),
  ]);

  it('classifies cards as ready, active, complete or missing', () => {
    expect(['goal', 'a', 'b', 'c', 'ghost'].map((s) => cardState(g, s))).toEqual([
      'active',
      'ready',
      'ready',
      'complete',
      'missing',
    ]);
  });

  it('walks depth-first in requires order, numbering the outline and referring back', () => {
    expect(
      walkChain(g, 'goal').map((e) => [e.number, e.stem, e.repeatOf ?? '', e.missing]),
    ).toEqual([
      ['1', 'goal', '', false],
      ['1.1', 'a', '', false],
      ['1.1.1', 'c', '', false],
      ['1.2', 'b', '', false],
      ['1.2.1', 'c', '1.1.1', false],
      ['1.3', 'ghost', '', true],
    ]);
  });

  it('uses the paint it is given and nothing else', () => {
    const list = renderList(g, { paint: tagged });
    expect(list).toContain('<b>GOAL</b>');
    expect(list).toContain('<c>goal</c>');
    expect(renderList(g)).not.toMatch(/<[a-z]>/);
    expect(renderTree(g, 'goal', { paint: tagged })).toContain('<r>✗ ghost (missing)</r>');
  });

  it('keeps a card body byte for byte in the walk', () => {
    const body = '\n# x\n\n  indented  \n\n\n\nthree blank lines above, [[l|a]] and ![[e]]\n';
    const g2 = buildGraph([card('x', [], { body })]);
    expect(renderChain(g2, 'x')).toContain(body.trim());
  });

  it('writes mermaid labels that cannot break the syntax', () => {
    const g2 = buildGraph([card('x', [], { title: 'Quote " and <b> & ]' })]);
    expect(renderMermaid(g2, ['x'])).toContain(
      'n0["x<br/>Quote #34; and #60;b#62; #38; #93;"]:::ready',
    );
  });

  it('quotes DOT strings', () => {
    const g2 = buildGraph([card('x', [], { title: 'say "hi" \\ bye' })]);
    expect(renderDot(g2, ['x'])).toContain('n0 [label="x\\nsay \\"hi\\" \\\\ bye"');
  });

  it('limits the JSON document to one chain when given a card', () => {
    const doc = chainJson(g, 'a');
    expect(Object.keys(doc.cards)).toEqual(['a', 'c']);
    expect(doc.roots).toEqual([]);
    expect(Object.keys(doc.chains)).toEqual(['a']);
    expect(doc.missing).toEqual([]);
    expect(chainJson(g).missing).toEqual([['goal', 'ghost']]);
  });

  it('draws every shown stem once in the HTML picture', async () => {
    const html = await renderHtml(g, ['goal']);
    expect(html.match(/<a class="node /g)).toHaveLength(5);
    expect(html.match(/<section id="card-/g)).toHaveLength(5);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it('prints findings as path:line:col  severity  rule  message with a summary', () => {
    const out = renderDiagnostics(
      [
        {
          path: 'a.md',
          line: 2,
          column: 3,
          severity: 'error',
          rule: 'cycle',
          message: 'Bad',
          fix: 'Fix it.',
        },
        {
          path: 'b.md',
          line: 1,
          column: 1,
          severity: 'warning',
          rule: 'unreachable',
          message: 'Meh',
        },
      ],
      { cards: 2 },
    );
    expect(out).toBe(
      'a.md:2:3  error  cycle  Bad\n    fix: Fix it.\nb.md:1:1  warning  unreachable  Meh\n\n✗ 1 error, 1 warning in 2 cards\n',
    );
    expect(renderDiagnostics([], { cards: 1 })).toBe('✓ no problems in 1 card\n');
  });
});
