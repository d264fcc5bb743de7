import type { Diagnostic } from '../../cards/types.ts';
import { headingKey } from '../heading-key.ts';
import type { LinkRule } from './rule-context.ts';

/**
 * `broken-heading`: the `#Heading` part of a wikilink names a real heading of its target
 * (case-insensitive, punctuation-tolerant). Block references (`#^id`) are not checked.
 * @param ctx the cards, the docs index and the headings reader
 * @returns a finding per link to a missing heading
 */
export const brokenHeading: LinkRule = ({ cards, docs, headingsOf }) => {
  const out: Diagnostic[] = [];
  for (const card of cards) {
    for (const link of card.links) {
      const target = link.target === '' ? card.path : docs.resolve(link.target);
      if (target === undefined) continue;
      if (link.heading === undefined || link.heading.startsWith('^')) continue;
      const headings = headingsOf(target);
      if (headings === null) continue;
      const wanted = link.heading.split('#').filter(Boolean);
      const bad = wanted.find((h) => !headings.has(headingKey(h)));
      if (bad !== undefined) {
        out.push({
          path: card.path,
          line: link.line,
          column: link.column,
          severity: 'error',
          rule: 'broken-heading',
          message: `Unexpected link to missing heading \`#${bad}\` in \`${target}\`, expected one of its headings`,
          fix: 'Link to an existing heading (compare case-insensitively, punctuation aside), or add it.',
        });
      }
    }
  }
  return out;
};
