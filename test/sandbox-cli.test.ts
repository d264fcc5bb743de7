import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sandboxDown } from '@mikado-docs/sandbox';
import { afterEach, describe, expect, it } from 'vitest';

const bin = path.resolve(import.meta.dirname, '../bin/mikado.js');
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) {
    await sandboxDown(d);
    rmSync(d, { recursive: true, force: true });
  }
});

function mikado(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

describe('mikado sandbox (CLI, kubectl stand-in)', () => {
  it('brings a sandbox up in MIKADO_SANDBOX_DIR, summarises it, and takes it down', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mikado-sandbox-cli-'));
    dirs.push(dir);
    const env = { MIKADO_SANDBOX_DIR: dir };
    const up = await mikado(['sandbox', 'up', '--size', 'tiny'], env);
    expect(up.code).toBe(0);
    expect(up.stdout).toContain(`export PATH="${path.join(dir, 'bin')}:$PATH"`);
    expect(up.stdout).toMatch(/dataset: 40 assets/);
    const status = await mikado(['sandbox', 'status', '--json'], env);
    const s = JSON.parse(status.stdout) as {
      controller: { running: boolean };
      tailnet: { name: string }[];
    };
    expect(s.controller.running).toBe(true);
    expect(s.tailnet.map((d) => d.name)).toEqual(expect.arrayContaining(['photos', 'immich-pg']));
    const down = await mikado(['sandbox', 'down', '--dir', dir]);
    expect(down.stdout).toMatch(/^stopped: controller, postgres /);
    const text = await mikado(['sandbox', 'status', '--dir', dir]);
    expect(text.stdout).toMatch(/controller {3}stopped/);
  });

  it('refuses a bad size and reports a missing sandbox', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mikado-sandbox-cli-'));
    dirs.push(dir);
    const bad = await mikado(['sandbox', 'up', '--dir', dir, '--size', 'huge']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unexpected size `huge`/);
    // A status is an answer, not a failure: `mise run sandbox-status` must not fail for it.
    const none = await mikado(['sandbox', 'status', '--dir', path.join(dir, 'none')]);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/no sandbox in .*\(run `mikado sandbox up`\)/);
    const json = await mikado(['sandbox', 'status', '--json', '--dir', path.join(dir, 'none')]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ exists: false });
  });
});
