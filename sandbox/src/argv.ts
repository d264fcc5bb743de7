import { unsupported } from './stand-in-error.ts';

/** How a flag is parsed. */
export interface FlagSpec {
  /** Long name without dashes. */
  name: string;
  /** One-letter alias. */
  short?: string;
  /** Takes a value (`--x v`, `--x=v`); otherwise a boolean (`--x`, `--x=false`). */
  value?: boolean;
  /** May repeat (values collected). */
  multi?: boolean;
  /** For boolean flags that may carry a value (`--dry-run` → `client`). */
  optionalValue?: string;
}

/** Parsed arguments. */
export interface ParsedArgs {
  /** Positional arguments (before `--`). */
  args: string[];
  /** Flag values by long name (booleans as 'true'/'false'; multi flags as arrays). */
  flags: Record<string, string | string[]>;
  /** Everything after `--`. */
  rest: string[];
}

/**
 * Parses argv against flag specs, refusing unknown flags as unsupported by the sandbox.
 * @param argv the arguments
 * @param specs known flags
 * @param tool what is being parsed (messages: `kubectl get`)
 * @returns positionals, flags and the part after `--`
 */
export function parseArgs(argv: string[], specs: FlagSpec[], tool: string): ParsedArgs {
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const out: ParsedArgs = { args: [], flags: {}, rest: [] };
  const set = (spec: FlagSpec, v: string) => {
    if (spec.multi) {
      const prev = out.flags[spec.name];
      out.flags[spec.name] = [...(Array.isArray(prev) ? prev : []), v];
    } else out.flags[spec.name] = v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.rest = argv.slice(i + 1);
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const spec = byLong.get(name);
      if (!spec) throw unsupported(`flag \`--${name}\` of \`${tool}\``);
      if (spec.value) {
        if (eq >= 0) set(spec, a.slice(eq + 1));
        else {
          const v = argv[++i];
          if (v === undefined) throw unsupported(`flag \`--${name}\` without a value`);
          set(spec, v);
        }
      } else set(spec, eq >= 0 ? a.slice(eq + 1) : (spec.optionalValue ?? 'true'));
      continue;
    }
    if (a.startsWith('-') && a.length > 1 && a !== '-') {
      const letter = a[1]!;
      const spec = byShort.get(letter);
      if (!spec) throw unsupported(`flag \`-${letter}\` of \`${tool}\``);
      if (spec.value) {
        let v = a.slice(2);
        if (v.startsWith('=')) v = v.slice(1);
        if (v === '') {
          const next = argv[++i];
          if (next === undefined) throw unsupported(`flag \`-${letter}\` without a value`);
          v = next;
        }
        set(spec, v);
      } else {
        // grouped booleans: -it
        for (const l of a.slice(1)) {
          const s = byShort.get(l);
          if (!s || s.value) throw unsupported(`flag \`-${l}\` of \`${tool}\``);
          set(s, 'true');
        }
      }
      continue;
    }
    out.args.push(a);
  }
  return out;
}

/**
 * A string flag value.
 * @param p parsed args
 * @param name flag
 * @returns the value or undefined
 */
export function flag(p: ParsedArgs, name: string): string | undefined {
  const v = p.flags[name];
  return Array.isArray(v) ? v.at(-1) : v;
}

/**
 * A multi flag's values.
 * @param p parsed args
 * @param name flag
 * @returns the values
 */
export function flags(p: ParsedArgs, name: string): string[] {
  const v = p.flags[name];
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

/**
 * A boolean flag.
 * @param p parsed args
 * @param name flag
 * @param dflt value when absent
 * @returns the boolean
 */
export function boolFlag(p: ParsedArgs, name: string, dflt = false): boolean {
  const v = flag(p, name);
  if (v === undefined) return dflt;
  return v !== 'false';
}

/**
 * Parses a kubectl duration (`30s`, `5m`, `1h`, `0`, plain seconds).
 * @param text the duration
 * @returns milliseconds
 */
export function parseKubeDuration(text: string | undefined, dflt: number): number {
  if (text === undefined) return dflt;
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let matched = false;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    matched = true;
    const n = Number(m[1]);
    total +=
      m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
  }
  if (!matched) {
    const n = Number(text);
    if (Number.isNaN(n)) throw unsupported(`duration \`${text}\``);
    return n * 1000;
  }
  return total;
}
