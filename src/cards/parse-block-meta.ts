import leven from 'leven';
import { parseDuration } from '../config/load-config.ts';

/** Attributes a `ts run` block may carry. */
export const BLOCK_ATTRIBUTES = ['name', 'timeout', 'confirm', 'verify'] as const;

/** One problem in a block's info string; `offset` counts from the start of the meta. */
export interface BlockMetaProblem {
  offset: number;
  message: string;
  fix?: string;
}

/** A `ts run` block's attributes, read from the meta part of the info string. */
export interface BlockMeta {
  attrs: Record<string, string | true>;
  name?: string;
  timeoutMs?: number;
  confirm: boolean;
  verify: boolean;
  problems: BlockMetaProblem[];
}

const SLUG = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Whether a fenced code block is executable: language `ts` and meta starting with the word `run`.
 * @param lang the language of the info string
 * @param meta the rest of the info string
 * @returns true for a `ts run` block
 */
export function isRunBlock(
  lang: string | null | undefined,
  meta: string | null | undefined,
): boolean {
  return lang === 'ts' && typeof meta === 'string' && /^run(?:\s|$)/.test(meta);
}

/**
 * Reads the attributes after `run`: `name=<slug>`, `timeout=<duration>`, `confirm`, `verify`.
 * @param meta the meta of the info string, starting with `run`
 * @returns the attributes and any problems (unknown attribute, bad value, repeated attribute)
 */
export function parseBlockMeta(meta: string): BlockMeta {
  const out: BlockMeta = { attrs: {}, confirm: false, verify: false, problems: [] };
  const re = /\S+/g;
  re.lastIndex = 3;
  for (let m = re.exec(meta); m; m = re.exec(meta)) {
    const token = m[0];
    const offset = m.index;
    const eq = token.indexOf('=');
    const key = eq < 0 ? token : token.slice(0, eq);
    const value = eq < 0 ? undefined : token.slice(eq + 1).replace(/^(["'])(.*)\1$/, '$2');
    if (!(BLOCK_ATTRIBUTES as readonly string[]).includes(key)) {
      out.problems.push({
        offset,
        message: `Unexpected block attribute \`${token}\`, expected one of \`name=<slug>\`, \`timeout=<duration>\`, \`confirm\`, \`verify\``,
        fix: nearest(key),
      });
      continue;
    }
    if (Object.hasOwn(out.attrs, key)) {
      out.problems.push({
        offset,
        message: `Unexpected second \`${key}\` attribute, expected each attribute once`,
      });
      continue;
    }
    if (key === 'confirm' || key === 'verify') {
      if (value !== undefined) {
        out.problems.push({
          offset,
          message: `Unexpected value in \`${token}\`, expected the bare flag \`${key}\``,
          fix: `Write \`${key}\` alone.`,
        });
        continue;
      }
      out.attrs[key] = true;
      out[key] = true;
      continue;
    }
    if (value === undefined || value === '') {
      out.problems.push({
        offset,
        message: `Unexpected \`${token}\` without a value, expected \`${key}=<${key === 'name' ? 'slug' : 'duration'}>\``,
      });
      continue;
    }
    if (key === 'name') {
      if (!SLUG.test(value)) {
        out.problems.push({
          offset,
          message: `Unexpected block name \`${value}\`, expected a slug of letters, digits, \`.\`, \`_\` and \`-\``,
        });
        continue;
      }
      out.attrs[key] = value;
      out.name = value;
      continue;
    }
    const ms = parseDuration(value);
    if (ms === undefined || ms <= 0) {
      out.problems.push({
        offset,
        message: `Unexpected timeout \`${value}\`, expected a duration such as \`30s\`, \`10m\`, \`1h\` or \`500ms\``,
      });
      continue;
    }
    out.attrs[key] = value;
    out.timeoutMs = ms;
  }
  return out;
}

function nearest(key: string): string | undefined {
  const k = key.toLowerCase();
  for (const known of BLOCK_ATTRIBUTES) {
    if (k === known || leven(k, known, { maxDistance: 3 }) <= 2)
      return `Did you mean \`${known}\`?`;
  }
  return undefined;
}
