import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The directory of the installed mikado-docs package (holding `bin/`, `dist/` and `templates/`),
 * found by walking up from this module, which works from `src/` and from the bundle in `dist/`.
 * @returns the absolute package directory
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'mikado-docs') {
          cached = dir;
          return dir;
        }
      } catch {
        // not ours; keep walking
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error('mikado-docs: cannot find the package directory');
    dir = up;
  }
}
