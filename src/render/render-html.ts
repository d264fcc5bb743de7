import type { CardGraph } from '../graph/build-graph.ts';
import type { CardState } from './card-state.ts';
import { LAYOUT_FONT, layoutGraph } from './layout-graph.ts';
import { renderCardBody } from './render-card-body.ts';
import { MARKS } from './render-chain.ts';
import { type ViewScope, viewScope } from './view-scope.ts';

/** Title lines of a node wrap at this many characters; longer words are cut there. */
const WRAP = 30;

const CSS = `
:root{--ready:#15803d;--ready-bg:#dcfce7;--active:#b45309;--active-bg:#fef3c7;--complete:#64748b;--complete-bg:#f1f5f9;--missing:#b91c1c;--missing-bg:#fee2e2}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#0f172a;background:#fff}
header,main{max-width:1100px;margin:0 auto;padding:0 24px}
.figure{padding:0 24px;margin:12px 0 28px}
.figure svg{display:block;width:100%;height:auto;margin:0 auto}
h1{font-size:1.5rem;margin:24px 0 4px}
.summary{color:#475569;margin:0 0 12px}
.cycles{background:var(--missing-bg);border:1px solid var(--missing);color:#7f1d1d;padding:8px 12px;border-radius:6px}
.legend span{display:inline-block;margin-right:14px}
.legend i{display:inline-block;width:12px;height:12px;border-radius:3px;margin-right:5px;vertical-align:-1px;border:2px solid}
svg .node rect{stroke-width:2;rx:8}
svg .node text{font-family:Helvetica,Arial,"Liberation Sans",sans-serif;fill:#0f172a}
svg .node .stem{font-weight:600}
svg .node:hover rect{stroke-width:3}
svg .edge{fill:none;stroke:#94a3b8;stroke-width:1.5}
svg .edge.cycle{stroke:var(--missing);stroke-width:2.5;stroke-dasharray:6 4}
.ready rect,i.ready{fill:var(--ready-bg);stroke:var(--ready);background:var(--ready-bg);border-color:var(--ready)}
.active rect,i.active{fill:var(--active-bg);stroke:var(--active);background:var(--active-bg);border-color:var(--active)}
.complete rect,i.complete{fill:var(--complete-bg);stroke:var(--complete);background:var(--complete-bg);border-color:var(--complete)}
.missing rect,i.missing{fill:var(--missing-bg);stroke:var(--missing);stroke-dasharray:5 3;background:var(--missing-bg);border-color:var(--missing)}
section.card{border-left:6px solid;padding:2px 16px;margin:0 0 24px}
section.card.ready{border-color:var(--ready)}section.card.active{border-color:var(--active)}
section.card.complete{border-color:var(--complete)}section.card.missing{border-color:var(--missing)}
section.card:target{background:#f8fafc}
section.card h2{font-size:1.15rem;margin:12px 0 0}
.meta{color:#475569;font-size:.9rem;margin:2px 0 8px}
pre{white-space:pre-wrap;word-wrap:break-word;background:#f8fafc;padding:12px;border-radius:6px;font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace}
code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace}
.body table{border-collapse:collapse}.body td,.body th{border:1px solid #e2e8f0;padding:4px 8px}
a.wikilink{text-decoration:underline dotted}
`;

/**
 * One self-contained HTML page (no scripts, no external resources) showing chains as a picture:
 * an SVG of the cards laid out by Graphviz, coloured by state (ready, active, complete, missing),
 * each node linking to the card's text further down the page, rendered from its Markdown. Cycles
 * are shown first. Every string from the cards is escaped.
 * @param graph the card graph
 * @param roots the cards whose chains to show
 * @param opts page title
 * @returns the HTML document
 */
export async function renderHtml(
  graph: CardGraph,
  roots: string[],
  opts: { title?: string } = {},
): Promise<string> {
  const scope = viewScope(graph, roots);
  const title =
    opts.title ??
    (roots.length === 1
      ? `${roots[0]}: ${graph.cards.get(roots[0]!)?.title ?? ''}`
      : 'Mikado chains');
  const parts: string[] = [];
  parts.push('<!doctype html>', '<html lang="en">', '<head>', '<meta charset="utf-8">');
  parts.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  parts.push(
    `<title>${esc(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<header>',
  );
  parts.push(`<h1>${esc(title)}</h1>`);
  for (const r of roots) {
    const c = graph.chain(r);
    parts.push(
      `<p class="summary"><strong>${esc(r)}</strong>: ${esc(graph.cards.get(r)?.branch ?? 'not started')} · ${c.activeDeps} of ${c.totalDeps} prerequisites open${c.readyLeaves.length ? ` · ready: ${c.readyLeaves.map(esc).join(', ')}` : ''}</p>`,
    );
  }
  if (scope.cycles.length) {
    parts.push(
      `<div class="cycles" role="alert">${scope.cycles.map((c) => `✗ cycle: ${c.map(esc).join(' → ')}`).join('<br>')}</div>`,
    );
  }
  parts.push(
    `<p class="legend">${(['ready', 'active', 'complete', 'missing'] as const).map((s) => `<span><i class="${s}"></i>${MARKS[s]} ${s}</span>`).join('')}</p>`,
    '</header>',
  );
  parts.push(`<div class="figure">${await svg(graph, scope)}</div>`, '<main>');
  const shown = new Set(scope.stems);
  const body = renderCardBody((stem) => (shown.has(stem) ? `#${anchor(stem)}` : undefined));
  for (const s of scope.stems) parts.push(section(graph, s, scope.states.get(s)!, body));
  parts.push('</main>', '</body>', '</html>');
  return `${parts.join('\n')}\n`;
}

function section(
  graph: CardGraph,
  stem: string,
  state: CardState,
  body: (markdown: string) => string,
): string {
  const card = graph.cards.get(stem);
  const head = `<h2>${MARKS[state]} ${esc(stem)}${card?.title ? ` — ${esc(card.title)}` : ''} <small>(${state})</small></h2>`;
  if (!card) {
    const by = graph.missing.filter(([, s]) => s === stem).map(([c]) => c);
    return `<section id="${anchor(stem)}" class="card missing">${head}<p class="meta">No card has this stem; required by ${by.map(esc).join(', ')}.</p></section>`;
  }
  const reqBy = graph.requiredBy(stem);
  const meta = [
    esc(card.path),
    card.requires.length
      ? `requires: ${card.requires.map((r) => `<a href="#${anchor(r)}">${esc(r)}</a>`).join(', ')}`
      : '',
    reqBy.length
      ? `required by: ${reqBy.map((r) => `<a href="#${anchor(r)}">${esc(r)}</a>`).join(', ')}`
      : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return `<section id="${anchor(stem)}" class="card ${state}">${head}<p class="meta">${meta}</p><div class="body">${body(card.body)}</div></section>`;
}

/** The picture: Graphviz places the nodes and routes the edges; the SVG is written here. */
async function svg(graph: CardGraph, scope: ViewScope): Promise<string> {
  const nodes = scope.stems.map((s) => {
    const state = scope.states.get(s)!;
    const title = graph.cards.get(s)?.title ?? (state === 'missing' ? '(missing)' : '');
    return {
      id: s,
      lines: [
        { text: `${MARKS[state]} ${s}`, bold: true },
        ...wrap(title, WRAP).map((text) => ({ text })),
      ],
    };
  });
  const layout = await layoutGraph(nodes, scope.edges);
  const w = Math.ceil(layout.width);
  const h = Math.ceil(layout.height);
  const out: string[] = [
    // scales to the page width, up to 1.8 times its natural size
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" style="max-width:${Math.ceil(w * 1.8)}px" role="img" aria-label="card graph">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0L10,5L0,10z" fill="#94a3b8"/></marker></defs>',
  ];
  for (const e of layout.edges) {
    const cls = scope.cycleEdges.has(`${e.tail}\0${e.head}`) ? 'edge cycle' : 'edge';
    out.push(
      `<path class="${cls}" d="${e.d}" data-tail="${esc(e.tail)}" data-head="${esc(e.head)}" marker-end="url(#arrow)"><title>${esc(e.tail)} requires ${esc(e.head)}</title></path>`,
    );
  }
  for (const n of layout.nodes) {
    const state = scope.states.get(n.id)!;
    const title = graph.cards.get(n.id)?.title ?? '';
    const text = n.lines
      .map(
        // textLength holds each line to the width Graphviz measured, whatever font the reader has
        (l) =>
          `<text${l.bold ? ' class="stem"' : ''} x="${r(l.x)}" y="${r(l.y)}" textLength="${r(l.width)}" lengthAdjust="spacingAndGlyphs">${esc(l.text)}</text>`,
      )
      .join('');
    out.push(
      `<a class="node ${state}" href="#${anchor(n.id)}" data-stem="${esc(n.id)}"><title>${esc(n.id)}${title ? ` — ${esc(title)}` : ''} (${state})</title>` +
        `<rect x="${r(n.x)}" y="${r(n.y)}" width="${r(n.width)}" height="${r(n.height)}" rx="8"/>` +
        `<g font-size="${LAYOUT_FONT.size}">${text}</g></a>`,
    );
  }
  out.push('</svg>');
  return out.join('\n');
}

/** Words into lines of at most `width` characters (a longer word is cut). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (word.length > width) {
      if (line) lines.push(line);
      line = '';
      lines.push(word.slice(0, width));
      word = word.slice(width);
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function r(n: number): number {
  return Math.round(n * 10) / 10;
}

/** A page id for a card: `card-<stem>`, any character but letters, digits and `-` escaped. */
function anchor(stem: string): string {
  return `card-${stem.replace(/[^A-Za-z0-9-]/gu, (c) => `_${c.codePointAt(0)!.toString(16)}_`)}`;
}

function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
