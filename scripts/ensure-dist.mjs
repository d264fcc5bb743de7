// Builds dist/ when it is missing: in a fresh checkout after `npm ci`, and in an install from git
// (npm, pre-commit, prek), which packs the sources without dist/. Called by bin/mikado.js only
// when dist/cli.js does not exist, so a normal start pays nothing for it. A packed tarball made
// after `npm run build` ships dist/ and never needs it.
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/**
 * Builds dist/ into a temporary folder and renames it into place (two first runs at once both
 * end with one whole dist/). Prints one line on stderr while it builds.
 * @returns an error message with its fix when dist/ could not be built, else undefined
 */
export function ensureDist() {
  const dist = path.join(root, 'dist');
  const tmp = `dist.build-${process.pid}`;
  process.stderr.write('mikado: building dist/ (once, after an install from source)\n');
  const result = spawnSync(
    process.execPath,
    [path.join(root, 'scripts/build.mjs'), '--outdir', tmp],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  // In a checkout, the sandbox workspace (not part of an installed package) is built too.
  const sandboxBuild = path.join(root, 'sandbox/scripts/build.mjs');
  if (result.status === 0 && existsSync(sandboxBuild)) {
    const sandbox = spawnSync(process.execPath, [sandboxBuild], { cwd: root, encoding: 'utf8' });
    if (sandbox.status !== 0)
      Object.assign(result, { status: sandbox.status, stderr: sandbox.stderr });
  }
  if (result.status === 0) {
    try {
      renameSync(path.join(root, tmp), dist);
    } catch (error) {
      rmSync(path.join(root, tmp), { recursive: true, force: true });
      if (!existsSync(path.join(dist, 'cli.js'))) return failure(String(error));
    }
    return undefined;
  }
  rmSync(path.join(root, tmp), { recursive: true, force: true });
  const text = result.error?.message ?? result.stderr ?? '';
  // the error's own line, not Node's stack around it
  const why = text.split('\n').find((l) => /Error\b/.test(l)) ?? text.trim().split('\n').at(-1);
  return failure(why);
}

function failure(why) {
  return (
    `mikado: dist/ is missing in ${root} and could not be built:\n  ${why}\n` +
    `  fix: run \`npm run build\` there (after \`npm ci\`), or install mikado-docs from a tarball packed after a build (\`npm run build && npm pack\`), which ships dist/\n`
  );
}
