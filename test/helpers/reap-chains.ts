import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pidAlive } from '../../sandbox/src/pid-alive.ts';
import { BIN } from './binary.ts';

/** The file in a chain repository naming the test run (its main process id) that made it. */
const OWNER = '.test-run';
/** What the run's main process puts in the environment its test processes inherit. */
export const TEST_RUN_ENV = 'MIKADO_TEST_RUN';

/**
 * Marks a chain repository as made by this test run, for {@link reapLeftoverChains}.
 * @param dir the repository
 */
export function markChainRepo(dir: string): void {
  writeFileSync(path.join(dir, OWNER), process.env[TEST_RUN_ENV] ?? '');
}

/**
 * Stops the sandboxes, and removes the chain repositories, that a test run left when it was
 * killed before its `afterAll` (its controller, load writer and PostgreSQL servers live on, and
 * every later measurement runs beside them). Only repositories whose run has ended are touched:
 * a run going on at the same time keeps its own.
 * @param tmp where the runs make their repositories
 * @returns the repositories removed
 */
export function reapLeftoverChains(tmp: string = os.tmpdir()): string[] {
  const reaped: string[] = [];
  for (const name of readdirSync(tmp)) {
    if (!name.startsWith('mikado-chain-')) continue;
    const dir = path.join(tmp, name);
    let owner: number;
    try {
      owner = Number(readFileSync(path.join(dir, OWNER), 'utf8'));
    } catch {
      continue;
    }
    if (!Number.isSafeInteger(owner) || owner <= 0 || pidAlive(owner)) continue;
    const sandbox = path.join(dir, '.mikado/sandbox');
    if (existsSync(sandbox)) {
      spawnSync(process.execPath, [BIN, 'sandbox', 'down', '--dir', sandbox], {
        stdio: 'ignore',
        timeout: 120_000,
      });
    }
    rmSync(dir, { recursive: true, force: true });
    reaped.push(dir);
  }
  return reaped;
}
