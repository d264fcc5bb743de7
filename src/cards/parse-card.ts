import { parseCardBody } from './parse-card-body.ts';
import { parseCardFast } from './parse-card-fast.ts';
import type { Card } from './types.ts';

export { MAX_CARD_BYTES } from './parse-card-fast.ts';

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
  // the remark pipeline never declines
  return parseCardFast(text, opts, parseCardBody)!;
}
