import type { Card } from '../../src/cards/types.ts';

/**
 * A card object without a file: active, no blocks, no findings, under `docs/cards` unless the
 * fields say otherwise.
 * @param stem the stem
 * @param fields fields to set
 * @returns the card
 */
export function cardObject(stem: string, fields: Partial<Card> = {}): Card {
  return {
    stem,
    path: `docs/cards/${stem}.md`,
    absPath: `/r/docs/cards/${stem}.md`,
    tags: [],
    status: 'active',
    requires: [],
    frontmatter: {},
    bodyLine: 1,
    body: '',
    headings: [],
    links: [],
    blocks: [],
    diagnostics: [],
    ...fields,
  };
}
