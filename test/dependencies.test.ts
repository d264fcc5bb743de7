import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain script without types
import { dependencyProblems, importsOf } from '../scripts/check-dependencies.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * Source text written with backquotes around module names (so that the checker, reading this
 * file, does not take the examples for imports), with them turned into single quotes.
 */
const src = (lines: string[]): string => lines.join('\n').replaceAll('`', "'");

/** A package in a temp folder: package.json and source files. */
function tempPackage(manifest: object, files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mikado-deps-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

describe('dependencies', () => {
  it('every declared dependency is used and every import is declared (package.json, sandbox/package.json)', () => {
    expect(dependencyProblems(ROOT)).toEqual([]);
  });

  it('reports an undeclared import, an unused declaration, a version range and a run-time import declared for development', () => {
    const dir = tempPackage(
      {
        name: 'p',
        files: ['src'],
        dependencies: { unused: '1.0.0', yaml: '^2.9.1' },
        devDependencies: { picomatch: '4.0.7', '@types/mdast': '4.0.4', vitest: '4.1.12' },
      },
      {
        'src/a.ts': src([
          'import { parse } from `yaml`;',
          'import type { Root } from `mdast`;',
          'import picomatch from `picomatch`;',
          'const m = await import(`left-pad`);',
        ]),
        'test/a.test.ts': src(['import { it } from `vitest`;', 'import x from `undeclared/sub`;']),
      },
    );
    expect(dependencyProblems(dir)).toEqual([
      'src/a.ts: imports picomatch at run time, but package.json declares it only in devDependencies',
      'src/a.ts: imports left-pad, which package.json does not declare',
      'test/a.test.ts: imports undeclared, which package.json does not declare',
      'package.json: pins yaml to `^2.9.1`, expected an exact version',
      'package.json: declares unused, which nothing imports or runs',
    ]);
  });

  it('reads every import form, type-only ones as such', () => {
    const text = src([
      'import a from `a`;',
      'import type { B } from `@s/b/deep`;',
      'import {',
      '  type C,',
      '  D,',
      '} from `c`;',
      'export { e } from `e`;',
      'import `side-effect`;',
      'type F = typeof import(`f`);',
      'const g = require(`g`);',
      'const h = requireBundled(`h`);',
    ]);
    expect(importsOf(text)).toEqual([
      { name: 'a', typeOnly: false },
      { name: '@s/b/deep', typeOnly: true },
      { name: 'c', typeOnly: false },
      { name: 'e', typeOnly: false },
      { name: 'side-effect', typeOnly: false },
      { name: 'f', typeOnly: true },
      { name: 'g', typeOnly: false },
      { name: 'h', typeOnly: false },
    ]);
  });
});
