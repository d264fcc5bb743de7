import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = path.resolve(import.meta.dirname, '../../bin/mikado.js');

describe('mikado binary', () => {
  it('prints its version', () => {
    const r = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    expect([r.status, r.stdout.trim()]).toEqual([0, '0.1.0']);
  });

  it('exits 2 on an unknown command', () => {
    const r = spawnSync(process.execPath, [bin, 'no-such-command'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error:/);
  });
});
