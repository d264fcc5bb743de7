/** How git cleans a commit message (`commit.cleanup`, `git commit --cleanup`). */
export type CleanupMode = 'default' | 'strip' | 'whitespace' | 'verbatim' | 'scissors';

/** What {@link cleanMessage} needs to know to clean a message the way git will. */
export interface CleanOptions {
  /** `core.commentString` / `core.commentChar` as configured: a string, `auto`, or undefined (`#`). */
  commentChar?: string;
  /** `commit.cleanup` (default `default`). */
  cleanup?: CleanupMode | string;
  /** Whether git opened an editor for the message (git sets `GIT_EDITOR=:` for hooks when not). */
  editorUsed: boolean;
}

/** The candidates git tries, in order, for `core.commentChar=auto`. */
const AUTO_CANDIDATES = '#;@!$%^&|:';

/** The text after the comment character on git's scissors line (`git commit -v`). */
export const CUT_LINE = '------------------------ >8 ------------------------';

/**
 * Cleans a commit message the way `git commit` will after the commit-msg hook has run: CRLF
 * becomes LF, everything from the scissors line on is dropped (when an editor was used), comment
 * lines (those starting with the comment character, never indented ones) are dropped in `strip`
 * mode, trailing whitespace is removed from every line, runs of empty lines collapse and leading
 * and trailing empty lines go.
 * @param raw the message file's text
 * @param options comment character, cleanup mode and whether an editor was used
 * @returns the cleaned message (ends with a newline unless empty)
 */
export function cleanMessage(raw: string, options: CleanOptions): string {
  let text = raw.replace(/\r\n/g, '\n');
  const mode = normaliseMode(options.cleanup);
  const comment = resolveCommentChar(text, options.commentChar);
  if (options.editorUsed) text = cutAtScissors(text, comment);
  if (mode === 'verbatim') return text;
  const stripComments = mode === 'strip' || (mode === 'default' && options.editorUsed);
  return stripSpace(text, stripComments ? comment : undefined);
}

/**
 * The normalised subject of a message that git already cleaned (history): CRLF and trailing
 * whitespace removed, the first non-empty line.
 * @param message a commit message
 * @returns the subject line, or `''`
 */
export function subjectOf(message: string): string {
  for (const line of message.split('\n')) {
    const t = line.replace(/[ \t\r\f\v]+$/, '');
    if (t !== '') return t;
  }
  return '';
}

function normaliseMode(mode: string | undefined): CleanupMode {
  switch (mode) {
    case 'strip':
    case 'whitespace':
    case 'verbatim':
    case 'scissors':
      return mode;
    default:
      return 'default';
  }
}

/**
 * Resolves the comment character git uses for a message. For `auto`, git picks the first of
 * `#;@!$%^&|:` that starts no line of the prepared message and writes its comment lines with
 * it; from the finished message we recover it from the scissors line, or from the lines git
 * writes that consist of the character alone, or else repeat git's own choice.
 * @param text the message (LF line ends)
 * @param configured `core.commentChar` or `core.commentString` as configured
 * @returns the comment string
 */
export function resolveCommentChar(text: string, configured: string | undefined): string {
  if (configured === undefined || configured === '') return '#';
  if (configured !== 'auto') return configured;
  const lines = text.split('\n');
  for (const line of lines) {
    const c = line[0];
    if (c && AUTO_CANDIDATES.includes(c) && line === `${c} ${CUT_LINE}`) return c;
  }
  for (const line of lines) {
    if (line.length === 1 && AUTO_CANDIDATES.includes(line)) return line;
  }
  for (const c of AUTO_CANDIDATES) {
    if (!lines.some((l) => l.startsWith(c))) return c;
  }
  return '#';
}

function cutAtScissors(text: string, comment: string): string {
  const marker = `${comment} ${CUT_LINE}\n`;
  if (text.startsWith(marker) || text === marker.slice(0, -1)) return '';
  const at = text.indexOf(`\n${marker}`);
  if (at >= 0) return text.slice(0, at + 1);
  if (text.endsWith(`\n${marker.slice(0, -1)}`))
    return text.slice(0, text.length - marker.length + 1);
  return text;
}

/** git's `strbuf_stripspace`. */
function stripSpace(text: string, comment: string | undefined): string {
  const out: string[] = [];
  let empties = 0;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    if (comment !== undefined && line.startsWith(comment)) continue;
    const t = line.replace(/[ \t\r\n\f\v]+$/, '');
    if (t === '') {
      empties++;
      continue;
    }
    if (empties > 0 && out.length > 0) out.push('');
    empties = 0;
    out.push(t);
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}
