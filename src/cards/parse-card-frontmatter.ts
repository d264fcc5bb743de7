import path from 'node:path';
import { parseFrontmatter } from './parse-frontmatter.ts';
import { readCardFields } from './read-card-fields.ts';
import { splitFrontmatter } from './split-frontmatter.ts';
import type { Card, Diagnostic } from './types.ts';

/**
 * The fast path of {@link parseCard}: reads only the frontmatter (no Markdown parser is loaded),
 * leaving `headings`, `links` and `blocks` empty. The list view and the commit hook use it.
 * @param text the whole card file
 * @param opts `path` relative to the repository root, `absPath`
 * @returns the card; findings are in `card.diagnostics`
 */
export function parseCardFrontmatter(text: string, opts: { path: string; absPath: string }): Card {
  const stem = path.basename(opts.path).replace(/\.(md|markdown)$/i, '');
  const card: Card = {
    stem,
    path: opts.path,
    absPath: opts.absPath,
    tags: [],
    status: null,
    requires: [],
    frontmatter: null,
    bodyLine: 1,
    body: text,
    headings: [],
    links: [],
    blocks: [],
    diagnostics: [],
  };
  const split = splitFrontmatter(text);
  const diag = (d: Omit<Diagnostic, 'path'>): void => {
    card.diagnostics.push({ path: opts.path, ...d });
  };
  if (split === null) {
    diag({
      line: 1,
      column: 1,
      severity: 'warning',
      rule: 'no-frontmatter',
      message: 'Unexpected Markdown file without frontmatter, expected a card starting with `---`',
      fix: 'Add frontmatter (`---`, `title:`, `modified:`, `---`), or exclude the file with `exclude:` in mikado.config.yaml.',
    });
    return card;
  }
  if (!split.closed) {
    diag({
      line: 1,
      column: 1,
      severity: 'error',
      rule: 'frontmatter-unclosed',
      message: 'Unexpected end of file in frontmatter, expected a closing `---` line',
      fix: 'Add a `---` line after the last frontmatter key.',
    });
    return card;
  }
  card.bodyLine = split.bodyLine;
  card.body = split.body;
  const parsed = parseFrontmatter(split.yaml, { path: opts.path, line: split.yamlLine });
  card.diagnostics.push(...parsed.diagnostics);
  if (parsed.data === null) {
    card.frontmatter = {};
    return card;
  }
  const { diagnostics, ...fields } = readCardFields(parsed.data, parsed.places, opts.path);
  card.diagnostics.push(...diagnostics);
  Object.assign(card, fields);
  card.frontmatter = parsed.data;
  card.places = parsed.places;
  return card;
}
