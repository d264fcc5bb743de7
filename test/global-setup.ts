import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** Builds dist/ once so end-to-end tests spawn the real binary. */
export default function setup(): void {
  const root = path.resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
}
