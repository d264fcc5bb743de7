/**
 * An expected failure of the sandbox: a refused operation, or a stand-in asked for something it
 * does not emulate. Callers print its message (never a stack) and exit with `code`; the `mikado
 * sandbox` command turns it into the tool's own error.
 */
export class SandboxError extends Error {
  /** Process exit code (default 1). */
  readonly code: number;
  /** How to fix the problem, printed after the message. */
  readonly fix?: string;

  /**
   * @param message what is wrong, naming the sandbox directory or the stand-in call
   * @param options exit code (default 1) and fix
   */
  constructor(message: string, options: { code?: number; fix?: string } = {}) {
    super(message);
    this.name = new.target.name;
    this.code = options.code ?? 1;
    this.fix = options.fix;
  }
}

/** A PostgreSQL server or query of the sandbox that failed or was refused (exit 1). */
export class DatabaseError extends SandboxError {}
