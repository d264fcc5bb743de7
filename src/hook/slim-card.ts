import { cardStem } from '../branch/card-matcher.ts';
import type { Card, Place } from '../cards/types.ts';

/** What the graph rules read of a card, by blob (content-addressed: never stale). */
export interface SlimCard {
  status: 'active' | null;
  requires: string[];
  branch?: string;
  /** The places of `requires` and `branch` (where graph findings point). */
  places?: Record<string, Place>;
  /** The file has frontmatter. */
  fm: boolean;
}

/**
 * What the graph rules read of a card, from its frontmatter.
 * @param card the card, parsed
 * @returns its slim form
 */
export function slimCard(card: Card): SlimCard {
  const places: Record<string, Place> = {};
  for (const [k, v] of Object.entries(card.places ?? {})) {
    if (k.startsWith('requires') || k.startsWith('branch')) places[k] = v;
  }
  const out: SlimCard = {
    status: card.status,
    requires: card.requires,
    fm: card.frontmatter !== null,
  };
  if (card.branch !== undefined) out.branch = card.branch;
  if (Object.keys(places).length > 0) out.places = places;
  return out;
}

/**
 * Lists no card reads or changes: the other cards share them (frozen, so a change would throw
 * rather than reach another card).
 */
const NOTHING = Object.freeze([]) as unknown as never[];
const NO_FIELDS = Object.freeze({});

/**
 * A card for the graph rules from its slim form: no body, no headings, no links.
 * @param absPath its absolute path
 * @param p its repository path
 * @param s its slim form
 * @returns the card
 */
export function cardFromSlim(absPath: string, p: string, s: SlimCard): Card {
  return {
    stem: cardStem(p),
    path: p,
    absPath,
    tags: NOTHING,
    status: s.status,
    requires: s.requires.length === 0 ? NOTHING : s.requires,
    branch: s.branch,
    frontmatter: s.fm ? NO_FIELDS : null,
    bodyLine: 1,
    body: '',
    headings: NOTHING,
    links: NOTHING,
    blocks: NOTHING,
    places: s.places,
    diagnostics: NOTHING,
  };
}

/** A card with frontmatter and no Mikado fields: most cards, stored as a bare blob id. */
export const PLAIN: SlimCard = Object.freeze({ status: null, requires: NOTHING, fm: true });

/**
 * Whether a card's slim form is {@link PLAIN}'s.
 * @param s the slim form
 * @returns true for a card with frontmatter and no Mikado fields
 */
export function isPlain(s: SlimCard): boolean {
  return s.fm && s.status === null && s.requires.length === 0 && !s.branch && !s.places;
}

/**
 * Whether a value read back from a file is a slim card, exactly as {@link slimCard} makes them.
 * @param s the value
 * @returns true when it is
 */
export function isSlim(s: unknown): s is SlimCard {
  if (typeof s !== 'object' || s === null) return false;
  const c = s as Record<string, unknown>;
  const place = (p: unknown) =>
    typeof p === 'object' &&
    p !== null &&
    Number.isInteger((p as Place).line) &&
    Number.isInteger((p as Place).column);
  return (
    (c['status'] === 'active' || c['status'] === null) &&
    Array.isArray(c['requires']) &&
    c['requires'].every((r) => typeof r === 'string') &&
    (c['branch'] === undefined || typeof c['branch'] === 'string') &&
    (c['places'] === undefined ||
      (typeof c['places'] === 'object' &&
        c['places'] !== null &&
        Object.values(c['places']).every(place))) &&
    typeof c['fm'] === 'boolean' &&
    Object.keys(c).every((k) => ['status', 'requires', 'branch', 'places', 'fm'].includes(k))
  );
}
