import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type SandboxUpOptions, sandboxDown, sandboxUp } from '../../src/sandbox.ts';

/** The result of running a stand-in. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A sandbox started for a test file. */
export interface TestSandbox {
  dir: string;
  /** Runs a stand-in through its shim (`kubectl`, `argocd`, ...). */
  run: (
    tool: string,
    args: string[],
    options?: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string },
  ) => Promise<RunResult>;
  /** Stops everything and removes the directory. */
  cleanup: () => Promise<void>;
}

/**
 * Starts a sandbox in a fresh temp directory (tiny dataset unless told otherwise).
 * @param options sandboxUp options besides the directory
 * @returns the sandbox and helpers
 */
export async function startSandbox(options: Partial<SandboxUpOptions> = {}): Promise<TestSandbox> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mikado-sandbox-'));
  await sandboxUp({ repoRoot: options.repoRoot ?? dir, size: 'tiny', ...options, dir });
  return {
    dir,
    run: (tool, args, o = {}) =>
      new Promise((resolve) => {
        const child = execFile(
          path.join(dir, 'bin', tool),
          args,
          {
            cwd: o.cwd ?? dir,
            env: {
              ...process.env,
              PATH: `${path.join(dir, 'bin')}:${process.env['PATH']}`,
              ...o.env,
            },
            maxBuffer: 64 * 2 ** 20,
          },
          (error, stdout, stderr) => {
            const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
            resolve({ code, stdout, stderr });
          },
        );
        if (o.input !== undefined) child.stdin?.end(o.input);
        else child.stdin?.end();
      }),
    cleanup: async () => {
      await sandboxDown(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Polls until `fn` returns a truthy value.
 * @param fn the check
 * @param timeoutMs how long
 * @returns the value
 */
export async function until<T>(fn: () => Promise<T> | T, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}
