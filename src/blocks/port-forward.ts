import { type ChildProcess, spawn } from 'node:child_process';
import { RunError } from '../errors.ts';
import type { KubeTarget } from './kubectl.ts';

/** A running `kubectl port-forward`. */
export interface PortForward {
  /** The local port on 127.0.0.1. */
  port: number;
  /** Stops the forward and waits for kubectl to exit. */
  close(): Promise<void>;
}

/** Options of {@link startPortForward}. */
export interface PortForwardOptions extends KubeTarget {
  /** What to forward to: `svc/immich-pg-rw`, `pod/immich-pg-1`, ... */
  resource: string;
  /** The remote port. */
  remotePort: number;
  /** Milliseconds to wait for the forward to listen (default 30 s). */
  timeoutMs?: number;
}

const FORWARDING = /Forwarding from 127\.0\.0\.1:(\d+) ->/;

/**
 * Starts `kubectl port-forward RESOURCE :PORT` on a free local port and waits until it listens.
 * @param options context, namespace, resource and remote port
 * @returns the local port and a way to stop it
 * @throws RunError when kubectl exits or does not listen in time
 */
export function startPortForward(options: PortForwardOptions): Promise<PortForward> {
  const args = [`--context=${options.context}`];
  if (options.namespace) args.push('-n', options.namespace);
  args.push('port-forward', '--address=127.0.0.1', options.resource, `:${options.remotePort}`);
  const what = `kubectl ${args.join(' ')}`;
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn('kubectl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let settled = false;
    // 'exit', not 'close': a child of kubectl (a wrapper's) may hold the pipes open after it ends.
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGTERM');
      reject(new RunError(`\`${what}\` ${why}${err.trim() ? `:\n${err.trim()}` : ''}`));
    };
    const timer = setTimeout(
      () => fail('did not start listening in time'),
      options.timeoutMs ?? 30_000,
    );
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      const m = FORWARDING.exec(out);
      if (m && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve({
          port: Number(m[1]),
          close: async () => {
            if (child.exitCode === null && child.signalCode === null) {
              child.kill('SIGTERM');
              const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
              await exited;
              clearTimeout(kill);
            }
            child.stdout?.destroy();
            child.stderr?.destroy();
          },
        });
      }
    });
    child.stderr?.on('data', (b: Buffer) => {
      err += b.toString('utf8');
    });
    child.once('error', (e) => fail(`could not start (${e.message})`));
    child.once('exit', (code) => fail(`exited with code ${code}`));
  });
}
