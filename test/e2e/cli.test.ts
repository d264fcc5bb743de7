import { spawnSync } from 'node:child_process';
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

  it('ends quietly when the reader of its output stops early (`mikado view | head -1`)', () => {
    const bin = path.resolve(import.meta.dirname, '../../bin/mikado.js');
    const root = path.resolve(import.meta.dirname, '../..');
    const r = spawnSync(
      'bash',
      [
        '-o',
        'pipefail',
        '-c',
        `"${process.execPath}" "${bin}" --root "${root}" view --all migrate-immich-to-ringtail | head -1`,
      ],
      { encoding: 'utf8' },
    );
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
    expect([r.status, r.stdout.split('\n').length]).toEqual([0, 2]);
  });

  it('loads its start-up code as one chunk (scripts/build.mjs), not one per lazy module', () => {
    const cli = readFileSync(path.resolve(import.meta.dirname, '../../dist/cli.js'), 'utf8');
    const chunks = [...cli.matchAll(/^(?:import|\}) .*"\.\/chunks\/([^"]+)"/gm)].map((m) => m[1]);
    // the start-up chunk and esbuild's runtime helpers
    expect(chunks).toHaveLength(2);
  });
});
