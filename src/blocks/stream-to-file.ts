import { spawn } from 'node:child_process';
import { closeSync, createWriteStream, fsyncSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { CommandError } from './run-command.ts';

/**
 * Runs a command and writes its standard output, byte for byte, to a file (e.g.
 * `kubectl exec POD -- pg_dump -Fc` into a local dump), fsynced before returning.
 * @param command the program
 * @param args its arguments
 * @param file the output file (its directory is created)
 * @returns the number of bytes written
 * @throws CommandError when the command fails
 */
export function streamToFile(command: string, args: string[], file: string): Promise<number> {
  mkdirSync(path.dirname(file), { recursive: true });
  const line = [command, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const out = createWriteStream(file);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      bytes += b.length;
    });
    child.stdout.pipe(out);
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString('utf8');
    });
    child.on('error', (e) =>
      reject(new CommandError(line, null, '', `could not start (${e.message})`)),
    );
    const closed = new Promise<void>((r) => out.on('close', () => r()));
    child.on('close', async (code, signal) => {
      await closed;
      if (code === 0) {
        const fd = openSync(file, 'r+');
        fsyncSync(fd);
        closeSync(fd);
        return resolve(bytes);
      }
      reject(
        new CommandError(
          line,
          code,
          stderr,
          signal ? `was killed by ${signal}` : `exited with code ${code}`,
        ),
      );
    });
  });
}
