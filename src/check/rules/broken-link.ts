import type { Diagnostic } from '../../cards/types.ts';
import { nearest } from '../nearest.ts';
import type { LinkRule } from './rule-context.ts';

/**
 * `broken-link`: every wikilink names a file under the docs root.
 * @param ctx the cards and the docs index
 * @returns a finding per link to an unknown target, with the nearest stem when one is close
 */
export const brokenLink: LinkRule = ({ graph, cards, docs }) => {
  const out: Diagnostic[] = [];
  for (const card of cards) {
    for (const link of card.links) {
      if (link.target === '' || docs.resolve(link.target) !== undefined) continue;
      const shown = `[[${link.target}${link.heading !== undefined ? `#${link.heading}` : ''}]]`;
      const near = nearest(link.target, [...graph.cards.keys()]);
      out.push({
        path: card.path,
        line: link.line,
        column: link.column,
        severity: 'error',
        rule: 'broken-link',
        message: `Unexpected link to unknown card \`${shown}\`, expected an existing card stem or doc`,
        fix: near ? `Did you mean \`[[${near}]]\`?` : 'Create the card or fix the link.',
      });
    }
  }
  return out;
};
