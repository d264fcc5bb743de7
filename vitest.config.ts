import { availableParallelism } from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';
import SlowestFirst from './test/helpers/slowest-first.ts';

export default defineConfig({
  // Tests run the sandbox package from its sources, as they run the tool's.
  resolve: {
    alias: {
      '@mikado-docs/sandbox': path.resolve(import.meta.dirname, 'sandbox/src/index.ts'),
    },
  },
  test: {
    include: ['test/**/*.test.ts', 'sandbox/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two files at a time even on 2 cores (Vitest's default there is one): the end-to-end files
    // spend most of their time waiting on child processes and PostgreSQL, so a second file fills
    // the idle core. On the 2-core machine the whole suite took 2,000 s this way under a load
    // average of 6 to 9 from other work, against about 1,750 s one file at a time when quiet.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // The slowest files first, so that the two workers end together (test/helpers/slowest-first.ts).
    sequence: { sequencer: SlowestFirst },
    globalSetup: ['test/global-setup.ts'],
  },
});
