/** How a block attempt ended. */
export type BlockOutcome =
  /** exit code 0 */
  | 'succeeded'
  /** non-zero exit code, an uncaught error, or killed by a signal nobody sent on purpose */
  | 'failed'
  /** killed by the runner after its `timeout=` */
  | 'timeout'
  /** the runner was interrupted (Ctrl-C, SIGTERM), or died: the block did not finish */
  | 'interrupted'
  /** ended by `mikado run --kill-stale` after its runner died */
  | 'killed';

/** Fields every journal record carries. */
export interface JournalRecordBase {
  /** Format version: 1. */
  v: 1;
  /** ISO 8601 time the record was written. */
  at: string;
  /** The run that wrote it. */
  run: string;
}

/** A `mikado run` started (written by the runner after it took the lock). */
export interface RunStartRecord extends JournalRecordBase {
  type: 'run-start';
  profile: string;
  /** The card asked for. */
  target: string;
  pid: number;
  host: string;
  /** Command-line arguments after `mikado`. */
  argv: string[];
  /** Cards that ran although git showed them modified or untracked (`--allow-dirty`). */
  dirty?: string[];
  /** `confirm` blocks of the plan (`stem:name`), confirmed before anything ran. */
  confirmed?: string[];
  /** How they were confirmed. */
  confirmedBy?: 'prompt' | '--yes';
}

/** A `mikado run` ended. */
export interface RunEndRecord extends JournalRecordBase {
  type: 'run-end';
  /** `succeeded` only when every block of the plan ran and succeeded. */
  outcome: 'succeeded' | 'failed' | 'interrupted';
  /** Why the run failed when no block did (an error in the runner itself). */
  reason?: string;
}

/** Identifies a block: its card's stem and its name. */
export interface BlockRef {
  card: string;
  block: string;
}

/** A block's process started (written by the block's own process before its code runs). */
export interface BlockStartRecord extends JournalRecordBase, BlockRef {
  type: 'block-start';
  /** Card path relative to the root. */
  path: string;
  /** 1-based line of the block's opening fence. */
  line: number;
  /** Content hash of the block (code, attributes, profile). */
  hash: string;
  pid: number;
  /** Process-group id (the block leads its own group: equals pid). */
  pgid: number;
  /** Start time of the process from `/proc/<pid>/stat` (guards against pid reuse). */
  procStart?: string;
  host: string;
  /** Log file, relative to the root. */
  log: string;
}

/** The block's code finished (written by the block's own process, so it survives a dead runner). */
export interface BlockExitRecord extends JournalRecordBase, BlockRef {
  type: 'block-exit';
  hash: string;
  outcome: 'succeeded' | 'failed';
  /** The error message (secrets redacted), when failed. */
  error?: string;
}

/** How a block's process ended, as the runner saw it. */
export interface BlockEnd {
  outcome: BlockOutcome;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  /** Log file, relative to the root. */
  log: string;
  /** Why, in words, for outcomes other than succeeded. */
  reason?: string;
}

/** The runner saw the block's process end (authoritative when present). */
export interface BlockEndRecord extends JournalRecordBase, BlockRef, BlockEnd {
  type: 'block-end';
  hash: string;
}

/** `mikado.set(key, value)` from a block. */
export interface SetRecord extends JournalRecordBase, BlockRef {
  type: 'set';
  key: string;
  value: unknown;
}

/** One line of the journal. */
export type JournalRecord =
  | RunStartRecord
  | RunEndRecord
  | BlockStartRecord
  | BlockExitRecord
  | BlockEndRecord
  | SetRecord;

/** The state of one block, folded from its journal records. */
export interface BlockAttempt extends BlockRef {
  run: string;
  hash: string;
  /** `running` while no end is recorded: alive or not is for the caller to find out. */
  outcome: BlockOutcome | 'running';
  startedAt?: string;
  endedAt?: string;
  exitCode?: number | null;
  signal?: string | null;
  durationMs?: number;
  log?: string;
  pid?: number;
  pgid?: number;
  procStart?: string;
  host?: string;
  reason?: string;
  /** True when the outcome came from the block's own exit record (its runner was gone). */
  selfReported?: boolean;
}
