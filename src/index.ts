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
