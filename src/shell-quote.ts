/**
 * A word quoted for a POSIX shell when it needs it, so a printed command runs as shown.
 * @param s the word
 * @returns the word, or the word in single quotes
 */
export function shellQuote(s: string): string {
  return /^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
