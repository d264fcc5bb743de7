import { loadCards } from '../../cards/load-cards.ts';
import type { Card, Diagnostic } from '../../cards/types.ts';
import type { MikadoConfig } from '../../config/types.ts';
import { CardError } from '../../errors.ts';
import { buildGraph } from '../../graph/build-graph.ts';
import type { Paint } from '../../render/paint.ts';
import { renderChain } from '../../render/render-chain.ts';
import { renderDot } from '../../render/render-dot.ts';
import { renderHtml } from '../../render/render-html.ts';
import { renderJson } from '../../render/render-json.ts';
import { renderList } from '../../render/render-list.ts';
import { renderMermaid } from '../../render/render-mermaid.ts';
import { renderTree } from '../../render/render-tree.ts';

/** What `mikado view` was asked for. */
export interface ViewRequest {
  card?: string;
  format: 'text' | 'tree' | 'mermaid' | 'dot' | 'json' | 'html' | 'stems';
  all?: boolean;
  paint: Paint;
}

/**
 * Loads the cards (frontmatter only, except for JSON which lists links and blocks), builds the
 * graph and renders the requested view.
 * @param config the resolved configuration
 * @param req card, format, `--all`, colours
 * @returns the output, and a one-line note about card problems (or undefined)
 */
export async function runView(
  config: MikadoConfig,
  req: ViewRequest,
): Promise<{ out: string; problems?: string }> {
  const cardsDir = rel(config, config.cardsDir);
  const { cards, diagnostics } = await loadCards(config, { full: req.format === 'json' });
  const fatal = diagnostics.find(
    (d) => d.rule === 'missing-dir' || (d.rule === 'unreadable' && d.path === cardsDir),
  );
  if (fatal) throw new CardError(`${fatal.path}: ${fatal.message}`, { fix: fatal.fix });
  const graph = buildGraph(cards);
  const { card, paint } = req;
  if (card !== undefined && !graph.cards.has(card)) {
    throw new CardError(
      `Unexpected card \`${card}\`, expected the stem of a card under ${cardsDir}`,
      { fix: suggest(card, [...graph.cards.keys()]) },
    );
  }
  const roots = card !== undefined ? [card] : graph.roots;
  let out: string;
  switch (req.format) {
    case 'json':
      out = renderJson(graph, card);
      break;
    case 'mermaid':
      out = renderMermaid(graph, roots);
      break;
    case 'dot':
      out = renderDot(graph, roots);
      break;
    case 'html':
      out = await renderHtml(graph, roots);
      break;
    case 'stems':
      out = stemLines(card === undefined ? [...graph.cards.keys()] : graph.chain(card).order);
      break;
    case 'tree':
      out =
        roots.length === 0
          ? renderList(graph, { paint, cardsDir })
          : roots.map((r) => renderTree(graph, r, { paint })).join('\n');
      break;
    default:
      out =
        card === undefined
          ? renderList(graph, { paint, cardsDir })
          : renderChain(graph, card, { paint, all: req.all });
  }
  return { out, problems: problemNote(cards, diagnostics) };
}

/** One line when some cards have errors: the view still shows what it can. */
function problemNote(cards: Card[], diagnostics: Diagnostic[]): string | undefined {
  const errors = [...diagnostics, ...cards.flatMap((c) => c.diagnostics)].filter(
    (d) => d.severity === 'error',
  );
  const first = errors[0];
  if (!first) return undefined;
  return `${errors.length} problem${errors.length === 1 ? '' : 's'} in the cards (first: ${first.path}:${first.line}:${first.column} ${first.message}); run \`mikado check\``;
}

/** Sorted stems, one a line. */
function stemLines(stems: string[]): string {
  return stems.length ? `${[...stems].sort().join('\n')}\n` : '';
}

function rel(config: MikadoConfig, abs: string): string {
  if (abs === config.root) return '.';
  return abs.startsWith(`${config.root}/`) ? abs.slice(config.root.length + 1) : abs;
}

function suggest(card: string, stems: string[]): string {
  const close = stems.filter((s) => s.includes(card) || card.includes(s)).slice(0, 3);
  if (close.length) {
    return `Did you mean ${close.map((s) => `\`${s}\``).join(', ')}? Run \`mikado view\` to list the chains.`;
  }
  return 'Run `mikado view` to list the active chains, or `mikado check` to find card problems.';
}
