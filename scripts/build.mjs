// Bundles the CLI and the library into dist/ with esbuild, in three builds: the CLI (dist/cli.js,
// its start-up code in one chunk and each command's heavy modules in chunks that load lazily);
// the library and the child-process entry points; and the dependencies loaded on first use
// (dist/lib/). Start-up time matters: the commit hook runs on every commit.
//
// `node scripts/build.mjs [--outdir DIR]` (DIR defaults to dist). The package has no `prepare`
// script: installs from git (npm, pre-commit, prek) cannot rely on one (npm may run it before the
// dependencies are there, and pre-commit reads `npm pack`'s output, which a script's banner
// spoils), so bin/mikado.js builds dist/ on first run when it is missing.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const { values: args } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' } } });

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const outdir = args.outdir;
const cliEntry = path.join(root, 'src/cli/main.ts');
// The library, and the part of it `ts run` blocks import (`mikado-docs/blocks`): a block's
// process loads only the helpers, not the Markdown, graph and view code.
const entries = { index: 'src/index.ts', blocks: 'src/blocks/index.ts' };
// Files named `*.entry.ts` anywhere under src/ become dist/<name>.js (child-process entry points).
for (const file of readdirSync(path.join(root, 'src'), { recursive: true })) {
  const f = String(file);
  if (f.endsWith('.entry.ts')) entries[path.basename(f, '.entry.ts')] = path.join('src', f);
}
rmSync(path.resolve(root, outdir), { recursive: true, force: true });

/**
 * commander loads `node:child_process` (and with it net, dgram and streams) at start-up only to
 * run executable subcommands, which mikado has none of: hand it a stand-in that loads the real
 * module on first use.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes(`${path.sep}commander${path.sep}`)
        ? { path: 'lazy-child-process', namespace: 'mikado' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'mikado' }, () => ({
      contents:
        "let cp; module.exports = { spawn: (...a) => (cp ??= require('node:child_process')).spawn(...a) };",
      loader: 'js',
    }));
  },
};

/**
 * Node's ESM loader resolves, reads and links every chunk as a module of its own, at about half a
 * millisecond each however small; with esbuild's usual splitting the CLI's start-up code lands in
 * a dozen chunks (one per set of lazy modules sharing a part of it). Here each module the CLI
 * imports lazily also imports the CLI entry (a no-op at run time: it is loaded already), so all
 * start-up code is shared by the same entry points and lands in one chunk.
 * @param {Set<string>} lazyModules absolute paths of the modules imported with `import()`
 */
const oneStartUpChunk = (lazyModules) => ({
  name: 'one-start-up-chunk',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      if (!lazyModules.has(args.path)) return undefined;
      const text = readFileSync(args.path, 'utf8');
      // on the first line, so the source map's lines stay right
      return { contents: `import ${JSON.stringify(cliEntry)};${text}`, loader: 'ts' };
    });
  },
});

const common = {
  absWorkingDir: root,
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  external: [
    '@mikado-docs/sandbox',
    'esbuild',
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
};

// The CLI: a first pass finds the modules it imports lazily, the second builds it.
const scan = await build({
  ...common,
  entryPoints: { cli: cliEntry },
  write: false,
  sourcemap: false,
  metafile: true,
  plugins: [lazyChildProcess],
});
const lazyModules = new Set();
for (const input of Object.values(scan.metafile.inputs)) {
  for (const imp of input.imports) {
    if (imp.kind === 'dynamic-import' && !imp.external) lazyModules.add(path.join(root, imp.path));
  }
}
const cli = await build({
  ...common,
  entryPoints: { cli: cliEntry },
  metafile: true,
  plugins: [lazyChildProcess, oneStartUpChunk(lazyModules)],
});

// The installed pre-commit hook's start-up (bin/pre-commit.cjs, and bin/mikado.js for
// `hook pre-commit`), which every commit waits for: one file, without commander and the chunk
// graph. The Markdown parser,
// which it loads only for a card the scanner declines, is the CLI's chunk.
const parseCard = path.join(root, 'src/cards/parse-card.ts');
const parseCardChunk = Object.entries(cli.metafile.outputs).find(
  ([, o]) => o.entryPoint && path.join(root, o.entryPoint) === parseCard,
)?.[0];
if (!parseCardChunk) throw new Error('the CLI build made no chunk for src/cards/parse-card.ts');
// CommonJS: Node loads a CommonJS entry (bin/pre-commit.cjs, then this) without its ES module
// loader, about 12 ms sooner; `import.meta.url` is this file's URL, as in the ES modules.
await build({
  ...common,
  splitting: false,
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  banner: {
    js: "const __mikadoImportMetaUrl = require('node:url').pathToFileURL(__filename).href;",
  },
  define: { ...common.define, 'import.meta.url': '__mikadoImportMetaUrl' },
  entryPoints: { 'pre-commit': 'src/cli/pre-commit-process.ts' },
  plugins: [
    {
      name: 'cli-chunks',
      setup(b) {
        b.onResolve({ filter: /\/parse-card\.ts$/ }, (args) =>
          path.join(args.resolveDir, args.path) === parseCard
            ? {
                path: `./${path.relative(path.resolve(root, outdir), path.resolve(root, parseCardChunk))}`,
                external: true,
              }
            : undefined,
        );
      },
    },
  ],
});
// The library and the child-process entry points.
await build({ ...common, entryPoints: entries, plugins: [lazyChildProcess] });

// Dependencies loaded synchronously on first use (src/require-bundled.ts): one minified CommonJS
// file each, so a command that needs one compiles one file, and start-up compiles none.
const requireHere = createRequire(path.join(root, 'package.json'));
await build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries(
    ['yaml', 'picomatch'].map((name) => [name, requireHere.resolve(name)]),
  ),
  outdir: path.join(outdir, 'lib'),
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  logLevel: 'warning',
});
