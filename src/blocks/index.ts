// What `ts run` blocks import: `import { kubectlJson } from 'mikado-docs/blocks'`. The helpers only,
// without the Markdown, graph and view code of the whole library (which exports them too), so that
// a block's process starts fast: it is built to dist/blocks.js.

export * from '../errors.ts';
export type { MikadoApi, MikadoBlockInfo, MikadoCardInfo } from '../run/mikado-api.ts';
export { carryRoleStatements } from './carry-roles.ts';
export {
  type CnpgCluster,
  type CnpgConnection,
  type CnpgDatabase,
  carryCnpgRoles,
  cnpgPrimaryPod,
  cnpgPrimaryTarget,
  cnpgPsql,
  dumpCnpgDatabase,
  openCnpgDatabase,
  POD_DUMP_PATH,
  readSecret,
  restoreCnpgDatabase,
} from './cnpg.ts';
export {
  type CnpgVerifyOptions,
  cnpgSchemaDump,
  compareCnpgOnline,
  digestCnpgDatabase,
  verifyCnpgDatabases,
} from './cnpg-verify.ts';
export { copySecret } from './copy-secret.ts';
export {
  diffCnpgRows,
  diffRows,
  formatRowDifferences,
  type RowDifferences,
  type TableRowDifferences,
} from './diff-rows.ts';
export { type FetchedJson, fetchFirstJson } from './fetch-json.ts';
export {
  type FreezeWritesOptions,
  freezeWrites,
  type WriteFreeze,
} from './freeze-writes.ts';
export {
  appRevision,
  type PushedRevisionOptions,
  pushedRevision,
  repositoryKey,
} from './git-revision.ts';
export {
  type KubeObject,
  type KubeTarget,
  kubectl,
  kubectlExists,
  kubectlFind,
  kubectlJson,
} from './kubectl.ts';
export {
  type PortForward,
  type PortForwardOptions,
  startPortForward,
} from './port-forward.ts';
export {
  checkApiVersionServed,
  checkReplicationAccess,
  checkSuperuserAccess,
  checkWalRetention,
  type ExternalClusterSpec,
  type PreflightCheck,
  PreflightError,
  type PreflightFinding,
  runPreflight,
} from './preflight.ts';
export { type RecordedApi, requireRecorded } from './require-recorded.ts';
export {
  CommandError,
  type CommandOutput,
  type RunCommandOptions,
  runCommand,
} from './run-command.ts';
export { streamToFile } from './stream-to-file.ts';
export {
  findVerdict,
  type RunVerdict,
  recordVerdict,
  requireVerdict,
  type VerdictApi,
  VerdictError,
  verdictKey,
} from './verdict.ts';
export { type WaitForOptions, waitFor } from './wait-for.ts';
