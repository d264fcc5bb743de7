import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { RunError } from '../errors.ts';

/** What a finished command printed. */
export interface CommandOutput {
  stdout: string;
  stderr: string;
}

/** Options of {@link runCommand}. */
export interface RunCommandOptions {
  /** Text written to the command's standard input. */
  input?: string;
  /** A file streamed to the command's standard input (instead of `input`). */
  inputFile?: string;
  /** Milliseconds before the command is killed (default 10 minutes). */
  timeoutMs?: number;
  /** Environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Working directory. */
  cwd?: string;
}

/** A command that exited non-zero, was killed, or could not start. */
export class CommandError extends RunError {
  /** The command line, as run. */
  readonly command: string;
  /** Its standard error. */
  readonly stderr: string;
  /** Its exit code, or null when killed. */
  readonly exitCode: number | null;

  /**
   * @param command the command line
   * @param exitCode exit code or null
   * @param stderr standard error
   * @param why what happened, in words
   */
  constructor(command: string, exitCode: number | null, stderr: string, why: string) {
    const tail = stderr.trim().split('\n').slice(-10).join('\n');
    super(`\`${command}\` ${why}${tail ? `:\n${tail}` : ''}`);
    this.command = command;
    this.stderr = stderr;
    this.exitCode = exitCode;
  }
}

/**
 * Runs a command to completion without a shell and returns its output.
 * @param command the program (looked up on PATH)
 * @param args its arguments
 * @param options input, timeout, environment, working directory
 * @returns standard output and error
 * @throws CommandError when it exits non-zero, times out or cannot start
 */
export function runCommand(
  command: string,
  args: string[],
  options: RunCommandOptions = {},
): Promise<CommandOutput> {
  const line = [command, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 600_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new CommandError(line, null, '', `could not start (${e.message})`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) return resolve({ stdout, stderr });
      const why = timedOut
        ? `timed out after ${Math.round((options.timeoutMs ?? 600_000) / 1000)} s`
        : signal
          ? `was killed by ${signal}`
          : `exited with code ${code}`;
      reject(new CommandError(line, code, stderr, why));
    });
    child.stdin.on('error', () => {});
    if (options.inputFile !== undefined) {
      const input = createReadStream(options.inputFile);
      input.on('error', (e) => {
        child.kill('SIGKILL');
        reject(
          new CommandError(line, null, '', `could not read ${options.inputFile} (${e.message})`),
        );
      });
      input.pipe(child.stdin);
    } else {
      child.stdin.end(options.input ?? '');
    }
  });
}
