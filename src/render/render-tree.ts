import type { CardGraph } from '../graph/build-graph.ts';
import { cardState } from './card-state.ts';
import { NO_PAINT, type Paint } from './paint.ts';
import { MARKS } from './render-chain.ts';
import { renderWalkCycles } from './render-cycles.ts';
import { walkChain } from './walk-chain.ts';

/**
 * A compact tree of a card's chain with status marks (`▶` ready, `●` active, `✓` complete,
 * `✗` missing, `↑` shown above), cycles first.
 * @param graph the card graph
 * @param root the card at the top
 * @param opts colours
 * @returns the text, ending in a newline
 */
export function renderTree(graph: CardGraph, root: string, opts: { paint?: Paint } = {}): string {
  const paint = opts.paint ?? NO_PAINT;
  const entries = walkChain(graph, root);
  let out = renderWalkCycles(graph, entries, paint);
  for (const e of entries) {
    const prefix =
      e.depth === 0
        ? ''
        : e.ancestorsLast.map((last) => (last ? '    ' : '│   ')).join('') +
          (e.last ? '└── ' : '├── ');
    let text: string;
    if (e.missing) text = paint.red(`${MARKS.missing} ${e.stem} (missing)`);
    else if (e.repeatOf !== undefined) text = paint.dim(`${MARKS.repeat} ${e.stem} (shown above)`);
    else {
      const state = cardState(graph, e.stem);
      const title = graph.cards.get(e.stem)?.title ?? '';
      const color = state === 'active' ? paint.yellow : paint.green;
      text = `${color(`${MARKS[state]} ${e.stem}`)}${title ? `  ${paint.dim(title)}` : ''}${state === 'ready' ? paint.green(' (ready)') : ''}`;
    }
    out += `${paint.dim(prefix)}${text}\n`;
  }
  out += paint.dim(
    `\n${MARKS.ready} ready  ${MARKS.active} active  ${MARKS.complete} complete  ${MARKS.missing} missing  ${MARKS.repeat} shown above\n`,
  );
  return out;
}
