export {
  readSandboxCalls,
  readSandboxEvents,
  type SandboxCall,
  type SandboxEvent,
} from './calls.ts';
export { clusterConnectionString } from './cnpg-controller.ts';
export {
  assetsForBytes,
  DATASET_TABLES,
  type DatasetOptions,
  type DatasetSummary,
  generateDataset,
} from './dataset.ts';
export { DatabaseError, SandboxError } from './errors.ts';
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
} from './load-writer.ts';
export { resolveSandboxDir, type SandboxPaths, sandboxPaths } from './paths.ts';
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
} from './pg-server.ts';
export { type ReplicaManifests, replicaManifests } from './replica-manifests.ts';
export {
  formatSandboxStatus,
  type SandboxDownResult,
  type SandboxStatus,
  type SandboxUpOptions,
  type SandboxUpResult,
  sandboxDown,
  sandboxStatus,
  sandboxUp,
} from './sandbox.ts';
export { startTestPg, type TestPg } from './start-test-pg.ts';
export { loadWorld, type SandboxMeta, type World } from './store.ts';
