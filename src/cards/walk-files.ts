import { type Dirent, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { shellQuote } from '../shell-quote.ts';
import { globMatcher } from './glob-matcher.ts';
import type { Diagnostic } from './types.ts';

/** A file found under a directory. */
export interface FoundFile {
  absPath: string;
  /** Path relative to the repository root, `/`-separated. */
  path: string;
  /** Path relative to the walked directory, `/`-separated. */
  relToDir: string;
}

/** Options for {@link walkFiles}. */
export interface WalkOptions {
  /** Repository root that `path` is relative to. */
  root: string;
  /** Globs relative to the walked directory to leave out. */
  exclude?: string[];
  /** Only `.md` and `.markdown` files (default true). */
  markdownOnly?: boolean;
}

const MARKDOWN = /\.(md|markdown)$/i;

/**
 * Whether the walker ({@link walkFiles}) visits a file: a Markdown file outside hidden folders,
 * `node_modules` and the excluded globs.
 * @param relToDir the file's path relative to the walked directory, `/`-separated
 * @param excluded the exclude matcher ({@link globMatcher} of `config.exclude`)
 * @returns true when the walker lists the file
 */
export function isWalkedPath(relToDir: string, excluded: (p: string) => boolean): boolean {
  const parts = relToDir.split('/');
  const name = parts.pop() ?? '';
  if (!MARKDOWN.test(name) || excluded(relToDir)) return false;
  let dir = '';
  for (const part of parts) {
    dir = dir ? `${dir}/${part}` : part;
    if (skippedDir(part) || excluded(dir) || excluded(`${dir}/`)) return false;
  }
  return true;
}

/**
 * Whether the walker skips a folder by its name alone (hidden folders and `node_modules`).
 * @param name the folder's name
 * @returns true when skipped
 */
export function skippedDir(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules';
}

/**
 * Lists the files under a directory, recursively, sorted by path. Follows symlinks that stay
 * inside the repository; reports a link out of it, symlink loops and unreadable directories as
 * diagnostics; skips hidden directories and `node_modules`.
 * @param dir absolute directory
 * @param opts root, excludes and whether to keep Markdown files only
 * @returns the files and the findings
 */
export function walkFiles(
  dir: string,
  opts: WalkOptions,
): { files: FoundFile[]; diagnostics: Diagnostic[] } {
  const files: FoundFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const rel = (abs: string): string =>
    path.relative(opts.root, abs).split(path.sep).join('/') || '.';
  const base = rel(dir);
  const prefix = base === '.' ? '' : `${base}/`;
  const excluded = globMatcher(opts.exclude ?? []);
  const markdownOnly = opts.markdownOnly ?? true;
  const problem = (abs: string, rule: string, message: string, fix?: string): void => {
    diagnostics.push({ path: rel(abs), line: 1, column: 1, severity: 'error', rule, message, fix });
  };
  const leaves = (link: string): boolean => {
    const found = linkOutOfRepo(link, boundary, rel(link));
    if (found) diagnostics.push(found);
    return found !== undefined;
  };
  let boundary = '';
  let real: string;
  try {
    real = realpathSync.native(dir);
    const realRoot = realpathSync.native(opts.root);
    boundary = real === realRoot || real.startsWith(realRoot + path.sep) ? realRoot : real;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    problem(
      dir,
      missing ? 'missing-dir' : 'unreadable',
      missing
        ? `Unexpected missing directory \`${rel(dir)}\`, expected the cards root to exist`
        : `Unexpected ${errorCode(error)} opening \`${rel(dir)}\`, expected a readable directory`,
      'Create the directory, or point `--cards` (or `cards:` in mikado.config.yaml) at the cards root.',
    );
    return { files, diagnostics };
  }
  if (!statSync(real).isDirectory()) {
    // `--cards README.md`: a fatal finding like a missing root, not a permission problem
    problem(
      dir,
      'missing-dir',
      `Unexpected file \`${rel(dir)}\`, expected a directory`,
      'Point `--cards` (or `cards:` in mikado.config.yaml) at the directory that holds the cards, such as `docs/cards`.',
    );
    return { files, diagnostics };
  }
  visitDir(
    { files, diagnostics, rel, prefix, excluded, markdownOnly, problem, leaves },
    dir,
    '',
    new Set([real]),
  );
  return { files, diagnostics };
}

/** What {@link visitDir} shares while it walks. */
interface WalkState {
  files: FoundFile[];
  diagnostics: Diagnostic[];
  rel: (abs: string) => string;
  prefix: string;
  excluded: (p: string) => boolean;
  markdownOnly: boolean;
  problem: (abs: string, rule: string, message: string, fix?: string) => void;
  leaves: (link: string) => boolean;
}

/** Lists one directory into the walk, and its subdirectories (the walker's recursion). */
function visitDir(st: WalkState, abs: string, relDir: string, ancestors: Set<string>): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(abs, { withFileTypes: true });
  } catch (error) {
    st.problem(
      abs,
      'unreadable',
      `Unexpected ${errorCode(error)} reading directory, expected a readable directory`,
      'Fix its permissions or exclude it.',
    );
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const childAbs = abs.endsWith(path.sep) ? abs + entry.name : abs + path.sep + entry.name;
    const childRel = relDir ? `${relDir}/${entry.name}` : entry.name;
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      try {
        const stat = statSync(childAbs);
        isDir = stat.isDirectory();
        isFile = stat.isFile();
        const wanted = isDir
          ? !skippedDir(entry.name) && !st.excluded(childRel) && !st.excluded(`${childRel}/`)
          : (!st.markdownOnly || MARKDOWN.test(entry.name)) && !st.excluded(childRel);
        if (wanted && st.leaves(childAbs)) continue;
      } catch (error) {
        const code = errorCode(error);
        if ((error as NodeJS.ErrnoException).code === 'ELOOP') {
          st.problem(
            childAbs,
            'symlink-loop',
            'Unexpected symlink loop, expected a link to a real file or directory',
            'Remove or fix the symlink.',
          );
        } else if (!st.markdownOnly || MARKDOWN.test(entry.name)) {
          st.problem(
            childAbs,
            'unreadable',
            `Unexpected ${code} following symlink, expected a link to an existing file`,
            'Remove or fix the symlink.',
          );
        }
        continue;
      }
    }
    if (isDir) {
      if (skippedDir(entry.name)) continue;
      if (st.excluded(childRel) || st.excluded(`${childRel}/`)) continue;
      let real: string;
      try {
        real = realpathSync.native(childAbs);
      } catch (error) {
        st.problem(
          childAbs,
          'unreadable',
          `Unexpected ${errorCode(error)} resolving directory, expected a readable directory`,
        );
        continue;
      }
      if (ancestors.has(real)) {
        st.problem(
          childAbs,
          'symlink-loop',
          `Unexpected symlink loop: \`${st.rel(childAbs)}\` leads back to \`${st.rel(real)}\`, expected a tree`,
          'Remove the symlink or exclude it in mikado.config.yaml.',
        );
        continue;
      }
      ancestors.add(real);
      visitDir(st, childAbs, childRel, ancestors);
      ancestors.delete(real);
    } else if (isFile) {
      if (st.markdownOnly && !MARKDOWN.test(entry.name)) continue;
      if (st.excluded(childRel)) continue;
      st.files.push({ absPath: childAbs, path: st.prefix + childRel, relToDir: childRel });
    } else if (!st.markdownOnly || MARKDOWN.test(entry.name)) {
      st.diagnostics.push({
        path: st.rel(childAbs),
        line: 1,
        column: 1,
        severity: 'warning',
        rule: 'not-a-file',
        message: 'Unexpected special file (FIFO, socket or device), expected a regular file',
      });
    }
  }
}

/**
 * Finds whether a symlink leads out of the repository.
 * @param link the link's absolute path
 * @param boundary the real path of the repository (or the walked directory, when outside it)
 * @param shown the link's path relative to the root
 * @returns the `symlink-outside` diagnostic, or undefined when the link stays inside (or is broken)
 */
function linkOutOfRepo(link: string, boundary: string, shown: string): Diagnostic | undefined {
  let target: string;
  try {
    target = realpathSync.native(link);
  } catch {
    return undefined;
  }
  if (target === boundary || target.startsWith(boundary + path.sep)) return undefined;
  return {
    path: shown,
    line: 1,
    column: 1,
    severity: 'error',
    rule: 'symlink-outside',
    message: `Unexpected symlink \`${shown}\` to \`${target}\`, outside the repository, expected a link that stays inside it (it is not followed)`,
    fix: `Remove the link (\`rm ${shellQuote(shown)}\`), or exclude it with \`exclude:\` in mikado.config.yaml.`,
  };
}

/**
 * The error code of a Node.js file-system error (`ENOENT`, `EACCES`, ...).
 * @param error what was thrown
 * @returns the code, or the message
 */
export function errorCode(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e?.code ? `\`${e.code}\`` : String(e?.message ?? error);
}
