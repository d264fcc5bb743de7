import { recordCall } from './calls.ts';
import { SandboxError } from './errors.ts';
import { StandInError } from './stand-in-error.ts';
import { type StandInIo, stdinReader } from './stand-in-io.ts';

/**
 * Runs a stand-in as a process entry point: finds the sandbox (`MIKADO_SANDBOX_DIR`, set by the
 * shim), records the call, prints failures in the tool's words and exits with its code.
 * @param tool the stand-in's name (`kubectl`, ...)
 * @param fn the command
 */
export async function runStandIn(
  tool: string,
  fn: (io: StandInIo) => Promise<number>,
): Promise<void> {
  const dir = process.env['MIKADO_SANDBOX_DIR'];
  if (!dir) {
    process.stderr.write(
      `${tool}: mikado sandbox stand-in run without MIKADO_SANDBOX_DIR; use the shim in <sandbox>/bin\n`,
    );
    process.exit(2);
  }
  const argv = process.argv.slice(2);
  const recorder = recordCall(dir, tool, argv, process.cwd());
  let code: number;
  try {
    code = await fn({
      dir,
      argv,
      cwd: process.cwd(),
      env: process.env,
      stdout: process.stdout,
      stderr: process.stderr,
      readStdinText: stdinReader(),
      recorder,
    });
  } catch (e) {
    if (e instanceof StandInError) {
      process.stderr.write(`${e.message}\n`);
      code = e.code;
    } else if (e instanceof SandboxError) {
      process.stderr.write(`${e.message.startsWith('error:') ? '' : 'error: '}${e.message}\n`);
      if (e.fix) process.stderr.write(`  fix: ${e.fix}\n`);
      code = e.code;
    } else {
      process.stderr.write(
        `${tool} (mikado sandbox stand-in): internal error, please report it:\n${(e as Error).stack ?? String(e)}\n`,
      );
      code = 70;
    }
  }
  recorder.finish(code);
  process.exit(code);
}
