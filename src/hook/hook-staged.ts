/**
 * The installed pre-commit hook's sh gate lists the staged Markdown files to decide whether to
 * start Node at all; it hands the list on in these variables, with its own process id (which
 * `exec` keeps), so mikado does not start `git diff` a second time. A list set by anything else,
 * such as a variable exported in the operator's shell, names another process and is not used.
 */
export const STAGED_NAMES_ENV = 'MIKADO_HOOK_STAGED';
/** The process the list is for. */
export const STAGED_PID_ENV = 'MIKADO_HOOK_PID';
/** The longest list handed on (characters): one environment string holds at most 128 KiB. */
export const STAGED_NAMES_MAX = 30_000;

/**
 * The staged Markdown files the hook's gate listed for this process
 * (`git -c core.quotePath=false diff --cached --name-only`, one a line), or undefined when there
 * is no such list, it is for another process, or git quoted a name (a `"`, a backslash or a
 * control character in it): mikado then asks git itself.
 * @param env the environment
 * @param pid this process's id
 * @returns the paths
 */
export function stagedFromHook(
  env: NodeJS.ProcessEnv = process.env,
  pid: number = process.pid,
): string[] | undefined {
  const names = env[STAGED_NAMES_ENV];
  if (names === undefined || env[STAGED_PID_ENV] !== String(pid)) return undefined;
  const paths = names.split('\n').filter((p) => p !== '');
  return paths.some((p) => p.startsWith('"')) ? undefined : paths;
}
