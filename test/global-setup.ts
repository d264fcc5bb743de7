import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { reapLeftoverChains, TEST_RUN_ENV } from './helpers/reap-chains.ts';

/**
 * Builds dist/ and sandbox/dist/ once so end-to-end tests spawn the real binary and the sandbox's
 * real stand-ins, stops what a killed earlier run left running ({@link reapLeftoverChains}), and
 * gives the run one directory of `initdb` templates (`MIKADO_PG_TEMPLATES`,
 * inherited by the test processes and what they start): every PostgreSQL cluster the tests
 * create after the first is a copy.
 * @returns the teardown, which removes the templates
 */
export default function setup(): () => void {
  const root = path.resolve(import.meta.dirname, '..');
  for (const script of ['scripts/build.mjs', 'sandbox/scripts/build.mjs']) {
    execFileSync(process.execPath, [script], { cwd: root, stdio: 'inherit' });
  }
  process.env[TEST_RUN_ENV] = String(process.pid);
  for (const dir of reapLeftoverChains()) {
    process.stderr.write(`stopped the sandbox of ${dir}, left by a test run that was killed\n`);
  }
  const templates = mkdtempSync(path.join(tmpdir(), 'mikado-pg-templates-'));
  process.env['MIKADO_PG_TEMPLATES'] = templates;
  return () => rmSync(templates, { recursive: true, force: true });
}
