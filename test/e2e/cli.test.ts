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

  it('leaves the Markdown parser and the renderers out of the start-up chunk', () => {
    const modules = bundledModules(staticChunks('cli.js'));
    // commander is there: the list is really read
    expect(modules).toContain('node_modules/commander/lib/command.js');
    expect(modules.filter((m) => /\/(micromark|remark-|hast-|mdast-)/.test(m))).toEqual([]);
  });
});

const dist = path.resolve(import.meta.dirname, '../../dist');

/**
 * A built file and every chunk it imports statically, transitively (what loading it loads).
 * @param file a file under dist/ (`cli.js`, `chunks/NAME.js`)
 * @returns paths under dist/
 */
function staticChunks(file: string): string[] {
  const seen = new Set([file]);
  for (const f of seen) {
    const text = readFileSync(path.join(dist, f), 'utf8');
    for (const m of text.matchAll(/^(?:import|\}) .*"\.\/([^"]+\.js)";?$/gm)) {
      seen.add(path.posix.join(path.posix.dirname(f), m[1]!));
    }
  }
  return [...seen];
}

/**
 * The source modules bundled into built files, from esbuild's `// path` comments.
 * @param files paths under dist/
 * @returns the module paths
 */
function bundledModules(files: string[]): string[] {
  return files.flatMap((f) =>
    [
      ...readFileSync(path.join(dist, f), 'utf8').matchAll(/^\/\/ ((?:node_modules|src)\/\S+)$/gm),
    ].map((m) => m[1]!),
  );
}
