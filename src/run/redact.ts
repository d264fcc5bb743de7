import { Transform, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** What a secret's value is replaced with. */
export const REDACTED = '***';

/** Backslashes that escaping (once or nested, as JSON inside JSON) may put before a character. */
const BACKSLASHES = '\\\\{0,8}';

/** Characters whose short escapes (`\n`, `\t`, ...) shells, zx, JSON and JavaScript print. */
const SHORT_ESCAPES: Record<string, string[]> = {
  '\n': ['n'],
  '\t': ['t'],
  '\r': ['r'],
  '\f': ['f'],
  '\v': ['v'],
  '\b': ['b'],
  '\0': ['0'],
  '\x07': ['a'],
  '\x1b': ['e', 'E'],
};

/**
 * The ways the tools around a block print one character of a secret: as itself, escaped with a
 * backslash (zx's `$'...'`, `printf %q`, JSON, JavaScript), in POSIX single quotes (`'\''`,
 * `'"'"'`), doubled (`''`, `""`), as a short escape (`\n`), and as hex, Unicode or octal escapes
 * (`\x0a`, `\u00e9`, `\u{1f600}`, `\303\251`), in lower and upper case.
 * @param ch one character (a code point)
 * @returns the spellings, each a literal string
 */
function spellings(ch: string): string[] {
  const cp = ch.codePointAt(0)!;
  const out = new Set<string>([ch]);
  const hex = (n: number, width: number): string[] => {
    const h = n.toString(16).padStart(width, '0');
    return [h, h.toUpperCase()];
  };
  for (const e of SHORT_ESCAPES[ch] ?? []) out.add(`\\${e}`);
  if (ch === "'") for (const s of ["'\\''", `'"'"'`, "''", '&#39;', '&#x27;']) out.add(s);
  if (ch === '"') for (const s of ['""', '&quot;']) out.add(s);
  if (cp < 0x100) {
    for (const h of hex(cp, 2)) out.add(`\\x${h}`);
    out.add(`\\${cp.toString(8).padStart(3, '0')}`);
  }
  if (cp < 0x10000) for (const h of hex(cp, 4)) out.add(`\\u${h}`);
  else {
    const hi = 0xd800 + ((cp - 0x10000) >> 10);
    const lo = 0xdc00 + ((cp - 0x10000) & 0x3ff);
    out.add(`\\u${hex(hi, 4)[0]}\\u${hex(lo, 4)[0]}`);
    out.add(`\\u${hex(hi, 4)[1]}\\u${hex(lo, 4)[1]}`);
  }
  for (const h of hex(cp, 1)) out.add(`\\u{${h}}`);
  for (const h of hex(cp, 8)) out.add(`\\U${h}`);
  if (cp >= 0x80) {
    const bytes = [...Buffer.from(ch, 'utf8')];
    out.add(bytes.map((b) => `\\${b.toString(8)}`).join(''));
    out.add(bytes.map((b) => `\\x${b.toString(16)}`).join(''));
    out.add(bytes.map((b) => `\\x${b.toString(16).toUpperCase()}`).join(''));
  }
  return [...out].sort((a, b) => b.length - a.length);
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A regular expression source for one character of a secret, in any of its spellings. */
function charPattern(ch: string): string {
  return `${BACKSLASHES}(?:${spellings(ch).map(escapeRegExp).join('|')})`;
}

/** The proper prefixes of a character's spellings: what a chunk may end in mid-spelling. */
function partialPattern(ch: string): string {
  const parts = new Set<string>();
  for (const s of spellings(ch)) for (let n = 1; n < s.length; n++) parts.add(s.slice(0, n));
  const alts = [...parts].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return `${BACKSLASHES}(?:${alts.length > 0 ? `${alts.join('|')}|` : ''}(?=$))`;
}

/** Compiled matchers for one set of secrets. */
interface Matchers {
  /** Every spelling of every secret. */
  whole: RegExp | undefined;
  /** The start of a spelling of some secret, running to the end of the text. */
  start: RegExp | undefined;
  /** The longest spelling of any secret, in characters: how far back `start` can reach. */
  window: number;
}

const compiled = new Map<string, Matchers>();

function matchers(secrets: readonly string[]): Matchers {
  // Longest first, so a secret containing another is replaced whole.
  const list = [...new Set(secrets.filter((s) => s.length > 0))].sort(
    (a, b) => b.length - a.length,
  );
  const key = list.join('\0');
  let m = compiled.get(key);
  if (m) return m;
  if (list.length === 0) m = { whole: undefined, start: undefined, window: 0 };
  else {
    const whole = list.map((s) => [...s].map(charPattern).join(''));
    const start = list.map((s) => {
      const chars = [...s];
      // Nested from the last character out: a partial spelling, or a whole one and more.
      let tail = '';
      for (let i = chars.length - 1; i >= 0; i--) {
        const partial = partialPattern(chars[i]!);
        tail =
          i === chars.length - 1
            ? partial
            : `(?:${partial}|${charPattern(chars[i]!)}(?:${tail}|(?=$)))`;
      }
      return tail;
    });
    m = {
      whole: new RegExp(whole.map((w) => `(?:${w})`).join('|'), 'gu'),
      start: new RegExp(`(?:${start.join('|')})$`, 'u'),
      window: Math.max(
        ...list.map((s) => [...s].reduce((n, ch) => n + 8 + spellings(ch)[0]!.length, 0)),
      ),
    };
  }
  if (compiled.size > 64) compiled.clear();
  compiled.set(key, m);
  return m;
}

/**
 * Replaces every occurrence of the secrets in a text, in every spelling the tools around a block
 * print them: raw, shell-quoted the way zx and POSIX shells quote (`$'...'`, `'\''`), escaped the
 * way JSON and JavaScript escape (also nested), and as hex, Unicode or octal escapes.
 * @param text the text
 * @param secrets secret values (empty strings are ignored)
 * @returns the text with each secret replaced by `***`
 */
export function redactText(text: string, secrets: readonly string[]): string {
  const { whole } = matchers(secrets);
  return whole ? text.replace(whole, REDACTED) : text;
}

/**
 * Whether a text contains a secret in any spelling {@link redactText} replaces.
 * @param text the text
 * @param secrets secret values
 * @returns true when some secret occurs
 */
export function containsSecret(text: string, secrets: readonly string[]): boolean {
  const { whole } = matchers(secrets);
  if (!whole) return false;
  whole.lastIndex = 0;
  const found = whole.test(text);
  whole.lastIndex = 0;
  return found;
}

/**
 * A stream that redacts secrets from text passing through, also when a secret (in any spelling)
 * is split across chunks: the end of a chunk that could begin a secret is held back until the
 * next chunk (or the end of the stream) shows whether it does.
 * @param secrets secret values
 * @returns a Transform from bytes to redacted UTF-8 text
 */
export function createRedactor(secrets: readonly string[]): Transform {
  const m = matchers(secrets);
  const decoder = new StringDecoder('utf8');
  let held = '';
  const emit = (text: string, final: boolean): string => {
    const replaced = redactText(text, secrets);
    if (final || !m.start) return replaced;
    const keep = heldSuffix(replaced, m.start, m.window);
    held = replaced.slice(replaced.length - keep);
    return replaced.slice(0, replaced.length - keep);
  };
  return new Transform({
    transform(chunk: Buffer | string, _enc: BufferEncoding, cb: TransformCallback) {
      const text = held + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
      held = '';
      const out = emit(text, false);
      cb(null, out.length > 0 ? out : undefined);
    },
    flush(cb: TransformCallback) {
      const text = held + decoder.end();
      held = '';
      const out = emit(text, true);
      cb(null, out.length > 0 ? out : undefined);
    },
  });
}

/** Length of the longest suffix of `text` that could be the start of a secret's spelling. */
function heldSuffix(text: string, start: RegExp, window: number): number {
  const tail = text.length > window ? text.slice(text.length - window) : text;
  const found = start.exec(tail);
  return found ? tail.length - found.index : 0;
}
