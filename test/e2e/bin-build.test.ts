// bin/mikado.js without dist/ (a fresh checkout after `npm ci`, an install from git): it builds
// dist/ once and runs; when it cannot, it says why and how to fix it, without a stack trace.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/readme.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const made: Array<() => void> = [];
afterEach(() => {
  for (const c of made.splice(0)) c();
});

/** The package's files as installed from source: no dist/, node_modules only when asked. */
function sourcePackage(withModules: boolean): string {
  const t = tempDir('bin-build');
  made.push(t.cleanup);
  const dir = path.join(t.dir, 'mikado-docs');
  for (const f of ['bin', 'scripts', 'src', 'templates', 'package.json']) {
    cpSync(path.join(REPO_ROOT, f), path.join(dir, f), { recursive: true });
  }
  if (withModules)
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

const run = (dir: string) =>
  spawnSync(process.execPath, [path.join(dir, 'bin/mikado.js'), '--version'], {
    cwd: dir,
    encoding: 'utf8',
  });

describe('bin/mikado.js without dist/', () => {
  it('builds dist/ once, then starts without building', () => {
    const dir = sourcePackage(true);
    const first = run(dir);
    expect([first.status, first.stdout, first.stderr]).toEqual([
      0,
      '0.1.0\n',
      'mikado: building dist/ (once, after an install from source)\n',
    ]);
    expect(existsSync(path.join(dir, 'dist/cli.js'))).toBe(true);
    const again = run(dir);
    expect([again.status, again.stdout, again.stderr]).toEqual([0, '0.1.0\n', '']);
  });

  it('says what is wrong and how to fix it when it cannot build', () => {
    const dir = sourcePackage(false);
    const res = run(dir);
    expect(res.status).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(`mikado: dist/ is missing in ${dir} and could not be built:`);
    expect(res.stderr).toContain("Cannot find package 'esbuild'");
    expect(res.stderr).toContain('  fix: run `npm run build` there (after `npm ci`)');
    expect(res.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(path.join(dir, 'dist'))).toBe(false);
  });
});
