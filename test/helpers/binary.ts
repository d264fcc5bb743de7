// The real `mikado` binary for end-to-end tests (dist/ is built by test/global-setup.ts).
import { type ChildProcess, type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

/** The real CLI shim. */
export const BIN = path.resolve(import.meta.dirname, '../../bin/mikado.js');

/**
 * The environment the binary runs with in tests: `base` with `NO_COLOR=1` and without
 * `FORCE_COLOR`, then `extra` on top (a variable set to undefined is removed).
 * @param extra variables to set or (undefined) remove
 * @param base the environment to start from
 * @returns the environment
 */
export function testEnv(
  extra: Record<string, string | undefined> = {},
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = { ...base, NO_COLOR: '1' };
  delete env['FORCE_COLOR'];
  Object.assign(env, extra);
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env as NodeJS.ProcessEnv;
}

/** Where and how the binary runs. */
export interface RunOptions {
  cwd: string;
  /** The whole environment (see {@link testEnv}). */
  env?: NodeJS.ProcessEnv;
  /** Standard input (default: none). */
  input?: string;
  timeout?: number;
}

/**
 * Runs the real binary to completion.
 * @param args arguments after `mikado`
 * @param opts working directory, environment, input and time limit
 * @returns the finished process, output as text
 */
export function runMikado(args: string[], opts: RunOptions): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    input: opts.input ?? '',
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: opts.timeout,
  });
}

/**
 * Starts the real binary without waiting (stdin closed, stdout and stderr piped).
 * @param args arguments after `mikado`
 * @param opts working directory and environment
 * @returns the child process
 */
export function spawnMikado(args: string[], opts: RunOptions): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
