import type { Diagnostic } from './types.ts';

/** The most nested block quotes and list items a card line may open or continue. */
export const MAX_NESTING = 100;

/**
 * The most work lazy continuation lines may cost: lines that continue a paragraph inside a block
 * quote or list item without its markers, times the length of their paragraph. The Markdown
 * parser (micromark 4) looks back over the whole paragraph for every such line, so this work
 * grows with the square of the paragraph.
 */
export const MAX_LAZY_WORK = 16_000_000;

/**
 * The most lines a card may start a block quote or list item on: each costs the parser far
 * more than a line of text.
 */
export const MAX_CONTAINER_LINES = 20_000;

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const CONTAINER_START = /^ {0,3}(?:>|[-*+](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$))/;

/**
 * Finds Markdown the parser would need super-linear time for, before it is parsed: a line
 * nested deeper than {@link MAX_NESTING} block quotes and list items (counted from its markers
 * and indentation, which every level needs), or paragraphs of lazy continuation lines whose
 * work passes {@link MAX_LAZY_WORK}. Linear in the text.
 * @param text the whole card file
 * @param opts `path` for the diagnostic, `startLine`: the first body line
 * @returns the diagnostic for the first such place, or undefined when the text is within bounds
 */
export function checkMarkdownBounds(
  text: string,
  opts: { path: string; startLine: number },
): Diagnostic | undefined {
  let lineNo = 0;
  let start = 0;
  let fence: string | undefined;
  let runLines = 0;
  let lazy = 0;
  let inContainer = false;
  let work = 0;
  let runStart = 0;
  let containers = 0;
  const endRun = (): void => {
    work += lazy * runLines;
    runLines = 0;
    lazy = 0;
    inContainer = false;
  };
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const line = text.slice(start, Math.min(end, start + 4 * MAX_NESTING + 16));
    start = end + 1;
    if (lineNo < opts.startLine) continue;
    const open = FENCE.exec(line);
    if (fence !== undefined) {
      if (open && open[1]![0] === fence[0] && open[1]!.length >= fence.length) fence = undefined;
      continue;
    }
    if (open) {
      endRun();
      fence = open[1];
      continue;
    }
    if (line.trim() === '') {
      endRun();
      continue;
    }
    const depth = nesting(line);
    if (depth > MAX_NESTING) {
      return bounds(
        opts.path,
        lineNo,
        `Unexpected ${depth > 4 * MAX_NESTING ? `more than ${4 * MAX_NESTING}` : depth} nested block quotes or list items, expected at most ${MAX_NESTING} (the card's Markdown was not read)`,
      );
    }
    if (runLines === 0) runStart = lineNo;
    runLines++;
    if (CONTAINER_START.test(line)) {
      inContainer = true;
      if (++containers > MAX_CONTAINER_LINES) {
        return bounds(
          opts.path,
          lineNo,
          `Unexpected more than ${MAX_CONTAINER_LINES} block quote or list item lines, expected fewer (reading them would take too long; the card's Markdown was not read)`,
        );
      }
    } else if (inContainer) lazy++;
    if (work + lazy * runLines > MAX_LAZY_WORK) {
      return bounds(
        opts.path,
        runStart,
        `Unexpected paragraph of ${runLines}+ lines continuing a block quote or list item without its markers, expected a shorter one (reading it would take too long; the card's Markdown was not read)`,
      );
    }
  }
  return undefined;
}

/** Block quotes and list items a line opens or continues, at most: its markers and indentation. */
function nesting(line: string): number {
  let depth = 0;
  let columns = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32) columns++;
    else if (c === 9) columns += 4 - (columns % 4);
    else if (c === 62) depth++;
    else if ((c === 45 || c === 42 || c === 43) && isSpace(line.charCodeAt(i + 1))) depth++;
    else if (c >= 48 && c <= 57) {
      let j = i;
      while (j < line.length && line.charCodeAt(j) >= 48 && line.charCodeAt(j) <= 57) j++;
      const d = line.charCodeAt(j);
      if ((d !== 46 && d !== 41) || !isSpace(line.charCodeAt(j + 1))) break;
      depth++;
      i = j;
    } else break;
  }
  return depth + Math.floor(columns / 2);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || Number.isNaN(c);
}

function bounds(path: string, line: number, message: string): Diagnostic {
  return {
    path,
    line,
    column: 1,
    severity: 'error',
    rule: 'markdown-too-costly',
    message,
    fix: 'Split the card, or put the text in a fenced code block (```text ... ```), where it is not parsed as Markdown.',
  };
}
