import type { RuleId } from './judge-branch.ts';
import { cardAfterCycle } from './rules/card-after-cycle.ts';
import { closeBeforeImpl } from './rules/close-before-impl.ts';
import { closeCard } from './rules/close-card.ts';
import { closeChangesCode } from './rules/close-changes-code.ts';
import { closeNotLeaf } from './rules/close-not-leaf.ts';
import { finalizeFrontmatter } from './rules/finalize-frontmatter.ts';
import { finalizeNotLast } from './rules/finalize-not-last.ts';
import { finalizeOpenCycle } from './rules/finalize-open-cycle.ts';
import { fixupTarget } from './rules/fixup-target.ts';
import { fixupUnsquashed } from './rules/fixup-unsquashed.ts';
import { goalCard } from './rules/goal-card.ts';
import { implChangesCard } from './rules/impl-changes-card.ts';
import { mergeCommit } from './rules/merge-commit.ts';
import { planAfterCycle } from './rules/plan-after-cycle.ts';
import { planChangesCode } from './rules/plan-changes-code.ts';
import type { BranchRule } from './rules/rule-context.ts';
import { subjectFormat } from './rules/subject-format.ts';
import { subjectStem } from './rules/subject-stem.ts';

/**
 * The rules of the Mikado Branch Invariant, one module each under `rules/`. The order is the
 * order findings about one commit are reported in.
 */
export const branchRules: ReadonlyArray<readonly [RuleId, BranchRule]> = [
  ['merge-commit', mergeCommit],
  ['subject-format', subjectFormat],
  ['fixup-unsquashed', fixupUnsquashed],
  ['fixup-target', fixupTarget],
  ['subject-stem', subjectStem],
  ['finalize-not-last', finalizeNotLast],
  ['plan-after-cycle', planAfterCycle],
  ['card-after-cycle', cardAfterCycle],
  ['close-before-impl', closeBeforeImpl],
  ['finalize-open-cycle', finalizeOpenCycle],
  ['impl-changes-card', implChangesCard],
  ['plan-changes-code', planChangesCode],
  ['close-card', closeCard],
  ['close-not-leaf', closeNotLeaf],
  ['close-changes-code', closeChangesCode],
  ['finalize-frontmatter', finalizeFrontmatter],
  ['goal-card', goalCard],
];
