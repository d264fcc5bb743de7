import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import type { Diagnostic } from './types.ts';
import { errorCode } from './walk-files.ts';

/**
 * Reads a card file as UTF-8 text, refusing binary files and invalid UTF-8 with a diagnostic
 * that names the line and column of the first bad byte.
 * @param absPath the file
 * @param path the path to name in the diagnostic
 * @returns the text, or a diagnostic
 */
export function readCardFile(
  absPath: string,
  path: string,
): { text: string; diagnostic?: undefined } | { text?: undefined; diagnostic: Diagnostic } {
  let buf: Buffer;
  try {
    buf = readFileSync(absPath);
  } catch (error) {
    return {
      diagnostic: {
        path,
        line: 1,
        column: 1,
        severity: 'error',
        rule: 'unreadable',
        message: `Unexpected ${errorCode(error)} reading the file, expected a readable Markdown file`,
        fix: 'Fix the file permissions, or exclude the file in mikado.config.yaml.',
      },
    };
  }
  return decodeCardBytes(buf, path);
}

/**
 * Decodes a card's bytes as UTF-8 text, refusing binary data and invalid UTF-8 with a diagnostic
 * that names the line and column of the first bad byte.
 * @param buf the bytes (from a file or from git)
 * @param path the path to name in the diagnostic
 * @returns the text, or a diagnostic
 */
export function decodeCardBytes(
  buf: Buffer,
  path: string,
): { text: string; diagnostic?: undefined } | { text?: undefined; diagnostic: Diagnostic } {
  const nul = buf.indexOf(0);
  if (nul >= 0) {
    return {
      diagnostic: {
        path,
        ...placeOf(buf, nul),
        severity: 'error',
        rule: 'binary-file',
        message: 'Unexpected NUL byte, expected a text file (this looks binary)',
        fix: 'Move binary files out of the cards root, or exclude them in mikado.config.yaml.',
      },
    };
  }
  if (!isUtf8(buf)) {
    const bad = firstInvalidUtf8(buf);
    return {
      diagnostic: {
        path,
        ...placeOf(buf, bad),
        severity: 'error',
        rule: 'encoding',
        message: `Unexpected byte \`0x${(buf[bad] ?? 0).toString(16).padStart(2, '0')}\`, expected UTF-8 text`,
        fix: 'Convert the file to UTF-8 (for example `iconv -f latin1 -t utf-8`).',
      },
    };
  }
  return { text: buf.toString('utf8') };
}

function placeOf(buf: Buffer, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = buf.indexOf(10); i >= 0 && i < offset; i = buf.indexOf(10, i + 1)) {
    line++;
    lineStart = i + 1;
  }
  const column = buf.subarray(lineStart, offset).toString('utf8').length + 1;
  return { line, column };
}

/**
 * Finds the offset of the first byte that is not part of a valid UTF-8 sequence.
 * @param buf the bytes
 * @returns the offset (buf.length when all is valid)
 */
export function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    let n = 0;
    let min = 0;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      n = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      min = 0x10000;
    } else return i;
    let cp = b & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const c = buf[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return buf.length;
}
