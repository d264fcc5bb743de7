#!/usr/bin/env node
import { main } from '../dist/cli.js';

// A reader that stops early (`mikado view | head`) is not an error.
process.stdout.on('error', (e) => (e.code === 'EPIPE' ? process.exit(0) : Promise.reject(e)));
process.exitCode = await main(process.argv.slice(2));
