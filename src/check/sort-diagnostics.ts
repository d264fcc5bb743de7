import type { Diagnostic } from '../cards/types.ts';

/**
 * Sorts diagnostics by path, line, column and rule, and drops exact repeats.
 * @param diagnostics findings
 * @returns a new sorted list
 */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return [...diagnostics]
    .sort(
      (a, b) =>
        (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
        a.line - b.line ||
        a.column - b.column ||
        (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0),
    )
    .filter((d) => {
      const key = `${d.path}:${d.line}:${d.column}:${d.rule}:${d.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
