import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ResolvedProfile } from './resolve-profile.ts';

/** A profile's variables as a dry run shows them, and what is worth a warning. */
export interface ProfileDescription {
  /** One line per variable: `name  value  (from $ENV)`; secrets never show their value. */
  lines: string[];
  /** Empty secrets or `env:` variables, and path values that do not exist. */
  warnings: string[];
}

/** Values read as paths: they start with `/`, `./`, `../` or `~/`. */
const PATH_LIKE = /^(?:\/|\.{1,2}\/|~\/)/;

/**
 * Describes the variables a run would hand its blocks, so that a dry run shows what the blocks
 * will see and warns before the run about values that will make a block fail: an empty secret or
 * environment variable, a path (a value starting with `/`, `./`, `../` or `~/`) that does not exist
 * from the repository root.
 * @param profile the resolved profile
 * @param root the repository root (where blocks run)
 * @returns the lines and the warnings
 */
export function describeProfile(profile: ResolvedProfile, root: string): ProfileDescription {
  const width = Math.max(0, ...profile.details.map((d) => d.name.length));
  const lines: string[] = [];
  const warnings: string[] = [];
  for (const d of profile.details) {
    const source = d.fromEnv
      ? `from $${d.env}`
      : d.env
        ? `$${d.env} unset: the config's value`
        : '';
    const empty = d.value === undefined || d.value === '';
    const shown = d.secret ? (empty ? '(secret, empty)' : '(secret, set)') : (d.value ?? '(none)');
    lines.push(`${d.name.padEnd(width)}  ${shown}${source ? `  (${source})` : ''}`);
    if (empty && (d.secret || d.env)) {
      warnings.push(
        `variable \`${d.name}\` is empty${d.env ? `: set $${d.env} before the run` : ''}; blocks that read it will fail`,
      );
    } else if (!d.secret && d.value && PATH_LIKE.test(d.value)) {
      const abs = d.value.startsWith('~/')
        ? path.join(os.homedir(), d.value.slice(2))
        : path.resolve(root, d.value);
      if (!existsSync(abs)) {
        warnings.push(
          `variable \`${d.name}\` is the path \`${d.value}\`, which does not exist (${abs})${d.env ? `; set $${d.env} to where it is` : ''}`,
        );
      }
    }
  }
  return { lines, warnings };
}
