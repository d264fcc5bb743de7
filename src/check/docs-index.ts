import { statSync } from 'node:fs';
import path from 'node:path';
import type { Card, Diagnostic } from '../cards/types.ts';
import { type FoundFile, walkFiles } from '../cards/walk-files.ts';

/** The files wikilinks can point at: Markdown docs by stem and path, other files by name. */
export interface DocsIndex {
  /**
   * Finds the file a link target names.
   * @param target the target as written (`stem`, `folder/stem`, `stem.md`, `image.png`)
   * @returns its path relative to the root, or undefined
   */
  resolve(target: string): string | undefined;
}

const MARKDOWN = /\.(md|markdown)$/i;

/**
 * Indexes every file under the docs root (and the cards, wherever they are) for link resolution.
 * Matching is case-insensitive, as in Obsidian.
 * @param docsDir absolute docs root
 * @param root repository root
 * @param cards the cards (they resolve even outside the docs root)
 * @param walked the files under the docs root, when already listed
 * @param extraDocs files outside the docs root (relative to the root) that resolve as if they
 *   sat at the docs root (`extraDocs:`); missing ones are left out
 * @returns the index and any findings of the walk
 */
export function buildDocsIndex(
  docsDir: string,
  root: string,
  cards: Card[],
  walked: { files: FoundFile[]; diagnostics: Diagnostic[] } = walkFiles(docsDir, {
    root,
    markdownOnly: false,
  }),
  extraDocs: readonly string[] = [],
): { index: DocsIndex; diagnostics: Diagnostic[] } {
  const byStem = new Map<string, string>();
  const byRel = new Map<string, string>();
  const byName = new Map<string, string>();
  const add = (filePath: string, relToDocs: string): void => {
    const name = path.posix.basename(filePath).toLowerCase();
    if (!byName.has(name)) byName.set(name, filePath);
    if (!MARKDOWN.test(name)) return;
    const stem = name.replace(MARKDOWN, '');
    if (!byStem.has(stem)) byStem.set(stem, filePath);
    byRel.set(relToDocs.toLowerCase().replace(MARKDOWN, ''), filePath);
  };
  for (const c of cards) add(c.path, c.path);
  for (const f of walked.files) add(f.path, f.relToDir);
  for (const extra of extraDocs) {
    const rel = path.posix.normalize(extra.replace(/\\/g, '/'));
    if (isFile(path.join(root, rel))) add(rel, path.posix.basename(rel));
  }
  const resolve = (target: string): string | undefined => {
    const t = target
      .trim()
      .toLowerCase()
      .replace(/^\.?\//, '');
    if (t === '') return undefined;
    if (t.includes('/')) {
      const key = t.replace(MARKDOWN, '');
      const exact = byRel.get(key);
      if (exact) return exact;
      for (const [rel, p] of byRel) if (rel.endsWith(`/${key}`)) return p;
      return undefined;
    }
    if (MARKDOWN.test(t)) return byStem.get(t.replace(MARKDOWN, ''));
    return byStem.get(t) ?? byName.get(t);
  };
  // Missing or unreadable docs roots are not check's business when the cards are elsewhere.
  const diagnostics = walked.diagnostics.filter((d) => d.rule !== 'missing-dir');
  return { index: { resolve }, diagnostics };
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
