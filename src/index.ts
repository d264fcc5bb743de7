export * from './blocks/index.ts';
export {
  type AnalyseOptions,
  analyseBranch,
  type BranchAnalysis,
  resolveBranch,
} from './branch/check-branch.ts';
export { findPullRequest, type PullRequest } from './branch/forge.ts';
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
} from './branch/judge-branch.ts';
export { renderResume, renderResumeJson } from './branch/render-resume.ts';
export { applyReset, planReset, type ResetPlan } from './branch/reset-branch.ts';
export { type ResumeReport, resume } from './branch/resume.ts';
export { parseSubject, type Subject, VERBS, type Verb } from './branch/subject.ts';
export { loadCards } from './cards/load-cards.ts';
export { MAX_CARD_BYTES, parseCard } from './cards/parse-card.ts';
export { parseCardBody, parseCardBodyWithRemark } from './cards/parse-card-body.ts';
export { parseCardFrontmatter } from './cards/parse-card-frontmatter.ts';
export { parseFrontmatter, parseFrontmatterWithYaml } from './cards/parse-frontmatter.ts';
export { parseSimpleYaml, type SimpleYaml } from './cards/parse-simple-yaml.ts';
export { remarkMikado } from './cards/remark-mikado.ts';
export { remarkMikadoBlocks } from './cards/remark-mikado-blocks.ts';
export { type CardFields, remarkMikadoFrontmatter } from './cards/remark-mikado-frontmatter.ts';
export { remarkMikadoLinks } from './cards/remark-mikado-links.ts';
export { remarkWikiLink } from './cards/remark-wiki-link.ts';
export { type ScannedMarkdown, scanMarkdown } from './cards/scan-markdown.ts';
export { splitFrontmatter } from './cards/split-frontmatter.ts';
export type { Block, Card, Diagnostic, Place, Severity, WikiLink } from './cards/types.ts';
export { type FoundFile, walkFiles } from './cards/walk-files.ts';
export {
  splitWikiLink,
  type WikiLinkNode,
  wikiLinkFromMarkdown,
  wikiLinkSyntax,
} from './cards/wiki-link-syntax.ts';
export { type CheckResult, checkCards } from './check/check-cards.ts';
export { checkGraph, checkLinks } from './check/check-rules.ts';
export { checkSyntax } from './check/check-syntax.ts';
export { headingKey } from './check/heading-key.ts';
export { loadCheckedCards } from './check/load-checked-cards.ts';
export { loadConfig, parseDuration } from './config/load-config.ts';
export type { MikadoConfig, Profile, ProfileVar } from './config/types.ts';
export {
  buildGraph,
  type CardGraph,
  type ChainSummary,
  type DuplicateStem,
} from './graph/build-graph.ts';
export { type CleanOptions, cleanMessage } from './hook/clean-message.ts';
export { type CommitMsgOptions, type CommitMsgResult, commitMsg } from './hook/commit-msg.ts';
export { detectAmend, gitCommitAmends } from './hook/detect-amend.ts';
export { hookScript, installHooks, uninstallHooks } from './hook/install.ts';
export { type PreCommitResult, preCommit } from './hook/pre-commit.ts';
export { closeCard } from './lifecycle/close-card.ts';
export { editFrontmatter, type FrontmatterChange } from './lifecycle/edit-frontmatter.ts';
export { finalizeChain } from './lifecycle/finalize-chain.ts';
export { type NewCardOptions, newCard } from './lifecycle/new-card.ts';
export { type CardState, cardState } from './render/card-state.ts';
export { NO_PAINT, type Paint } from './render/paint.ts';
export { renderChain } from './render/render-chain.ts';
export { renderDiagnostics } from './render/render-diagnostics.ts';
export { renderDot } from './render/render-dot.ts';
export { renderHtml } from './render/render-html.ts';
export { type ChainJson, chainJson, renderJson } from './render/render-json.ts';
export { renderList } from './render/render-list.ts';
export { renderMermaid } from './render/render-mermaid.ts';
export { renderTree } from './render/render-tree.ts';
export { type WalkEntry, walkChain } from './render/walk-chain.ts';
export { foldJournal, journalPath, readJournal } from './run/journal.ts';
export type {
  BlockAttempt,
  BlockOutcome,
  JournalRecord,
} from './run/journal-types.ts';
export { BLOCK_GLOBALS_DTS } from './run/mikado-api.ts';
export { type PlannedBlock, planRun, type RunPlan } from './run/plan-run.ts';
export {
  CardRun,
  type RunCardsOptions,
  type RunReporter,
  type RunResult,
} from './run/run-cards.ts';
export { blockHash, blockSyntaxError, transpileBlock } from './run/transpile-block.ts';
export {
  type CompareOnlineOptions,
  compareOnline,
  type OnlineComparison,
} from './verify/compare-online.ts';
export { digestDatabase } from './verify/digest-database.ts';
export { formatVerification } from './verify/format-verification.ts';
export {
  compareSchemaDumps,
  dumpSchemaLocally,
  normalizeSchemaDump,
} from './verify/schema-diff.ts';
export type { ChunkDigest, SideDigest, TableDigest } from './verify/side-digest.ts';
export type {
  DatabaseInfo,
  DatabaseTarget,
  ExtensionCheck,
  KeyRange,
  SchemaCheck,
  SchemaStatement,
  SequenceCheck,
  StateCheck,
  TableCheck,
  VerificationReport,
  VerifyOptions,
  VerifySide,
} from './verify/types.ts';
export { verifyDatabases } from './verify/verify-databases.ts';
export { type EarlierDigests, verifySince } from './verify/verify-since.ts';
