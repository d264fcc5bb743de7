import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { Diagnostic, Place } from './types.ts';

/** Frontmatter read from YAML, with where each key and list item sits in the card. */
export interface ParsedFrontmatter {
  /** The mapping, or null when the YAML is not a mapping (a list, a string) or does not parse. */
  data: Record<string, unknown> | null;
  /** 1-based places in the card: `key` for a key, `key.N` for the N-th item of a list value. */
  places: Record<string, Place>;
  diagnostics: Diagnostic[];
}

const KEY = /^([A-Za-z_][A-Za-z0-9_-]*):(?:[ \t]+(.*))?$/;
const ITEM = /^([ \t]*)-[ \t]+(.*)$/;
const SAFE_PLAIN = /^[A-Za-z_\p{L}][\p{L}\p{N} _./()+-]*$/u;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const SPECIAL = /^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE)$/;

/**
 * Parses a card's YAML frontmatter. Simple frontmatter (plain `key: value` lines, block or flow
 * lists of plain words) takes a fast path that gives exactly what the `yaml` package gives;
 * anything else goes through `yaml` itself. YAML errors are mapped to the card's own lines.
 * @param yaml the text between the `---` fences
 * @param opts `path` for diagnostics, `line`: the card line the YAML starts on
 * @returns the data, places and findings
 */
export function parseFrontmatter(
  yaml: string,
  opts: { path: string; line: number },
): ParsedFrontmatter {
  return fastParse(yaml, opts.line) ?? slowParse(yaml, opts);
}

function parseFlowOrScalar(raw: string): { ok: boolean; value?: unknown } {
  const v = raw.trimEnd();
  if (v.startsWith('[')) {
    if (!v.endsWith(']')) return { ok: false };
    const inner = v.slice(1, -1).trim();
    if (inner === '') return { ok: true, value: [] };
    const items: unknown[] = [];
    for (const part of inner.split(',')) {
      const s = scalar(part.trim());
      if (!s.ok) return { ok: false };
      items.push(s.value);
    }
    return { ok: true, value: items };
  }
  return scalar(v);
}

function scalar(v: string): { ok: boolean; value?: unknown } {
  if (DATE.test(v)) return { ok: true, value: v };
  if (!SAFE_PLAIN.test(v) || SPECIAL.test(v) || v.endsWith(' ')) return { ok: false };
  return { ok: true, value: v };
}

/** The fast path: returns null whenever the YAML is not in the simple subset. */
function fastParse(yaml: string, firstLine: number): ParsedFrontmatter | null {
  const data: Record<string, unknown> = {};
  const places: Record<string, Place> = {};
  const lines = yaml.split('\n');
  let listKey: string | undefined;
  let listIndent: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const lineNo = firstLine + i;
    const trimmed = line.trim();
    if (trimmed === '' || (trimmed.startsWith('#') && line.startsWith(trimmed))) continue;
    if (trimmed.startsWith('#')) return null;
    if (listKey !== undefined) {
      const m = ITEM.exec(line);
      if (m && (listIndent === undefined || m[1] === listIndent)) {
        listIndent = m[1]!;
        const s = scalar(m[2]!.trimEnd());
        if (!s.ok) return null;
        const list = data[listKey] as unknown[];
        places[`${listKey}.${list.length}`] = {
          line: lineNo,
          column: line.indexOf(m[2]!, m[1]!.length + 1) + 1,
        };
        list.push(s.value);
        continue;
      }
      if (line.startsWith(' ') || line.startsWith('\t') || line.startsWith('-')) return null;
      if ((data[listKey] as unknown[]).length === 0) data[listKey] = null;
      listKey = undefined;
    }
    const m = KEY.exec(line);
    if (!m) return null;
    const key = m[1]!;
    if (Object.hasOwn(data, key) || key === '__proto__' || SPECIAL.test(key)) return null;
    places[key] = { line: lineNo, column: 1 };
    const raw = m[2];
    if (raw === undefined || raw.trim() === '') {
      data[key] = [];
      listKey = key;
      listIndent = undefined;
      continue;
    }
    const v = parseFlowOrScalar(raw);
    if (!v.ok) return null;
    places[`${key}.value`] = { line: lineNo, column: line.indexOf(raw) + 1 };
    if (Array.isArray(v.value)) {
      const col = line.indexOf('[') + 2;
      v.value.forEach((_, n) => {
        places[`${key}.${n}`] = { line: lineNo, column: col };
      });
    }
    data[key] = v.value;
  }
  if (listKey !== undefined && (data[listKey] as unknown[]).length === 0) data[listKey] = null;
  return { data, places, diagnostics: [] };
}

function slowParse(yaml: string, opts: { path: string; line: number }): ParsedFrontmatter {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yaml, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    logLevel: 'error',
  });
  const at = (offset: number): Place => {
    const p = lineCounter.linePos(offset);
    return { line: opts.line + p.line - 1, column: p.col };
  };
  const diagnostics: Diagnostic[] = [];
  for (const [severity, list] of [
    ['error', doc.errors],
    ['warning', doc.warnings],
  ] as const) {
    for (const e of list) {
      diagnostics.push({
        path: opts.path,
        ...at(e.pos[0]),
        severity,
        rule: 'frontmatter-yaml',
        message: firstLine(e.message),
        fix: 'Fix the YAML between the `---` lines (quote values that contain `: ` or `#`).',
      });
    }
  }
  if (doc.errors.length > 0) return { data: null, places: {}, diagnostics };
  const contents = doc.contents as Node | null;
  if (contents === null) return { data: {}, places: {}, diagnostics };
  if (!isMap(contents)) {
    const kind = isSeq(contents) ? 'list' : isScalar(contents) ? 'string' : 'value';
    diagnostics.push({
      path: opts.path,
      ...at(contents.range?.[0] ?? 0),
      severity: 'error',
      rule: 'frontmatter-yaml',
      message: `Unexpected ${kind} as frontmatter, expected a mapping such as \`title: ...\``,
      fix: 'Write the frontmatter as `key: value` lines (`title:`, `modified:`, `status:`, `requires:`).',
    });
    return { data: null, places: {}, diagnostics };
  }
  const places: Record<string, Place> = {};
  for (const pair of contents.items) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
    if (key === undefined) continue;
    places[key] = at(keyNode?.range?.[0] ?? 0);
    const value = pair.value as Node | null;
    if (isSeq(value)) {
      value.items.forEach((item, n) => {
        const range = (item as Node | null)?.range;
        if (range) places[`${key}.${n}`] = at(range[0]);
      });
    } else if (value?.range) {
      places[`${key}.value`] = at(value.range[0]);
    }
  }
  let data: Record<string, unknown>;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
  } catch (error) {
    diagnostics.push({
      path: opts.path,
      line: opts.line,
      column: 1,
      severity: 'error',
      rule: 'frontmatter-yaml',
      message: firstLine(error instanceof Error ? error.message : String(error)),
    });
    return { data: null, places: {}, diagnostics };
  }
  return { data, places, diagnostics };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
