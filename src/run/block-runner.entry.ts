// The process every `ts run` block runs in (built to dist/block-runner.js). It reads its BlockSpec
// from standard input, records its own start in the journal (so a block never runs unrecorded,
// even if the runner dies right after spawning it), sets up zx's globals (loaded on first use, so a
// block that needs none of them starts fast) and the `mikado` global, imports the transpiled block,
// records how it ended, and exits.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import type { BlockSpec } from './block-spec.ts';
import { formatBlockError } from './format-block-error.ts';
import { appendJournalRecord } from './journal.ts';
import type { MikadoApi } from './mikado-api.ts';
import { processStartTime } from './proc.ts';
import { containsSecret, redactText } from './redact.ts';

/** zx's globals (as `zx/globals` assigns them), defined lazily. */
const ZX_GLOBALS = [
  '$',
  'ProcessPromise',
  'ProcessOutput',
  'argv',
  'cd',
  'chalk',
  'defaults',
  'dotenv',
  'echo',
  'expBackoff',
  'fs',
  'glob',
  'globby',
  'kill',
  'log',
  'minimist',
  'nothrow',
  'os',
  'parseArgv',
  'path',
  'ps',
  'question',
  'quiet',
  'quote',
  'quotePowerShell',
  'resolveDefaults',
  'retry',
  'sleep',
  'spinner',
  'stdin',
  'syncProcessCwd',
  'tempdir',
  'tempfile',
  'tmpdir',
  'tmpfile',
  'updateArgv',
  'usePowerShell',
  'usePwsh',
  'useBash',
  'version',
  'VERSION',
  'which',
  'within',
  'YAML',
];

/**
 * The globals zx's core module (`zx/core`) exports: `$` and its kin. It loads in about a third of
 * the time of the whole of zx, which a block that only runs commands never needs. The whole of
 * zx re-exports the core's own objects, so either way a block sees one `$`.
 */
const ZX_CORE_GLOBALS = new Set([
  '$',
  'ProcessPromise',
  'ProcessOutput',
  'cd',
  'chalk',
  'defaults',
  'kill',
  'log',
  'os',
  'path',
  'ps',
  'quote',
  'quotePowerShell',
  'resolveDefaults',
  'syncProcessCwd',
  'usePowerShell',
  'usePwsh',
  'useBash',
  'which',
  'within',
]);

function defineLazyZxGlobals(): void {
  const req = createRequire(import.meta.url);
  const define = (mod: Record<string, unknown>, names: Iterable<string>): void => {
    for (const name of names) {
      Object.defineProperty(globalThis, name, {
        value: mod[name],
        writable: true,
        configurable: true,
        enumerable: false,
      });
    }
  };
  let core: Record<string, unknown> | undefined;
  let zx: Record<string, unknown> | undefined;
  const loadCore = (): Record<string, unknown> => {
    if (!core) {
      // The CommonJS build is the one zx's ESM entry wraps: `import 'zx'` in a block shares it.
      core = req('zx/core') as Record<string, unknown>;
      (core['$'] as { verbose: boolean }).verbose = true;
      define(core, ZX_CORE_GLOBALS);
    }
    return core;
  };
  const load = (): Record<string, unknown> => {
    if (!zx) {
      loadCore();
      zx = req('zx') as Record<string, unknown>;
      define(zx, ZX_GLOBALS);
    }
    return zx;
  };
  for (const name of ZX_GLOBALS) {
    Object.defineProperty(globalThis, name, {
      configurable: true,
      enumerable: false,
      get: () => (ZX_CORE_GLOBALS.has(name) ? loadCore() : load())[name],
      set: (value: unknown) => {
        Object.defineProperty(globalThis, name, {
          value,
          writable: true,
          configurable: true,
          enumerable: false,
        });
      },
    });
  }
}

function varsProxy(vars: Record<string, string>, profile: string): Record<string, string> {
  return new Proxy(Object.freeze({ ...vars }), {
    get(target, key, receiver) {
      if (typeof key === 'symbol' || key in target || key === 'toJSON' || key === 'then') {
        return Reflect.get(target, key, receiver);
      }
      const known = Object.keys(target).sort().join(', ') || 'none';
      throw new Error(
        `Unexpected profile variable \`${key}\`, expected one of: ${known} (profile \`${profile}\`)`,
      );
    },
  });
}

function readSpec(): BlockSpec | undefined {
  const text = readFileSync(0, 'utf8');
  // Empty input: the runner went away before handing over a block (a spare process): nothing to do.
  return text.trim() === '' ? undefined : (JSON.parse(text) as BlockSpec);
}

async function main(): Promise<void> {
  // The runner may die while this block runs on: its pipes break then, and output is lost, but
  // the block must not die of it.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  const spec = readSpec();
  if (!spec) process.exit(0);
  const base = { v: 1 as const, run: spec.run, card: spec.card.stem, block: spec.block.name };
  appendJournalRecord(spec.journal, {
    ...base,
    type: 'block-start',
    at: new Date().toISOString(),
    path: spec.card.path,
    line: spec.block.line,
    hash: spec.hash,
    pid: process.pid,
    pgid: process.pid,
    procStart: processStartTime(process.pid),
    host: os.hostname(),
    log: spec.log,
  });
  const values = new Map(Object.entries(spec.values));
  const mikado: MikadoApi = {
    card: Object.freeze({ ...spec.card }),
    block: Object.freeze({ ...spec.block }),
    profile: spec.profile,
    vars: varsProxy(spec.vars, spec.profile),
    root: spec.root,
    runId: spec.run,
    get<T>(key: string, fallback?: T): T | undefined {
      return values.has(key) ? (structuredClone(values.get(key)) as T) : fallback;
    },
    set(key: string, value: unknown): void {
      if (typeof key !== 'string' || key === '') {
        throw new TypeError('Unexpected key for `mikado.set`, expected a non-empty string');
      }
      const json = JSON.stringify(value);
      if (json === undefined) {
        throw new TypeError(`Unexpected value for \`mikado.set('${key}')\`, expected a JSON value`);
      }
      if (containsSecret(json, spec.secrets)) {
        throw new Error(
          `Unexpected secret in \`mikado.set('${key}')\`: values that contain a secret profile variable are never written to the journal`,
        );
      }
      const copy = JSON.parse(json) as unknown;
      appendJournalRecord(spec.journal, {
        ...base,
        type: 'set',
        at: new Date().toISOString(),
        key,
        value: copy,
      });
      values.set(key, copy);
    },
    log(...args: unknown[]): void {
      process.stdout.write(`${format(...args)}\n`);
    },
  };
  Object.defineProperty(globalThis, 'mikado', { value: Object.freeze(mikado), enumerable: false });
  defineLazyZxGlobals();

  let outcome: 'succeeded' | 'failed' = 'succeeded';
  let error: string | undefined;
  try {
    await import(pathToFileURL(spec.module).href);
  } catch (err) {
    outcome = 'failed';
    const text = redactText(formatBlockError(err, spec.root), spec.secrets);
    process.stderr.write(`${text}\n`);
    error = text.split('\n')[0];
  }
  appendJournalRecord(spec.journal, {
    ...base,
    type: 'block-exit',
    at: new Date().toISOString(),
    hash: spec.hash,
    outcome,
    error,
  });
  process.exit(outcome === 'succeeded' ? 0 : 1);
}

await main();
