// Real git repositories in temp directories, with an isolated git configuration.
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installHooks } from '../../src/hook/install.ts';
import { BIN, runMikado } from './binary.ts';

/** A temp git repository with an isolated git config. */
export interface TestRepo {
  /** The work tree. */
  dir: string;
  /** The temp directory holding the repo, its global config and helper scripts. */
  tmp: string;
  /** Environment for git and mikado in this repo. */
  env: NodeJS.ProcessEnv;
  /** Runs git; never throws. */
  git(args: string[], extraEnv?: NodeJS.ProcessEnv): SpawnSyncReturns<string>;
  /** Runs git; throws on failure; returns trimmed stdout. */
  gitOk(args: string[], extraEnv?: NodeJS.ProcessEnv): string;
  /** Runs the mikado binary in the repo. */
  mikado(args: string[], extraEnv?: NodeJS.ProcessEnv): SpawnSyncReturns<string>;
  /** Writes (or with null removes) files relative to the work tree. */
  write(files: Record<string, string | null>): void;
  /** Commits all changes without hooks. */
  commitNoVerify(message: string, files?: Record<string, string | null>): string;
  /** HEAD's sha, or '' on an unborn branch. */
  head(): string;
  /** An editor script that puts `text` above git's template (like a user typing). */
  editorTyping(text: string): NodeJS.ProcessEnv;
  cleanup(): void;
}

/** The repositories made since the last {@link cleanupRepos}. */
const made: TestRepo[] = [];

/** Removes every repository made so far (for `afterEach`). */
export function cleanupRepos(): void {
  for (const r of made.splice(0)) r.cleanup();
}

/**
 * Creates a repository with an isolated configuration; {@link cleanupRepos} removes it.
 * @param opts initial branch and whether to install the hooks
 * @returns the repo
 */
export function createRepo(opts: { branch?: string; install?: boolean } = {}): TestRepo {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'mikado-hook-'));
  const dir = path.join(tmp, 'repo');
  mkdirSync(dir);
  const globalConfig = path.join(tmp, 'gitconfig');
  writeFileSync(
    globalConfig,
    '[user]\n\tname = Mikado Test\n\temail = test@mikado.invalid\n[commit]\n\tgpgsign = false\n[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n',
  );
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('GIT_') && k !== 'MIKADO_AMEND') env[k] = v;
  }
  Object.assign(env, {
    HOME: tmp,
    GIT_CONFIG_GLOBAL: globalConfig,
    GIT_CONFIG_NOSYSTEM: '1',
    NO_COLOR: '1',
    GIT_EDITOR: 'true',
    LC_ALL: 'C.UTF-8',
  });
  const run = (cmd: string, args: string[], extraEnv?: NodeJS.ProcessEnv) =>
    spawnSync(cmd, args, { cwd: dir, env: { ...env, ...extraEnv }, encoding: 'utf8' });
  const repo: TestRepo = {
    dir,
    tmp,
    env,
    git: (args, extraEnv) => run('git', args, extraEnv),
    gitOk(args, extraEnv) {
      const r = run('git', args, extraEnv);
      if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
      return r.stdout.trim();
    },
    mikado: (args, extraEnv) => runMikado(args, { cwd: dir, env: { ...env, ...extraEnv } }),
    write(files) {
      for (const [p, text] of Object.entries(files)) {
        const abs = path.join(dir, p);
        if (text === null) rmSync(abs, { force: true });
        else {
          mkdirSync(path.dirname(abs), { recursive: true });
          writeFileSync(abs, text);
        }
      }
    },
    commitNoVerify(message, files = {}) {
      repo.write(files);
      repo.gitOk(['add', '-A']);
      repo.gitOk(['commit', '-q', '--no-verify', '--allow-empty', '-m', message]);
      return repo.head();
    },
    head() {
      const r = run('git', ['rev-parse', '-q', '--verify', 'HEAD']);
      return r.status === 0 ? r.stdout.trim() : '';
    },
    editorTyping(text) {
      const script = path.join(tmp, `editor-${Math.random().toString(36).slice(2)}.sh`);
      writeFileSync(
        script,
        `#!/bin/sh\ncat "$MIKADO_TEST_TYPED" "$1" > "$1.new" && mv "$1.new" "$1"\n`,
      );
      chmodSync(script, 0o755);
      const typed = `${script}.txt`;
      writeFileSync(typed, text);
      return { GIT_EDITOR: script, MIKADO_TEST_TYPED: typed };
    },
    cleanup() {
      rmSync(tmp, { recursive: true, force: true });
    },
  };
  repo.gitOk(['init', '-q', '-b', opts.branch ?? 'main']);
  // The same files `mikado hook install` writes, without starting a process per repository.
  if (opts.install !== false) installHooks(dir, { node: process.execPath, script: BIN });
  made.push(repo);
  return repo;
}

/**
 * Puts a `mikado` command that runs the real binary first on the repository's PATH, so commands
 * printed by the tool (fixes, next steps) run as a user would type them.
 * @param r the repository
 * @returns a runner of shell command lines in the repository
 */
export function mikadoOnPath(r: TestRepo): (cmd: string) => SpawnSyncReturns<string> {
  const bin = path.join(r.tmp, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    path.join(bin, 'mikado'),
    `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`,
  );
  chmodSync(path.join(bin, 'mikado'), 0o755);
  r.env['PATH'] = `${bin}${path.delimiter}${r.env['PATH'] ?? ''}`;
  return (cmd) => spawnSync('sh', ['-c', cmd], { cwd: r.dir, env: r.env, encoding: 'utf8' });
}

/**
 * A repository with one commit on main, on a new `mikado/goal` branch.
 * @param opts whether to install the hooks (default false: commits are judged by the test)
 * @returns the repo
 */
export function mikadoBranchRepo(opts: { install?: boolean } = {}): TestRepo {
  const r = createRepo({ install: opts.install ?? false });
  r.commitNoVerify('init', { 'README.md': '# p\n' });
  r.gitOk(['checkout', '-q', '-b', 'mikado/goal']);
  return r;
}

/**
 * A Mikado branch mid-cycle: the goal and its one prerequisite `leaf` planned, the leaf
 * implemented (`C2(goal): plan goal`, `C2(goal): impl leaf`).
 * @returns the repo
 */
export function goalLeafMidCycleRepo(): TestRepo {
  const r = mikadoBranchRepo();
  r.commitNoVerify('C2(goal): plan goal', goalLeafPlan());
  r.commitNoVerify('C2(goal): impl leaf', { 'src/leaf.txt': 'leaf\n' });
  return r;
}

/** Frontmatter fields for {@link card}. */
export interface CardSpec {
  title?: string;
  status?: 'active';
  requires?: string[];
  branch?: string;
  body?: string;
}

/**
 * A card's text.
 * @param spec frontmatter fields and body
 * @returns the Markdown
 */
export function card(spec: CardSpec = {}): string {
  const lines = ['---', `title: ${spec.title ?? 'A card'}`, 'modified: 2026-05-13'];
  if (spec.status) lines.push(`status: ${spec.status}`);
  if (spec.requires) {
    lines.push('requires:');
    for (const r of spec.requires) lines.push(`  - ${r}`);
  }
  if (spec.branch) lines.push(`branch: ${spec.branch}`);
  lines.push('---', '', spec.body ?? `# ${spec.title ?? 'A card'}`, '');
  return lines.join('\n');
}

/** The goal card's path in the Mikado branch repositories. */
export const GOAL = 'docs/cards/goal.md';

/** The path of the goal's one prerequisite, `leaf`. */
export const LEAF = 'docs/cards/leaf.md';

/**
 * The goal card of `mikado/goal`: active, requiring `leaf`.
 * @param extra fields that differ
 * @returns the Markdown
 */
export function goalCard(extra: CardSpec = {}): string {
  return card({
    title: 'Goal',
    status: 'active',
    branch: 'mikado/goal',
    requires: ['leaf'],
    ...extra,
  });
}

/**
 * The plan of the goal and its one prerequisite `leaf`, both active.
 * @returns the files to commit
 */
export function goalLeafPlan(): Record<string, string> {
  return { [GOAL]: goalCard(), [LEAF]: card({ title: 'Leaf', status: 'active' }) };
}
