import path from 'node:path';
import type { MikadoConfig } from '../config/types.ts';
import { ConfigError, UsageError } from '../errors.ts';

/** A profile with its variables read (from the config and the environment). */
export interface ResolvedProfile {
  name: string;
  /** Every variable that has a value. */
  vars: Record<string, string>;
  /** Values of the variables marked secret (to redact). */
  secrets: string[];
  /** Names of secret variables. */
  secretNames: string[];
  /** Variables without a value: `name ($ENV)`. */
  missing: string[];
  /** Absolute directories put first on PATH. */
  pathPrefix: string[];
  /** Every variable in the config's order, with where its value came from (for the dry run). */
  details: ProfileVarDetail[];
}

/** One profile variable as it was resolved. */
export interface ProfileVarDetail {
  name: string;
  /** The value, when it has one (a secret's too: never print it). */
  value?: string;
  /** The environment variable it reads, when it reads one. */
  env?: string;
  /** Whether the value came from that environment variable. */
  fromEnv: boolean;
  secret: boolean;
}

const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Picks and resolves the profile a run uses: `--profile`, else the config's `defaultProfile`,
 * else the only profile defined, else `default` when the config defines none. With several
 * profiles and no choice it refuses (running against the wrong target is the costly mistake).
 * @param config the project config
 * @param name `--profile`, if given
 * @param env the environment secrets and `env:` variables come from
 * @returns the resolved profile
 */
export function resolveProfile(
  config: MikadoConfig,
  name: string | undefined,
  env: NodeJS.ProcessEnv,
): ResolvedProfile {
  const names = Object.keys(config.profiles).sort();
  const chosen =
    name ??
    config.defaultProfile ??
    (names.length === 1 ? names[0] : names.length === 0 ? 'default' : undefined);
  if (chosen === undefined) {
    throw new UsageError(`Unexpected run without a profile, expected one of: ${names.join(', ')}`, {
      fix: 'Pass `--profile NAME` (or set `defaultProfile:` in mikado.config.yaml).',
    });
  }
  if (!PROFILE_NAME.test(chosen)) {
    throw new UsageError(
      `Unexpected profile name \`${chosen}\`, expected letters, digits, \`.\`, \`_\` or \`-\``,
    );
  }
  const profile = config.profiles[chosen];
  if (!profile) {
    if (names.length === 0 && chosen === 'default') {
      return {
        name: chosen,
        vars: {},
        secrets: [],
        secretNames: [],
        missing: [],
        pathPrefix: [],
        details: [],
      };
    }
    throw new ConfigError(
      `Unexpected profile \`${chosen}\`, expected one of: ${names.join(', ') || 'none defined'}`,
      { fix: 'Define it under `profiles:` in mikado.config.yaml, or pick an existing one.' },
    );
  }
  const vars: Record<string, string> = {};
  const secrets: string[] = [];
  const secretNames: string[] = [];
  const missing: string[] = [];
  const details: ProfileVarDetail[] = [];
  for (const [key, v] of Object.entries(profile.vars)) {
    const fromEnv = v.env !== undefined ? env[v.env] : undefined;
    const usesEnv = fromEnv !== undefined && fromEnv !== '';
    const value = usesEnv ? fromEnv : v.value;
    details.push({ name: key, value, env: v.env, fromEnv: usesEnv, secret: Boolean(v.secret) });
    if (v.secret) secretNames.push(key);
    if (value === undefined) {
      missing.push(v.env ? `${key} ($${v.env})` : key);
      continue;
    }
    vars[key] = value;
    if (v.secret && value !== '') secrets.push(value);
  }
  const pathPrefix = (profile.path ?? []).map((p) => path.resolve(config.root, p));
  return { name: chosen, vars, secrets, secretNames, missing, pathPrefix, details };
}
