import { checkMarkdownBounds } from './markdown-bounds.ts';
import { parseCardBody } from './parse-card-body.ts';
import { parseCardFrontmatter } from './parse-card-frontmatter.ts';
import type { Card } from './types.ts';

/** Cards larger than this are not parsed as Markdown (their frontmatter still is). */
export const MAX_CARD_BYTES = 1024 * 1024;

/**
 * Parses a card: frontmatter always; with `full` (the default) also headings, wikilinks and
 * ```` ```ts run ```` blocks. Never throws on bad input: findings go to `card.diagnostics`.
 * @param text the whole card file
 * @param opts `path` relative to the repository root, `absPath`, and `full: false` for the fast
 *   frontmatter-only path (no Markdown parser)
 * @returns the card
 */
export function parseCard(
  text: string,
  opts: { path: string; absPath: string; full?: boolean },
): Card {
  const card = parseCardFrontmatter(text, opts);
  if (opts.full === false) return card;
  if (text.length > MAX_CARD_BYTES) {
    card.diagnostics.push({
      path: card.path,
      line: 1,
      column: 1,
      severity: 'error',
      rule: 'card-too-large',
      message: `Unexpected ${(text.length / 1024 / 1024).toFixed(1)} MiB card, expected at most ${MAX_CARD_BYTES / 1024 / 1024} MiB (its body was not read)`,
      fix: 'Split the card into smaller cards, or move bulk data out of docs/cards.',
    });
    return card;
  }
  const costly = checkMarkdownBounds(text, { path: card.path, startLine: card.bodyLine });
  if (costly) {
    card.diagnostics.push(costly);
    return card;
  }
  return parseCardBody(card, text);
}
