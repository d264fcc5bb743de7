#!/usr/bin/env node
import { existsSync } from 'node:fs';

// dist/ is built by `prepare`; an install that could not run it builds it here, once.
if (!existsSync(new URL('../dist/cli.js', import.meta.url))) {
  const problem = (await import('../scripts/ensure-dist.mjs')).ensureDist();
  if (problem) {
    process.stderr.write(problem);
    process.exit(2);
  }
}
const argv = process.argv.slice(2);
// The installed pre-commit hook runs on every commit: it has a start-up file of its own.
const preCommit = new URL('../dist/pre-commit.js', import.meta.url);
if (argv.length === 2 && argv[0] === 'hook' && argv[1] === 'pre-commit' && existsSync(preCommit)) {
  const { preCommitMain } = await import(preCommit.href);
  process.exitCode = await preCommitMain();
  // Ending now spares tearing down the heap (a few ms a commit); only when every byte of the
  // output is written (stdout and stderr are synchronous for files, pipes and terminals on Linux).
  if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit();
} else {
  const { main } = await import('../dist/cli.js');
  // A reader that stops early (`mikado view | head`) is not an error.
  process.stdout.on('error', (e) => (e.code === 'EPIPE' ? process.exit(0) : Promise.reject(e)));
  process.exitCode = await main(argv);
}
