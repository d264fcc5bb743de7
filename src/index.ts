export type { Block, Card, Diagnostic, Place, Severity, WikiLink } from './cards/types.ts';
export { loadConfig, parseDuration } from './config/load-config.ts';
export type { MikadoConfig, Profile, ProfileVar } from './config/types.ts';
export * from './errors.ts';
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
