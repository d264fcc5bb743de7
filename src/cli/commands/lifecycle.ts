import type { Command } from 'commander';
import type { CliContext } from '../context.ts';

/**
 * Registers the `lifecycle` command(s). Placeholder until its issue lands.
 * @param program the root program
 * @param _ctx the CLI context
 */
export function defineLifecycle(program: Command, _ctx: CliContext): void {
  void program;
}
