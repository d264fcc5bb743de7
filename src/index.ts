export { loadCards } from './cards/load-cards.ts';
export { parseCard } from './cards/parse-card.ts';
export { parseCardFrontmatter } from './cards/parse-card-frontmatter.ts';
export { remarkMikado } from './cards/remark-mikado.ts';
export { remarkMikadoBlocks } from './cards/remark-mikado-blocks.ts';
export { type CardFields, remarkMikadoFrontmatter } from './cards/remark-mikado-frontmatter.ts';
export { remarkMikadoLinks } from './cards/remark-mikado-links.ts';
export { remarkWikiLink } from './cards/remark-wiki-link.ts';
export type { Block, Card, Diagnostic, Place, Severity, WikiLink } from './cards/types.ts';
export {
  splitWikiLink,
  type WikiLinkNode,
  wikiLinkFromMarkdown,
  wikiLinkSyntax,
} from './cards/wiki-link-syntax.ts';
export { loadConfig, parseDuration } from './config/load-config.ts';
export type { MikadoConfig, Profile, ProfileVar } from './config/types.ts';
export * from './errors.ts';
export {
  buildGraph,
  type CardGraph,
  type ChainSummary,
  type DuplicateStem,
} from './graph/build-graph.ts';
export {
  type AnalyseOptions,
  analyseBranch,
  type BranchAnalysis,
  resolveBranch,
} from './hook/check-branch.ts';
export { type CleanOptions, cleanMessage } from './hook/clean-message.ts';
export { type CommitMsgOptions, type CommitMsgResult, commitMsg } from './hook/commit-msg.ts';
export { detectAmend, gitCommitAmends } from './hook/detect-amend.ts';
export { findPullRequest, type PullRequest } from './hook/forge.ts';
export { hookScript, installHooks, uninstallHooks } from './hook/install.ts';
export {
  type CardSource,
  type JudgedCommit,
  type JudgeInput,
  judgeBranch,
  type Position,
  type ResetPoint,
  type RuleId,
  type Verdict,
  type Violation,
} from './hook/judge-branch.ts';
export { type PreCommitResult, preCommit } from './hook/pre-commit.ts';
export { renderResume, renderResumeJson } from './hook/render-resume.ts';
export { applyReset, planReset, type ResetPlan } from './hook/reset-branch.ts';
export { type ResumeReport, resume } from './hook/resume.ts';
export { parseSubject, type Subject, VERBS, type Verb } from './hook/subject.ts';
export { closeCard } from './lifecycle/close-card.ts';
export { editFrontmatter, type FrontmatterChange } from './lifecycle/edit-frontmatter.ts';
export { finalizeChain } from './lifecycle/finalize-chain.ts';
export { type NewCardOptions, newCard } from './lifecycle/new-card.ts';
