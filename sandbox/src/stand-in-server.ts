// The controller answers stand-in calls on a Unix socket, as an API server answers kubectl: a
// chain's run makes about 180 calls, and each one started as its own Node process costs about
// 0.15 s of CPU before it does anything. The shims hand a call to `stand-in-client.pl` (Perl
// starts in a few milliseconds), which sends it here; the call runs the same command with the
// same input and prints the same output. Calls that hold a terminal or a long-lived process
// (`kubectl exec`, `kubectl port-forward`) are declined, and the client runs them as their own
// process, as it does when nothing listens.
//
// Protocol: every string is a 4-byte big-endian length and its bytes.
//   request: a length, then the strings `mikado-stand-in 1`, tool, cwd, pid, argc, the arguments,
//            envc and the `NAME=value` entries
//   answer:  one byte, `D` (declined: run it yourself), `S` (send standard input as one string)
//            or `R` (running); then frames of one byte (`o` stdout, `e` stderr, `x` exit code)
//            and a string, the last one `x`.
import { rmSync } from 'node:fs';
import net from 'node:net';
import { Writable } from 'node:stream';
import { argocd } from './argocd.ts';
import { recordCall } from './calls.ts';
import { isServedTool, type ServedTool } from './install.ts';
import { kubectl, splitVerb } from './kubectl.ts';
import { sandboxPaths } from './paths.ts';
import { callStandIn, type StandInCommand } from './run-stand-in.ts';
import { tailscale } from './tailscale.ts';

const MAGIC = 'mikado-stand-in 1';
/** The longest request (arguments and environment) and standard input taken, in bytes. */
const MAX_REQUEST = 16 * 2 ** 20;
const MAX_STDIN = 256 * 2 ** 20;
/** The longest path a Unix socket address holds (`sun_path`, less its terminating NUL). */
const MAX_SOCKET_PATH = 107;

interface Served {
  command: StandInCommand;
  /** Whether the controller runs this call (else the client runs it as its own process). */
  serves(argv: string[]): boolean;
  /** Whether the call reads standard input. */
  readsStdin(argv: string[]): boolean;
}

/** `-f -`, `--filename=-`, ...: a manifest from standard input. */
function readsManifestFromStdin(argv: string[]): boolean {
  return argv.some(
    (a, i) =>
      ((a === '-f' || a === '--filename') && argv[i + 1] === '-') ||
      a === '-f-' ||
      a === '-f=-' ||
      a === '--filename=-',
  );
}

/** The stand-ins the controller answers: one entry for each of `SERVED_TOOLS` (`install.ts`). */
export const SERVED: Readonly<Record<ServedTool, Served>> = {
  kubectl: {
    command: kubectl,
    serves: (argv) => {
      const { verb } = splitVerb(argv);
      return verb !== 'exec' && verb !== 'port-forward';
    },
    readsStdin: readsManifestFromStdin,
  },
  argocd: { command: argocd, serves: () => true, readsStdin: () => false },
  tailscale: { command: tailscale, serves: () => true, readsStdin: () => false },
};

/** A call as the client sent it. */
interface Request {
  tool: string;
  cwd: string;
  pid: number;
  argv: string[];
  env: NodeJS.ProcessEnv;
}

/** Reads exact byte counts from a socket. */
class SocketReader {
  private chunks: Buffer[] = [];
  private size = 0;
  private ended = false;
  private wake: (() => void) | undefined;

  constructor(socket: net.Socket) {
    socket.on('data', (c: Buffer) => {
      this.chunks.push(c);
      this.size += c.length;
      this.wake?.();
    });
    const end = () => {
      this.ended = true;
      this.wake?.();
    };
    socket.on('end', end);
    socket.on('close', end);
  }

  async take(n: number): Promise<Buffer> {
    while (this.size < n) {
      if (this.ended) throw new Error('the client closed the connection');
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [all.subarray(n)];
    this.size -= n;
    return all.subarray(0, n);
  }

  async string(max: number): Promise<Buffer> {
    const n = (await this.take(4)).readUInt32BE(0);
    if (n > max) throw new Error(`a string of ${n} bytes (at most ${max})`);
    return this.take(n);
  }
}

/**
 * Parses a request's body.
 * @param body the bytes after the length
 * @returns the call
 */
export function parseRequest(body: Buffer): Request {
  let at = 0;
  const next = (): string => {
    if (at + 4 > body.length) throw new Error('truncated request');
    const n = body.readUInt32BE(at);
    if (at + 4 + n > body.length) throw new Error('truncated request');
    const s = body.toString('utf8', at + 4, at + 4 + n);
    at += 4 + n;
    return s;
  };
  const count = (): number => {
    const n = Number(next());
    if (!Number.isSafeInteger(n) || n < 0) throw new Error('bad count in request');
    return n;
  };
  if (next() !== MAGIC) throw new Error(`not a \`${MAGIC}\` request`);
  const tool = next();
  const cwd = next();
  const pid = count();
  const argv = Array.from({ length: count() }, next);
  const env: NodeJS.ProcessEnv = {};
  for (let i = count(); i > 0; i--) {
    const entry = next();
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  if (at !== body.length) throw new Error('trailing bytes in request');
  return { tool, cwd, pid, argv, env };
}

function frame(type: 'o' | 'e' | 'x', data: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(data.length, 1);
  return Buffer.concat([head, data]);
}

async function answer(dir: string, socket: net.Socket, log: (line: string) => void): Promise<void> {
  const reader = new SocketReader(socket);
  let req: Request;
  try {
    req = parseRequest(await reader.string(MAX_REQUEST));
  } catch (e) {
    log(`stand-in server: refused a request: ${(e as Error).message}`);
    socket.destroy();
    return;
  }
  const served = isServedTool(req.tool) ? SERVED[req.tool] : undefined;
  if (!served?.serves(req.argv)) {
    socket.end('D');
    return;
  }
  let stdin: string | undefined;
  if (served.readsStdin(req.argv)) {
    socket.write('S');
    stdin = (await reader.string(MAX_STDIN)).toString('utf8');
  } else socket.write('R');
  const out = (type: 'o' | 'e') =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        if (!socket.destroyed) socket.write(frame(type, chunk));
        done();
      },
    });
  const gone = new AbortController();
  socket.once('close', () => gone.abort());
  const stdout = out('o');
  const stderr = out('e');
  const code = await callStandIn(req.tool, served.command, {
    dir,
    argv: req.argv,
    cwd: req.cwd,
    env: req.env,
    stdout,
    stderr,
    readStdinText: () => {
      if (stdin === undefined)
        throw new Error(
          `${req.tool} read standard input, which the stand-in server did not ask for`,
        );
      return stdin;
    },
    signal: gone.signal,
    recorder: recordCall(dir, req.tool, req.argv, {
      cwd: req.cwd,
      env: req.env,
      pid: req.pid,
      via: 'controller',
    }),
  });
  // Every write is framed in order before the exit code.
  await Promise.all([stdout, stderr].map((s) => new Promise((r) => s.end(r))));
  socket.end(frame('x', Buffer.from(String(code))));
}

/** A listening stand-in server. */
export interface StandInServer {
  /** Stops listening and waits (up to `graceMs`) for the calls it is answering. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Answers stand-in calls on `<sandbox>/state/stand-ins.sock` (none when that path is too long for
 * a Unix socket: the shims then run every call as its own process).
 * @param dir sandbox directory
 * @param log where to report refused requests and failures
 * @returns the server, or undefined when it could not listen
 */
export async function serveStandIns(
  dir: string,
  log: (line: string) => void,
): Promise<StandInServer | undefined> {
  const file = sandboxPaths(dir).standInSocket;
  if (Buffer.byteLength(file) > MAX_SOCKET_PATH) {
    log(`stand-in server: not listening, the socket path is too long for a Unix socket: ${file}`);
    return undefined;
  }
  rmSync(file, { force: true });
  const active = new Set<Promise<void>>();
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    const call = answer(dir, socket, log)
      .catch((e: unknown) => {
        log(`stand-in server: ${(e as Error).stack ?? String(e)}`);
        socket.destroy();
      })
      .finally(() => active.delete(call));
    active.add(call);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(file, () => resolve());
    });
  } catch (e) {
    log(`stand-in server: not listening on ${file}: ${(e as Error).message}`);
    return undefined;
  }
  return {
    async close(graceMs = 30_000) {
      rmSync(file, { force: true });
      server.close();
      await Promise.race([
        Promise.allSettled([...active]),
        new Promise((r) => setTimeout(r, graceMs).unref()),
      ]);
    },
  };
}
