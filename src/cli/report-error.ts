import { MikadoError } from '../errors.ts';
import { shellQuote } from '../shell-quote.ts';
import type { CliContext } from './context.ts';

/**
 * Reports an error the way every command does: a mikado error as its message and fix, a
 * file-system error as the path and what was expected there, anything else as an internal error
 * with its stack.
 * @param error what was thrown
 * @param ctx where to write
 * @returns the process exit code
 */
export function reportError(error: unknown, ctx: CliContext): number {
  if (error instanceof MikadoError) {
    if (error.message !== `exit ${error.code}`) {
      ctx.stderr.write(`mikado: ${error.message}\n`);
      if (error.fix) ctx.stderr.write(`  fix: ${error.fix}\n`);
    }
    return error.code;
  }
  const fsError = error as NodeJS.ErrnoException;
  if (
    error instanceof Error &&
    typeof fsError.code === 'string' &&
    fsError.syscall &&
    fsError.path
  ) {
    // A file-system error (EISDIR, EACCES, ENOTDIR, ENOSPC, ...): the input's fault, not ours.
    ctx.stderr.write(
      `mikado: ${fsError.path}: Unexpected \`${fsError.code}\` (${fsError.syscall}), expected ${expectedFor(fsError.code)}\n`,
    );
    ctx.stderr.write(
      `  fix: Look at the path (\`ls -ld ${shellQuote(fsError.path)}\`) and make it what mikado expects there, then run again.\n`,
    );
    return 2;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  ctx.stderr.write(
    `mikado: internal error (a bug in mikado-docs, please report it with this output):\n${stack}\n`,
  );
  return 70;
}

function expectedFor(code: string): string {
  switch (code) {
    case 'EISDIR':
      return 'a file, not a directory';
    case 'ENOTDIR':
      return 'a directory on the way, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission to read and write it';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'free disk space';
    case 'ENOENT':
      return 'the path to exist';
    case 'EEXIST':
      return 'nothing in the way at that path';
    default:
      return 'a readable, writable path';
  }
}
