import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSimpleYaml } from '../cards/parse-simple-yaml.ts';
import { ConfigError } from '../errors.ts';
import { findGitTopLevel } from '../git/find-git-top-level.ts';
import { requireBundled } from '../require-bundled.ts';
import type { MikadoConfig, Profile, ProfileVar } from './types.ts';

/** The config file names looked for at the repository root, in order. */
export const CONFIG_FILES = ['mikado.config.yaml', 'mikado.config.yml'];

/** Options that override the config file (from CLI flags). */
export interface ConfigOverrides {
  root?: string;
  cards?: string;
  docs?: string;
  cwd?: string;
}

/**
 * Finds the git top level of `cwd`, or `cwd` itself outside a repository.
 * @param cwd directory to start from
 * @returns absolute path
 */
export function findRoot(cwd: string): string {
  return findGitTopLevel(cwd) ?? path.resolve(cwd);
}

/**
 * Reads the project config (`mikado.config.yaml` or package.json's `mikado` key) and applies
 * CLI overrides.
 * @param overrides `--root`, `--cards`, `--docs` and the working directory
 * @returns the resolved configuration, with absolute paths
 */
export function loadConfig(overrides: ConfigOverrides = {}): MikadoConfig {
  const cwd = overrides.cwd ?? process.cwd();
  const root = overrides.root ? path.resolve(cwd, overrides.root) : findRoot(cwd);
  if (!existsSync(root)) {
    throw new ConfigError(`${root}: no such directory`, { fix: 'Pass an existing `--root`.' });
  }
  const { raw, file } = readRawConfig(root);
  const str = (key: string, fallback: string): string => {
    const v = raw[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'string') throw schemaError(file, key, 'a string');
    return v;
  };
  const exclude = raw['exclude'] ?? [];
  if (!Array.isArray(exclude) || exclude.some((e) => typeof e !== 'string')) {
    throw schemaError(file, 'exclude', 'a list of glob strings');
  }
  const extraDocs = raw['extraDocs'] ?? [];
  if (!Array.isArray(extraDocs) || extraDocs.some((e) => typeof e !== 'string')) {
    throw schemaError(file, 'extraDocs', 'a list of file paths relative to the root');
  }
  const timeout = raw['defaultTimeout'] ?? '30m';
  if (typeof timeout !== 'string' || parseDuration(timeout) === undefined) {
    throw schemaError(file, 'defaultTimeout', 'a duration such as `30m`');
  }
  const cardsDir = path.resolve(
    overrides.cards ? cwd : root,
    overrides.cards ?? str('cards', 'docs/cards'),
  );
  const docsDir = path.resolve(overrides.docs ? cwd : root, overrides.docs ?? str('docs', 'docs'));
  const forge = raw['forge'] as MikadoConfig['forge'];
  return {
    root,
    cardsDir,
    docsDir,
    exclude: exclude as string[],
    extraDocs: extraDocs as string[],
    baseBranch: str('baseBranch', 'main'),
    defaultTimeoutMs: parseDuration(timeout)!,
    profiles: readProfiles(raw['profiles'], file),
    defaultProfile: raw['defaultProfile'] as string | undefined,
    forge,
    configFile: file,
  };
}

function readRawConfig(root: string): { raw: Record<string, unknown>; file?: string } {
  for (const name of CONFIG_FILES) {
    const file = path.join(root, name);
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    const simple = parseSimpleYaml(text, 1);
    if (simple) return { raw: simple.data, file };
    const { isMap, LineCounter, parseDocument } = requireBundled('yaml');
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, prettyErrors: false });
    const err = doc.errors[0];
    if (err) {
      const pos = lineCounter.linePos(err.pos[0]);
      throw new ConfigError(`${name}:${pos.line}:${pos.col}: ${err.message.split('\n')[0]}`, {
        fix: 'Fix the YAML syntax of the config file.',
      });
    }
    if (doc.contents !== null && !isMap(doc.contents)) {
      throw new ConfigError(`${name}:1:1: Unexpected ${typeof doc.toJS()}, expected a mapping`, {
        fix: 'The config file holds keys such as `cards:`, `exclude:` and `profiles:`.',
      });
    }
    return { raw: (doc.toJS() as Record<string, unknown>) ?? {}, file };
  }
  const pkgFile = path.join(root, 'package.json');
  if (existsSync(pkgFile)) {
    try {
      const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { mikado?: unknown };
      if (pkg.mikado && typeof pkg.mikado === 'object') {
        return { raw: pkg.mikado as Record<string, unknown>, file: pkgFile };
      }
    } catch {
      // A broken package.json is not ours to report.
    }
  }
  return { raw: {} };
}

function schemaError(file: string | undefined, key: string, expected: string): ConfigError {
  return new ConfigError(
    `${file ? path.basename(file) : 'config'}: Unexpected value for \`${key}\`, expected ${expected}`,
  );
}

function readProfiles(raw: unknown, file: string | undefined): Record<string, Profile> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw schemaError(file, 'profiles', 'a mapping of profile names');
  }
  const out: Record<string, Profile> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const p = (value ?? {}) as Record<string, unknown>;
    const vars: Record<string, ProfileVar> = {};
    for (const [k, v] of Object.entries((p['vars'] ?? {}) as Record<string, unknown>)) {
      if (v !== null && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        vars[k] = {
          value: o['value'] === undefined ? undefined : String(o['value']),
          env: typeof o['env'] === 'string' ? o['env'] : undefined,
          secret: o['secret'] === true,
        };
      } else {
        vars[k] = { value: v === undefined || v === null ? undefined : String(v) };
      }
    }
    const pathList = p['path'];
    out[name] = {
      name,
      description: typeof p['description'] === 'string' ? p['description'] : undefined,
      vars,
      path: Array.isArray(pathList) ? pathList.map(String) : undefined,
    };
  }
  return out;
}

/**
 * Parses a duration such as `500ms`, `30s`, `10m`, `1h` or `1h30m`.
 * @param text the duration
 * @returns milliseconds, or undefined when the text is not a duration
 */
export function parseDuration(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const n = Number(m[1]);
    total += n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    matched = re.lastIndex;
  }
  return matched > 0 && matched === text.length ? total : undefined;
}
