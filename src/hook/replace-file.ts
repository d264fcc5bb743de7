import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes a cache file whole or not at all: a temp file beside it, renamed over it. No fsync: a
 * cache lost or damaged by a crash is read as missing (each cache checks what it reads). Not
 * write-file-atomic, whose loading costs the commit hook more than the write.
 * @param file the file
 * @param data its new content
 * @returns true when written (a cache that cannot be written only costs time)
 */
export function replaceFile(file: string, data: string | Buffer): boolean {
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temp, data);
    renameSync(temp, file);
    return true;
  } catch {
    try {
      rmSync(temp, { force: true });
    } catch {
      // nothing was written there
    }
    return false;
  }
}
