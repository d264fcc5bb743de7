/**
 * An expected failure: bad input or a refused operation. The CLI prints its message (never a
 * stack) and exits with `code`.
 */
export class MikadoError extends Error {
  /** Process exit code: 1 for findings or a failed step, 2 for usage or input errors. */
  readonly code: number;
  /** How to fix the problem, printed after the message. */
  readonly fix?: string;

  /**
   * @param message what is wrong, with `path:line:col` where there is one
   * @param options exit code and fix
   */
  constructor(message: string, options: { code?: number; fix?: string } = {}) {
    super(message);
    this.name = new.target.name;
    this.code = options.code ?? 2;
    this.fix = options.fix;
  }
}

/** Bad command-line usage (exit 2). */
export class UsageError extends MikadoError {}

/** A config file that cannot be read or does not fit the schema (exit 2). */
export class ConfigError extends MikadoError {}

/** A card that cannot be read or parsed at all (exit 2). */
export class CardError extends MikadoError {}

/** A run that failed or was refused (exit 1 unless told otherwise). */
export class RunError extends MikadoError {
  /**
   * @param message what failed
   * @param options exit code (default 1) and fix
   */
  constructor(message: string, options: { code?: number; fix?: string } = {}) {
    super(message, { code: options.code ?? 1, fix: options.fix });
  }
}

/** A git repository problem (exit 2). */
export class GitError extends MikadoError {}

/** Ends the process with `code` after output was already printed. */
export class ExitError extends MikadoError {
  /** @param code process exit code */
  constructor(code: number) {
    super(`exit ${code}`, { code });
  }
}

/** A PostgreSQL server or query that failed or was refused (exit 1). */
export class DatabaseError extends MikadoError {
  /**
   * @param message what failed, naming the server's directory or connection
   * @param options exit code (default 1) and fix
   */
  constructor(message: string, options: { code?: number; fix?: string } = {}) {
    super(message, { code: options.code ?? 1, fix: options.fix });
  }
}
