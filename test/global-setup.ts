import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Builds dist/ and sandbox/dist/ once so end-to-end tests spawn the real binary and the sandbox's
 * real stand-ins, and gives the run one directory of `initdb` templates (`MIKADO_PG_TEMPLATES`,
 * inherited by the test processes and what they start): every PostgreSQL cluster the tests
 * create after the first is a copy.
 * @returns the teardown, which removes the templates
 */
export default function setup(): () => void {
  const root = path.resolve(import.meta.dirname, '..');
  for (const script of ['scripts/build.mjs', 'sandbox/scripts/build.mjs']) {
    execFileSync(process.execPath, [script], { cwd: root, stdio: 'inherit' });
  }
  const templates = mkdtempSync(path.join(tmpdir(), 'mikado-pg-templates-'));
  process.env['MIKADO_PG_TEMPLATES'] = templates;
  return () => rmSync(templates, { recursive: true, force: true });
}
