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
  const lines: string[] = [];
  for (const c of scope.cycles) lines.push(`// cycle: ${c.join(' -> ')}`);
  lines.push('digraph mikado {');
  lines.push('  rankdir=TB;');
  lines.push('  node [shape=box, style="rounded,filled", fontname="Helvetica"];');
  for (const s of scope.stems) {
    const state = scope.states.get(s)!;
    const title = graph.cards.get(s)?.title ?? (state === 'missing' ? '(missing)' : '');
    const label = title ? `${s}\\n${quote(title)}` : quote(s);
    lines.push(`  "${quote(s)}" [label="${label}", tooltip="${state}", ${STYLE[state]}];`);
  }
  for (const [a, b] of scope.edges) {
    const cyc = scope.cycleEdges.has(`${a}\0${b}`) ? ' [color="#b91c1c", penwidth=2]' : '';
    lines.push(`  "${quote(a)}" -> "${quote(b)}"${cyc};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function quote(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/[\r\n]+/g, ' ');
}
