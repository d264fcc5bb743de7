import path from 'node:path';
import { defineConfig } from 'vitest/config';

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
    globalSetup: ['test/global-setup.ts'],
  },
});
