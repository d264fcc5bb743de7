import type { CardGraph } from '../graph/build-graph.ts';
import { cyclesAmong } from './card-state.ts';
import type { Paint } from './paint.ts';

/**
 * Cycle lines printed before any view: `✗ cycle: a → b → a`.
 * @param cycles closed cycle paths
 * @param paint colours
 * @returns the lines and a blank line, or nothing without cycles
 */
export function renderCycles(cycles: string[][], paint: Paint): string {
  if (cycles.length === 0) return '';
  const lines = cycles.map(
    (c) =>
      `${paint.red(`✗ cycle: ${c.join(' → ')}`)} ${paint.dim('(a card cannot require itself; remove one `requires` entry)')}`,
  );
  return `${lines.join('\n')}\n\n`;
}

/**
 * The cycle lines before a walk of a chain: the cycles through any card of the walk.
 * @param graph the card graph
 * @param walked the cards of the walk
 * @param paint colours
 * @returns the lines and a blank line, or nothing without cycles
 */
export function renderWalkCycles(
  graph: CardGraph,
  walked: readonly { stem: string }[],
  paint: Paint,
): string {
  return renderCycles(
    cyclesAmong(
      graph,
      walked.map((e) => e.stem),
    ),
    paint,
  );
}
