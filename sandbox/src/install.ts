import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SandboxError } from './errors.ts';
import type { SandboxPaths } from './paths.ts';

/** The stand-ins put on PATH: shim name → bundle in `dist/`. */
export const STAND_INS: Record<string, string> = {
  kubectl: 'sandbox-kubectl.cjs',
  argocd: 'sandbox-argocd.cjs',
  tailscale: 'sandbox-tailscale.cjs',
  borgmatic: 'sandbox-borgmatic.cjs',
  mise: 'sandbox-mise.cjs',
};

/** Stand-ins only visible inside emulated pods. */
export const POD_STAND_INS: Record<string, string> = {
  'nvidia-smi': 'sandbox-nvidia-smi.cjs',
};

/**
 * The sandbox package root (`@mikado-docs/sandbox`), found from this module's location.
 * @returns the directory holding package.json
 */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && /"name":\s*"@mikado-docs\/sandbox"/.test(readFileSync(pkg, 'utf8')))
      return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new SandboxError('Cannot find the @mikado-docs/sandbox package root');
    dir = up;
  }
}

/**
 * The built stand-ins' directory; fails when the build is missing.
 * @returns `<package>/dist`
 */
export function distDir(): string {
  const dist = path.join(packageRoot(), 'dist');
  for (const file of [
    ...Object.values(STAND_INS),
    ...Object.values(POD_STAND_INS),
    'sandbox-controller.js',
  ]) {
    if (!existsSync(path.join(dist, file))) {
      throw new SandboxError(
        `The sandbox stand-ins are not built (\`${path.join(dist, file)}\` is missing)`,
        {
          fix: 'Run `npm run build` first',
        },
      );
    }
  }
  return dist;
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Writes the shims: tiny shell scripts that exec `node <dist>/<stand-in>.js` with the sandbox
 * directory in `MIKADO_SANDBOX_DIR`.
 * @param paths sandbox paths
 * @param dist the dist directory
 * @param nodePath the node binary
 */
export function writeShims(paths: SandboxPaths, dist: string, nodePath: string): void {
  const write = (dir: string, name: string, bundle: string) => {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, name);
    writeFileSync(
      file,
      [
        '#!/bin/sh',
        `# mikado sandbox stand-in for \`${name}\` (not the real tool): state in ${paths.dir}`,
        `MIKADO_SANDBOX_DIR=${shellQuote(paths.dir)}`,
        'export MIKADO_SANDBOX_DIR',
        `exec ${shellQuote(nodePath)} ${shellQuote(path.join(dist, bundle))} "$@"`,
        '',
      ].join('\n'),
    );
    chmodSync(file, 0o755);
  };
  for (const [name, bundle] of Object.entries(STAND_INS)) write(paths.bin, name, bundle);
  for (const [name, bundle] of Object.entries(POD_STAND_INS)) write(paths.podBin, name, bundle);
}
