import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../helpers/binary.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const t = tempDir('sandbox-package');
const project = path.join(t.dir, 'project');
const tool = path.join(project, 'tools', 'mikado-docs');

/**
 * Links each package of the repository's node_modules (not `.bin`, not the given names) into
 * `dir/node_modules`, one symlink per package: npm never runs over these links.
 */
function linkDependencies(dir: string, only?: string[]): void {
  const modules = path.join(repo, 'node_modules');
  for (const name of only ?? readdirSync(modules)) {
    if (name.startsWith('.') || name === '@mikado-docs') continue;
    const scoped = name.startsWith('@') && !name.includes('/');
    for (const pkg of scoped
      ? readdirSync(path.join(modules, name)).map((p) => `${name}/${p}`)
      : [name]) {
      mkdirSync(path.dirname(path.join(dir, 'node_modules', pkg)), { recursive: true });
      symlinkSync(path.join(modules, pkg), path.join(dir, 'node_modules', pkg));
    }
  }
}

/** Runs the copy of the tool in the project. */
function mikado(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [path.join(tool, 'bin/mikado.js'), ...args], {
    cwd: project,
    env: testEnv({ MIKADO_SANDBOX_DIR: undefined }),
    encoding: 'utf8',
  });
}

/** The command in backticks on the `fix:` line, run as a shell command in the project. */
function followFix(stderr: string, clone: string): void {
  const fix = /^ {2}fix: (.*)$/m.exec(stderr)?.[1] ?? '';
  const commands = [...fix.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
  expect(commands.length, stderr).toBeGreaterThan(0);
  for (const command of commands) {
    // the repository itself is the clone, where `npm ci` ran before the tests
    if (command === 'npm ci') continue;
    execFileSync(
      'sh',
      ['-c', `${command.replaceAll('<clone>', clone)} --offline --no-audit --no-fund`],
      {
        cwd: project,
        stdio: 'pipe',
      },
    );
  }
}

beforeAll(() => {
  // mikado-docs installed in a project without the sandbox package: the published tool's files
  mkdirSync(tool, { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
    files: string[];
  };
  for (const entry of [...manifest.files, 'package.json']) {
    cpSync(path.join(repo, entry), path.join(tool, entry), { recursive: true });
  }
  linkDependencies(tool);
  writeFileSync(
    path.join(project, 'package.json'),
    `${JSON.stringify({ name: 'infra', private: true }, null, 2)}\n`,
  );
});

afterAll(() => t.cleanup());

describe('mikado sandbox without the sandbox package', () => {
  it('says how to install the package when it is absent (exit 2), and the fix works', () => {
    const sandboxDir = path.join(t.dir, 'sb');
    const absent = mikado(['sandbox', 'up', '--dir', sandboxDir]);
    expect(absent.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(absent.status, absent.stderr).toBe(2);
    expect(absent.stderr).toMatch(/^mikado: .*`@mikado-docs\/sandbox`/);
    expect(absent.stderr).toMatch(/^ {2}fix: .*`npm install --save-dev <clone>\/sandbox`/m);
    expect(existsSync(sandboxDir)).toBe(false);

    followFix(absent.stderr, repo);
    expect(existsSync(path.join(repo, 'sandbox', 'node_modules'))).toBe(false);
    const down = mikado(['sandbox', 'down', '--dir', sandboxDir]);
    expect([down.status, down.stdout, down.stderr]).toEqual([0, 'nothing was running\n', '']);
  });

  it('says how to build the package when it is installed but not built (exit 2), and the fix works', () => {
    // a copy of the package without dist/, linked into the project as npm links a folder
    const copy = path.join(t.dir, 'sandbox-copy');
    for (const entry of ['package.json', 'src', 'scripts']) {
      cpSync(path.join(repo, 'sandbox', entry), path.join(copy, entry), { recursive: true });
    }
    linkDependencies(copy, ['esbuild', 'pg', 'write-file-atomic', 'yaml']);
    const link = path.join(project, 'node_modules', '@mikado-docs', 'sandbox');
    rmSync(link, { force: true });
    symlinkSync(copy, link);

    const sandboxDir = path.join(t.dir, 'sb');
    const unbuilt = mikado(['sandbox', 'down', '--dir', sandboxDir]);
    expect(unbuilt.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(unbuilt.status, unbuilt.stderr).toBe(2);
    expect(unbuilt.stderr).toContain(`\`${path.join(link, 'dist', 'index.js')}\` is missing`);
    expect(unbuilt.stderr).toContain(`fix: Run \`npm run build --prefix ${link}\``);

    followFix(unbuilt.stderr, repo);
    const down = mikado(['sandbox', 'down', '--dir', sandboxDir]);
    expect([down.status, down.stdout, down.stderr]).toEqual([0, 'nothing was running\n', '']);
  });
});
