import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Builds dist/ and sandbox/dist/ once so end-to-end tests spawn the real binary and the sandbox's
 * real stand-ins.
 */
export default function setup(): void {
  const root = path.resolve(import.meta.dirname, '..');
  for (const script of ['scripts/build.mjs', 'sandbox/scripts/build.mjs']) {
    execFileSync(process.execPath, [script], { cwd: root, stdio: 'inherit' });
  }
}
