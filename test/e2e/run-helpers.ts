// Helpers for the runner's end-to-end tests: temp git repositories with cards, and the real binary.
import { type ChildProcess, execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { runMikado, spawnMikado, testEnv } from '../helpers/binary.ts';

/** A card to write: frontmatter fields and `ts run` blocks (info-string meta and code). */
export interface CardSpec {
  title?: string;
  status?: 'active' | null;
  requires?: string[];
  blocks?: { meta?: string; code: string }[];
  /** Extra Markdown before the blocks. */
  text?: string;
}

/**
 * Renders a card file.
 * @param spec the card
 * @returns Markdown
 */
export function cardText(spec: CardSpec): string {
  const fm = [`title: ${spec.title ?? 'A card'}`, 'modified: 2025-01-01'];
  if (spec.status !== null) fm.push('status: active');
  if (spec.requires?.length) fm.push(`requires: [${spec.requires.join(', ')}]`);
  const blocks = (spec.blocks ?? []).map(
    (b) => `\`\`\`ts run${b.meta ? ` ${b.meta}` : ''}\n${b.code.trim()}\n\`\`\`\n`,
  );
  return `---\n${fm.join('\n')}\n---\n# ${spec.title ?? 'A card'}\n\n${spec.text ?? ''}\n${blocks.join('\n')}`;
}

/** A temporary git repository with cards. */
export interface TempRepo {
  dir: string;
  /** Writes a card under docs/cards. */
  card(stem: string, spec: CardSpec): string;
  /** Writes any file. */
  write(rel: string, text: string): void;
  read(rel: string): string;
  exists(rel: string): boolean;
  /** Commits everything. */
  commit(message?: string): void;
  /** Runs the real binary to completion. */
  mikado(args: string[], opts?: { env?: NodeJS.ProcessEnv; input?: string }): RunOutput;
  /** Starts the real binary without waiting. */
  spawn(args: string[], opts?: { env?: NodeJS.ProcessEnv }): ChildProcess;
  /** Journal records of a profile. */
  journal(profile?: string): Record<string, unknown>[];
  remove(): void;
}

/** Result of running the binary. */
export interface RunOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@mikado.invalid',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@mikado.invalid',
};

/**
 * The environment the binary and git run with here: no colour, a commit identity.
 * @param extra more variables
 * @returns the environment
 */
function runEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return testEnv({ ...GIT_ENV, ...extra });
}

/**
 * Creates a temp git repository, optionally from a fixture folder under test/fixtures.
 * @param opts fixture name and config file text
 * @returns the repository
 */
export function tempRepo(opts: { fixture?: string; config?: string } = {}): TempRepo {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mikado-run-'));
  if (opts.fixture) {
    cpSync(path.resolve(import.meta.dirname, '../fixtures', opts.fixture), dir, {
      recursive: true,
    });
  }
  mkdirSync(path.join(dir, 'docs/cards'), { recursive: true });
  if (opts.config !== undefined) writeFileSync(path.join(dir, 'mikado.config.yaml'), opts.config);
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  const repo: TempRepo = {
    dir,
    card(stem, spec) {
      const file = path.join(dir, 'docs/cards', `${stem}.md`);
      writeFileSync(file, cardText(spec));
      return file;
    },
    write(rel, text) {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    },
    read: (rel) => readFileSync(path.join(dir, rel), 'utf8'),
    exists: (rel) => existsSync(path.join(dir, rel)),
    commit(message = 'cards') {
      execFileSync('git', ['add', '-A'], { cwd: dir });
      execFileSync('git', ['commit', '-q', '--allow-empty', '-m', message], {
        cwd: dir,
        env: runEnv(),
      });
    },
    mikado(args, o = {}) {
      const r = runMikado(args, { cwd: dir, env: runEnv(o.env), input: o.input, timeout: 60_000 });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    spawn: (args, o = {}) => spawnMikado(args, { cwd: dir, env: runEnv(o.env) }),
    journal(profile = 'default') {
      const file = path.join(dir, '.mikado/journal', `${profile}.jsonl`);
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return repo;
}

/**
 * Waits until a condition holds (polling), failing after a generous limit.
 * @param what description for the failure
 * @param cond the condition
 * @param limitMs how long to wait at most
 */
export async function waitFor(what: string, cond: () => boolean, limitMs = 30_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Collects a spawned process's output and waits for its exit.
 * @param child the process
 * @returns its exit code, signal and output
 */
export function finished(
  child: ChildProcess,
): Promise<RunOutput & { signal: NodeJS.Signals | null }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * Whether a process is alive (not a zombie).
 * @param pid process id
 * @returns true when it runs
 */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * A maker of temp repositories for one test file: each is removed after its test.
 * @returns a function that makes a repository (see {@link tempRepo})
 */
export function useTempRepos(): (opts?: Parameters<typeof tempRepo>[0]) => TempRepo {
  const repos: TempRepo[] = [];
  afterEach(() => {
    for (const r of repos.splice(0)) r.remove();
  });
  return (opts) => {
    const r = tempRepo(opts);
    repos.push(r);
    return r;
  };
}

/**
 * Every block log of a repository's runs, joined.
 * @param r the repository
 * @returns the logs' text
 */
export function allLogs(r: TempRepo): string {
  const dir = path.join(r.dir, '.mikado/logs');
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.log'))
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
}
