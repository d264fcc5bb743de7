import { parseCardFrontmatter } from '../cards/parse-card-frontmatter.ts';
import type { Card } from '../cards/types.ts';

/** The Mikado fields of a card's frontmatter, as the hook needs them. */
export interface MikadoFields {
  /** The frontmatter's top-level keys. */
  keys: Set<string>;
  /** `'active'` while the card is open. */
  status: 'active' | null;
  requires: string[];
  branch?: string;
}

/**
 * Reads `status`, `requires` and `branch` with the card parser's fast path (frontmatter only).
 * @param text the card's text
 * @param path the card's path relative to the repository root
 * @returns the fields
 */
export function readMikadoFields(text: string, path: string): MikadoFields {
  return mikadoFieldsOf(parseCardFrontmatter(text, { path, absPath: path }));
}

/**
 * The Mikado fields of a parsed card.
 * @param card the card (the fast frontmatter path is enough)
 * @returns the fields
 */
export function mikadoFieldsOf(card: Card): MikadoFields {
  return {
    keys: new Set(Object.keys(card.frontmatter ?? {})),
    status: card.status,
    requires: card.requires,
    branch: card.branch,
  };
}
