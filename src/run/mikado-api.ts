/** The card a block belongs to, as the block sees it. */
export interface MikadoCardInfo {
  /** File stem: the card's id. */
  stem: string;
  title?: string;
  /** Path relative to the repository root. */
  path: string;
}

/** The running block, as it sees itself. */
export interface MikadoBlockInfo {
  /** `name=` attribute or `<stem>#<n>`. */
  name: string;
  /** 0-based index among the card's `ts run` blocks. */
  index: number;
  /** 1-based line of the opening fence in the card. */
  line: number;
  verify: boolean;
  confirm: boolean;
}

/**
 * The `mikado` global every `ts run` block sees (next to zx's globals `$`, `cd`, `within`, `fs`,
 * `path`, `glob`, `retry`, `sleep`, `question`, `echo`, `chalk`, `YAML`, ...).
 */
export interface MikadoApi {
  /** The card the block belongs to. */
  readonly card: MikadoCardInfo;
  /** The block itself. */
  readonly block: MikadoBlockInfo;
  /** Profile name (`homelab`, `sandbox`, ...). */
  readonly profile: string;
  /**
   * The profile's variables, resolved (secrets included: they are redacted from output). Reading
   * a variable the profile does not define throws, so a typo never becomes `undefined`.
   */
  readonly vars: Readonly<Record<string, string>>;
  /** Absolute repository root (the block's starting working directory). */
  readonly root: string;
  /** Id of the current `mikado run`. */
  readonly runId: string;
  /**
   * Reads a value kept by `mikado.set` in this or an earlier block, in this or an earlier run
   * (per profile).
   * @param key the key
   * @param fallback returned when the key was never set
   * @returns the value, or `fallback`
   */
  get<T = unknown>(key: string, fallback?: T): T | undefined;
  /**
   * Keeps a JSON value in the profile's journal for later blocks and resumed runs. Written and
   * flushed before returning. Refuses values containing a secret variable's value.
   * @param key the key
   * @param value any JSON-serialisable value
   */
  set(key: string, value: unknown): void;
  /**
   * Prints a line to the block's output (and log), like `console.log`.
   * @param args values to print
   */
  log(...args: unknown[]): void;
}

/**
 * Ambient declarations for a `ts run` block, for type checkers and editors: zx's globals plus
 * `mikado`. Write it next to an extracted block as `mikado-block.d.ts`.
 */
export const BLOCK_GLOBALS_DTS = `/// <reference types="zx/globals" />
import type { MikadoApi } from 'mikado-docs';
declare global {
  const mikado: MikadoApi;
}
export {};
`;
