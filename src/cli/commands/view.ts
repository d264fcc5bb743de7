import { type Command, Option } from 'commander';
import { type CliContext, colors, commandConfig, globalOptions, useColor } from '../context.ts';
import { writePaged } from '../pager.ts';

/** Output formats of `mikado view`. */
export const VIEW_FORMATS = ['text', 'tree', 'mermaid', 'dot', 'json', 'html', 'stems'] as const;

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
    .argument(
      '[card]',
      'card stem (file name without .md) or card file path; omit for the table of active chains',
    )
    .option('--all', 'print complete cards in full too')
    .addOption(
      new Option(
        '--format <format>',
        'output format (stems: every card stem, or the chain of CARD, one a line, for shell completion)',
      )
        .choices([...VIEW_FORMATS])
        .default('text'),
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
        const { resumeCommand } = await import('../../branch/resume-command.ts');
        return resumeCommand({
          config,
          chain: card,
          json: format === 'json',
          paint,
          env: ctx.env,
          stdout: ctx.stdout,
        });
      }
      const { runView } = await import('./view-action.ts');
      const { out, problems } = await runView(config, {
        card,
        cwd: ctx.cwd,
        format,
        all: opts.all,
        paint,
      });
      await writePaged(ctx, out, globalOptions(cmd).pager !== false);
      if (problems) ctx.stderr.write(paint.yellow(`mikado: ${problems}\n`));
    });
}
