import type { Command } from 'commander';
import type { CliContext } from '../context.ts';

/**
 * Registers the `sandbox` command(s). Placeholder until its issue lands.
 * @param program the root program
 * @param _ctx the CLI context
 */
export function defineSandbox(program: Command, _ctx: CliContext): void {
  void program;
}
