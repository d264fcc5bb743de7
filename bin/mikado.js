#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

// dist/ is built by `prepare`; an install that could not run it builds it here, once.
if (!existsSync(new URL('../dist/cli.js', import.meta.url))) {
  const problem = (await import('../scripts/ensure-dist.mjs')).ensureDist();
  if (problem) {
    process.stderr.write(problem);
    process.exit(2);
  }
}
const argv = process.argv.slice(2);
// The pre-commit check runs on every commit: it has a start-up file of its own (CommonJS).
const preCommit = new URL('../dist/pre-commit.cjs', import.meta.url);
if (argv.length === 2 && argv[0] === 'hook' && argv[1] === 'pre-commit' && existsSync(preCommit)) {
  await createRequire(import.meta.url)('../dist/pre-commit.cjs').runPreCommit();
} else {
  const { main } = await import('../dist/cli.js');
  // A reader that stops early (`mikado view | head`) is not an error.
  process.stdout.on('error', (e) => (e.code === 'EPIPE' ? process.exit(0) : Promise.reject(e)));
  process.exitCode = await main(argv);
}
