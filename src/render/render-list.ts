import type { CardGraph } from '../graph/build-graph.ts';
import { NO_PAINT, type Paint } from './paint.ts';
import { renderCycles } from './render-cycles.ts';

/**
 * The view without a card: a table of active chains (goal, title, branch or "not started",
 * open/total prerequisites counted once each, ready leaves), cycles first.
 * @param graph the card graph
 * @param opts colours and the cards root to name when there is no chain
 * @returns the text, ending in a newline
 */
export function renderList(
  graph: CardGraph,
  opts: { paint?: Paint; cardsDir?: string } = {},
): string {
  const paint = opts.paint ?? NO_PAINT;
  let out = renderCycles(graph.cycles, paint);
  if (graph.roots.length === 0) {
    return `${out}No active chains${opts.cardsDir ? ` under ${opts.cardsDir}` : ''} (${graph.cards.size} card${graph.cards.size === 1 ? '' : 's'}).\n`;
  }
  const rows = graph.roots.map((root) => {
    const card = graph.cards.get(root)!;
    const chain = graph.chain(root);
    return [
      root,
      truncate(card.title ?? '', 48),
      card.branch ?? 'not started',
      `${chain.activeDeps}/${chain.totalDeps}`,
      chain.readyLeaves.join(', '),
    ];
  });
  const header = ['GOAL', 'TITLE', 'BRANCH', 'OPEN', 'READY'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[], style: (s: string, i: number) => string): string =>
    cells
      .map((c, i) => style(i === cells.length - 1 ? c : c.padEnd(widths[i]!), i))
      .join('  ')
      .trimEnd();
  out += `${line(header, (s) => paint.bold(s))}\n`;
  for (const r of rows) {
    out += `${line(r, (s, i) => (i === 0 ? paint.cyan(s) : i === 2 && r[2] === 'not started' ? paint.dim(s) : i === 4 ? paint.green(s) : s))}\n`;
  }
  return out;
}

/**
 * Shortens text to a width with an ellipsis.
 * @param text the text
 * @param width the most characters to keep
 * @returns the text, at most `width` characters
 */
export function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
