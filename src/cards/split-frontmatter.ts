/** The YAML frontmatter of a card, cut out of the file text. */
export interface FrontmatterSplit {
  /** The YAML between the fences (may be empty). */
  yaml: string;
  /** 1-based line of the first YAML line (the line after the opening `---`). */
  yamlLine: number;
  /** 1-based line where the body starts (after the closing `---`). */
  bodyLine: number;
  /** The text after the closing fence line, byte for byte. */
  body: string;
  /** False when the opening `---` has no closing `---`. */
  closed: boolean;
}

const FENCE = /^---[ \t]*$/;

/**
 * Cuts the frontmatter off a card the way remark-frontmatter does: the file starts with a `---`
 * line and the YAML runs until the next `---` line. A leading byte order mark is skipped.
 * @param text the whole file
 * @returns the parts, or null when the file does not start with `---`
 */
export function splitFrontmatter(text: string): FrontmatterSplit | null {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  if (!FENCE.test(stripCr(text.slice(start, end)))) return null;
  let line = 2;
  let pos = end + 1;
  const yamlStart = pos;
  while (pos <= text.length && end < text.length) {
    let next = text.indexOf('\n', pos);
    if (next < 0) next = text.length;
    if (FENCE.test(stripCr(text.slice(pos, next)))) {
      return {
        yaml: text.slice(yamlStart, pos),
        yamlLine: 2,
        bodyLine: line + 1,
        body: text.slice(Math.min(next + 1, text.length)),
        closed: true,
      };
    }
    pos = next + 1;
    line++;
    if (next >= text.length) break;
  }
  return { yaml: text.slice(yamlStart), yamlLine: 2, bodyLine: 1, body: text, closed: false };
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
