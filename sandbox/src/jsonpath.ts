import { isObject } from './objects.ts';
import { StandInError } from './stand-in-error.ts';

type Literal = string | number | boolean | null;

type Segment =
  | { k: 'field'; name: string }
  | { k: 'index'; i: number }
  | { k: 'slice'; start?: number; end?: number }
  | { k: 'wild' }
  | { k: 'recursive'; name: string }
  | { k: 'filter'; left: Segment[]; op?: string; right?: Literal };

type TNode =
  | { t: 'text'; v: string }
  | { t: 'path'; segs: Segment[] }
  | { t: 'range'; segs: Segment[]; body: TNode[] };

/**
 * Evaluates a kubectl JSONPath template (`{.items[*].metadata.name}`, `{range .items[*]}…{end}`,
 * filters `[?(@.type=="Ready")]`, escaped dots `nvidia\.com/gpu`, string literals `{"\n"}`).
 * Missing keys print nothing, as `kubectl get -o jsonpath` does.
 * @param template the template
 * @param data the object (or List)
 * @returns the rendered text
 */
export function renderJsonPath(template: string, data: unknown): string {
  const nodes = parseTemplate(template);
  return renderNodes(nodes, data, data);
}

function renderNodes(nodes: TNode[], cur: unknown, root: unknown): string {
  let out = '';
  for (const n of nodes) {
    if (n.t === 'text') out += n.v;
    else if (n.t === 'path') {
      out += evaluate(n.segs, cur, root).map(print).join(' ');
    } else {
      for (const item of evaluate(n.segs, cur, root)) out += renderNodes(n.body, item, root);
    }
  }
  return out;
}

function print(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  return JSON.stringify(v);
}

function parseTemplate(template: string): TNode[] {
  const stack: TNode[][] = [[]];
  const ranges: { segs: Segment[] }[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      stack.at(-1)!.push({ t: 'text', v: template.slice(i) });
      break;
    }
    if (open > i) stack.at(-1)!.push({ t: 'text', v: template.slice(i, open) });
    let close = open + 1;
    let quote: string | undefined;
    while (close < template.length) {
      const ch = template[close];
      if (quote) {
        if (ch === '\\') close++;
        else if (ch === quote) quote = undefined;
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '}') break;
      close++;
    }
    if (close >= template.length) throw jsonPathError(template, 'unclosed action');
    const expr = template.slice(open + 1, close).trim();
    i = close + 1;
    if (expr === 'end') {
      const body = stack.pop();
      const r = ranges.pop();
      if (!body || !r || stack.length === 0)
        throw jsonPathError(template, 'not in range, nothing to end');
      stack.at(-1)!.push({ t: 'range', segs: r.segs, body });
    } else if (expr.startsWith('range ')) {
      ranges.push({ segs: parsePath(expr.slice(6).trim(), template) });
      stack.push([]);
    } else if (/^["']/.test(expr)) {
      stack.at(-1)!.push({ t: 'text', v: unquote(expr) });
    } else {
      stack.at(-1)!.push({ t: 'path', segs: parsePath(expr, template) });
    }
  }
  if (stack.length !== 1) throw jsonPathError(template, 'unclosed range');
  return stack[0]!;
}

function jsonPathError(template: string, why: string): StandInError {
  return new StandInError(`error: error parsing jsonpath ${template}, ${why}`);
}

function unquote(s: string): string {
  const body = s.slice(1, -1);
  return body.replace(/\\(.)/g, (_, c: string) =>
    c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c,
  );
}

function parseLiteral(s: string): Literal {
  const t = s.trim();
  if (/^["']/.test(t)) return unquote(t);
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null') return null;
  const n = Number(t);
  return Number.isNaN(n) ? t : n;
}

function parsePath(expr: string, template: string): Segment[] {
  const segs: Segment[] = [];
  let i = 0;
  const s = expr;
  if (s[i] === '$' || s[i] === '@') i++;
  while (i < s.length) {
    const ch = s[i];
    if (ch === '.') {
      if (s[i + 1] === '.') {
        i += 2;
        const { name, next } = readName(s, i);
        segs.push({ k: 'recursive', name });
        i = next;
        continue;
      }
      i++;
      if (i >= s.length) break;
      if (s[i] === '*') {
        segs.push({ k: 'wild' });
        i++;
        continue;
      }
      if (s[i] === '[') continue;
      const { name, next } = readName(s, i);
      segs.push({ k: 'field', name });
      i = next;
    } else if (ch === '[') {
      const end = findBracketEnd(s, i);
      if (end < 0) throw jsonPathError(template, 'unterminated array');
      const inner = s.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') segs.push({ k: 'wild' });
      else if (/^["']/.test(inner)) segs.push({ k: 'field', name: unquote(inner) });
      else if (inner.startsWith('?(') && inner.endsWith(')'))
        segs.push(parseFilter(inner.slice(2, -1), template));
      else if (inner.includes(':')) {
        const [a, b] = inner.split(':');
        segs.push({
          k: 'slice',
          start: a?.trim() ? Number(a) : undefined,
          end: b?.trim() ? Number(b) : undefined,
        });
      } else if (/^-?\d+$/.test(inner)) segs.push({ k: 'index', i: Number(inner) });
      else throw jsonPathError(template, `invalid array index ${inner}`);
    } else {
      const { name, next } = readName(s, i);
      if (!name)
        throw jsonPathError(template, `unrecognized character in action: ${JSON.stringify(ch)}`);
      segs.push({ k: 'field', name });
      i = next;
    }
  }
  return segs;
}

function readName(s: string, start: number): { name: string; next: number } {
  let name = '';
  let i = start;
  while (i < s.length) {
    const ch = s[i]!;
    if (ch === '\\' && i + 1 < s.length) {
      name += s[i + 1];
      i += 2;
      continue;
    }
    if (ch === '.' || ch === '[' || ch === ' ') break;
    name += ch;
    i++;
  }
  return { name, next: i };
}

function findBracketEnd(s: string, start: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = start; i < s.length; i++) {
    const ch = s[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[') depth++;
    else if (ch === ']') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function parseFilter(expr: string, template: string): Segment {
  const m = /^(@[^=!<>]*?)\s*(==|!=|<=|>=|<|>)\s*(.+)$/.exec(expr.trim());
  if (m)
    return {
      k: 'filter',
      left: parsePath(m[1]!.trim(), template),
      op: m[2],
      right: parseLiteral(m[3]!),
    };
  return { k: 'filter', left: parsePath(expr.trim(), template) };
}

function evaluate(segs: Segment[], cur: unknown, root: unknown): unknown[] {
  let values: unknown[] = [cur];
  for (const seg of segs) {
    const next: unknown[] = [];
    for (const v of values) {
      switch (seg.k) {
        case 'field':
          if (isObject(v) && seg.name in v) next.push(v[seg.name]);
          break;
        case 'index':
          if (Array.isArray(v)) {
            const idx = seg.i < 0 ? v.length + seg.i : seg.i;
            if (idx >= 0 && idx < v.length) next.push(v[idx]);
          }
          break;
        case 'slice':
          if (Array.isArray(v)) next.push(...v.slice(seg.start, seg.end));
          break;
        case 'wild':
          if (Array.isArray(v)) next.push(...v);
          else if (isObject(v)) next.push(...Object.values(v));
          break;
        case 'recursive':
          collect(v, seg.name, next);
          break;
        case 'filter':
          if (Array.isArray(v)) {
            for (const item of v) if (filterMatches(seg, item, root)) next.push(item);
          }
          break;
      }
    }
    values = next;
  }
  return values;
}

function collect(v: unknown, name: string, out: unknown[]): void {
  if (Array.isArray(v)) {
    for (const x of v) collect(x, name, out);
  } else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (name === '*' || k === name) out.push(x);
      collect(x, name, out);
    }
  }
}

function filterMatches(
  seg: Extract<Segment, { k: 'filter' }>,
  item: unknown,
  root: unknown,
): boolean {
  const found = evaluate(seg.left, item, root);
  if (seg.op === undefined) return found.length > 0 && found[0] !== false && found[0] !== null;
  const left = found[0];
  const right = seg.right;
  switch (seg.op) {
    case '==':
      return left === right || (left !== undefined && String(left) === String(right));
    case '!=':
      return !(left === right || (left !== undefined && String(left) === String(right)));
    case '<':
      return Number(left) < Number(right);
    case '>':
      return Number(left) > Number(right);
    case '<=':
      return Number(left) <= Number(right);
    case '>=':
      return Number(left) >= Number(right);
    default:
      return false;
  }
}
