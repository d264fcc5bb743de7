import path from 'node:path';
import { loadCards } from '../../cards/load-cards.ts';
import type { Card, Diagnostic } from '../../cards/types.ts';
import type { MikadoConfig } from '../../config/types.ts';
import { CardError } from '../../errors.ts';
import { buildGraph, type CardGraph } from '../../graph/build-graph.ts';
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
  /** A card stem, or the path of a card file (relative to `cwd`). */
  card?: string;
  /** Where a card path is relative to (default: the repository root). */
  cwd?: string;
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
  const { paint } = req;
  const card = req.card === undefined ? undefined : cardStem(req.card, cards, config, req.cwd);
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
  return { out, problems: problemNote(graph, cards, diagnostics) };
}

/**
 * The stem a `view` argument names: a stem as it is, or a card file's path (`docs/cards/x.md`,
 * relative to `cwd`) as the stem of the card at that path, as `run` accepts them.
 */
function cardStem(arg: string, cards: Card[], config: MikadoConfig, cwd = config.root): string {
  if (!arg.includes('/') && !/\.(md|markdown)$/i.test(arg)) return arg;
  const abs = path.resolve(cwd, arg);
  const found = cards.find((c) => c.absPath === abs);
  if (found) return found.stem;
  throw new CardError(
    `Unexpected card file \`${arg}\`, expected the path of a card under ${rel(config, config.cardsDir)}`,
    {
      fix: 'Name the card by its stem (`mikado view` lists the chains), or give the path of a card file.',
    },
  );
}

/**
 * One line when the view saw errors: it still shows what it can. It reads frontmatter only, so
 * it counts what it saw (frontmatter, unknown `requires`, cycles) as "at least", and points at
 * `mikado check`, which also checks links, headings and blocks.
 */
function problemNote(
  graph: CardGraph,
  cards: Card[],
  diagnostics: Diagnostic[],
): string | undefined {
  const errors = [...diagnostics, ...cards.flatMap((c) => c.diagnostics)].filter(
    (d) => d.severity === 'error',
  );
  const count = errors.length + graph.missing.length + graph.cycles.length;
  if (count === 0) return undefined;
  const first = errors[0];
  const where = first
    ? `first: ${first.path}:${first.line}:${first.column} ${first.message}`
    : graph.cycles[0]
      ? `first: a cycle ${graph.cycles[0].join(' → ')}`
      : `first: \`${graph.missing[0]![0]}\` requires unknown \`${graph.missing[0]![1]}\``;
  return `at least ${count} problem${count === 1 ? '' : 's'} in the cards (${where}); run \`mikado check\` to list them all`;
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
