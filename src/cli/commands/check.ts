import type { Command } from 'commander';
import { CardError, ExitError } from '../../errors.ts';
import { type CliContext, colors, commandConfig, globalOptions, useColor } from '../context.ts';
import { writePaged } from '../pager.ts';

interface CheckOptions {
  json?: boolean;
  strict?: boolean;
  cache?: boolean;
}

/**
 * Registers `mikado check`: lint every card, print `path:line:col  severity  rule  message`,
 * exit 1 on errors (or on warnings with `--strict`).
 * @param program the root program
 * @param ctx the CLI context
 */
export function defineCheck(program: Command, ctx: CliContext): void {
  program
    .command('check')
    .description(
      'lint every card: frontmatter, requires, cycles, links, headings, blocks, TypeScript',
    )
    .option('--json', 'print the findings as JSON (`{"version": 1, "diagnostics": [...]}`)')
    .option('--strict', 'fail on warnings too')
    .option('--no-cache', 'parse every card again (ignore .mikado/cache)')
    .action(async (opts: CheckOptions, cmd: Command) => {
      const config = commandConfig(cmd, ctx);
      const { checkCards } = await import('../../check/check-cards.ts');
      const result = await checkCards(config, { cache: opts.cache });
      const missingRoot = result.diagnostics.find((d) => d.rule === 'missing-dir');
      if (missingRoot) {
        throw new CardError(`${missingRoot.path}: ${missingRoot.message}`, {
          fix: missingRoot.fix,
        });
      }
      const paged = globalOptions(cmd).pager !== false;
      const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
      const warnings = result.diagnostics.length - errors;
      if (opts.json) {
        await writePaged(
          ctx,
          `${JSON.stringify(
            {
              version: 1,
              cards: result.cardCount,
              errors,
              warnings,
              diagnostics: result.diagnostics.map((d) => ({ ...d, fix: d.fix ?? null })),
            },
            null,
            2,
          )}\n`,
          paged,
        );
      } else {
        const { renderDiagnostics } = await import('../../render/render-diagnostics.ts');
        await writePaged(
          ctx,
          renderDiagnostics(result.diagnostics, {
            paint: colors(useColor(cmd, ctx)),
            cards: result.cardCount,
          }),
          paged,
        );
      }
      if (errors > 0 || (opts.strict && warnings > 0)) throw new ExitError(1);
    });
}
