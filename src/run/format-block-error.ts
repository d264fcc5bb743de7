import { pathToFileURL } from 'node:url';

/**
 * Formats an error thrown by a block for its output: the stack with the card's absolute path
 * shortened to its path from the root (`docs/cards/x.md:14:9`), without the runner's own frames.
 * zx command failures (ProcessOutput) print their message (command, exit code, stderr) only; an
 * error with a `fix` (the helpers' `RunError`s) prints it after its message.
 * @param error what the block threw
 * @param root repository root
 * @returns the text to print
 */
export function formatBlockError(error: unknown, root: string): string {
  if (!(error instanceof Error)) return `Error: block threw ${String(error)}`;
  const prefixes = [`${pathToFileURL(root).href}/`, `${root}/`];
  const shorten = (s: string): string => {
    let out = s;
    for (const p of prefixes) out = out.split(p).join('');
    return out;
  };
  const stack = error.stack ?? `${error.name}: ${error.message}`;
  const lines = stack.split('\n');
  const frames = lines.filter((l) => /^\s+at /.test(l));
  const head = lines.filter((l) => !/^\s+at /.test(l));
  if (error.constructor?.name === 'ProcessOutput') {
    const where = frames.find((f) => f.includes('.md:'));
    return shorten([error.message.trimEnd(), where].filter(Boolean).join('\n'));
  }
  const kept = frames.filter((f) => !/node:internal|block-runner|\(node:/.test(f));
  // A helper's typed error says how to fix what it found (RunError's `fix`).
  const fix = (error as { fix?: unknown }).fix;
  return shorten(
    [...head, ...(typeof fix === 'string' ? [`fix: ${fix}`] : []), ...kept].join('\n'),
  );
}
