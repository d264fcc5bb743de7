import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Seconds each slow test file took in a fresh-clone CI run on the 2-core machine, two files at a
 * time (`CI=true bash .ci/run`, stop 20). Files not listed took under 20 s.
 */
export const SLOW_FILES: Readonly<Record<string, number>> = {
  'test/e2e/immich-chain-rollback.test.ts': 246,
  'test/e2e/immich-chain-faults-b.test.ts': 121,
  'test/e2e/immich-chain-faults-a.test.ts': 115,
  'test/e2e/install-npm.test.ts': 101,
  'test/e2e/install-pre-commit.test.ts': 87,
  'test/e2e/immich-chain-a.test.ts': 56,
  'test/e2e/hook-invariant.test.ts': 48,
  'test/e2e/run.test.ts': 39,
  'test/e2e/readme.test.ts': 36,
  'test/e2e/mikado-loop.test.ts': 27,
  'test/lifecycle-reset.test.ts': 26,
  'test/e2e/hook-fixes.test.ts': 22,
  'test/e2e/hook-install.test.ts': 21,
  'test/verify-delta.test.ts': 20,
};

/**
 * Runs the slowest files first, so that the last files to start are short ones and the workers
 * finish together. Without it a fresh checkout (no Vitest cache) runs larger files first, and the
 * Immich chain's files, which are short in bytes, started late and ran on alone at the end.
 * Files not in {@link SLOW_FILES} keep Vitest's own order after them.
 */
export default class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const root = path.resolve(import.meta.dirname, '../..');
    const seconds = (f: TestSpecification): number =>
      SLOW_FILES[path.relative(root, f.moduleId)] ?? 0;
    return base
      .map((file, i) => ({ file, i, s: seconds(file) }))
      .sort((a, b) => b.s - a.s || a.i - b.i)
      .map((x) => x.file);
  }
}
