import { requireBundled } from '../require-bundled.ts';

/** A path of plain names: `changelog.d`, `docs/drafts` (no glob characters, no `.` or `..`). */
const LITERAL = /^(?!\.\.?(?:\/|$))[A-Za-z0-9._-]+(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9._-]+)*$/;
/** picomatch's regular expression for `DIR/**` with `{ dot: true }`, after the escaped DIR. */
const UNDER_DIR = '(?:\\/(?!\\.{1,2}(?:\\/|$))(?:(?:(?!(?:^|\\/)\\.{1,2}(?:\\/|$)).)*?)|$))$';

/**
 * Compiles exclude globs into one test, matching exactly as `picomatch(globs, { dot: true })`
 * does. The common shapes (a plain path, `DIR/**`) are compiled here, so picomatch loads only for
 * the others.
 * @param globs the globs
 * @returns true when a path matches any of them
 */
export function globMatcher(globs: string[]): (path: string) => boolean {
  const tests: ((path: string) => boolean)[] = [];
  const others: string[] = [];
  for (const glob of globs) {
    if (LITERAL.test(glob)) {
      tests.push((p) => p === glob);
    } else if (glob.endsWith('/**') && LITERAL.test(glob.slice(0, -3))) {
      const re = new RegExp(`^(?:${escapeRegExp(glob.slice(0, -3))}${UNDER_DIR}`);
      // picomatch also matches the glob itself, written out
      tests.push((p) => p === glob || re.test(p));
    } else {
      others.push(glob);
    }
  }
  if (others.length > 0) tests.push(requireBundled('picomatch')(others, { dot: true }));
  if (tests.length <= 1) return tests[0] ?? (() => false);
  return (p) => tests.some((test) => test(p));
}

/**
 * The exclude test of the card walk: a path is excluded when it, or any folder above it (as
 * `dir` or `dir/`), matches one of the globs.
 * @param globs the exclude globs
 * @returns true when a `/`-separated relative path is excluded
 */
export function excludeMatcher(globs: string[]): (relPath: string) => boolean {
  if (globs.length === 0) return () => false;
  const match = globMatcher(globs);
  return (relPath) => {
    if (match(relPath)) return true;
    const parts = relPath.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (match(dir) || match(`${dir}/`)) return true;
    }
    return false;
  };
}

function escapeRegExp(literal: string): string {
  return literal.replace(/[./]/g, '\\$&');
}
