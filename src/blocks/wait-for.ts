import { setTimeout as sleep } from 'node:timers/promises';
import { RunError } from '../errors.ts';

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** What is awaited, for the timeout message (`the replica to catch up`). */
  what: string;
  /** Give up after this many milliseconds (default 5 minutes). */
  timeoutMs?: number;
  /** Pause between checks (default 1 s). */
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
    await sleep(interval);
  }
}
