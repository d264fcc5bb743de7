import type { SpawnSyncReturns } from 'node:child_process';
import { GitError } from '../errors.ts';
import { readLooseBlobs } from './loose-objects.ts';

/** node:child_process, loaded on the first git call: commands that never start git never load it. */
const childProcess = (): typeof import('node:child_process') =>
  process.getBuiltinModule('node:child_process');

/** Options for one git invocation. */
export interface GitOptions {
  /** Working directory (the repository root or any directory inside it). */
  cwd: string;
  /** Environment (default: the process environment, which carries `GIT_INDEX_FILE` in hooks). */
  env?: NodeJS.ProcessEnv;
  /** Bytes written to git's standard input. */
  input?: string | Buffer;
}

/**
 * Runs git and returns its raw standard output. Throws {@link GitError} when git fails.
 * @param args git arguments
 * @param options working directory, environment and input
 * @returns standard output as bytes
 */
export function gitBuffer(args: string[], options: GitOptions): Buffer {
  const r = runGit(args, options);
  if (r.error) {
    throw new GitError(`cannot run git: ${r.error.message}`, {
      fix: 'Install git and make sure it is on PATH.',
    });
  }
  if (r.status !== 0) {
    const err = r.stderr.toString('utf8').trim().split('\n')[0] ?? '';
    throw new GitError(`\`git ${args.join(' ')}\` failed: ${err || `exit ${r.status}`}`);
  }
  return r.stdout;
}

/**
 * Runs git and returns its standard output as UTF-8 text. Throws {@link GitError} on failure.
 * @param args git arguments
 * @param options working directory, environment and input
 * @returns standard output
 */
export function git(args: string[], options: GitOptions): string {
  return gitBuffer(args, options).toString('utf8');
}

/**
 * Runs git and returns its trimmed output, or undefined when git exits non-zero.
 * @param args git arguments
 * @param options working directory, environment and input
 * @returns trimmed standard output, or undefined on failure
 */
export function gitTry(args: string[], options: GitOptions): string | undefined {
  const r = runGit(args, options);
  if (r.error || r.status !== 0) return undefined;
  return r.stdout.toString('utf8').replace(/\n$/, '');
}

/**
 * Runs git without blocking, so independent git commands run side by side. Resolves to the raw
 * standard output, or to undefined when git fails.
 * @param args git arguments
 * @param options working directory and environment
 * @returns standard output as bytes, or undefined on failure
 */
export function gitAsync(args: string[], options: GitOptions): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    childProcess().execFile(
      'git',
      args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        encoding: 'buffer',
        maxBuffer: 1024 * 1024 * 1024,
      },
      (error, stdout) => resolve(error ? undefined : stdout),
    );
  });
}

/**
 * Runs git and returns everything it did (exit status, standard output and error), for callers
 * that read git's own error to explain it. Never throws.
 * @param args git arguments
 * @param options working directory, environment and input
 * @returns the process result
 */
export function gitResult(args: string[], options: GitOptions): SpawnSyncReturns<Buffer> {
  return runGit(args, options);
}

/** The largest blob {@link readBlobs} reads from a loose object; a larger one is git's to read. */
const LOOSE_BLOB_LIMIT = 64 * 1024 * 1024;

/**
 * Reads blobs: from loose objects when `options.objectsDir` is given ({@link readLooseBlobs},
 * no process started), the others with one `git cat-file --batch`, started and finished in one
 * call.
 * @param shas the object ids (full, so git never answers `ambiguous`)
 * @param options working directory and environment; `objectsDir`: where to read loose objects
 * @returns the blobs' bytes by id (ids that are missing or not blobs are left out), or undefined
 *   when git failed or answered out of turn
 */
export function readBlobs(
  shas: string[],
  options: GitOptions & { objectsDir?: string },
): Map<string, Buffer> | undefined {
  const loose = options.objectsDir
    ? readLooseBlobs(options.objectsDir, shas, LOOSE_BLOB_LIMIT)
    : { blobs: new Map<string, Buffer>(), rest: [...new Set(shas)] };
  const out = loose.blobs;
  const unique = loose.rest;
  if (unique.length === 0) return out;
  const r = runGit(['cat-file', '--batch'], { ...options, input: `${unique.join('\n')}\n` });
  if (r.error || r.status !== 0) return undefined;
  const buf = r.stdout;
  let pos = 0;
  for (const sha of unique) {
    const nl = buf.indexOf(10, pos);
    if (nl < 0) return undefined;
    const header = buf.subarray(pos, nl).toString('utf8').split(' ');
    if (header[0] !== sha) return undefined;
    if (header.length === 2 && header[1] === 'missing') {
      pos = nl + 1;
      continue;
    }
    const size = Number(header[2]);
    if (header.length !== 3 || !Number.isSafeInteger(size)) return undefined;
    if (header[1] === 'blob') out.set(sha, buf.subarray(nl + 1, nl + 1 + size));
    pos = nl + 1 + size + 1;
  }
  return out;
}

function runGit(args: string[], options: GitOptions): SpawnSyncReturns<Buffer> {
  return childProcess().spawnSync('git', args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    input: options.input,
    maxBuffer: 1024 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/**
 * A long-running `git cat-file --batch`: reads many blobs with one process. Requests are
 * pipelined and answered in order.
 */
export class CatFile {
  private readonly child;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly waiting: Array<(value: Buffer | null) => void> = [];
  private failed: Error | undefined;

  /** @param options where to run git (and with which environment, for `:path` index reads) */
  constructor(options: GitOptions) {
    this.child = childProcess().spawn('git', ['cat-file', '--batch'], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.drain();
    });
    const fail = (error: Error): void => {
      this.failed = error;
      for (const resolve of this.waiting.splice(0)) resolve(null);
    };
    this.child.on('error', fail);
    this.child.stdin.on('error', fail);
    this.child.on('close', () => fail(new Error('git cat-file exited')));
  }

  /**
   * Reads an object by name (`<rev>:<path>`, `:<path>` for the index, or a sha).
   * @param spec the object name
   * @returns the object's bytes, or null when it does not exist
   */
  read(spec: string): Promise<Buffer | null> {
    if (this.failed || /[\n\r]/.test(spec)) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.stdin.write(`${spec}\n`);
    });
  }

  /**
   * Reads an object as UTF-8 text.
   * @param spec the object name
   * @returns the text, or null when the object does not exist
   */
  async readText(spec: string): Promise<string | null> {
    const b = await this.read(spec);
    return b === null ? null : b.toString('utf8');
  }

  /** Ends the git process. */
  close(): void {
    if (!this.child.stdin.destroyed) this.child.stdin.end();
  }

  private drain(): void {
    for (;;) {
      const resolve = this.waiting[0];
      if (!resolve) return;
      const nl = this.buffer.indexOf(10);
      if (nl < 0) return;
      const header = this.buffer.subarray(0, nl).toString('utf8');
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        this.buffer = this.buffer.subarray(nl + 1);
        this.waiting.shift();
        resolve(null);
        continue;
      }
      const size = Number(header.split(' ')[2]);
      if (!Number.isFinite(size)) {
        this.buffer = this.buffer.subarray(nl + 1);
        this.waiting.shift();
        resolve(null);
        continue;
      }
      if (this.buffer.length < nl + 1 + size + 1) return;
      const body = this.buffer.subarray(nl + 1, nl + 1 + size);
      this.buffer = this.buffer.subarray(nl + 1 + size + 1);
      this.waiting.shift();
      resolve(Buffer.from(body));
    }
  }
}
