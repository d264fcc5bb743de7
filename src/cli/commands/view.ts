import { type Command, Option } from 'commander';
import type { Card, Diagnostic } from '../../cards/types.ts';
import type { MikadoConfig } from '../../config/types.ts';
import { CardError } from '../../errors.ts';
import { type CliContext, colors, commandConfig, useColor } from '../context.ts';

/** Output formats of `mikado view`. */
export const VIEW_FORMATS = ['text', 'tree', 'mermaid', 'dot', 'json', 'html'] as const;

interface ViewOptions {
  all?: boolean;
  format?: (typeof VIEW_FORMATS)[number];
  json?: boolean;
  resume?: boolean;
}

/**
 * Registers `mikado view [CARD]`: the chain list, or one card's chain walk, in text, tree,
 * Mermaid, DOT, JSON or HTML.
 * @param program the root program
 * @param ctx the CLI context
 */
export function defineView(program: Command, ctx: CliContext): void {
  program
    .command('view')
    .description('show active chains, or the chain of CARD (the docs-mikado viewer)')
    .argument('[card]', 'card stem (file name without .md); omit for the table of active chains')
    .option('--all', 'print complete cards in full too')
    .addOption(
      new Option('--format <format>', 'output format').choices([...VIEW_FORMATS]).default('text'),
    )
    .option('--json', 'same as --format json')
    .option(
      '--resume',
      'where the mikado/<stem> branch stands and the next command (CARD: the chain)',
    )
    .action(async (card: string | undefined, opts: ViewOptions, cmd: Command) => {
      const config = commandConfig(cmd, ctx);
      const format = opts.json ? 'json' : (opts.format ?? 'text');
      const paint = colors(useColor(cmd, ctx));
      if (opts.resume) {
        const { resumeCommand } = await import('../../hook/resume-command.ts');
        const json = format === 'json';
        return resumeCommand({
          config,
          chain: card,
          json,
          paint,
          env: ctx.env,
          stdout: ctx.stdout,
        });
      }
      const { cards, diagnostics } = await loadForView(config, format === 'json');
      const { buildGraph } = await import('../../graph/build-graph.ts');
      const graph = buildGraph(cards);
      if (card !== undefined && !graph.cards.has(card)) {
        throw new CardError(
          `Unexpected card \`${card}\`, expected the stem of a card under ${rel(config, config.cardsDir)}`,
          { fix: suggest(card, [...graph.cards.keys()]) },
        );
      }
      const roots = card !== undefined ? [card] : graph.roots;
      let out: string;
      switch (format) {
        case 'json':
          out = (await import('../../render/render-json.ts')).renderJson(graph, card);
          break;
        case 'mermaid':
          out = (await import('../../render/render-mermaid.ts')).renderMermaid(graph, roots);
          break;
        case 'dot':
          out = (await import('../../render/render-dot.ts')).renderDot(graph, roots);
          break;
        case 'html':
          out = (await import('../../render/render-html.ts')).renderHtml(graph, roots);
          break;
        case 'tree': {
          const { renderTree } = await import('../../render/render-tree.ts');
          if (roots.length === 0) {
            out = (await import('../../render/render-list.ts')).renderList(graph, {
              paint,
              cardsDir: rel(config, config.cardsDir),
            });
          } else out = roots.map((r) => renderTree(graph, r, { paint })).join('\n');
          break;
        }
        default:
          out =
            card === undefined
              ? (await import('../../render/render-list.ts')).renderList(graph, {
                  paint,
                  cardsDir: rel(config, config.cardsDir),
                })
              : (await import('../../render/render-chain.ts')).renderChain(graph, card, {
                  paint,
                  all: opts.all,
                });
      }
      ctx.stdout.write(out);
      noteProblems(ctx, cards, diagnostics, paint.yellow);
    });
}

async function loadForView(
  config: MikadoConfig,
  full: boolean,
): Promise<{ cards: Card[]; diagnostics: Diagnostic[] }> {
  const { loadCards } = await import('../../cards/load-cards.ts');
  const loaded = await loadCards(config, { full });
  const fatal = loaded.diagnostics.find(
    (d) =>
      d.rule === 'missing-dir' ||
      (d.rule === 'unreadable' && d.path === rel(config, config.cardsDir)),
  );
  if (fatal) {
    throw new CardError(`${fatal.path}: ${fatal.message}`, { fix: fatal.fix });
  }
  return loaded;
}

/** One line on stderr when some cards have errors: the view still shows what it can. */
function noteProblems(
  ctx: CliContext,
  cards: Card[],
  diagnostics: Diagnostic[],
  yellow: (s: string) => string,
): void {
  const all = [...diagnostics, ...cards.flatMap((c) => c.diagnostics)];
  const errors = all.filter((d) => d.severity === 'error');
  if (errors.length === 0) return;
  const first = errors[0]!;
  ctx.stderr.write(
    yellow(
      `mikado: ${errors.length} problem${errors.length === 1 ? '' : 's'} in the cards (first: ${first.path}:${first.line}:${first.column} ${first.message}); run \`mikado check\`\n`,
    ),
  );
}

function rel(config: MikadoConfig, abs: string): string {
  const r = abs.startsWith(`${config.root}/`) ? abs.slice(config.root.length + 1) : abs;
  return r === config.root ? '.' : r;
}

function suggest(card: string, stems: string[]): string {
  const close = stems.filter((s) => s.includes(card) || card.includes(s)).slice(0, 3);
  if (close.length)
    return `Did you mean ${close.map((s) => `\`${s}\``).join(', ')}? Run \`mikado view\` to list the chains.`;
  return 'Run `mikado view` to list the active chains, or `mikado check` to find card problems.';
}
