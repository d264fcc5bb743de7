// Bundles the sandbox into dist/ with esbuild: the library (dist/index.js) and every
// `src/*.entry.ts` as dist/<name>.js, the child-process entry points: the stand-ins the sandbox
// puts on PATH (`kubectl`, `argocd`, ...), its controller and the load writer.
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const entries = { index: 'src/index.ts' };
for (const file of readdirSync(path.join(root, 'src'))) {
  if (file.endsWith('.entry.ts'))
    entries[path.basename(file, '.entry.ts')] = path.join('src', file);
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
  // write-file-atomic uses __filename, which an ESM bundle does not have
  external: ['pg', 'pg-native', 'write-file-atomic'],
  banner: {
    js: "import { createRequire as __mikadoCreateRequire } from 'node:module'; const require = __mikadoCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
