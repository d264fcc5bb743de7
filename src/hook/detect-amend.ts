import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gitTry } from '../git/git.ts';

/** A process: its id, parent id and arguments. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  argv: string[];
}

/** Reads a process's parent and arguments; undefined when it cannot be read. */
export type ProcessReader = (pid: number) => ProcessInfo | undefined;

/** What {@link detectAmend} needs. */
export interface DetectAmendOptions {
  /** The environment (`MIKADO_AMEND=1|0` overrides the detection). */
  env: NodeJS.ProcessEnv;
  /** The process to start from (default: this process's parent). */
  startPid?: number;
  /** Reads a process (default: `/proc` on Linux, `ps` elsewhere). */
  readProcess?: ProcessReader;
  /** Looks up `alias.<name>` (default: `git config --get`). */
  readAlias?: (name: string) => string | undefined;
}

/**
 * Tells whether the commit being made replaces HEAD (`git commit --amend`). git gives a
 * commit-msg hook no sign of it (the environment and the message file look the same), so we
 * find the `git commit` process among our ancestors and read its arguments, expanding git
 * aliases. `MIKADO_AMEND=1` or `0` overrides the detection.
 * @param options environment and process access
 * @returns true when amending
 */
export function detectAmend(options: DetectAmendOptions): boolean {
  const forced = options.env['MIKADO_AMEND'];
  if (forced === '1' || forced === 'true') return true;
  if (forced === '0' || forced === 'false') return false;
  const read = options.readProcess ?? readProcess;
  let pid = options.startPid ?? process.ppid;
  for (let depth = 0; depth < 10 && pid > 1; depth++) {
    const info = read(pid);
    if (!info) return false;
    const verdict = gitCommitAmends(info.argv, options.readAlias ?? readAlias);
    if (verdict !== undefined) return verdict;
    pid = info.ppid;
  }
  return false;
}

/**
 * Reads a git process's arguments: undefined when the process is not git, false when it is git
 * but not `git commit --amend`, true for an amend (aliases expanded, option abbreviations and
 * clustered short options understood).
 * @param argv the process's arguments, program first
 * @param readAliasFn looks up a git alias
 * @returns whether this git process amends, or undefined when it is not git
 */
export function gitCommitAmends(
  argv: string[],
  readAliasFn: (name: string) => string | undefined = () => undefined,
): boolean | undefined {
  const prog = path.basename(argv[0] ?? '').replace(/\.exe$/i, '');
  let args: string[];
  if (prog === 'git-commit') {
    args = argv.slice(1);
  } else if (prog === 'git') {
    const rest = skipGlobalOptions(argv.slice(1));
    let sub = rest[0];
    args = rest.slice(1);
    for (let hops = 0; sub !== undefined && sub !== 'commit' && hops < 5; hops++) {
      const alias = BUILTINS.has(sub) ? undefined : readAliasFn(sub);
      if (alias === undefined || alias.startsWith('!')) return false;
      const words = splitWords(alias);
      const expanded = skipGlobalOptions(words);
      sub = expanded[0];
      args = [...expanded.slice(1), ...args];
    }
    if (sub !== 'commit') return false;
  } else {
    return undefined;
  }
  return commitArgsAmend(args);
}

/** git commands that are never aliases (git refuses to alias them). */
const BUILTINS = new Set([
  'am',
  'cherry-pick',
  'commit',
  'merge',
  'pull',
  'rebase',
  'revert',
  'stash',
]);

const GLOBAL_WITH_VALUE = new Set([
  '-c',
  '-C',
  '--git-dir',
  '--work-tree',
  '--namespace',
  '--config-env',
  '--super-prefix',
  '--exec-path',
]);

function skipGlobalOptions(args: string[]): string[] {
  let i = 0;
  while (i < args.length) {
    const a = args[i]!;
    if (!a.startsWith('-')) break;
    if (GLOBAL_WITH_VALUE.has(a) && a !== '--exec-path') i += 2;
    else i += 1;
  }
  return args.slice(i);
}

/** `git commit`'s long options that take a value (as a separate argument when no `=`). */
const COMMIT_LONG_VALUE = [
  'message',
  'file',
  'reuse-message',
  'reedit-message',
  'fixup',
  'squash',
  'author',
  'date',
  'cleanup',
  'template',
  'trailer',
  'pathspec-from-file',
];
/** `git commit`'s long options without a value (enough to resolve abbreviations). */
const COMMIT_LONG_FLAGS = [
  'all',
  'allow-empty',
  'allow-empty-message',
  'amend',
  'branch',
  'dry-run',
  'edit',
  'include',
  'interactive',
  'long',
  'no-edit',
  'no-verify',
  'no-post-rewrite',
  'null',
  'only',
  'patch',
  'porcelain',
  'quiet',
  'reset-author',
  'short',
  'signoff',
  'status',
  'no-status',
  'verbose',
  'verify',
  'no-amend',
  'pathspec-file-nul',
  'ahead-behind',
  'no-ahead-behind',
  'gpg-sign',
  'no-gpg-sign',
  'untracked-files',
];
/** Short options that take a value. */
const SHORT_VALUE = new Set(['m', 'F', 'C', 'c', 't']);

function commitArgsAmend(args: string[]): boolean {
  let amend = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const full = resolveLong(name);
      if (full === 'amend') amend = true;
      else if (full === 'no-amend') amend = false;
      else if (full && COMMIT_LONG_VALUE.includes(full) && eq < 0) i++;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let k = 1; k < a.length; k++) {
        const ch = a[k]!;
        if (SHORT_VALUE.has(ch)) {
          if (k === a.length - 1) i++;
          break;
        }
        if (ch === 'S' || ch === 'u') break; // optional value attached
      }
    }
  }
  return amend;
}

function resolveLong(name: string): string | undefined {
  const all = [...COMMIT_LONG_VALUE, ...COMMIT_LONG_FLAGS];
  if (all.includes(name)) return name;
  const matches = all.filter((o) => o.startsWith(name));
  return matches.length === 1 ? matches[0] : undefined;
}

function splitWords(text: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3] ?? ''));
  }
  return words;
}

/**
 * Reads a process from `/proc` (Linux) or `ps` (macOS, BSD).
 * @param pid the process id
 * @returns its parent and arguments, or undefined
 */
export function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 4 follows the command name in parentheses, which may itself contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      pid,
      ppid: Number(fields[1]),
      argv: cmdline.split('\0').filter((s, i, a) => i < a.length - 1 || s !== ''),
    };
  } catch {
    if (process.platform === 'linux' || process.platform === 'win32') return undefined;
  }
  const r = spawnSync('ps', ['-o', 'ppid=', '-o', 'args=', '-p', String(pid)], {
    encoding: 'utf8',
  });
  const m = /^\s*(\d+)\s+(.*)$/.exec(r.stdout ?? '');
  if (r.status !== 0 || !m) return undefined;
  return { pid, ppid: Number(m[1]), argv: splitWords(m[2] ?? '') };
}

function readAlias(name: string): string | undefined {
  return gitTry(['config', '--get', `alias.${name}`], { cwd: process.cwd() })?.trim();
}
