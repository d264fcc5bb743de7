import type { MikadoConfig } from '../config/types.ts';
import { parseCardFrontmatter } from './parse-card-frontmatter.ts';
import { readCardFile } from './read-card-file.ts';
import type { Card, Diagnostic } from './types.ts';
import { walkFiles } from './walk-files.ts';

/**
 * Loads every Markdown file under `config.cardsDir` (recursive, minus `config.exclude`) as a
 * card. Unreadable, binary and non-UTF-8 files, symlink loops and a missing cards root are
 * reported as diagnostics, never thrown.
 * @param config the resolved configuration
 * @param opts `full: false` reads frontmatter only (no Markdown parser is even loaded)
 * @returns the cards sorted by path, and the findings about files that could not be cards
 */
export async function loadCards(
  config: MikadoConfig,
  opts: { full?: boolean } = {},
): Promise<{ cards: Card[]; diagnostics: Diagnostic[] }> {
  const { files, diagnostics } = walkFiles(config.cardsDir, {
    root: config.root,
    exclude: config.exclude,
  });
  const full = opts.full !== false;
  const parse = full
    ? (await import('./parse-card.ts')).parseCard
    : (text: string, o: { path: string; absPath: string }) => parseCardFrontmatter(text, o);
  const cards: Card[] = [];
  for (const file of files) {
    const read = readCardFile(file.absPath, file.path);
    if (read.diagnostic) {
      diagnostics.push(read.diagnostic);
      continue;
    }
    cards.push(parse(read.text, { path: file.path, absPath: file.absPath, full }));
  }
  return { cards, diagnostics };
}
