import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BlockSpec } from './block-spec.ts';
import type { BlockOutcome } from './journal-types.ts';
import { groupMembers, isGroupAlive, processStartTime, signalGroup } from './proc.ts';
import { createRedactor } from './redact.ts';

/** How many lines of output a failure prints. */
export const TAIL_LINES = 30;

/** What {@link executeBlock} needs. */
export interface ExecuteBlockOptions {
  spec: BlockSpec;
  /** The block process's entry (dist/block-runner.js). */
  runnerScript: string;
  /** The block's environment (PATH prefix applied). */
  env: NodeJS.ProcessEnv;
  /** Milliseconds before the block's process group is killed as timed out. */
  timeoutMs: number;
  /** Milliseconds between SIGTERM and SIGKILL. */
  graceMs: number;
  /** Absolute log file path. */
  logFile: string;
  /** Secret values to redact from the output and the log. */
  secrets: string[];
  /** Called with each piece of redacted output as it arrives. */
  onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
  /** Called once the block's process exists. */
  onSpawn?: (pid: number) => void;
}

/** How a block's process ended. */
export interface BlockResult {
  outcome: BlockOutcome;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  /** Why, in words, when it did not succeed. */
  reason?: string;
  /** The last {@link TAIL_LINES} lines of output (redacted). */
  tail: string[];
  pid?: number;
  /** Processes of the block's group still alive after it ended, which were killed. */
  leftovers: number;
}

/** A running block. */
export interface RunningBlock {
  /** Settles when the block's process group is gone and its log is written. */
  result: Promise<BlockResult>;
  /**
   * Forwards a signal to the block's process group and records it as interrupted; SIGKILL
   * follows after the grace period (at once on a second call).
   * @param signal the signal the runner received
   */
  interrupt(signal: NodeJS.Signals): void;
}

/**
 * Runs one block in its own process and process group (`detached`), feeding it its spec on
 * standard input. Output is redacted, written whole to the log and passed to `onOutput`. A timeout
 * or an interruption ends the whole group (SIGTERM, then SIGKILL after the grace period); processes
 * the block left behind in its group are ended when it exits.
 * @param opts what to run and how
 * @returns the running block
 */
export function executeBlock(opts: ExecuteBlockOptions): RunningBlock {
  mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  const started = Date.now();
  const tail: string[] = [''];
  const pushTail = (text: string): void => {
    const parts = text.split('\n');
    tail[tail.length - 1] += parts[0]!;
    for (let i = 1; i < parts.length; i++) tail.push(parts[i]!);
    while (tail.length > TAIL_LINES + 1) tail.shift();
  };
  log.write(
    `# mikado: run ${opts.spec.run}, profile ${opts.spec.profile}, ${opts.spec.card.path}:${opts.spec.block.line} block ${opts.spec.block.name}, started ${new Date(started).toISOString()}\n`,
  );

  const child = spawn(process.execPath, ['--enable-source-maps', opts.runnerScript], {
    cwd: opts.spec.root,
    env: opts.env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  const procStart = pid === undefined ? undefined : processStartTime(pid);
  if (pid !== undefined) opts.onSpawn?.(pid);

  let forced: { outcome: BlockOutcome; reason: string } | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  let interrupts = 0;
  const endGroup = (signal: NodeJS.Signals): void => {
    if (pid === undefined) return;
    signalGroup(pid, signal);
    if (signal !== 'SIGKILL' && !killTimer) {
      killTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), opts.graceMs);
      killTimer.unref();
    }
  };
  const timer = setTimeout(() => {
    forced = { outcome: 'timeout', reason: `timed out after ${formatMs(opts.timeoutMs)}` };
    endGroup('SIGTERM');
  }, opts.timeoutMs);

  const pipes = pipeOutput(child, opts.secrets, (text, name) => {
    log.write(text);
    pushTail(text);
    opts.onOutput?.(text, name);
  });
  child.stdin.on('error', () => {});
  child.stdin.end(JSON.stringify(opts.spec));

  const result = new Promise<BlockResult>((resolve) => {
    let spawnError: Error | undefined;
    let finished = false;
    child.on('error', (error) => {
      spawnError = error;
      // Without a pid the process never started: no exit event will come.
      if (pid === undefined) void finish(null, null);
    });
    child.on('exit', (code, signal) => void finish(code, signal));
    const finish = async (code: number | null, signal: NodeJS.Signals | null): Promise<void> => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      const leftovers = pid === undefined ? 0 : await endLeftovers(pid, procStart, opts.graceMs);
      // Output pipes close when the last process holding them is gone; do not wait forever.
      let drainTimer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(pipes),
        new Promise<void>((r) => {
          drainTimer = setTimeout(r, 2000);
        }),
      ]);
      clearTimeout(drainTimer);
      if (killTimer) clearTimeout(killTimer);
      const durationMs = Date.now() - started;
      const { outcome, reason } = forced ?? exitOutcome(code, signal, spawnError);
      if (leftovers > 0) {
        const note = `\n# mikado: ended ${leftovers} process(es) the block left running in its process group\n`;
        log.write(note);
        opts.onOutput?.(note.slice(1), 'stderr');
      }
      log.end(
        `# mikado: ${outcome}${reason ? ` (${reason})` : ''} after ${formatMs(durationMs)}\n`,
      );
      await new Promise<void>((r) => log.on('close', () => r()));
      if (tail[tail.length - 1] === '') tail.pop();
      resolve({
        outcome,
        exitCode: code,
        signal,
        durationMs,
        reason,
        tail: tail.slice(-TAIL_LINES),
        pid,
        leftovers,
      });
    };
  });

  return {
    result,
    interrupt(signal: NodeJS.Signals) {
      interrupts++;
      forced = { outcome: 'interrupted', reason: `interrupted by ${signal}` };
      if (interrupts > 1) endGroup('SIGKILL');
      else endGroup(signal);
    },
  };
}

/**
 * Passes the block's standard output and error through a redactor each.
 * @param child the block's process
 * @param secrets the values to redact
 * @param onText called with each redacted piece of text and the stream it came from
 * @returns one promise per stream, settled when the stream has ended
 */
function pipeOutput(
  child: ChildProcessWithoutNullStreams,
  secrets: string[],
  onText: (text: string, name: 'stdout' | 'stderr') => void,
): Promise<void>[] {
  return (['stdout', 'stderr'] as const).map(
    (name) =>
      new Promise<void>((resolve) => {
        const source = child[name];
        const redactor = createRedactor(secrets);
        redactor.setEncoding('utf8');
        redactor.on('data', (text: string) => onText(text, name));
        redactor.on('end', resolve);
        redactor.on('error', () => resolve());
        source.on('error', () => redactor.end());
        source.pipe(redactor);
      }),
  );
}

/**
 * Ends whatever the block left running in its process group: SIGTERM, then SIGKILL after the
 * grace period.
 * @param pid the group's leader (the block's runner)
 * @param procStart the leader's start time, so a reused pid is not taken for it
 * @param graceMs how long to wait before SIGKILL
 * @returns how many processes were left running (0 when the group is gone)
 */
async function endLeftovers(
  pid: number,
  procStart: string | undefined,
  graceMs: number,
): Promise<number> {
  if (!isGroupAlive(pid, procStart)) return 0;
  const leftovers = groupMembers(pid).length;
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && isGroupAlive(pid, procStart)) await sleep(25);
  if (isGroupAlive(pid, procStart)) signalGroup(pid, 'SIGKILL');
  return leftovers;
}

/** A block's outcome from how its process ended, when no timeout or interruption forced it. */
function exitOutcome(
  code: number | null,
  signal: NodeJS.Signals | null,
  spawnError: Error | undefined,
): { outcome: BlockOutcome; reason?: string } {
  if (code === 0) return { outcome: 'succeeded' };
  if (spawnError) return { outcome: 'failed', reason: `could not start: ${spawnError.message}` };
  return { outcome: 'failed', reason: signal ? `killed by ${signal}` : `exit code ${code}` };
}

/**
 * Formats milliseconds for people: `850ms`, `12.3s`, `4m05s`, `1h02m`.
 * @param ms milliseconds
 * @returns the duration
 */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
