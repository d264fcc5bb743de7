import type { CardGraph } from '../graph/build-graph.ts';
import { viewScope } from './view-scope.ts';

const CLASSES = [
  'classDef ready fill:#dcfce7,stroke:#15803d,color:#14532d',
  'classDef active fill:#fef3c7,stroke:#b45309,color:#78350f',
  'classDef complete fill:#f1f5f9,stroke:#64748b,color:#334155',
  'classDef missing fill:#fee2e2,stroke:#b91c1c,color:#7f1d1d,stroke-dasharray:4 3',
];

/**
 * A Mermaid flowchart of chains, inside a ```` ```mermaid ```` fence so it renders when pasted
 * into a GitHub or Forgejo pull request. Edges point from a card to its prerequisite; classes
 * tell ready, active, complete and missing cards apart; cycle edges are red and listed first.
 * @param graph the card graph
 * @param roots the cards whose chains to draw
 * @returns the Mermaid text, ending in a newline
 */
export function renderMermaid(graph: CardGraph, roots: string[]): string {
  const scope = viewScope(graph, roots);
  const id = new Map(scope.stems.map((s, i) => [s, `n${i}`] as const));
  const lines = ['```mermaid', 'flowchart TD'];
  for (const c of scope.cycles) lines.push(`  %% cycle: ${commentText(c.join(' -> '))}`);
  for (const s of scope.stems) {
    const title = graph.cards.get(s)?.title;
    const state = scope.states.get(s)!;
    const label = [s, title ?? (state === 'missing' ? '(missing)' : '')]
      .filter(Boolean)
      .map(escapeLabel)
      .join('<br/>');
    lines.push(`  ${id.get(s)}["${label}"]:::${state}`);
  }
  const red: number[] = [];
  scope.edges.forEach(([a, b], i) => {
    lines.push(`  ${id.get(a)} --> ${id.get(b)}`);
    if (scope.cycleEdges.has(`${a}\0${b}`)) red.push(i);
  });
  for (const c of CLASSES) lines.push(`  ${c}`);
  if (red.length) lines.push(`  linkStyle ${red.join(',')} stroke:#b91c1c,stroke-width:3px`);
  lines.push('```');
  return `${lines.join('\n')}\n`;
}

/**
 * Text for inside a Mermaid `["..."]` label: every ASCII character that Mermaid or the HTML it
 * renders to could read as syntax (quotes, `#`, `%`, `&`, `<`, brackets, backslashes, ...)
 * becomes an entity code `#NN;`; line breaks and control characters become spaces.
 */
function escapeLabel(text: string): string {
  return text
    .replace(/[\x00-\x1f\x7f\u2028\u2029]/g, ' ')
    .replace(/[^\p{L}\p{N} _.,:/()+-]/gu, (c) => `#${c.codePointAt(0)};`);
}

/**
 * Text for a `%%` comment line: no line break and no `%` or braces, so it can neither end the
 * comment nor read as a `%%{init}%%` directive.
 */
function commentText(text: string): string {
  return text.replace(/[\x00-\x1f\x7f\u2028\u2029%{}]/g, ' ');
}
