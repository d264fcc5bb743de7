// Every declared dependency is used and pinned to an exact version; every import is declared.
// For the package at the root and for each workspace package: the bare module names its sources
// import (`import`, `export from`, `import()`, `require()` and the loaders built on it) against
// its package.json.
//
// - An import from shipped code (package.json `files`; `src/` for a package without) that is not
//   type-only must be in `dependencies` (or OPTIONAL_AT_RUN_TIME); type-only imports and
//   everything else may be in `devDependencies`. An import of X is declared by X or `@types/X`.
// - A declared package is used when it is imported, when it is `@types/X` for an imported X (or
//   `@types/node` for `node:` imports), when it is a peer dependency of a used package (the types
//   behind an import), or when it is listed in USED_WITHOUT_IMPORT with the file that uses it.
//
// `node scripts/check-dependencies.mjs [DIR]` prints each problem and exits 1 when there is one.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Packages used by running them, not by importing them: package → the file that runs it. */
export const USED_WITHOUT_IMPORT = {
  '@biomejs/biome': ['package.json', 'biome check'],
  typescript: ['package.json', 'tsc --noEmit'],
  vitest: ['package.json', 'vitest run'],
  husky: ['test/e2e/hook-install.test.ts', 'node_modules/husky/bin.js'],
  lefthook: ['test/e2e/hook-install.test.ts', 'node_modules/.bin/lefthook'],
  '@j178/prek': ['docs/hook.md', 'npx prek install'],
  '@jdxcode/mise': ['README.md', 'npx mise run docs-mikado'],
  mermaid: ['test/render-escape.test.ts', "resolve('mermaid/dist/mermaid.min.js')"],
};

/**
 * Packages shipped code loads at run time when they are there, and explains how to get when they
 * are not: package → the file that loads it.
 */
export const OPTIONAL_AT_RUN_TIME = {
  '@mikado-docs/sandbox': 'src/cli/commands/sandbox.ts',
};

/** Folders (or files) of a package whose sources are read. */
const SOURCES = ['src', 'bin', 'scripts', 'test', 'bench', 'vitest.config.ts'];
const SOURCE_FILE = /\.(?:[cm]?[jt]s)$/;

/**
 * The module specifiers a source file imports. `import type`, `export type` and `typeof
 * import()` are type-only.
 * @param {string} text the source
 * @returns {{ name: string, typeOnly: boolean }[]}
 */
export function importsOf(text) {
  const found = [];
  const statement =
    /(?:^|[\n;])\s*(import|export)\s+(type\s+)?(?:[\w$*{}\s,]*?\s+from\s*)?(['"])([^'"\n]+)\3/g;
  for (const m of text.matchAll(statement)) {
    found.push({ name: m[4], typeOnly: Boolean(m[2]) });
  }
  const call =
    /(typeof\s+)?\b(?:import|require|requireCjs|requireBundled|req)\s*\(\s*(['"])([^'"\n]+)\2\s*\)/g;
  for (const m of text.matchAll(call)) found.push({ name: m[3], typeOnly: Boolean(m[1]) });
  return found;
}

/**
 * The package a module specifier names: `yaml` for `yaml/util`, `@scope/x` for `@scope/x/y`;
 * undefined for relative paths, absolute paths and Node's built-ins.
 * @param {string} specifier
 * @returns {string | undefined}
 */
export function packageOf(specifier) {
  if (/^(?:\.|\/|node:)/.test(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function* filesUnder(dir) {
  if (!existsSync(dir)) return;
  if (SOURCE_FILE.test(dir)) {
    yield dir;
    return;
  }
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !SOURCE_FILE.test(entry.name)) continue;
    const full = path.join(entry.parentPath, entry.name);
    if (!full.includes(`${path.sep}node_modules${path.sep}`)) yield full;
  }
}

/**
 * The problems of one package: undeclared imports, runtime imports from shipped code declared
 * only for development, and declared packages nothing uses.
 * @param {string} dir the package's folder (with package.json)
 * @param {string} [repoRoot] where USED_WITHOUT_IMPORT's files are (defaults to dir)
 * @returns {string[]} one line per problem
 */
export function packageProblems(dir, repoRoot = dir) {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const deps = new Set(Object.keys(manifest.dependencies ?? {}));
  const devDeps = new Set(Object.keys(manifest.devDependencies ?? {}));
  const where = path.relative(repoRoot, path.join(dir, 'package.json')) || 'package.json';
  const shipped = (manifest.files ?? ['src']).map((f) => path.join(dir, f));
  const isShipped = (file) => shipped.some((f) => file === f || file.startsWith(f + path.sep));
  const typesOf = (pkg) => `@types/${pkg.startsWith('@') ? pkg.slice(1).replace('/', '__') : pkg}`;
  const declares = (pkg) => [pkg, typesOf(pkg)].some((p) => deps.has(p) || devDeps.has(p));
  const problems = [];
  const used = new Set();
  let usesNode = false;
  for (const source of SOURCES) {
    for (const file of filesUnder(path.join(dir, source))) {
      const rel = path.relative(repoRoot, file);
      for (const { name, typeOnly } of importsOf(readFileSync(file, 'utf8'))) {
        if (name.startsWith('node:')) usesNode = true;
        const pkg = packageOf(name);
        if (pkg === undefined || pkg === manifest.name) continue;
        used.add(pkg);
        if (!declares(pkg)) {
          problems.push(`${rel}: imports ${pkg}, which ${where} does not declare`);
        } else if (
          isShipped(file) &&
          !typeOnly &&
          !deps.has(pkg) &&
          OPTIONAL_AT_RUN_TIME[pkg] !== path.relative(dir, file)
        ) {
          problems.push(
            `${rel}: imports ${pkg} at run time, but ${where} declares it only in devDependencies`,
          );
        }
      }
    }
  }
  for (const [pkg, version] of Object.entries({
    ...manifest.dependencies,
    ...manifest.devDependencies,
  })) {
    // an exact version: what the lockfile holds is what package.json says
    if (!/^\d+\.\d+\.\d+(?:-[\w.]+)?$/.test(version)) {
      problems.push(`${where}: pins ${pkg} to \`${version}\`, expected an exact version`);
    }
  }
  const declared = [...deps, ...devDeps];
  const peersOfUsed = new Set();
  for (const pkg of used) {
    const own = path.join(dir, 'node_modules', pkg, 'package.json');
    const top = path.join(repoRoot, 'node_modules', pkg, 'package.json');
    const file = existsSync(own) ? own : existsSync(top) ? top : undefined;
    if (!file) continue;
    for (const peer of Object.keys(JSON.parse(readFileSync(file, 'utf8')).peerDependencies ?? {}))
      peersOfUsed.add(peer);
  }
  for (const pkg of declared) {
    const typesFor = pkg.startsWith('@types/') ? pkg.slice('@types/'.length) : undefined;
    const usedBy = USED_WITHOUT_IMPORT[pkg];
    const isUsed =
      used.has(pkg) ||
      peersOfUsed.has(pkg) ||
      (typesFor === 'node' && usesNode) ||
      (typesFor !== undefined && used.has(typesFor.replace(/^(.+)__/, '@$1/'))) ||
      (Object.hasOwn(OPTIONAL_AT_RUN_TIME, pkg) && used.has(pkg)) ||
      (usedBy !== undefined &&
        existsSync(path.join(repoRoot, usedBy[0])) &&
        readFileSync(path.join(repoRoot, usedBy[0]), 'utf8').includes(usedBy[1]));
    if (!isUsed) problems.push(`${where}: declares ${pkg}, which nothing imports or runs`);
  }
  return problems;
}

/**
 * The problems of the package at the root and of each of its workspaces.
 * @param {string} root the repository root
 * @returns {string[]}
 */
export function dependencyProblems(root) {
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const problems = packageProblems(root);
  for (const workspace of manifest.workspaces ?? []) {
    problems.push(...packageProblems(path.join(root, workspace), root));
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(process.argv[2] ?? path.dirname(path.dirname(process.argv[1])));
  const problems = dependencyProblems(root);
  for (const p of problems) process.stderr.write(`${p}\n`);
  process.exitCode = problems.length > 0 ? 1 : 0;
}
