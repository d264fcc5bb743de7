import type { Node } from 'yaml';
import { requireBundled } from '../require-bundled.ts';
import { parseSimpleYaml } from './parse-simple-yaml.ts';
import type { Diagnostic, Place } from './types.ts';

/** Frontmatter read from YAML, with where each key and list item sits in the card. */
export interface ParsedFrontmatter {
  /** The mapping, or null when the YAML is not a mapping (a list, a string) or does not parse. */
  data: Record<string, unknown> | null;
  /** 1-based places in the card: `key` for a key, `key.N` for the N-th item of a list value. */
  places: Record<string, Place>;
  diagnostics: Diagnostic[];
}

/**
 * Parses a card's YAML frontmatter. Simple frontmatter takes a fast path ({@link parseSimpleYaml})
 * that gives exactly what the `yaml` package gives; anything else goes through `yaml` itself,
 * loaded on first use. YAML errors are mapped to the card's own lines.
 * @param yaml the text between the `---` fences
 * @param opts `path` for diagnostics, `line`: the card line the YAML starts on
 * @returns the data, places and findings
 */
export function parseFrontmatter(
  yaml: string,
  opts: { path: string; line: number },
): ParsedFrontmatter {
  const simple = parseSimpleYaml(yaml, opts.line);
  return simple ? { ...simple, diagnostics: [] } : parseFrontmatterWithYaml(yaml, opts);
}

/**
 * {@link parseFrontmatter} through the `yaml` package only: the reference the fast path is
 * tested against.
 * @param yaml the text between the `---` fences
 * @param opts `path` for diagnostics, `line`: the card line the YAML starts on
 * @returns the data, places and findings
 */
export function parseFrontmatterWithYaml(
  yaml: string,
  opts: { path: string; line: number },
): ParsedFrontmatter {
  const { isMap, isScalar, isSeq, LineCounter, parseDocument } = requireBundled('yaml');
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
    // The key as `toJS` names it in the data: `null: c` and `~: c` become the key `''`.
    const key = isScalar(keyNode)
      ? keyNode.value === null || keyNode.value === undefined
        ? ''
        : String(keyNode.value)
      : undefined;
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
