import { parseCardFrontmatter } from '../cards/parse-card-frontmatter.ts';

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
  const card = parseCardFrontmatter(text, { path, absPath: path });
  return {
    keys: new Set(Object.keys(card.frontmatter ?? {})),
    status: card.status,
    requires: card.requires,
    branch: card.branch,
  };
}
