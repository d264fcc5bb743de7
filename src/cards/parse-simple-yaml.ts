import type { Place } from './types.ts';

/** A YAML mapping read by {@link parseSimpleYaml}, with where each key and list item sits. */
export interface SimpleYaml {
  data: Record<string, unknown>;
  /** 1-based places: `key` for a key, `key.value` for a scalar value, `key.N` for a list item. */
  places: Record<string, Place>;
}

const KEY = /^([A-Za-z_][A-Za-z0-9_-]*):(?:[ \t]+(.*))?$/;
const ITEM = /^( *)-[ \t]+(.*)$/;
/** Plain scalars that are strings in the YAML 1.2 core schema, starting with a letter... */
const SAFE_PLAIN = /^[A-Za-z_\p{L}][\p{L}\p{N} _./()+-]*$/u;
/** ...or with a digit (`30m`, `2026-05-13`), unless they read as a number. */
const DIGIT_PLAIN = /^[0-9][\p{L}\p{N}_./+-]*$/u;
/** The same two for ASCII text: much cheaper to compile, which start-up pays for. */
const SAFE_PLAIN_ASCII = /^[A-Za-z_][A-Za-z0-9 _./()+-]*$/;
const DIGIT_PLAIN_ASCII = /^[0-9][A-Za-z0-9_./+-]*$/;
const ASCII = /^[\x00-\x7f]*$/;
const CORE_NUMBER =
  /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+)$/;
const SPECIAL = /^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE)$/;
/** One-line quoted strings without escapes, control characters or odd line breaks. */
const DOUBLE_QUOTED = /^"([^"\\\x00-\x1f\x7f-\x9f\u2028\u2029\uFEFF]*)"/;
const SINGLE_QUOTED = /^'([^'\x00-\x1f\x7f-\x9f\u2028\u2029\uFEFF]*)'(?!')/;
const BLANK_OR_COMMENT = /^ *(?:#.*)?$/;
/** What may follow a value on its line: spaces and a comment. */
const LINE_END = /^(?:[ \t]+#.*)?[ \t]*$/;

/**
 * Reads the simple YAML that card frontmatter and config files are made of, exactly as the `yaml`
 * package reads it, without loading that package: `key: value` lines whose values are plain
 * words, one-line quoted strings without escapes, flow lists `[a, "b"]` or block lists of those,
 * and comments. Anything else (nested mappings, anchors, multi-line strings, numbers, booleans,
 * duplicate keys, ...) returns null, and the caller uses the `yaml` package.
 * @param yaml the YAML text
 * @param firstLine the 1-based line the text starts on (for the places)
 * @returns the mapping and places, or null when the text is not in the simple subset
 */
export function parseSimpleYaml(yaml: string, firstLine: number): SimpleYaml | null {
  const data: Record<string, unknown> = {};
  const places: Record<string, Place> = {};
  const lines = yaml.split('\n');
  let listKey: string | undefined;
  let listIndent: string | undefined;
  /** Where an empty value sits (after `key:` and its spaces), the place of a key left null. */
  let emptyPlace: Place | undefined;
  const endList = (key: string): void => {
    if ((data[key] as unknown[]).length > 0) return;
    data[key] = null;
    places[`${key}.value`] = emptyPlace!;
  };
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const lineNo = firstLine + i;
    const first = line.charCodeAt(0);
    // (the character tests only spare regular expressions, which start-up pays for)
    if ((line === '' || first === 32 || first === 35) && BLANK_OR_COMMENT.test(line)) continue;
    if (listKey !== undefined) {
      const m = ITEM.exec(line);
      if (m && (listIndent === undefined || m[1] === listIndent)) {
        listIndent = m[1]!;
        const s = blockValue(m[2]!, false);
        if (!s) return null;
        const list = data[listKey] as unknown[];
        places[`${listKey}.${list.length}`] = {
          line: lineNo,
          column: line.indexOf(m[2]!, m[1]!.length + 1) + 1,
        };
        list.push(s.value);
        continue;
      }
      if (line.startsWith(' ') || line.startsWith('\t') || line.startsWith('-')) return null;
      endList(listKey);
      listKey = undefined;
    }
    const m = KEY.exec(line);
    if (!m) return null;
    const key = m[1]!;
    if (Object.hasOwn(data, key) || key === '__proto__' || SPECIAL.test(key)) return null;
    places[key] = { line: lineNo, column: 1 };
    const raw = m[2];
    if (raw === undefined || raw === '' || (raw[0] === '#' && LINE_END.test(` ${raw}`))) {
      data[key] = [];
      listKey = key;
      listIndent = undefined;
      const after = line.slice(key.length + 1);
      emptyPlace = { line: lineNo, column: line.length - after.trimStart().length + 1 };
      continue;
    }
    const v = blockValue(raw, true);
    if (!v) return null;
    const rawColumn = line.length - raw.length + 1;
    if (v.starts) {
      // a list has no `key.value` place (as from the yaml package), one place per item
      v.starts.forEach((start, n) => {
        places[`${key}.${n}`] = { line: lineNo, column: rawColumn + start };
      });
    } else {
      places[`${key}.value`] = { line: lineNo, column: rawColumn };
    }
    data[key] = v.value;
  }
  if (listKey !== undefined) endList(listKey);
  return { data, places };
}

/**
 * A value up to the end of its line: a scalar, or (`flow`) a flow list, with where each of its
 * items starts in `raw`; a comment may follow.
 */
function blockValue(raw: string, flow: boolean): { value: unknown; starts?: number[] } | null {
  if (raw.startsWith('[')) {
    if (!flow) return null;
    const list = flowList(raw);
    return list && LINE_END.test(raw.slice(list.end))
      ? { value: list.items, starts: list.starts }
      : null;
  }
  const quoted = quotedScalar(raw);
  if (quoted) return LINE_END.test(raw.slice(quoted.end)) ? { value: quoted.value } : null;
  const comment = raw.includes('#') ? /[ \t]#/.exec(raw) : null;
  const text = (comment ? raw.slice(0, comment.index) : raw).trimEnd();
  return plainScalar(text) ? { value: text } : null;
}

/** `[a, "b c", 'd']` at the start of `raw`: its items, where each starts and where it ends. */
function flowList(raw: string): { items: string[]; starts: number[]; end: number } | null {
  const items: string[] = [];
  const starts: number[] = [];
  let i = 1;
  const skipSpace = (): void => {
    while (raw[i] === ' ' || raw[i] === '\t') i++;
  };
  skipSpace();
  if (raw[i] === ']') return { items, starts, end: i + 1 };
  for (;;) {
    skipSpace();
    starts.push(i);
    const quoted = quotedScalar(raw.slice(i));
    if (quoted) {
      items.push(quoted.value);
      i += quoted.end;
    } else {
      let end = i;
      while (end < raw.length && raw[end] !== ',' && raw[end] !== ']') end++;
      const text = raw.slice(i, end).trimEnd();
      if (!plainScalar(text)) return null;
      items.push(text);
      i = end;
    }
    skipSpace();
    if (raw[i] === ']') return { items, starts, end: i + 1 };
    if (raw[i] !== ',') return null;
    i++;
  }
}

/** A one-line quoted string at the start of `text`, and where it ends. */
function quotedScalar(text: string): { value: string; end: number } | null {
  const quote = text[0];
  if (quote !== '"' && quote !== "'") return null;
  const m = (quote === '"' ? DOUBLE_QUOTED : SINGLE_QUOTED).exec(text);
  return m ? { value: m[1]!, end: m[0].length } : null;
}

/** Whether a plain scalar is a string the `yaml` package reads as itself. */
function plainScalar(text: string): boolean {
  // The ASCII expressions match ASCII text only; the Unicode ones are for the rest.
  if (SAFE_PLAIN_ASCII.test(text) || (!ASCII.test(text) && SAFE_PLAIN.test(text))) {
    return (text.length > 5 || !SPECIAL.test(text)) && !text.endsWith(' ');
  }
  if (DIGIT_PLAIN_ASCII.test(text) || (!ASCII.test(text) && DIGIT_PLAIN.test(text))) {
    return !CORE_NUMBER.test(text);
  }
  return false;
}
