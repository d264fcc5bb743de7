import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TestSpecification, Vitest } from 'vitest/node';
import SlowestFirst, { SLOW_FILES } from './helpers/slowest-first.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/** A test file as the sequencer sees it, with its size in bytes. */
function spec(file: string): TestSpecification {
  return {
    moduleId: path.join(ROOT, file),
    project: { name: '', config: { sequence: { groupOrder: 0 }, isolate: true } },
  } as unknown as TestSpecification;
}

/** Vitest as on a fresh checkout: no cached results; file sizes from `sizes`. */
function freshVitest(sizes: Record<string, number>): Vitest {
  return {
    config: { root: ROOT },
    cache: {
      getFileTestResults: () => undefined,
      getFileStats: (key: string) => ({ size: sizes[key.replace(/^:/, '')] ?? 0 }),
    },
  } as unknown as Vitest;
}

describe('the test sequencer (slowest files first)', () => {
  it('runs the slow files first, slowest first, and the others after them in Vitest order (larger first)', async () => {
    const files = [
      'test/small.test.ts',
      'test/e2e/install-npm.test.ts',
      'test/large.test.ts',
      'test/e2e/immich-chain-faults-a.test.ts',
      'test/e2e/immich-chain-rollback.test.ts',
    ];
    const sizes = {
      'test/small.test.ts': 1_000,
      'test/large.test.ts': 30_000,
      'test/e2e/install-npm.test.ts': 9_000,
      'test/e2e/immich-chain-faults-a.test.ts': 8_000,
      'test/e2e/immich-chain-rollback.test.ts': 12_000,
    };
    const sorted = await new SlowestFirst(freshVitest(sizes)).sort(files.map(spec));
    expect(sorted.map((s) => path.relative(ROOT, s.moduleId))).toEqual([
      'test/e2e/immich-chain-rollback.test.ts',
      'test/e2e/immich-chain-faults-a.test.ts',
      'test/e2e/install-npm.test.ts',
      'test/large.test.ts',
      'test/small.test.ts',
    ]);
  });

  it('names only files that exist', () => {
    for (const file of Object.keys(SLOW_FILES))
      expect(existsSync(path.join(ROOT, file)), file).toBe(true);
  });
});
