import { fstatSync, readFileSync } from 'node:fs';

/**
 * The installed pre-commit hook's sh gate lists the staged Markdown files to decide whether to
 * start Node at all; it hands the list on in these variables, with its own process id, so the
 * mikado it starts (its child) does not start `git diff` a second time. A list set by anything
 * else, such as a variable exported in the operator's shell, names another process and is not
 * used. The same holds for the index's listing the hook pipes in.
 */
export const STAGED_NAMES_ENV = 'MIKADO_HOOK_STAGED';
/** The hook's process: the lists are for its child. */
export const STAGED_PID_ENV = 'MIKADO_HOOK_PID';
/**
 * Set when the hook pipes `git ls-files -s -z -- <folders>` into mikado's standard input: the
 * folders, as JSON, which the hook also prints after the listing as its end mark.
 */
export const LISTING_ENV = 'MIKADO_HOOK_LISTING';
/** The longest list handed on (characters): one environment string holds at most 128 KiB. */
export const STAGED_NAMES_MAX = 30_000;

/**
 * The staged Markdown files the gate of the hook that started this process listed
 * (`git -c core.quotePath=false diff --cached --name-only`, one a line), or undefined when there
 * is no such list, it is for another process, or git quoted a name (a `"`, a backslash or a
 * control character in it): mikado then asks git itself.
 * @param env the environment
 * @param parent this process's parent's id
 * @returns the paths
 */
export function stagedFromHook(
  env: NodeJS.ProcessEnv = process.env,
  parent: number = process.ppid,
): string[] | undefined {
  const names = env[STAGED_NAMES_ENV];
  if (names === undefined || env[STAGED_PID_ENV] !== String(parent)) return undefined;
  const paths = names.split('\n').filter((p) => p !== '');
  return paths.some((p) => p.startsWith('"')) ? undefined : paths;
}

/**
 * The index's listing of `specs` the hook piped into standard input, or undefined when the hook
 * (this process's parent) piped none, or one of other folders, or git failed (the listing lacks
 * its end mark): mikado then runs `git ls-files` itself.
 * @param specs the folders mikado reads, as given to `git ls-files`
 * @param env the environment
 * @param parent this process's parent's id
 * @returns `git ls-files -s -z -- <specs>`'s output
 */
export function listingFromHook(
  specs: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  parent: number = process.ppid,
): Buffer | undefined {
  const mark = env[LISTING_ENV];
  if (mark !== JSON.stringify(specs) || env[STAGED_PID_ENV] !== String(parent)) return undefined;
  let bytes: Buffer;
  try {
    // a pipe (sh makes a FIFO, Node a socket), never a terminal to wait on
    const stdin = fstatSync(0);
    if (!stdin.isFIFO() && !stdin.isSocket()) return undefined;
    bytes = readFileSync(0);
  } catch {
    return undefined;
  }
  const end = bytes.length - Buffer.byteLength(mark);
  if (end < 0 || bytes.toString('utf8', end) !== mark) return undefined;
  return end === 0 || bytes[end - 1] === 0 ? bytes.subarray(0, end) : undefined;
}
