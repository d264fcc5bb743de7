import { readFileSync } from 'node:fs';
import type { CallRecorder } from './calls.ts';

/** What a stand-in command reads and writes. */
export interface StandInIo {
  /** Sandbox directory. */
  dir: string;
  /** Arguments after the tool name. */
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Reads all of standard input as text (once). */
  readStdinText: () => string;
  /** The call being recorded. */
  recorder: CallRecorder;
  /**
   * Aborted when the caller went away (a call the controller answers, whose client was killed):
   * the command's waits stop then, as a killed process's would.
   */
  signal?: AbortSignal;
}

/**
 * Reads standard input fully and synchronously (for `-f -`), caching the result.
 * @returns a reader
 */
export function stdinReader(): () => string {
  let cached: string | undefined;
  return () => {
    if (cached === undefined) {
      try {
        cached = readFileSync(0, 'utf8');
      } catch {
        cached = '';
      }
    }
    return cached;
  };
}

/**
 * Caps a wait by `MIKADO_SANDBOX_MAX_WAIT` (seconds), so a card waiting 10 minutes on something
 * that will never happen fails sooner in tests.
 * @param ms the requested wait
 * @param env environment
 * @returns the wait to use
 */
export function capWait(ms: number, env: NodeJS.ProcessEnv): number {
  const cap = Number(env['MIKADO_SANDBOX_MAX_WAIT']);
  return Number.isFinite(cap) && cap > 0 ? Math.min(ms, cap * 1000) : ms;
}
