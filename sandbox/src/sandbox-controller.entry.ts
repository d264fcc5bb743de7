// The sandbox controller (dist/sandbox-controller.js): the emulated operators, started detached
// by `mikado sandbox up`, stopped by `down` (SIGTERM finishes the current pass).
import { runController } from './controller.ts';

const dir = process.argv[2] ?? process.env['MIKADO_SANDBOX_DIR'];
if (!dir) {
  process.stderr.write('sandbox-controller: usage: sandbox-controller.js SANDBOX_DIR\n');
  process.exit(2);
}
const stop = new AbortController();
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => stop.abort());
await runController(dir, stop.signal, (line) => process.stderr.write(`${line}\n`));
process.exit(0);
