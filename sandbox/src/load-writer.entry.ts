// Child-process entry of the load writer (built to dist/load-writer.js). Argument: a JSON object
// with the LoadWriterOptions and `pidFile`. Writes the pid file once the database answers,
// stops cleanly on SIGTERM/SIGINT after its current transaction, then removes the pid file.
import { rmSync } from 'node:fs';
import pg from 'pg';
import { type LoadWriterOptions, runLoadWriter, writePidFile } from './load-writer.ts';

const config = JSON.parse(process.argv[2] ?? '{}') as LoadWriterOptions & { pidFile: string };
const stop = new AbortController();
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => stop.abort());

const probe = new pg.Client({ connectionString: config.connectionString });
try {
  await probe.connect();
  await probe.query('select 1 from assets limit 1');
} catch (e) {
  process.stderr.write(
    `load-writer: cannot use ${config.connectionString}: ${(e as Error).message}\n`,
  );
  process.exit(1);
} finally {
  await probe.end().catch(() => undefined);
}
writePidFile(config.pidFile, process.pid);
const stats = await runLoadWriter(config, stop.signal);
process.stdout.write(`load-writer: stopped (${JSON.stringify(stats)})\n`);
rmSync(config.pidFile, { force: true });
