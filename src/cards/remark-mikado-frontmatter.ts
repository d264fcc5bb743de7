import type { Root } from 'mdast';
import type { VFile } from 'vfile';
import { parseFrontmatter } from './parse-frontmatter.ts';
import { readCardFields } from './read-card-fields.ts';
import { report } from './report.ts';
import type { Card } from './types.ts';

/** The Mikado fields of a card's frontmatter. */
export type CardFields = Pick<
  Card,
  'title' | 'modified' | 'lastReviewed' | 'tags' | 'status' | 'requires' | 'branch' | 'frontmatter'
>;

declare module 'vfile' {
  interface DataMap {
    /** The card's frontmatter fields (set by remarkMikadoFrontmatter). */
    mikado: CardFields;
  }
}

/**
 * A remark plugin (after remark-frontmatter) that reads the YAML frontmatter into
 * `file.data.mikado` and reports YAML errors and schema problems at the card's own lines.
 * @returns the transformer
 */
export function remarkMikadoFrontmatter(): (tree: Root, file: VFile) => undefined {
  return (tree, file) => {
    const node = tree.children[0];
    const path = file.path ?? 'card.md';
    if (node?.type !== 'yaml') {
      file.data.mikado = { tags: [], status: null, requires: [], frontmatter: null };
      return undefined;
    }
    const parsed = parseFrontmatter(node.value, {
      path,
      line: (node.position?.start.line ?? 1) + 1,
    });
    for (const d of parsed.diagnostics) {
      report(file, { ...d, place: { line: d.line, column: d.column } });
    }
    if (parsed.data === null) {
      file.data.mikado = { tags: [], status: null, requires: [], frontmatter: {} };
      return undefined;
    }
    const { diagnostics, ...fields } = readCardFields(parsed.data, parsed.places, path);
    for (const d of diagnostics) report(file, { ...d, place: { line: d.line, column: d.column } });
    file.data.mikado = { ...fields, frontmatter: parsed.data };
    return undefined;
  };
}
