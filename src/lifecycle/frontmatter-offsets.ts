import { splitFrontmatter as splitCard } from '../cards/split-frontmatter.ts';

/** A card's text cut into frontmatter and body, with offsets for byte-exact edits. */
export interface FrontmatterOffsets {
  /** The YAML between the fences (ends with the line end before the closing fence, or `''`). */
  yaml: string;
  /** Offset of the YAML's first character in the text. */
  yamlStart: number;
  /** Offset just after the YAML (the start of the closing fence line). */
  yamlEnd: number;
  /** Offset of the body (just after the closing fence line and its line end). */
  bodyStart: number;
  /** The line end the file uses (`\r\n` or `\n`). */
  eol: string;
}

/**
 * Finds a card's YAML frontmatter the way the card parser does (a `---` line first, up to the
 * next `---` line), with the offsets an edit needs to leave everything else byte for byte.
 * @param text the whole card
 * @returns the offsets, or null when the text has no closed frontmatter
 */
export function frontmatterOffsets(text: string): FrontmatterOffsets | null {
  const split = splitCard(text);
  if (!split?.closed) return null;
  const firstEnd = text.indexOf('\n');
  const yamlStart = firstEnd + 1;
  const yamlEnd = yamlStart + split.yaml.length;
  return {
    yaml: split.yaml,
    yamlStart,
    yamlEnd,
    bodyStart: text.length - split.body.length,
    eol: text[firstEnd - 1] === '\r' ? '\r\n' : '\n',
  };
}
