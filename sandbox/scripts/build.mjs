// Bundles the sandbox into dist/ with esbuild: the library (dist/index.js) and every
// `src/*.entry.ts`, the child-process entry points: the stand-ins the sandbox puts on PATH
// (`kubectl`, `argocd`, ...), its controller and the load writer.
//
// The stand-ins start once per call, and a card's run makes hundreds of calls: each is one
// self-contained CommonJS file, dist/<name>.cjs, which Node starts with about a quarter less CPU
// than an ES module importing a dozen chunks (docs/benchmarks.md, "Test suite"). The controller and
// the load writer, which start once per sandbox, are ES modules, dist/<name>.js.
import { copyFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const entries = { index: 'src/index.ts' };
const standIns = {};
for (const file of readdirSync(path.join(root, 'src'))) {
  if (!file.endsWith('.entry.ts')) continue;
  const name = path.basename(file, '.entry.ts');
  // sandbox-<tool>.entry.ts is a stand-in; sandbox-controller.entry.ts is not
  const into = name.startsWith('sandbox-') && name !== 'sandbox-controller' ? standIns : entries;
  into[name] = path.join('src', file);
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

await build({
  absWorkingDir: root,
  entryPoints: standIns,
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // pg's optional native binding, which pg loads only when asked for it
  external: ['pg-native'],
  // import.meta.url (packageRoot() finds the package from it) as a CommonJS file has it
  define: { 'import.meta.url': '__mikadoImportMetaUrl' },
  banner: {
    js: "const __mikadoImportMetaUrl = require('node:url').pathToFileURL(__filename).href;",
  },
  logLevel: 'warning',
});

// The shims' client, which hands a stand-in call to the controller (src/stand-in-server.ts)
copyFileSync(path.join(root, 'src/stand-in-client.pl'), path.join(root, 'dist/stand-in-client.pl'));
