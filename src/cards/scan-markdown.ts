import { type BlockFinding, collectBlocks } from './block-findings.ts';
import type { Block, WikiLink } from './types.ts';

/** What the Mikado plugins read from a card body: the same as the remark pipeline gives. */
export interface ScannedMarkdown {
  headings: string[];
  links: WikiLink[];
  blocks: Block[];
  findings: BlockFinding[];
}

/** Thrown inside the scanner when the text uses Markdown it does not model; caught below. */
class Decline extends Error {}

const decline = (): never => {
  throw new Decline();
};

const ATX = /^(#{1,6})(?:[ \t]+(.*?))?[ \t]*$/;
const FENCE_OPEN = /^(`{3,}|~{3,})(.*)$/;
const THEMATIC = /^(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$/;
const SETEXT = /^(?:=+|-+)[ \t]*$/;
const LIST_ITEM = /^([-+*]|(\d{1,9})[.)])( {1,}|$)/;
const HTML_START = /^<[A-Za-z/!?]/;

interface Line {
  /** 1-based line number. */
  no: number;
  text: string;
}

interface TextLine {
  no: number;
  /** 0-based offset in the line where the text starts. */
  start: number;
  text: string;
}

/**
 * A fast, conservative reader of the Markdown a card body is made of: ATX headings, paragraphs,
 * lists, fenced code (also inside list items), thematic breaks, simple setext headings, code
 * spans, escapes and wikilinks. It returns exactly what the remark pipeline (remark-parse,
 * remark-frontmatter, remarkWikiLink, remarkMikadoLinks, remarkMikadoBlocks) would, or null
 * when the text uses anything else (block quotes, HTML, indented code, tabs, links next to
 * wikilinks, ...), in which case the caller parses with remark. Property tests hold the two to
 * the same answers.
 * @param text the whole file
 * @param opts `stem` for block names, `startLine`: the first body line (after frontmatter)
 * @returns the headings, links, blocks and block findings, or null to use remark
 */
export function scanMarkdown(
  text: string,
  opts: { stem: string; startLine: number },
): ScannedMarkdown | null {
  try {
    return scan(text, opts);
  } catch (error) {
    if (error instanceof Decline) return null;
    throw error;
  }
}

function indentOf(s: string): number {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) === 32) i++;
  return i;
}

function scan(text: string, opts: { stem: string; startLine: number }): ScannedMarkdown {
  if (
    text.includes('\r') ||
    text.includes('\t') ||
    text.charCodeAt(0) === 0xfeff ||
    text.includes('\0')
  )
    decline();
  const all = text.split('\n');
  // A file that opens with `---` and no frontmatter (never closed): remark-frontmatter's failed
  // attempt changes how remark reads the lines after it (a list item became a paragraph).
  if (opts.startLine === 1 && /^-{3}[ ]*$/.test(all[0]!)) decline();
  const lines: Line[] = [];
  for (let i = opts.startLine - 1; i < all.length; i++) lines.push({ no: i + 1, text: all[i]! });
  const headings: string[] = [];
  const links: WikiLink[] = [];
  const collected = collectBlocks(opts.stem);
  /** The open list items, innermost last: content offset and marker kind (`-`, `*`, `+`, `.`, `)`). */
  let lists: { content: number; kind: string }[] = [];
  const inner = (): number => (lists.length ? lists[lists.length - 1]!.content : 0);
  let para: TextLine[] = [];
  /** Whether the previous line was blank. */
  let blank = true;
  /** Whether the open paragraph belongs to a list item. */
  let paraInList = false;

  const flush = (): void => {
    if (para.length) scanInline(para, links, null);
    para = [];
  };

  for (let li = 0; li < lines.length; li++) {
    const line = lines[li]!;
    const raw = line.text;
    if (raw.trim() === '') {
      flush();
      blank = true;
      continue;
    }
    let indent = indentOf(raw);
    // Which list items does this line still belong to?
    if (blank || para.length === 0) {
      while (lists.length && indent < inner()) lists.pop();
    }
    const c = inner();
    if (indent > c + 3 && (blank || para.length === 0)) decline(); // indented code
    let offset = indent;
    let rest = raw.slice(offset);
    if (rest.startsWith('>') || HTML_START.test(rest)) decline();

    if (para.length && !blank && indent > c + 3) {
      para.push({ no: line.no, start: 0, text: raw });
      continue;
    }
    if (para.length && !blank && SETEXT.test(rest) && indent <= c + 3) {
      if (paraInList || lists.length || para.length > 1) decline();
      const only = para[0]!;
      headings.push(headingText(only.text.slice(only.start).trim()));
      scanInline(para, links, null);
      para = [];
      blank = false;
      continue;
    }
    // List items (possibly several markers on one line: decline those).
    const item = LIST_ITEM.exec(rest);
    if (item && !THEMATIC.test(rest)) {
      const empty = rest.slice(item[0].length).trim() === '';
      const ordered = item[2] !== undefined;
      const interrupts = !empty && (!ordered || item[2] === '1');
      const kind = ordered ? item[1]!.slice(-1) : item[1]!;
      if (para.length && !blank) {
        if (lists.length === 0) {
          if (!interrupts) {
            para.push({ no: line.no, start: 0, text: raw });
            continue;
          }
        } else if (indent >= c) {
          // The first item of a list nested in the current item.
          if (!interrupts) decline();
        } else {
          // A sibling of an open item, or a new list: only siblings are modelled.
          let closed: { content: number; kind: string } | undefined;
          while (lists.length && indent < inner()) closed = lists.pop();
          if (!closed || closed.kind !== kind) decline();
        }
      }
      flush();
      if (empty) decline();
      const spaces = item[3]!.length;
      if (spaces > 4) decline();
      const contentOffset = indent + item[1]!.length + spaces;
      while (lists.length && indent < inner()) lists.pop();
      lists.push({ content: contentOffset, kind });
      offset = contentOffset;
      rest = raw.slice(offset);
      if (LIST_ITEM.test(rest) || rest.startsWith('>') || HTML_START.test(rest)) decline();
      paraInList = true;
      indent = offset;
    } else if (para.length && !blank) {
      // A line right after paragraph text (not a setext underline: handled above): a block that
      // interrupts the paragraph, or more paragraph text (lazy or not).
      if (indent > c + 3 || !isInterrupt(rest)) {
        para.push({ no: line.no, start: 0, text: raw });
        blank = false;
        continue;
      }
      flush();
      if (indent < c) lists = lists.filter((x) => x.content <= indent);
    } else {
      paraInList = lists.length > 0;
    }

    // Block starts on `rest` (at column offset + 1).
    blank = false;
    if (THEMATIC.test(rest)) {
      flush();
      continue;
    }
    const atx = ATX.exec(rest);
    if (atx) {
      flush();
      let content = atx[2] ?? '';
      content = content.replace(/(?:^|[ \t]+)#+$/, '').trim();
      headings.push(headingText(content));
      const start = raw.length - rest.length + rest.indexOf(content.charAt(0) || '\u0000');
      if (content)
        scanInline([{ no: line.no, start: Math.max(start, offset), text: raw }], links, null);
      continue;
    }
    const fence = FENCE_OPEN.exec(rest);
    if (fence && !(fence[1]![0] === '`' && fence[2]!.includes('`'))) {
      flush();
      li = readFence(lines, li, offset, inner(), fence, collected.add);
      blank = false;
      continue;
    }
    para.push({ no: line.no, start: offset, text: raw });
  }
  flush();
  return { headings, links, blocks: collected.blocks, findings: collected.findings };
}

/** Whether a line right after paragraph text starts a new block instead of continuing it. */
function isInterrupt(rest: string): boolean {
  return THEMATIC.test(rest) || ATX.test(rest) || isFence(rest);
}

function isFence(rest: string): boolean {
  const m = FENCE_OPEN.exec(rest);
  return m !== null && !(m[1]![0] === '`' && m[2]!.includes('`'));
}

function readFence(
  lines: Line[],
  li: number,
  indent: number,
  container: number,
  fence: RegExpExecArray,
  add: ReturnType<typeof collectBlocks>['add'],
): number {
  const open = lines[li]!;
  const marks = fence[1]!;
  const rel = indent - container;
  if (rel > 3) decline();
  const info = fence[2]!.trim();
  if (info.includes('\\') || info.includes('&')) decline();
  const ws = info.search(/[ \t]/);
  const lang = info === '' ? null : ws < 0 ? info : info.slice(0, ws);
  const meta = ws < 0 ? null : info.slice(ws).trim() || null;
  const close = new RegExp(`^ {0,3}${marks[0] === '`' ? '`' : '~'}{${marks.length},}[ \\t]*$`);
  const body: string[] = [];
  let j = li + 1;
  let closed = false;
  for (; j < lines.length; j++) {
    const t = lines[j]!.text;
    if (t.trim() === '') {
      body.push(t.length > indent ? t.slice(indent) : '');
      continue;
    }
    const ind = indentOf(t);
    if (ind < container) decline(); // the list item ends: remark closes the block there
    if (close.test(t.slice(container))) {
      closed = true;
      break;
    }
    body.push(t.slice(Math.min(ind, indent)));
  }
  if (!closed) {
    // At the end of the file: remark drops the line ending before a last line that holds no
    // content (the text after the last line ending, or blanks within the fence's indentation).
    if (body.length && body[body.length - 1] === '') body.pop();
    if (container > 0) decline();
  }
  const fenceLine = open.text;
  add({
    lang,
    meta,
    line: open.no,
    column: indent + 1,
    metaColumn: indent + 1 + fenceLine.slice(indent).lastIndexOf(meta ?? ''),
    fence: marks,
    closed,
    atEnd: !closed,
    value: body.join('\n'),
  });
  return closed ? j : lines.length;
}

/** Heading text as remark's plain-text reading gives it; declines anything with markup. */
function headingText(content: string): string {
  let out = '';
  for (let i = 0; i < content.length; i++) {
    const ch = content[i]!;
    if (ch === '`') {
      let n = 1;
      while (content[i + n] === '`') n++;
      const closeAt = findCloseRun(content, i + n, n);
      if (closeAt < 0) decline();
      let inner = content.slice(i + n, closeAt);
      if (inner.length > 2 && inner.startsWith(' ') && inner.endsWith(' ') && inner.trim() !== '')
        inner = inner.slice(1, -1);
      out += inner;
      i = closeAt + n - 1;
      continue;
    }
    if (ch === '[' && content[i + 1] === '[') {
      const end = wikiEnd(content, i + 2);
      if (end < 0) decline();
      const value = content.slice(i + 2, end);
      const bar = value.indexOf('|');
      const ref = bar < 0 ? value : value.slice(0, bar);
      const hash = ref.indexOf('#');
      const alias = bar < 0 ? '' : value.slice(bar + 1).trim();
      const heading = hash < 0 ? '' : ref.slice(hash + 1).trim();
      const target = (hash < 0 ? ref : ref.slice(0, hash)).trim();
      out += alias || heading || target;
      i = end + 1;
      continue;
    }
    if (ch === '_' && isWordChar(content[i - 1]) && isWordChar(content[i + 1])) {
      out += ch; // intraword underscores are never emphasis
      continue;
    }
    if ('\\*_[]<>&'.includes(ch) || (ch === '!' && content[i + 1] === '[')) decline();
    out += ch;
  }
  return out.trim();
}

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}]/u.test(ch);
}

/** Index of the `]]` closing a wikilink whose text starts at `from`, or -1. */
function wikiEnd(s: string, from: number): number {
  for (let j = from; j < s.length; j++) {
    const ch = s[j];
    if (ch === '[' || ch === '\n') return -1;
    if (ch === ']') return s[j + 1] === ']' && j > from ? j : -1;
  }
  return -1;
}

/** Index of the next run of exactly `n` backticks at or after `from`, or -1. */
function findCloseRun(s: string, from: number, n: number): number {
  for (let j = from; j < s.length; j++) {
    if (s[j] !== '`') continue;
    let k = 1;
    while (s[j + k] === '`') k++;
    if (k === n) return j;
    j += k - 1;
  }
  return -1;
}

/** Finds wikilinks in paragraph or heading text, left to right as micromark does. */
function scanInline(lines: TextLine[], links: WikiLink[], _unused: null): void {
  // Join the lines (micromark strips leading spaces of continuation lines; positions stay).
  let s = '';
  const map: { at: number; no: number; col: number }[] = [];
  lines.forEach((l, n) => {
    let start = l.start;
    if (n > 0) start = Math.max(start, indentOf(l.text));
    map.push({ at: s.length, no: l.no, col: start + 1 });
    s += l.text.slice(start);
    if (n < lines.length - 1) s += '\n';
  });
  if (!s.includes('[[')) {
    return;
  }
  // Links, definitions, HTML and hard breaks change what `[[` means: leave those to remark.
  if (/(?<!\])\](?:\(|\[)|<|\\\n/.test(s)) decline();
  if (s.startsWith('[') && !s.startsWith('[[') && s.includes(']:')) decline();
  const place = (at: number): { line: number; column: number } => {
    let m = map[0]!;
    for (const x of map) if (x.at <= at) m = x;
    return { line: m.no, column: m.col + (at - m.at) };
  };
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\') {
      if (i + 1 < s.length && /[!-/:-@[-`{-~]/.test(s[i + 1]!)) i++;
      continue;
    }
    if (ch === '`') {
      let n = 1;
      while (s[i + n] === '`') n++;
      const closeAt = findCloseRun(s, i + n, n);
      i = closeAt < 0 ? i + n - 1 : closeAt + n - 1;
      continue;
    }
    const embed = ch === '!' && s[i + 1] === '[' && s[i + 2] === '[';
    if ((ch === '[' && s[i + 1] === '[') || embed) {
      const open = embed ? i + 1 : i;
      const end = wikiEnd(s, open + 2);
      if (end < 0) {
        if (embed) i++;
        continue;
      }
      const value = s.slice(open + 2, end);
      const bar = value.indexOf('|');
      const ref = bar < 0 ? value : value.slice(0, bar);
      const hash = ref.indexOf('#');
      const alias = bar < 0 ? undefined : value.slice(bar + 1).trim();
      const heading = hash < 0 ? undefined : ref.slice(hash + 1).trim();
      links.push({
        target: (hash < 0 ? ref : ref.slice(0, hash)).trim(),
        ...(heading ? { heading } : {}),
        ...(alias ? { alias } : {}),
        embed,
        ...place(i),
      });
      i = end + 1;
    }
  }
}
