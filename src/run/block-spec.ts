import type { MikadoBlockInfo, MikadoCardInfo } from './mikado-api.ts';

/** What the runner hands a block's process on its standard input (one JSON document). */
export interface BlockSpec {
  v: 1;
  run: string;
  /** Absolute repository root. */
  root: string;
  /** Absolute journal path. */
  journal: string;
  /** Absolute path of the transpiled block module. */
  module: string;
  card: MikadoCardInfo;
  block: MikadoBlockInfo;
  hash: string;
  profile: string;
  vars: Record<string, string>;
  /** Secret values, to keep them out of the journal and error messages. */
  secrets: string[];
  /** Values kept by `mikado.set` so far. */
  values: Record<string, unknown>;
  /** Log file relative to the root (recorded in the journal). */
  log: string;
}
