// Bundles the CLI and the library into dist/ with esbuild. Heavy dependencies are split into
// chunks that load lazily, so `mikado hook` on a non-Mikado branch stays fast.
import { readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const entries = { cli: 'src/cli/main.ts', index: 'src/index.ts' };
// Files named `*.entry.ts` anywhere under src/ become dist/<name>.js (child-process entry points).
for (const file of readdirSync(path.join(root, 'src'), { recursive: true })) {
  const f = String(file);
  if (f.endsWith('.entry.ts')) entries[path.basename(f, '.entry.ts')] = path.join('src', f);
}
rmSync(path.join(root, 'dist'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: entries,
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  external: [
    'esbuild',
    'tsx',
    'zx',
    'pg',
    'pg-native',
    'playwright-core',
    'fsevents',
    // uses __filename, which an ESM bundle does not have
    'write-file-atomic',
  ],
  banner: {
    js: "import { createRequire as __mikadoCreateRequire } from 'node:module'; const require = __mikadoCreateRequire(import.meta.url);",
  },
  // src/require-bundled.ts loads dist/lib/NAME.cjs on first use when this is defined
  define: { MIKADO_BUNDLE: 'true' },
  logLevel: 'warning',
});

// Dependencies loaded synchronously on first use (src/require-bundled.ts): one minified CommonJS
// file each, so a command that needs one compiles one file, and start-up compiles none.
const requireHere = createRequire(path.join(root, 'package.json'));
await build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries(
    ['yaml', 'picomatch'].map((name) => [name, requireHere.resolve(name)]),
  ),
  outdir: 'dist/lib',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  logLevel: 'warning',
});
