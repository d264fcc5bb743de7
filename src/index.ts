export {
  type CnpgCluster,
  type CnpgConnection,
  type CnpgDatabase,
  cnpgPrimaryPod,
  cnpgPrimaryTarget,
  cnpgPsql,
  cnpgSchemaDump,
  dumpCnpgDatabase,
  openCnpgDatabase,
  POD_DUMP_PATH,
  readSecret,
  restoreCnpgDatabase,
  verifyCnpgDatabases,
} from './blocks/cnpg.ts';
export { copySecret } from './blocks/copy-secret.ts';
export { type FetchedJson, fetchFirstJson } from './blocks/fetch-json.ts';
export {
  type FreezeWritesOptions,
  freezeWrites,
  type WriteFreeze,
} from './blocks/freeze-writes.ts';
export { pushedRevision } from './blocks/git-revision.ts';
export {
  type KubeObject,
  type KubeTarget,
  kubectl,
  kubectlExists,
  kubectlFind,
  kubectlJson,
} from './blocks/kubectl.ts';
export {
  type PortForward,
  type PortForwardOptions,
  startPortForward,
} from './blocks/port-forward.ts';
export {
  CommandError,
  type CommandOutput,
  type RunCommandOptions,
  runCommand,
} from './blocks/run-command.ts';
export { streamToFile } from './blocks/stream-to-file.ts';
export {
  findVerdict,
  recordVerdict,
  requireVerdict,
  type Verdict,
  type VerdictApi,
  VerdictError,
  verdictKey,
} from './blocks/verdict.ts';
export { type WaitForOptions, waitFor } from './blocks/wait-for.ts';
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
  findFreePort,
  findPgBinDir,
  type PgInitOptions,
  PgServer,
  type PgServerOptions,
  type PgServerRecord,
  type PgServerStatus,
  type PgStartOptions,
  type PgStopMode,
  pgConnectionString,
} from './pg/pg-server.ts';
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
export {
  readSandboxCalls,
  readSandboxEvents,
  type SandboxCall,
  type SandboxEvent,
} from './sandbox/calls.ts';
export { clusterConnectionString } from './sandbox/cnpg-controller.ts';
export {
  assetsForBytes,
  DATASET_TABLES,
  type DatasetOptions,
  type DatasetSummary,
  generateDataset,
} from './sandbox/dataset.ts';
export {
  checkLoadWriterLog,
  type LoadLogEntry,
  type LoadOp,
  type LoadWriterCheck,
  type LoadWriterOptions,
  type LoadWriterStats,
  loadWriterCommand,
  loadWriterStatus,
  readLoadWriterLog,
  runLoadWriter,
  type StartLoadWriterOptions,
  startLoadWriter,
  stopLoadWriter,
} from './sandbox/load-writer.ts';
export { resolveSandboxDir, type SandboxPaths, sandboxPaths } from './sandbox/paths.ts';
export {
  formatSandboxStatus,
  type SandboxDownResult,
  type SandboxStatus,
  type SandboxUpOptions,
  type SandboxUpResult,
  sandboxDown,
  sandboxStatus,
  sandboxUp,
} from './sandbox/sandbox.ts';
export { loadWorld, type SandboxMeta, type World } from './sandbox/store.ts';
export { formatVerification } from './verify/format-verification.ts';
export {
  compareSchemaDumps,
  dumpSchemaLocally,
  normalizeSchemaDump,
} from './verify/schema-diff.ts';
export type {
  DatabaseInfo,
  DatabaseTarget,
  ExtensionCheck,
  KeyRange,
  SchemaCheck,
  SchemaStatement,
  SequenceCheck,
  TableCheck,
  VerificationReport,
  VerifyOptions,
  VerifySide,
} from './verify/types.ts';
export { verifyDatabases } from './verify/verify-databases.ts';
