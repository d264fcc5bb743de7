import type { MikadoConfig } from '../../config/types.ts';
import { ExitError } from '../../errors.ts';
import type { Paint } from '../../render/paint.ts';
import type { CliContext } from '../context.ts';

/**
 * `mikado hook pre-commit`: checks the staged cards and writes the findings to stderr; exit 1
 * when one is an error.
 * @param ctx the CLI context
 * @param config the resolved configuration
 * @param paint colours for stderr
 */
export async function preCommitAction(
  ctx: CliContext,
  config: MikadoConfig,
  paint: Paint,
): Promise<void> {
  const { preCommit } = await import('../../hook/pre-commit.ts');
  const result = await preCommit({ root: config.root, config });
  if (result.diagnostics.length === 0) return;
  const { renderDiagnostics } = await import('../../render/render-diagnostics.ts');
  const staged = `${result.checked} staged card${result.checked === 1 ? '' : 's'}`;
  ctx.stderr.write(
    renderDiagnostics(result.diagnostics, { paint }).replace(/\n$/, ` in ${staged}\n`),
  );
  if (result.diagnostics.some((d) => d.severity === 'error')) throw new ExitError(1);
}
