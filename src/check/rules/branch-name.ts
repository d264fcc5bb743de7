import type { Diagnostic } from '../../cards/types.ts';
import type { GraphRule } from './rule-context.ts';

/**
 * `branch-name`: `branch` is `mikado/<stem>`, and only goal cards have one.
 * @param ctx the graph
 * @returns a finding per misnamed branch and per `branch` on a card that is not a goal
 */
export const branchName: GraphRule = ({ graph }) => {
  const out: Diagnostic[] = [];
  const roots = new Set(graph.roots);
  for (const card of graph.cards.values()) {
    if (card.branch === undefined) continue;
    const isGoal = roots.has(card.stem);
    const place = card.places?.['branch.value'] ??
      card.places?.['branch'] ?? { line: 1, column: 1 };
    if (card.branch !== `mikado/${card.stem}`) {
      out.push({
        path: card.path,
        ...place,
        severity: 'error',
        rule: 'branch-name',
        message: `Unexpected branch \`${card.branch}\`, expected \`mikado/${card.stem}\``,
        fix: `Write \`branch: mikado/${card.stem}\`; the branch is named after the goal.`,
      });
    }
    if (!isGoal) {
      const by = graph.requiredBy(card.stem).filter((s) => graph.cards.get(s)?.status === 'active');
      out.push({
        path: card.path,
        ...place,
        severity: card.status === 'active' ? 'error' : 'warning',
        rule: 'branch-name',
        message:
          card.status === 'active'
            ? `Unexpected \`branch\` on \`${card.stem}\`, which is a prerequisite of ${by.map((s) => `\`${s}\``).join(', ')}, expected \`branch\` on goal cards only`
            : `Unexpected \`branch\` on complete card \`${card.stem}\`, expected it removed when the chain is finalized`,
        fix:
          card.status === 'active'
            ? "Remove the `branch:` line; work on a prerequisite happens on its goal's branch."
            : `Run \`mikado finalize ${card.stem}\`, or remove the \`branch:\` line.`,
      });
    }
  }
  return out;
};
