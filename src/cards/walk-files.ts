import { type Dirent, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
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
 * Lists the files under a directory, recursively, sorted by path. Follows symlinks, reports
 * symlink loops and unreadable directories as diagnostics, skips hidden directories and
 * `node_modules`.
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
  const visit = (abs: string, relDir: string, ancestors: Set<string>): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch (error) {
      problem(
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
          const st = statSync(childAbs);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch (error) {
          const code = errorCode(error);
          if ((error as NodeJS.ErrnoException).code === 'ELOOP') {
            problem(
              childAbs,
              'symlink-loop',
              'Unexpected symlink loop, expected a link to a real file or directory',
              'Remove or fix the symlink.',
            );
          } else if (!markdownOnly || MARKDOWN.test(entry.name)) {
            problem(
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
        if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
        if (excluded(childRel) || excluded(`${childRel}/`)) continue;
        let real: string;
        try {
          real = realpathSync.native(childAbs);
        } catch (error) {
          problem(
            childAbs,
            'unreadable',
            `Unexpected ${errorCode(error)} resolving directory, expected a readable directory`,
          );
          continue;
        }
        if (ancestors.has(real)) {
          problem(
            childAbs,
            'symlink-loop',
            `Unexpected symlink loop: \`${rel(childAbs)}\` leads back to \`${rel(real)}\`, expected a tree`,
            'Remove the symlink or exclude it in mikado.config.yaml.',
          );
          continue;
        }
        ancestors.add(real);
        visit(childAbs, childRel, ancestors);
        ancestors.delete(real);
      } else if (isFile) {
        if (markdownOnly && !MARKDOWN.test(entry.name)) continue;
        if (excluded(childRel)) continue;
        files.push({ absPath: childAbs, path: prefix + childRel, relToDir: childRel });
      } else if (!markdownOnly || MARKDOWN.test(entry.name)) {
        diagnostics.push({
          path: rel(childAbs),
          line: 1,
          column: 1,
          severity: 'warning',
          rule: 'not-a-file',
          message: 'Unexpected special file (FIFO, socket or device), expected a regular file',
        });
      }
    }
  };
  let real: string;
  try {
    real = realpathSync.native(dir);
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
  visit(dir, '', new Set([real]));
  return { files, diagnostics };
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
