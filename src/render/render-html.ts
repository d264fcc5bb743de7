import type { CardGraph } from '../graph/build-graph.ts';
import type { CardState } from './card-state.ts';
import { MARKS } from './render-chain.ts';
import { truncate } from './render-list.ts';
import { type ViewScope, viewScope } from './view-scope.ts';

const NODE_W = 260;
const NODE_H = 54;
const GAP_X = 28;
const GAP_Y = 72;
const PAD = 20;

const CSS = `
:root{--ready:#15803d;--ready-bg:#dcfce7;--active:#b45309;--active-bg:#fef3c7;--complete:#64748b;--complete-bg:#f1f5f9;--missing:#b91c1c;--missing-bg:#fee2e2}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#0f172a;background:#fff}
header,main{max-width:1100px;margin:0 auto;padding:0 24px}
h1{font-size:1.5rem;margin:24px 0 4px}
.summary{color:#475569;margin:0 0 12px}
.cycles{background:var(--missing-bg);border:1px solid var(--missing);color:#7f1d1d;padding:8px 12px;border-radius:6px}
.legend span{display:inline-block;margin-right:14px}
.legend i{display:inline-block;width:12px;height:12px;border-radius:3px;margin-right:5px;vertical-align:-1px;border:2px solid}
.figure{overflow:auto;border:1px solid #e2e8f0;border-radius:8px;margin:12px 0 28px}
svg .node rect{stroke-width:2;rx:8}
svg .node text{font-size:13px;fill:#0f172a}
svg .node .sub{font-size:11px;fill:#475569}
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
`;

/**
 * One self-contained HTML page (no scripts, no external resources) showing chains as a picture:
 * an SVG of the cards, coloured by state (ready, active, complete, missing), each node linking to
 * the card's text further down the page. Cycles are shown first.
 * @param graph the card graph
 * @param roots the cards whose chains to show
 * @param opts page title
 * @returns the HTML document
 */
export function renderHtml(
  graph: CardGraph,
  roots: string[],
  opts: { title?: string } = {},
): string {
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
    '<main>',
  );
  parts.push(`<div class="figure">${svg(graph, scope)}</div>`);
  for (const s of scope.stems) parts.push(section(graph, s, scope.states.get(s)!));
  parts.push('</main>', '</body>', '</html>');
  return `${parts.join('\n')}\n`;
}

function section(graph: CardGraph, stem: string, state: CardState): string {
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
  return `<section id="${anchor(stem)}" class="card ${state}">${head}<p class="meta">${meta}</p><pre>${esc(card.body.replace(/^\n+/, '').replace(/\s+$/, ''))}</pre></section>`;
}

/** Lays the cards out in layers (goal on top) and draws them. */
function svg(graph: CardGraph, scope: ViewScope): string {
  const layers = layout(scope);
  const pos = new Map<string, { x: number; y: number }>();
  const widest = Math.max(1, ...layers.map((l) => l.length));
  const width = PAD * 2 + widest * NODE_W + (widest - 1) * GAP_X;
  const height = PAD * 2 + layers.length * NODE_H + Math.max(0, layers.length - 1) * GAP_Y;
  layers.forEach((layer, li) => {
    const rowWidth = layer.length * NODE_W + (layer.length - 1) * GAP_X;
    const x0 = (width - rowWidth) / 2;
    layer.forEach((s, i) => {
      pos.set(s, { x: x0 + i * (NODE_W + GAP_X), y: PAD + li * (NODE_H + GAP_Y) });
    });
  });
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="card graph">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#94a3b8"/></marker></defs>',
  ];
  for (const [a, b] of scope.edges) {
    const p = pos.get(a);
    const q = pos.get(b);
    if (!p || !q) continue;
    const x1 = p.x + NODE_W / 2;
    const x2 = q.x + NODE_W / 2;
    const down = q.y > p.y;
    const y1 = down ? p.y + NODE_H : p.y;
    const y2 = down ? q.y : q.y + NODE_H;
    const bend = down ? GAP_Y / 2 : -GAP_Y / 2 - NODE_H;
    const cls = scope.cycleEdges.has(`${a}\0${b}`) ? 'edge cycle' : 'edge';
    out.push(
      `<path class="${cls}" d="M${x1},${y1} C${x1},${y1 + bend} ${x2},${y2 - bend} ${x2},${y2}" marker-end="url(#arrow)"><title>${esc(a)} requires ${esc(b)}</title></path>`,
    );
  }
  for (const s of scope.stems) {
    const p = pos.get(s)!;
    const state = scope.states.get(s)!;
    const title = graph.cards.get(s)?.title ?? (state === 'missing' ? '(missing)' : '');
    out.push(
      `<a class="node ${state}" href="#${anchor(s)}" data-stem="${esc(s)}"><title>${esc(s)}${title ? ` — ${esc(title)}` : ''} (${state})</title>` +
        `<rect x="${p.x}" y="${p.y}" width="${NODE_W}" height="${NODE_H}" rx="8"/>` +
        `<text x="${p.x + 12}" y="${p.y + 22}">${MARKS[state]} ${esc(truncate(s, 30))}</text>` +
        `<text class="sub" x="${p.x + 12}" y="${p.y + 41}">${esc(truncate(title, 36))}</text></a>`,
    );
  }
  out.push('</svg>');
  return out.join('\n');
}

/** Longest-path layers over the graph without its back edges, ordered by a barycenter pass. */
function layout(scope: ViewScope): string[][] {
  const children = new Map<string, string[]>(scope.stems.map((s) => [s, []]));
  for (const [a, b] of scope.edges) children.get(a)?.push(b);
  // Drop back edges (cycles) with a DFS, then order topologically.
  const state = new Map<string, 1 | 2>();
  const topo: string[] = [];
  const forward = new Map<string, string[]>(scope.stems.map((s) => [s, []]));
  for (const start of scope.stems) {
    if (state.has(start)) continue;
    const stack: { s: string; i: number }[] = [{ s: start, i: 0 }];
    state.set(start, 1);
    while (stack.length) {
      const f = stack[stack.length - 1]!;
      const kids = children.get(f.s) ?? [];
      if (f.i < kids.length) {
        const k = kids[f.i++]!;
        if (!state.has(k)) {
          forward.get(f.s)!.push(k);
          state.set(k, 1);
          stack.push({ s: k, i: 0 });
        } else if (state.get(k) === 2) forward.get(f.s)!.push(k);
        continue;
      }
      state.set(f.s, 2);
      topo.push(f.s);
      stack.pop();
    }
  }
  topo.reverse();
  const depth = new Map<string, number>();
  for (const s of topo) {
    const d = depth.get(s) ?? 0;
    depth.set(s, d);
    for (const k of forward.get(s) ?? []) depth.set(k, Math.max(depth.get(k) ?? 0, d + 1));
  }
  const layers: string[][] = [];
  for (const s of scope.stems) {
    const d = depth.get(s) ?? 0;
    const layer = layers[d] ?? [];
    layer.push(s);
    layers[d] = layer;
  }
  const index = new Map<string, number>();
  const parents = new Map<string, string[]>();
  for (const [a, b] of scope.edges) {
    const list = parents.get(b) ?? [];
    list.push(a);
    parents.set(b, list);
  }
  return layers
    .filter((l) => l !== undefined)
    .map((layer) => {
      const bary = (s: string): number => {
        const ps = (parents.get(s) ?? []).map((p) => index.get(p)).filter((i) => i !== undefined);
        return ps.length ? ps.reduce((x, y) => x + y, 0) / ps.length : Number.MAX_SAFE_INTEGER;
      };
      const sorted = layer
        .map((s, i) => ({ s, i, b: bary(s) }))
        .sort((x, y) => x.b - y.b || x.i - y.i)
        .map((x) => x.s);
      sorted.forEach((s, i) => {
        index.set(s, i);
      });
      return sorted;
    });
}

function anchor(stem: string): string {
  return `card-${encodeURIComponent(stem).replace(/%/g, '_')}`;
}

function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
