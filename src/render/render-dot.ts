import type { CardGraph } from '../graph/build-graph.ts';
import type { CardState } from './card-state.ts';
import { viewScope } from './view-scope.ts';

const STYLE: Record<CardState, string> = {
  ready: 'fillcolor="#dcfce7", color="#15803d"',
  active: 'fillcolor="#fef3c7", color="#b45309"',
  complete: 'fillcolor="#f1f5f9", color="#64748b"',
  missing: 'fillcolor="#fee2e2", color="#b91c1c", style="rounded,filled,dashed"',
};

/**
 * A Graphviz DOT digraph of chains: edges from a card to its prerequisite, colours by state,
 * cycle edges red, cycles listed first as comments.
 * @param graph the card graph
 * @param roots the cards whose chains to draw
 * @returns the DOT text, ending in a newline
 */
export function renderDot(graph: CardGraph, roots: string[]): string {
  const scope = viewScope(graph, roots);
  // Node ids are numbers: a card's stem and title only ever appear inside quoted strings.
  const id = new Map(scope.stems.map((s, i) => [s, `n${i}`] as const));
  const lines: string[] = [];
  for (const c of scope.cycles) lines.push(`// cycle: ${commentText(c.join(' -> '))}`);
  lines.push('digraph mikado {');
  lines.push('  rankdir=TB;');
  lines.push('  node [shape=box, style="rounded,filled", fontname="Helvetica"];');
  for (const s of scope.stems) {
    const state = scope.states.get(s)!;
    const title = graph.cards.get(s)?.title ?? (state === 'missing' ? '(missing)' : '');
    const label = title ? `${quote(s)}\\n${quote(title)}` : quote(s);
    lines.push(
      `  ${id.get(s)} [label="${label}", tooltip="${quote(s)}: ${state}", ${STYLE[state]}];`,
    );
  }
  for (const [a, b] of scope.edges) {
    const cyc = scope.cycleEdges.has(`${a}\0${b}`) ? ' [color="#b91c1c", penwidth=2]' : '';
    lines.push(`  ${id.get(a)} -> ${id.get(b)}${cyc};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/**
 * Text for inside a DOT double-quoted string: backslashes doubled (so Graphviz's `\N`, `\l`,
 * `\G` escapes never form), quotes escaped, line breaks and other control characters as spaces.
 */
function quote(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/[\x00-\x1f\x7f\u2028\u2029]/g, ' ');
}

/** Text for a `//` comment line: nothing that could end the line. */
function commentText(text: string): string {
  return text.replace(/[\x00-\x1f\x7f\u2028\u2029]/g, ' ');
}
