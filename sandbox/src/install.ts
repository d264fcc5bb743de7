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

/** The stand-ins whose calls the controller answers (`SERVED` in `stand-in-server.ts`). */
export const SERVED_TOOLS = ['kubectl', 'argocd', 'tailscale'] as const;

/** A stand-in whose calls the controller answers. */
export type ServedTool = (typeof SERVED_TOOLS)[number];

/**
 * Whether the controller answers a stand-in's calls.
 * @param name the stand-in's name
 * @returns true for {@link SERVED_TOOLS}
 */
export const isServedTool = (name: string): name is ServedTool =>
  (SERVED_TOOLS as readonly string[]).includes(name);

/** The shims' client that hands a call to the controller (copied into `dist/` by the build). */
export const STAND_IN_CLIENT = 'stand-in-client.pl';

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
    STAND_IN_CLIENT,
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
 * Writes the shims: tiny shell scripts that exec `node <dist>/<stand-in>.cjs` with the sandbox
 * directory in `MIKADO_SANDBOX_DIR`. For the stand-ins the controller answers ({@link SERVED_TOOLS}),
 * the shim first hands the call to the controller through {@link STAND_IN_CLIENT}, which runs the
 * stand-in itself when the controller does not listen or declines the call;
 * `MIKADO_SANDBOX_OWN_PROCESS=1` skips the controller.
 * @param paths sandbox paths
 * @param dist the dist directory
 * @param nodePath the node binary
 */
export function writeShims(paths: SandboxPaths, dist: string, nodePath: string): void {
  const write = (dir: string, name: string, bundle: string) => {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, name);
    const own = `${shellQuote(nodePath)} ${shellQuote(path.join(dist, bundle))} "$@"`;
    const socket = shellQuote(paths.standInSocket);
    writeFileSync(
      file,
      [
        '#!/bin/sh',
        `# mikado sandbox stand-in for \`${name}\` (not the real tool): state in ${paths.dir}`,
        `MIKADO_SANDBOX_DIR=${shellQuote(paths.dir)}`,
        'export MIKADO_SANDBOX_DIR',
        ...(isServedTool(name)
          ? [
              `if [ -z "$MIKADO_SANDBOX_OWN_PROCESS" ] && [ -S ${socket} ] && command -v perl >/dev/null; then`,
              `  exec perl ${shellQuote(path.join(dist, STAND_IN_CLIENT))} ${socket} ${name} ${own}`,
              'fi',
            ]
          : []),
        `exec ${own}`,
        '',
      ].join('\n'),
    );
    chmodSync(file, 0o755);
  };
  for (const [name, bundle] of Object.entries(STAND_INS)) write(paths.bin, name, bundle);
  for (const [name, bundle] of Object.entries(POD_STAND_INS)) write(paths.podBin, name, bundle);
}
