import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { MikadoError } from './errors.ts';

/**
 * Reads a text file with a size bound: a directory, a file larger than the bound or an endless
 * device (`/dev/zero`) is refused with a message (exit 2) instead of a stack trace or a hang.
 * @param file the absolute path to read
 * @param opts `shown`: the path to name in messages; `limit`: the most bytes accepted;
 *   `what`: what the file is (`message file`), `fix`: how to make it right
 * @returns the text (UTF-8)
 * @throws MikadoError when the file cannot be read, is a directory or is over the limit
 */
export function readBoundedFile(
  file: string,
  opts: { shown: string; limit: number; what: string; fix: string },
): string {
  const fail = (message: string): MikadoError =>
    new MikadoError(`${opts.shown}: ${message}`, { code: 2, fix: opts.fix });
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw fail(`Unexpected \`${code}\` opening the ${opts.what}, expected a readable file`);
  }
  try {
    if (fstatSync(fd).isDirectory()) {
      throw fail(`Unexpected directory as the ${opts.what}, expected a file`);
    }
    const buf = Buffer.alloc(Math.min(opts.limit + 1, 64 * 1024));
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        throw fail(`Unexpected \`${code}\` reading the ${opts.what}, expected a readable file`);
      }
      if (n === 0) break;
      total += n;
      if (total > opts.limit) {
        throw fail(
          `Unexpected ${opts.what} over ${opts.limit} bytes, expected at most ${opts.limit}`,
        );
      }
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a commit message file the way the commit-msg hook needs it: at most 1 MiB, never a
 * directory or an endless device.
 * @param file the absolute path
 * @param shown the path as given, for messages
 * @returns the message text
 */
export function readMessageFile(file: string, shown: string): string {
  return readBoundedFile(file, {
    shown,
    limit: 1024 * 1024,
    what: 'commit message file',
    fix: 'Pass the message file git gives the commit-msg hook (`.git/COMMIT_EDITMSG`).',
  });
}
