// The test run's own hygiene: what a killed run left running is stopped by the next run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reapLeftoverChains } from './helpers/reap-chains.ts';

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A process id that no process has now: one that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('reapLeftoverChains', () => {
  it('removes the chain repositories of runs that ended, and keeps those of a live run and unmarked ones', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'mikado-reap-'));
    made.push(tmp);
    const chain = (name: string, owner: string | undefined) => {
      const dir = path.join(tmp, name);
      mkdirSync(path.join(dir, '.mikado/sandbox'), { recursive: true });
      if (owner !== undefined) writeFileSync(path.join(dir, '.test-run'), owner);
      return dir;
    };
    const ended = chain('mikado-chain-ended', String(deadPid()));
    const live = chain('mikado-chain-live', String(process.pid));
    const unmarked = chain('mikado-chain-unmarked', undefined);
    const blank = chain('mikado-chain-blank', '');
    const other = chain('mikado-other-ended', String(deadPid()));
    expect(reapLeftoverChains(tmp)).toEqual([ended]);
    expect([ended, live, unmarked, blank, other].map(existsSync)).toEqual([
      false,
      true,
      true,
      true,
      true,
    ]);
  });
});
