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
