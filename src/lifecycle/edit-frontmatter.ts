import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Pair,
  parseDocument,
  Scalar,
  stringify,
} from 'yaml';
import { CardError } from '../errors.ts';
import { frontmatterOffsets } from './frontmatter-offsets.ts';

/** One change to a card's frontmatter. */
export type FrontmatterChange =
  | { op: 'remove'; key: string }
  | { op: 'set'; key: string; value: string }
  | { op: 'append'; key: string; item: string };

/**
 * Applies changes to a card's frontmatter, touching only the bytes of the keys it changes: YAML
 * comments, key order, quoting, spacing, line ends and the body stay byte for byte. Removing a key
 * drops its lines (with a comment on the same line); setting a scalar keeps its quoting style;
 * appending to a list keeps its block or flow style (an empty `[]` becomes a block list). After
 * the edit the YAML is parsed again and compared with the intended data; should the surgical
 * edit ever disagree, the YAML is re-serialised by the `yaml` library (comments kept) instead.
 * @param text the card's text
 * @param changes the edits, applied in order
 * @param path the card's path, for error messages
 * @returns the new text
 */
export function editFrontmatter(text: string, changes: FrontmatterChange[], path: string): string {
  let out = text;
  for (const change of changes) out = applyOne(out, change, path);
  return out;
}

function applyOne(text: string, change: FrontmatterChange, path: string): string {
  const fm = frontmatterOffsets(text);
  if (!fm) {
    throw new CardError(
      `${path}:1:1: Unexpected card without frontmatter, expected \`---\` first`,
      {
        fix: 'Add a frontmatter block (`---`, `title:`, `modified:`, `---`) to the card.',
      },
    );
  }
  const doc = parse(fm.yaml, path);
  const expected = expectedData(doc, change);
  let yaml = surgical(fm.yaml, doc, change, fm.eol);
  if (yaml === undefined || !sameData(parse(yaml, path).toJS(), expected)) {
    yaml = viaLibrary(doc, change);
  }
  if (!sameData(parse(yaml, path).toJS(), expected)) {
    throw new Error(`editing ${path}: the frontmatter edit did not produce the intended data`);
  }
  return text.slice(0, fm.yamlStart) + yaml + text.slice(fm.yamlEnd);
}

function parse(yaml: string, path: string): Document {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yaml, { lineCounter, keepSourceTokens: false });
  const err = doc.errors[0];
  if (err) {
    const pos = lineCounter.linePos(err.pos[0]);
    // The YAML starts on the card's second line, after the opening `---`.
    const line = pos.line + 1;
    throw new CardError(`${path}:${line}:${pos.col}: ${err.message.split('\n')[0]}`, {
      fix: 'Fix the YAML of the frontmatter first (`mikado check` shows all findings).',
    });
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new CardError(
      `${path}:2:1: Unexpected frontmatter that is not a mapping, expected \`key: value\` lines`,
    );
  }
  return doc;
}

function expectedData(doc: Document, change: FrontmatterChange): Record<string, unknown> {
  const data = { ...((doc.toJS() as Record<string, unknown> | null) ?? {}) };
  switch (change.op) {
    case 'remove':
      delete data[change.key];
      break;
    case 'set':
      data[change.key] = change.value;
      break;
    case 'append': {
      const cur = data[change.key];
      data[change.key] = [...(Array.isArray(cur) ? cur : cur == null ? [] : [cur]), change.item];
      break;
    }
  }
  return data;
}

function findPair(doc: Document, key: string): Pair | undefined {
  if (!isMap(doc.contents)) return undefined;
  return doc.contents.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair | undefined;
}

/** The surgical edit, or undefined when the layout is one it does not handle. */
function surgical(
  yaml: string,
  doc: Document,
  change: FrontmatterChange,
  eol: string,
): string | undefined {
  const map = doc.contents;
  if (map !== null && (!isMap(map) || map.flow)) return undefined;
  const pair = findPair(doc, change.key);
  const keyNode = pair?.key as Scalar | undefined;
  const value = pair?.value as { range?: [number, number, number] } | null | undefined;
  const lineStart = (at: number): number => yaml.lastIndexOf('\n', at - 1) + 1;
  const lineEnd = (at: number): number => {
    const nl = yaml.indexOf('\n', at);
    return nl < 0 ? yaml.length : nl + 1;
  };
  const appendLine = (line: string): string => {
    const sep = yaml === '' || yaml.endsWith('\n') ? '' : eol;
    return `${yaml}${sep}${line}${eol}`;
  };
  switch (change.op) {
    case 'remove': {
      if (!pair || !keyNode?.range) return yaml;
      const start = lineStart(keyNode.range[0]);
      const last = value?.range ? Math.max(value.range[1] - 1, keyNode.range[1]) : keyNode.range[1];
      return yaml.slice(0, start) + yaml.slice(lineEnd(last));
    }
    case 'set': {
      const rendered = renderScalar(change.value, value);
      if (!pair || !keyNode?.range) return appendLine(`${change.key}: ${rendered}`);
      if (!value?.range || !isScalar(value)) return undefined;
      return yaml.slice(0, value.range[0]) + rendered + yaml.slice(value.range[1]);
    }
    case 'append': {
      const item = renderScalar(change.item, undefined);
      if (!pair || !keyNode?.range) {
        return appendLine(`${change.key}:${eol}  - ${item}`);
      }
      if (value === null || value === undefined || (isScalar(value) && value.value === null)) {
        // `requires:` with no value
        const end = lineEnd(keyNode.range[1]);
        const head = yaml.slice(0, end).replace(/[ \t]*\r?\n?$/, '');
        return `${head}${eol}  - ${item}${eol}${yaml.slice(end)}`;
      }
      if (!isSeq(value) || !value.range) return undefined;
      if (value.flow) {
        const [start, end] = value.range;
        const src = yaml.slice(start, end);
        if (value.items.length === 0) {
          // `requires: []` becomes a block list: one line per prerequisite diffs well.
          const keyLine = lineStart(keyNode.range[0]);
          const indent = /^[ \t]*/.exec(yaml.slice(keyLine))?.[0] ?? '';
          const restOfLine = yaml.slice(end, lineEnd(end - 1)).trim();
          const comment = restOfLine.startsWith('#') ? ` ${restOfLine}` : '';
          const rest = yaml.slice(lineEnd(end - 1));
          const head = yaml.slice(0, start).replace(/[ \t]*$/, '');
          return `${head}${comment}${eol}${indent}  - ${item}${eol}${rest}`;
        }
        const close = src.lastIndexOf(']');
        if (close < 0) return undefined;
        const inner = src.slice(0, close).replace(/[ \t]*$/, '');
        const spaced = /\[\s/.test(src) ? ' ' : '';
        return `${yaml.slice(0, start)}${inner}, ${item}${spaced}${src.slice(close)}${yaml.slice(end)}`;
      }
      const lastItem = value.items[value.items.length - 1] as
        | { range?: [number, number, number] }
        | undefined;
      if (!lastItem?.range) return undefined;
      const firstItem = value.items[0] as { range?: [number, number, number] };
      const itemLine = lineStart(firstItem.range![0]);
      const dash = /^([ \t]*)-[ \t]+/.exec(yaml.slice(itemLine));
      if (!dash) return undefined;
      const at = lineEnd(lastItem.range[1] - 1);
      const sep = at === yaml.length && !yaml.endsWith('\n') ? eol : '';
      return `${yaml.slice(0, at)}${sep}${dash[0]}${item}${eol}${yaml.slice(at)}`;
    }
  }
}

function viaLibrary(doc: Document, change: FrontmatterChange): string {
  const copy = doc.clone();
  switch (change.op) {
    case 'remove':
      copy.delete(change.key);
      break;
    case 'set':
      copy.set(change.key, change.value);
      break;
    case 'append': {
      const cur = copy.get(change.key);
      if (isSeq(cur)) cur.add(change.item);
      else copy.set(change.key, copy.createNode([change.item]));
      break;
    }
  }
  const s = String(copy);
  return s === '{}\n' ? '' : s;
}

function renderScalar(value: string, like: unknown): string {
  if (isScalar(like)) {
    if (like.type === Scalar.QUOTE_DOUBLE) return JSON.stringify(value);
    if (like.type === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`;
  }
  return stringify(value, { lineWidth: 0 }).replace(/\n$/, '');
}

function sameData(a: unknown, b: unknown): boolean {
  return JSON.stringify(normalise(a ?? {})) === JSON.stringify(normalise(b ?? {}));
}

function normalise(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(normalise);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
        .map(([k, x]) => [k, normalise(x)]),
    );
  }
  return v;
}
