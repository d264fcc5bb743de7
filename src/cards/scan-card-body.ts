import { scanMarkdown } from './scan-markdown.ts';
import type { Card } from './types.ts';

/**
 * Fills a card's headings, wikilinks and ```` ```ts run ```` blocks with the hand-written
 * scanner alone; block and fence findings go to `card.diagnostics`. Declines (and leaves the
 * card untouched) when the scanner cannot model the text: then only the remark pipeline
 * (`parseCardBodyWithRemark`) can read it.
 * @param card a card from `parseCardFrontmatter`
 * @param text the whole card file (positions are the file's lines)
 * @returns the same card, filled, or undefined when the scanner declines
 */
export function scanCardBody(card: Card, text: string): Card | undefined {
  const scanned = scanMarkdown(text, { stem: card.stem, startLine: card.bodyLine });
  if (!scanned) return undefined;
  card.headings = scanned.headings;
  card.links = scanned.links;
  card.blocks = scanned.blocks;
  for (const f of scanned.findings) {
    card.diagnostics.push({
      path: card.path,
      ...f.place,
      severity: f.severity,
      rule: f.rule,
      message: f.message,
      ...(f.fix ? { fix: f.fix } : {}),
    });
  }
  return card;
}
