import remarkFrontmatter from 'remark-frontmatter';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { VFile } from 'vfile';
import { remarkMikadoBlocks } from './remark-mikado-blocks.ts';
import { remarkMikadoLinks } from './remark-mikado-links.ts';
import { remarkWikiLink } from './remark-wiki-link.ts';
import { fileDiagnostics } from './report.ts';
import type { Card } from './types.ts';

const processor = unified()
  .use(remarkParse)
  .use(remarkFrontmatter, ['yaml'])
  .use(remarkWikiLink)
  .use(remarkMikadoLinks)
  .use(remarkMikadoBlocks)
  .freeze();

/**
 * Parses a card's Markdown (remark with the Mikado plugins) and fills its headings, wikilinks and
 * ```` ```ts run ```` blocks; block and fence findings go to `card.diagnostics`.
 * @param card a card from {@link parseCardFrontmatter}
 * @param text the whole card file (positions are the file's lines)
 * @returns the same card, filled
 */
export function parseCardBody(card: Card, text: string): Card {
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
