// `npm run bench`: runs every bench/*.bench.mjs file, one after the other, each in its own Node
// process so one benchmark's warm caches do not flatter the next. Add a benchmark by adding a
// file; this runner needs no edit.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const dir = import.meta.dirname;
const only = process.argv.slice(2);
const all = readdirSync(dir).filter((f) => f.endsWith('.bench.mjs'));
if (only.includes('--help') || only.includes('-h')) {
  process.stdout.write(
    `node bench/run.mjs [NAME...]\n\nRuns every benchmark (or those whose file name contains a NAME), each in its own process:\n${all
      .sort()
      .map((f) => `  ${f}`)
      .join('\n')}\nEach answers \`node bench/<file> --help\` with its own options.\n`,
  );
  process.exit(0);
}
const files = all.filter((f) => only.length === 0 || only.some((o) => f.includes(o))).sort();
let failed = 0;
for (const file of files) {
  console.log(`\n## ${file}\n`);
  const r = spawnSync(process.execPath, [path.join(dir, file)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`(${file} exited with ${r.status ?? r.signal})`);
  }
}
process.exitCode = failed ? 1 : 0;
