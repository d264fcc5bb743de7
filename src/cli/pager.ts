import { spawn } from 'node:child_process';
import type { CliContext } from './context.ts';

/**
 * The pager command for output to a terminal, as git chooses one: `MIKADO_PAGER`, else `PAGER`,
 * else `less -FRX` (which prints short output as it is and quits). None when stdout is not a
 * terminal, with `--no-pager`, or when the command is empty or `cat`.
 * @param ctx the CLI context (environment and stdout)
 * @param enabled false for `--no-pager`
 * @returns the shell command to pipe into, or undefined to write directly
 */
export function pagerCommand(ctx: CliContext, enabled: boolean): string | undefined {
  if (!enabled || !ctx.stdout.isTTY) return undefined;
  const command = (ctx.env['MIKADO_PAGER'] ?? ctx.env['PAGER'] ?? 'less -FRX').trim();
  return command === '' || command === 'cat' ? undefined : command;
}

/**
 * Writes a command's output, through the pager on a terminal (see {@link pagerCommand}). The
 * pager inherits the terminal; if it cannot start, the text goes to stdout as it is. Quitting the
 * pager early is not an error.
 * @param ctx the CLI context
 * @param text the whole output
 * @param enabled false for `--no-pager`
 */
export async function writePaged(ctx: CliContext, text: string, enabled: boolean): Promise<void> {
  const command = pagerCommand(ctx, enabled);
  if (command === undefined || text === '') {
    ctx.stdout.write(text);
    return;
  }
  const env = { ...ctx.env, LESS: ctx.env['LESS'] ?? 'FRX', LV: ctx.env['LV'] ?? '-c' };
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn('sh', ['-c', command], { stdio: ['pipe', 'inherit', 'inherit'], env });
    child.on('error', () => resolve(127));
    child.on('close', (c) => resolve(c));
    child.stdin.on('error', () => {}); // the reader quit before the end
    child.stdin.end(text);
  });
  // sh could not find the pager: show the output anyway
  if (code === 127) ctx.stdout.write(text);
}
