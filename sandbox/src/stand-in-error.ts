import { SandboxError } from './errors.ts';

/**
 * A failure of a stand-in (kubectl, argocd, ...): its message is printed verbatim on stderr, in
 * the real tool's words, and the stand-in exits with `code` (default 1).
 */
export class StandInError extends SandboxError {
  /**
   * @param message the exact text to print
   * @param code exit code
   */
  constructor(message: string, code = 1) {
    super(message, { code });
  }
}

/**
 * The error for anything the sandbox does not emulate.
 * @param what the call or flag, e.g. `kubectl logs`
 * @param hint what is supported instead
 * @returns the error to throw
 */
export function unsupported(what: string, hint?: string): StandInError {
  return new StandInError(
    `error: unsupported by the sandbox: ${what}${hint ? ` (${hint})` : ''}`,
    1,
  );
}
