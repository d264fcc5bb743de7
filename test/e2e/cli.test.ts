import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMikado } from '../helpers/binary.ts';

describe('mikado binary', () => {
  it('prints its version', () => {
    const r = runMikado(['--version'], { cwd: process.cwd() });
    expect([r.status, r.stdout.trim()]).toEqual([0, '0.1.0']);
  });

  it('exits 2 on an unknown command', () => {
    const r = runMikado(['no-such-command'], { cwd: process.cwd() });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error:/);
  });

  it('loads its start-up code as one chunk (scripts/build.mjs), not one per lazy module', () => {
    const cli = readFileSync(path.resolve(import.meta.dirname, '../../dist/cli.js'), 'utf8');
    const chunks = [...cli.matchAll(/^(?:import|\}) .*"\.\/chunks\/([^"]+)"/gm)].map((m) => m[1]);
    // the start-up chunk and esbuild's runtime helpers
    expect(chunks).toHaveLength(2);
  });
});
