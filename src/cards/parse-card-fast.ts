import { checkMarkdownBounds } from './markdown-bounds.ts';
import { parseCardFrontmatter } from './parse-card-frontmatter.ts';
import { scanCardBody } from './scan-card-body.ts';
import type { Card } from './types.ts';

/** Cards larger than this are not parsed as Markdown (their frontmatter still is). */
export const MAX_CARD_BYTES = 1024 * 1024;

/** Reads a card's body into the card, or declines with undefined. */
export type CardBodyReader = (card: Card, text: string) => Card | undefined;

/**
 * Parses a card as `parseCard` does, without loading the Markdown parser: frontmatter always;
 * with `full` (the default) also the body, through `readBody` (the scanner by default), unless
 * the card is too large or too costly to parse. Never throws on bad input: findings go to
 * `card.diagnostics`.
 * @param text the whole card file
 * @param opts `path` relative to the repository root, `absPath`, and `full: false` for the
 *   frontmatter only
 * @param readBody what reads the body (default: the scanner, which may decline)
 * @returns the card, or undefined when `readBody` declines
 */
export function parseCardFast(
  text: string,
  opts: { path: string; absPath: string; full?: boolean },
  readBody: CardBodyReader = scanCardBody,
): Card | undefined {
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
  return readBody(card, text);
}
