import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Card } from '../cards/types.ts';
import { headingKey } from './heading-key.ts';

let parseForHeadings: typeof import('../cards/parse-card.ts').parseCard | undefined;

/**
 * Loads the Markdown parser used to read headings of docs that are not cards.
 * @returns nothing; call before checking links when docs outside the cards root are linked
 */
export async function prepareHeadingReader(): Promise<void> {
  parseForHeadings ??= (await import('../cards/parse-card.ts')).parseCard;
}

/**
 * A reader of the headings of link targets: a card's from the card, another Markdown doc's read
 * from disk (once, when {@link prepareHeadingReader} ran), each normalized by `headingKey`.
 * @param cards the cards, by path
 * @param root repository root
 * @returns the reader: the target's headings, or null when they cannot be known
 */
export function headingReader(cards: Card[], root: string): (target: string) => Set<string> | null {
  const byPath = new Map(cards.map((c) => [c.path, c] as const));
  const headingCache = new Map<string, Set<string> | null>();
  return (target) => {
    const cached = headingCache.get(target);
    if (cached !== undefined) return cached;
    let headings: string[] | null = byPath.get(target)?.headings ?? null;
    if (headings === null && /\.(md|markdown)$/i.test(target))
      headings = readHeadings(path.join(root, target), target);
    const set = headings ? new Set(headings.map(headingKey)) : null;
    headingCache.set(target, set);
    return set;
  };
}

function readHeadings(absPath: string, relPath: string): string[] | null {
  try {
    const text = readFileSync(absPath, 'utf8');
    if (!parseForHeadings) return null;
    return parseForHeadings(text, { path: relPath, absPath }).headings;
  } catch {
    return null;
  }
}
