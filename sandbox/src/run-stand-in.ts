import { recordCall } from './calls.ts';
import { SandboxError } from './errors.ts';
import { StandInError } from './stand-in-error.ts';
import { type StandInIo, stdinReader } from './stand-in-io.ts';

/** A stand-in's command: reads and writes through `io`, returns the exit code. */
export type StandInCommand = (io: StandInIo) => Promise<number>;

/**
 * Runs one call of a stand-in, wherever it runs (its own process or the controller): prints
 * failures in the tool's words on `io.stderr` and finishes the call's record.
 * @param tool the stand-in's name (`kubectl`, ...)
 * @param fn the command
 * @param io the call's input, output and record
 * @returns the exit code
 */
export async function callStandIn(
  tool: string,
  fn: StandInCommand,
  io: StandInIo,
): Promise<number> {
  let code: number;
  try {
    code = await fn(io);
  } catch (e) {
    // The caller was killed: like a killed process, the call ends with no exit code recorded.
    if (io.signal?.aborted) return 130;
    if (e instanceof StandInError) {
      io.stderr.write(`${e.message}\n`);
      code = e.code;
    } else if (e instanceof SandboxError) {
      io.stderr.write(`${e.message.startsWith('error:') ? '' : 'error: '}${e.message}\n`);
      if (e.fix) io.stderr.write(`  fix: ${e.fix}\n`);
      code = e.code;
    } else {
      io.stderr.write(
        `${tool} (mikado sandbox stand-in): internal error, please report it:\n${(e as Error).stack ?? String(e)}\n`,
      );
      code = 70;
    }
  }
  io.recorder.finish(code);
  return code;
}

/**
 * Runs a stand-in as a process entry point: finds the sandbox (`MIKADO_SANDBOX_DIR`, set by the
 * shim), records the call, runs it and exits with its code.
 * @param tool the stand-in's name (`kubectl`, ...)
 * @param fn the command
 */
export async function runStandIn(tool: string, fn: StandInCommand): Promise<void> {
  const dir = process.env['MIKADO_SANDBOX_DIR'];
  if (!dir) {
    process.stderr.write(
      `${tool}: mikado sandbox stand-in run without MIKADO_SANDBOX_DIR; use the shim in <sandbox>/bin\n`,
    );
    process.exit(2);
  }
  const argv = process.argv.slice(2);
  const cwd = process.cwd();
  const code = await callStandIn(tool, fn, {
    dir,
    argv,
    cwd,
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    readStdinText: stdinReader(),
    recorder: recordCall(dir, tool, argv, {
      cwd,
      env: process.env,
      pid: process.pid,
      via: 'process',
    }),
  });
  process.exit(code);
}
