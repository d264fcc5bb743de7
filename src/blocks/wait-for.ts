import { setTimeout as sleep } from 'node:timers/promises';
import { RunError } from '../errors.ts';

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** What is awaited, for the timeout message (`the replica to catch up`). */
  what: string;
  /** Give up after this many milliseconds (default 5 minutes). */
  timeoutMs?: number;
  /**
   * The longest pause between checks (default 1 s). The first pause is 0.1 s and each next one
   * doubles up to this, so that a condition met at once is seen at once, and a long wait still
   * checks no more often than this.
   */
  intervalMs?: number;
  /** Called after each failed check with its detail, e.g. to print progress. */
  onWait?: (detail: string) => void;
}

/**
 * Polls a check until it passes. A check returns `true` (done), or `false`/a string (not yet; the
 * string says why and ends up in the timeout message). Errors thrown by the check propagate.
 * @param check the condition
 * @param options what, timeout, interval
 * @returns when the check passed
 * @throws RunError naming what was awaited and the last reason, on timeout
 */
export async function waitFor(
  check: () => Promise<boolean | string> | boolean | string,
  options: WaitForOptions,
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  const interval = options.intervalMs ?? 1000;
  let pause = 0;
  for (;;) {
    const result = await check();
    if (result === true) return;
    const detail = typeof result === 'string' ? result : 'not yet';
    if (Date.now() >= deadline) {
      throw new RunError(
        `Timed out waiting for ${options.what} after ${Math.round((options.timeoutMs ?? 300_000) / 1000)} s (last: ${detail})`,
      );
    }
    options.onWait?.(detail);
    pause = nextPause(pause, interval);
    await sleep(pause);
  }
}

/** The first pause of {@link waitFor}, in milliseconds. */
export const FIRST_PAUSE_MS = 100;

/**
 * The pause before {@link waitFor}'s next check: 0.1 s first, then twice the last, at most
 * `intervalMs`.
 * @param last the last pause (0 before the first)
 * @param intervalMs the longest pause
 * @returns milliseconds
 */
export function nextPause(last: number, intervalMs: number): number {
  return Math.min(intervalMs, last === 0 ? FIRST_PAUSE_MS : last * 2);
}
