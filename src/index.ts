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
export { foldJournal, journalPath, readJournal } from './run/journal.ts';
export type {
  BlockAttempt,
  BlockOutcome,
  JournalRecord,
} from './run/journal-types.ts';
export type { MikadoApi, MikadoBlockInfo, MikadoCardInfo } from './run/mikado-api.ts';
export { BLOCK_GLOBALS_DTS } from './run/mikado-api.ts';
export { type PlannedBlock, planRun, type RunPlan } from './run/plan-run.ts';
export {
  CardRun,
  type RunCardsOptions,
  type RunReporter,
  type RunResult,
} from './run/run-cards.ts';
export { blockHash, blockSyntaxError, transpileBlock } from './run/transpile-block.ts';
