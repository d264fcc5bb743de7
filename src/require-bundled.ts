import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Defined as `true` by scripts/build.mjs: the code runs from dist/, next to dist/lib/. */
declare const MIKADO_BUNDLE: boolean | undefined;

/** The dependencies that load on first use, each from one pre-bundled CommonJS file. */
export interface BundledDependencies {
  yaml: typeof import('yaml');
  picomatch: typeof import('picomatch');
}

const loaded = new Map<keyof BundledDependencies, unknown>();

/**
 * Loads a dependency synchronously, on first use only: nothing of it is read or compiled at
 * start-up, and the commands that never need it never pay for it. From the build this is the
 * single file `dist/lib/NAME.cjs` (one file to compile instead of dozens); from source it is the
 * installed package.
 * @param name the dependency
 * @returns its module
 */
export function requireBundled<K extends keyof BundledDependencies>(
  name: K,
): BundledDependencies[K] {
  let mod = loaded.get(name);
  if (mod === undefined) {
    const require = createRequire(import.meta.url);
    mod = require(typeof MIKADO_BUNDLE === 'boolean' ? bundledPath(name) : name);
    loaded.set(name, mod);
  }
  return mod as BundledDependencies[K];
}

/** dist/lib/NAME.cjs, from an entry point in dist/ or a chunk in dist/chunks/. */
function bundledPath(name: string): string {
  const here = new URL('.', import.meta.url);
  return fileURLToPath(
    new URL(`${here.pathname.endsWith('/chunks/') ? '../' : ''}lib/${name}.cjs`, here),
  );
}
