// The benchmarks answer `--help` with their options and start nothing; an unknown option is
// refused with the usage.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const bench = path.resolve(import.meta.dirname, '../bench');
const scripts = readdirSync(bench).filter((f) => f.endsWith('.bench.mjs') || f === 'run.mjs');

describe('bench scripts', () => {
  it.each(scripts)('%s answers --help without running', (script) => {
    const r = spawnSync(process.execPath, [path.join(bench, script), '--help'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^node bench/${script.replace('.', '\\.')}`));
    expect(r.stdout).toMatch(
      script === 'run.mjs' ? /--help/ : /Options:\n[\s\S]*--help +this help/,
    );
  });

  it('refuses an unknown option with the usage, exit 2', () => {
    const r = spawnSync(
      process.execPath,
      [path.join(bench, 'immich-chain.bench.mjs'), '--sizee', '1GB'],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Unknown option '--sizee'[\s\S]*--size VALUE +dataset size/);
  });
});
