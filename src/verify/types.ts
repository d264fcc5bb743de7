import type pg from 'pg';

/** A database to verify: a libpq connection string or a `pg` client config. */
export type DatabaseTarget = string | pg.ClientConfig;

/** Which side of a verification. */
export type VerifySide = 'source' | 'target';

/** Options of `verifyDatabases`. */
export interface VerifyOptions {
  /** Rows per checksum chunk (constant memory per chunk). Default 10 000. */
  chunkRows?: number;
  /** Schemas to compare; default every non-system schema. */
  schemas?: string[];
  /** Tables (`table` or `schema.table`) that must exist on both sides, e.g. the operator's list. */
  requireTables?: string[];
  /** Tables (`table` or `schema.table`) to leave out of counts and checksums. */
  excludeTables?: string[];
  /**
   * Sequence comparison: `exact` (default) or `not-behind` (the target may be ahead, as a promoted
   * standby is: PostgreSQL WAL-logs sequences up to 32 values ahead).
   */
  sequences?: 'exact' | 'not-behind';
  /**
   * Produces `pg_dump --schema-only --no-owner` output for a side; default runs the local `pg_dump`.
   * Pass one that runs `pg_dump` inside the database's pod when the local version does not match.
   */
  dumpSchema?: (which: VerifySide) => Promise<string>;
  /**
   * Connections to the target (one snapshot, shared) over which `verifySince` spreads the tables
   * it must hash on the target in full, such as a freshly restored target. Default 1.
   */
  jobs?: number;
  /** Skip the schema dump comparison. */
  skipSchema?: boolean;
  /** Roles whose GRANT/REVOKE lines are noise (e.g. CNPG's `streaming_replica`); added to the defaults. */
  ignoreRoles?: string[];
}

/** A range of primary-key values: rows with `lower < key <= upper` (either bound may be open). */
export interface KeyRange {
  /** Key columns. */
  columns: string[];
  /** Exclusive lower bound (text form of each key column), absent for the start of the table. */
  lower?: string[];
  /** Inclusive upper bound, absent for the end of the table. */
  upper?: string[];
  /** Readable form, e.g. `id > 'a' and id <= 'b'`. */
  text: string;
}

/** The comparison of one table. */
export interface TableCheck {
  /** `schema.table`. */
  table: string;
  /** Primary-key columns used for ordering (empty: the table has none and is hashed whole). */
  key: string[];
  /** Row count on the source (absent if the table is missing there). */
  sourceRows?: number;
  /** Row count on the target. */
  targetRows?: number;
  /** Checksum result. */
  checksum: 'match' | 'mismatch' | 'skipped';
  /** Chunks compared (up to and including the first differing one). */
  chunks: number;
  /** The first key range whose content differs. */
  firstDifference?: KeyRange;
  /** Whether counts and checksum agree and the table exists on both sides. */
  ok: boolean;
  /** Why it failed, one line. */
  problem?: string;
  /**
   * Set when compared against earlier digests (`verifySince`): chunks hashed again on each side;
   * every other chunk was proven unchanged since its digest (hashed in full: all of them).
   */
  rehashed?: { source: number; target: number };
}

/** The comparison of one sequence. */
export interface SequenceCheck {
  /** `schema.sequence`. */
  sequence: string;
  /** `schema.table.column` that owns it (serial or identity), if any. */
  ownedBy?: string;
  /** `last_value` on the source (null if never used; absent if missing). */
  source?: string | null;
  /** `last_value` on the target. */
  target?: string | null;
  /** Whether they agree under the chosen mode. */
  ok: boolean;
  /** Why it failed, one line. */
  problem?: string;
}

/** One normalised statement of a schema dump. */
export interface SchemaStatement {
  /** The object it concerns, e.g. `public.assets`, when recognisable. */
  object?: string;
  /** The statement text (normalised). */
  sql: string;
}

/** The schema dump comparison. */
export interface SchemaCheck {
  /** Whether the normalised dumps have the same statements. */
  ok: boolean;
  /** Statements only the source has. */
  onlyInSource: SchemaStatement[];
  /** Statements only the target has. */
  onlyInTarget: SchemaStatement[];
  /** Unified diff of the normalised dumps (truncated to 200 lines). */
  diff: string;
  /** Set when a dump could not be taken (the check then fails). */
  error?: string;
  /** Set when the check was skipped on request. */
  skipped?: boolean;
}

/** The comparison of one extension. */
export interface ExtensionCheck {
  /** Extension name. */
  name: string;
  /** Version on the source (absent if not installed). */
  source?: string;
  /** Version on the target. */
  target?: string;
  /** Whether both have it at the same version. */
  ok: boolean;
}

/** The comparison of database-level state (see `compareDatabaseStates`). */
export interface StateCheck {
  /** Whether nothing differs. */
  ok: boolean;
  /** Roles compared (those either side's database needs). */
  roles: string[];
  /** Objects whose owners were compared. */
  owners: number;
  /** One line per difference. */
  failures: string[];
}

/** Facts about one side. */
export interface DatabaseInfo {
  /** Database name. */
  database: string;
  /** `server_version`. */
  serverVersion: string;
  /** Host and port (or socket) connected to. */
  address: string;
}

/** The result of `verifyDatabases`: JSON-serialisable. */
export interface VerificationReport {
  /** Report format version. */
  version: 1;
  /** True when nothing differs. */
  ok: boolean;
  /** Source facts. */
  source: DatabaseInfo;
  /** Target facts. */
  target: DatabaseInfo;
  /** Tables, sorted by name. */
  tables: TableCheck[];
  /** Sequences, sorted by name. */
  sequences: SequenceCheck[];
  /** Schema dump comparison. */
  schema: SchemaCheck;
  /** Extensions, sorted by name. */
  extensions: ExtensionCheck[];
  /** Database-level state: owner, comment, grants, settings, roles, object owners. */
  state: StateCheck;
  /** Set by `verifySince`: when the earlier digests were taken, and chunks hashed again. */
  since?: {
    /** ISO time of the source's digest, if one was given. */
    source?: string;
    /** ISO time of the target's digest. */
    target?: string;
    /** Chunks hashed again, both sides together. */
    rehashed: number;
    /** Chunks compared, both sides together. */
    chunks: number;
    /** Connections that read the target (`jobs`). */
    targetConnections: number;
    /** Digests not used, and why (another database: rebuilt, or on another server). */
    ignored?: string[];
  };
  /** Every difference as one line, naming the table (or sequence, extension, object). */
  failures: string[];
  /** Wall time of the verification. */
  durationMs: number;
}
