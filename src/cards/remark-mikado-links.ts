import type { Nodes, Root } from 'mdast';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import type { WikiLink } from './types.ts';

declare module 'vfile' {
  interface DataMap {
    /** Wikilinks of the document, in order (set by remarkMikadoLinks). */
    wikiLinks: WikiLink[];
    /** Heading texts of the document, in order (set by remarkMikadoLinks). */
    headings: string[];
  }
}

/**
 * A remark plugin that collects the document's wikilinks (needs remarkWikiLink) and heading
 * texts into `file.data.wikiLinks` and `file.data.headings`.
 * @returns the transformer
 */
export function remarkMikadoLinks(): (tree: Root, file: VFile) => undefined {
  return (tree, file) => {
    const links: WikiLink[] = [];
    const headings: string[] = [];
    visit(tree, (node) => {
      if (node.type === 'wikiLink') {
        const start = node.position?.start;
        links.push({
          target: node.target,
          ...(node.heading !== undefined ? { heading: node.heading } : {}),
          ...(node.alias !== undefined ? { alias: node.alias } : {}),
          embed: node.embed,
          line: start?.line ?? 1,
          column: start?.column ?? 1,
        });
      } else if (node.type === 'heading') {
        headings.push(textOf(node).trim());
      }
    });
    file.data.wikiLinks = links;
    file.data.headings = headings;
    return undefined;
  };
}

/**
 * The plain text of a node, with wikilinks read as their alias or target.
 * @param node an mdast node
 * @returns its text
 */
export function textOf(node: Nodes): string {
  if (node.type === 'wikiLink') return node.alias ?? node.heading ?? node.target;
  if ('value' in node && typeof node.value === 'string' && node.type !== 'html') return node.value;
  if ('children' in node) return node.children.map((c) => textOf(c)).join('');
  return '';
}
