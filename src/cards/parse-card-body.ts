import remarkFrontmatter from 'remark-frontmatter';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { VFile } from 'vfile';
import { remarkMikadoBlocks } from './remark-mikado-blocks.ts';
import { remarkMikadoLinks } from './remark-mikado-links.ts';
import { remarkWikiLink } from './remark-wiki-link.ts';
import { fileDiagnostics } from './report.ts';
import { scanCardBody } from './scan-card-body.ts';
import type { Card } from './types.ts';

const processor = unified()
  .use(remarkParse)
  .use(remarkFrontmatter, ['yaml'])
  .use(remarkWikiLink)
  .use(remarkMikadoLinks)
  .use(remarkMikadoBlocks)
  .freeze();

/**
 * Fills a card's headings, wikilinks and ```` ```ts run ```` blocks from its Markdown; block and
 * fence findings go to `card.diagnostics`. Uses the fast scanner when it can model the text and
 * the remark pipeline otherwise; both give the same answer (property-tested).
 * @param card a card from {@link parseCardFrontmatter}
 * @param text the whole card file (positions are the file's lines)
 * @returns the same card, filled
 */
export function parseCardBody(card: Card, text: string): Card {
  return scanCardBody(card, text) ?? parseCardBodyWithRemark(card, text);
}

/**
 * {@link parseCardBody} through the remark pipeline only (remark-parse, remark-frontmatter and
 * the Mikado plugins): the reference the fast scanner is tested against.
 * @param card a card from {@link parseCardFrontmatter}
 * @param text the whole card file
 * @returns the same card, filled
 */
export function parseCardBodyWithRemark(card: Card, text: string): Card {
  const file = new VFile({ path: card.path, value: text });
  file.stem = card.stem;
  const tree = processor.parse(file);
  processor.runSync(tree, file);
  card.headings = file.data.headings ?? [];
  card.links = file.data.wikiLinks ?? [];
  card.blocks = file.data.runBlocks ?? [];
  card.diagnostics.push(...fileDiagnostics(file, card.path));
  return card;
}
