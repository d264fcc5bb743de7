import { cpSync } from 'node:fs';
import path from 'node:path';
import { runMikado, testEnv } from '../helpers/binary.ts';
import { tempDir as makeTempDir } from '../helpers/temp-dir.ts';

/** The fixture folders. */
export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');

/** Cleanups of the temp directories made so far. */
const made: (() => void)[] = [];

/**
 * Copies a fixture folder into a fresh temp directory.
 * @param name fixture folder name
 * @returns the temp root
 */
export function copyFixture(name: string): string {
  const dir = tempDir(name);
  cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

/**
 * Makes an empty temp directory.
 * @param prefix name prefix
 * @returns its path
 */
export function tempDir(prefix = 'e2e'): string {
  const t = makeTempDir(prefix);
  made.push(t.cleanup);
  return t.dir;
}

/** Removes every temp directory made so far. */
export function cleanup(): void {
  for (const c of made.splice(0)) c();
}

/**
 * Runs the real `mikado` binary.
 * @param args arguments
 * @param opts working directory and extra environment (`NO_COLOR=1` and no `FORCE_COLOR` unless given;
 *   `undefined` removes a variable)
 * @returns `[exit code, stdout, stderr]`, with the temp root replaced by `<root>`
 */
export function mikado(
  args: string[],
  opts: { cwd: string; env?: Record<string, string | undefined> },
): [number | null, string, string] {
  const r = runMikado(args, { cwd: opts.cwd, env: testEnv(opts.env) });
  const norm = (s: string): string => s.split(opts.cwd).join('<root>');
  return [r.status, norm(r.stdout), norm(r.stderr)];
}
