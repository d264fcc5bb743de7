import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The real binary. */
export const BIN = path.resolve(import.meta.dirname, '../../bin/mikado.js');
/** The fixture folders. */
export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');

/** A temp directory removed by {@link cleanup}. */
const made: string[] = [];

/**
 * Copies a fixture folder into a fresh temp directory.
 * @param name fixture folder name
 * @returns the temp root
 */
export function copyFixture(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `mikado-${name}-`));
  made.push(dir);
  cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

/**
 * Makes an empty temp directory.
 * @returns its path
 */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mikado-e2e-'));
  made.push(dir);
  return dir;
}

/** Removes every temp directory made so far. */
export function cleanup(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/**
 * Runs the real `mikado` binary.
 * @param args arguments
 * @param opts working directory and extra environment (`NO_COLOR=1` and no `FORCE_COLOR` unless given;
 *   `undefined` removes a variable)
 * @returns `[exit code, stdout, stderr]`, stderr with the temp root replaced by `<root>`
 */
export function mikado(
  args: string[],
  opts: { cwd: string; env?: Record<string, string | undefined> },
): [number | null, string, string] {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...opts.env };
  if (!opts.env || !('FORCE_COLOR' in opts.env)) delete env['FORCE_COLOR'];
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    encoding: 'utf8',
    env: env as NodeJS.ProcessEnv,
    maxBuffer: 64 * 1024 * 1024,
  });
  const norm = (s: string): string => s.split(opts.cwd).join('<root>');
  return [r.status, norm(r.stdout), norm(r.stderr)];
}
