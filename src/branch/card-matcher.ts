import path from 'node:path';
import { excludeMatcher } from '../cards/glob-matcher.ts';
import type { MikadoConfig } from '../config/types.ts';

/** Decides which repository paths are cards. */
export interface CardMatcher {
  /** The cards root relative to the repository root (`docs/cards`; `''` for the root itself). */
  cardsRel: string;
  /**
   * @param repoPath a path relative to the repository root, `/`-separated
   * @returns true for a card: what `loadCards` would read from the work tree
   */
  isCard(repoPath: string): boolean;
}

const MARKDOWN = /\.(md|markdown)$/i;

/**
 * Builds the card test for a config, agreeing with `loadCards`: `.md`/`.markdown` files under
 * `cardsDir`, not inside a dot-directory or `node_modules`, minus the `exclude` globs (relative to
 * the cards root, matched against the file and each of its directories).
 * @param config the resolved config
 * @returns the matcher
 */
export function cardMatcher(
  config: Pick<MikadoConfig, 'root' | 'cardsDir' | 'exclude'>,
): CardMatcher {
  const cardsRel = path.relative(config.root, config.cardsDir).split(path.sep).join('/');
  const prefix = cardsRel === '' ? '' : `${cardsRel}/`;
  const excluded = excludeMatcher(config.exclude);
  return {
    cardsRel,
    isCard(repoPath: string): boolean {
      if (!MARKDOWN.test(repoPath) || !repoPath.startsWith(prefix)) return false;
      const rel = repoPath.slice(prefix.length);
      const folders = rel.split('/').slice(0, -1);
      if (folders.some((f) => f.startsWith('.') || f === 'node_modules')) return false;
      return !excluded(rel);
    },
  };
}

/**
 * The stem (id) of a card path: its file name without `.md` or `.markdown`.
 * @param repoPath the card's path
 * @returns the stem
 */
export function cardStem(repoPath: string): string {
  return repoPath.slice(repoPath.lastIndexOf('/') + 1).replace(MARKDOWN, '');
}
