// The README's fenced blocks, for tests that run what it says.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The repository root. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** A fenced block of a Markdown file. */
export interface FencedBlock {
  /** The info string's language (`sh`, `yaml`, ...). */
  lang: string;
  /** The text between the fences. */
  text: string;
  /** The name of a `<!-- kind: NAME -->` comment on the line before the fence, if any. */
  marker?: string;
  /** 1-based line of the opening fence. */
  line: number;
}

/**
 * Every fenced block of a Markdown file of this repository (fences of three backticks or more;
 * a longer fence holds shorter ones).
 * @param file path relative to the repository root (default: README.md)
 * @returns the blocks in document order
 */
export function fencedBlocks(file = 'README.md'): FencedBlock[] {
  const lines = readFileSync(path.join(REPO_ROOT, file), 'utf8').split('\n');
  const blocks: FencedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})([\w-]*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const start = i;
    let end = i + 1;
    while (end < lines.length && lines[end]!.trim() !== fence) end++;
    const marker = /^<!-- [\w-]+: (\S+) -->$/.exec(lines[i - 1] ?? '')?.[1];
    blocks.push({
      lang: open[2]!,
      text: `${lines.slice(start + 1, end).join('\n')}\n`,
      marker,
      line: start + 1,
    });
    i = end;
  }
  return blocks;
}

/**
 * The README block marked `<!-- kind: NAME -->`.
 * @param name the marker's name
 * @param file path relative to the repository root (default: README.md)
 * @returns the block's text
 */
export function markedBlock(name: string, file = 'README.md'): string {
  const block = fencedBlocks(file).find((b) => b.marker === name);
  if (!block) throw new Error(`${file} has no block marked ${name}`);
  return block.text;
}
