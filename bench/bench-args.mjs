// Command-line options of the benchmarks: each script declares its options once; `--help` prints
// them (and what the script measures) and exits before anything runs; an unknown option or a
// missing value is refused with the usage, exit 2.
import { parseArgs } from 'node:util';

/**
 * Parses a benchmark's options, answering `--help`.
 * @param {string} usage the first lines of the help: the command and what it measures
 * @param {Record<string, {type: 'string' | 'boolean', default?: string | boolean, env?: string, describe: string}>} options
 * @returns {Record<string, string | boolean>} the values (option, else its environment variable, else its default)
 */
export function benchArgs(usage, options) {
  const spec = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(options)) spec[name] = { type: o.type };
  const help = () => {
    const rows = Object.entries(options).map(([name, o]) => {
      const flag = `--${name}${o.type === 'string' ? ' VALUE' : ''}`;
      const dflt = o.default === undefined || o.default === false ? '' : ` (default ${o.default})`;
      const env = o.env ? ` [$${o.env}]` : '';
      return `  ${flag.padEnd(22)} ${o.describe}${dflt}${env}`;
    });
    return `${usage.trim()}\n\nOptions:\n${[...rows, `  ${'--help'.padEnd(22)} this help`].join('\n')}\n`;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: spec,
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    process.stderr.write(`${e.message}\n\n${help()}`);
    process.exit(2);
  }
  if (parsed.values.help) {
    process.stdout.write(help());
    process.exit(0);
  }
  const out = {};
  for (const [name, o] of Object.entries(options)) {
    out[name] = parsed.values[name] ?? (o.env ? process.env[o.env] : undefined) ?? o.default;
  }
  return out;
}
