import type { CardGraph } from '../graph/build-graph.ts';
import { cardState } from './card-state.ts';
import { NO_PAINT, type Paint } from './paint.ts';
import { renderWalkCycles } from './render-cycles.ts';
import { walkChain } from './walk-chain.ts';

/** Status marks shared by the text views. */
export const MARKS = { ready: '▶', active: '●', complete: '✓', missing: '✗', repeat: '↑' } as const;

/**
 * The chain walk of one card: a summary, then every card depth-first from the card. Active cards
 * are printed in full (their Markdown byte for byte), complete ones on one line (`all`: in full
 * too), a shared prerequisite once and referenced after, missing cards marked. Cycles first.
 * @param graph the card graph
 * @param root the card to walk from (must exist)
 * @param opts colours, `all` to print complete cards in full
 * @returns the text, ending in a newline
 */
export function renderChain(
  graph: CardGraph,
  root: string,
  opts: { paint?: Paint; all?: boolean } = {},
): string {
  const paint = opts.paint ?? NO_PAINT;
  const entries = walkChain(graph, root);
  let out = renderWalkCycles(graph, entries, paint);
  const card = graph.cards.get(root)!;
  const chain = graph.chain(root);
  out += `${paint.bold(paint.cyan(root))}: ${paint.bold(card.title ?? '(no title)')}\n`;
  const branch = card.branch
    ? `branch ${card.branch}`
    : card.status === 'active'
      ? 'not started'
      : 'complete';
  out += `${branch} · ${chain.activeDeps} of ${chain.totalDeps} prerequisites open`;
  out += chain.readyLeaves.length ? ` · ready: ${chain.readyLeaves.join(', ')}\n` : '\n';
  const members = new Set(chain.members);
  const missingHere = graph.missing.filter(([c]) => members.has(c));
  if (missingHere.length) {
    out += paint.red(
      `missing: ${missingHere.map(([c, s]) => `${s} (required by ${c})`).join(', ')}\n`,
    );
  }
  // Pieces, joined once at the end: building one long string and looking at its end after every
  // card would cost the square of the output.
  const parts: string[] = [out];
  let tail = out.slice(-2);
  const add = (text: string): void => {
    if (text === '') return;
    parts.push(text);
    tail = (tail + text).slice(-2);
  };
  const blank = (): string => (tail === '\n\n' ? '' : '\n');
  for (const e of entries) {
    const indent = '  '.repeat(e.depth);
    if (e.missing) {
      add(
        `${blank()}${indent}${paint.red(`${e.number} ${MARKS.missing} ${e.stem} — missing: no card with this stem`)}\n`,
      );
      continue;
    }
    const c = graph.cards.get(e.stem)!;
    if (e.repeatOf !== undefined) {
      add(
        `${indent}${paint.dim(`${e.number} ${MARKS.repeat} ${e.stem} — shown above as ${e.repeatOf}`)}\n`,
      );
      continue;
    }
    const state = cardState(graph, e.stem);
    const label = `${e.number} ${MARKS[state]} ${e.stem} — ${c.title ?? '(no title)'} (${state})`;
    if (state === 'complete' && !opts.all) {
      add(`${indent}${paint.green(label)}\n`);
      continue;
    }
    const color =
      state === 'ready' ? paint.green : state === 'complete' ? paint.green : paint.yellow;
    add(`${blank()}${paint.bold(color(`━━ ${label}`))}\n`);
    const reqBy = graph.requiredBy(e.stem);
    add(
      paint.dim(
        `${c.path}${c.requires.length ? ` · requires: ${c.requires.join(', ')}` : ''}${reqBy.length ? ` · required by: ${reqBy.join(', ')}` : ''}`,
      ),
    );
    add('\n\n');
    const body = c.body.replace(/^\n+/, '').replace(/\s+$/, '');
    add(body ? `${body}\n\n` : paint.dim('(empty card)\n\n'));
  }
  const text = parts.join('');
  return text.endsWith('\n\n') ? text.slice(0, -1) : text;
}
