import type { Processor } from 'unified';
import { wikiLinkFromMarkdown, wikiLinkSyntax } from './wiki-link-syntax.ts';

/**
 * A remark plugin that parses Obsidian-style wikilinks (`[[t]]`, `[[t#H]]`, `[[t|a]]`,
 * `[[t#H|a]]`, `![[t]]`) into `wikiLink` nodes with exact positions. Use it after remark-parse.
 * @returns nothing; it registers a micromark and an mdast extension
 */
export function remarkWikiLink(this: Processor): undefined {
  const data = this.data();
  data.micromarkExtensions ??= [];
  data.fromMarkdownExtensions ??= [];
  data.micromarkExtensions.push(wikiLinkSyntax());
  data.fromMarkdownExtensions.push(wikiLinkFromMarkdown());
  return undefined;
}
