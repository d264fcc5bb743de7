import type { Diagnostic } from '../../cards/types.ts';
import { nearest } from '../nearest.ts';
import { type GraphRule, requiresPlace } from './rule-context.ts';

/**
 * `unknown-requires`: every prerequisite in `requires` is the stem of an existing card.
 * @param ctx the graph
 * @returns a finding per unknown prerequisite, with the nearest stem when one is close
 */
export const unknownRequires: GraphRule = ({ graph }) => {
  const out: Diagnostic[] = [];
  const stems = [...graph.cards.keys()];
  for (const [stem, missing] of graph.missing) {
    const card = graph.cards.get(stem)!;
    const near = nearest(missing, stems);
    out.push({
      path: card.path,
      ...requiresPlace(card, missing),
      severity: 'error',
      rule: 'unknown-requires',
      message: `Unexpected prerequisite \`${missing}\` in \`requires\`, expected the stem of an existing card`,
      fix: near
        ? `Did you mean \`${near}\`?`
        : `Create the card (\`mikado new ${missing} --for ${stem}\`) or remove it from \`requires\`.`,
    });
  }
  return out;
};
