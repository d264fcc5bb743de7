import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Creates a unique temporary directory; `cleanup` removes it.
 * @param prefix name prefix
 * @returns the directory and its cleanup
 */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `mikado-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Creates a unique temporary directory holding the given files (their folders made as needed).
 * @param prefix name prefix
 * @param files file contents by path relative to the directory
 * @returns the directory and its cleanup
 */
export function tempTree(
  prefix: string,
  files: Record<string, string | Uint8Array>,
): { dir: string; cleanup: () => void } {
  const t = tempDir(prefix);
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(t.dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return t;
}
