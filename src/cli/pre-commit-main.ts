import { loadConfig } from '../config/load-config.ts';
import { preCommitAction } from './commands/pre-commit-action.ts';
import { type CliContext, colors, colorsOn, processContext } from './context.ts';
import { reportError } from './report-error.ts';

/**
 * `mikado hook pre-commit` without the rest of the CLI: what the installed hook runs on every
 * commit, so its start-up loads neither commander nor the other commands (bin/mikado.js runs it
 * for exactly these arguments). Same output and exit codes as through `main`.
 * @param ctx where to read and write (defaults to the real process)
 * @returns the process exit code
 */
export async function preCommitMain(ctx: Partial<CliContext> = {}): Promise<number> {
  const full = processContext(ctx);
  try {
    const paint = colors(colorsOn(undefined, full, full.stderr));
    await preCommitAction(full, loadConfig({ cwd: full.cwd }), paint);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportError(error, full);
  }
}
