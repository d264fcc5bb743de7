/**
 * Quotes a path for a POSIX shell command in a message, when it needs quoting, so a `fix:` line
 * works when pasted as it is.
 * @param s the path
 * @returns the path, single-quoted when it holds anything but safe characters
 */
export function shellWord(s: string): string {
  return /^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}
