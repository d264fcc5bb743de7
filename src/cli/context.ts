import type { Command } from 'commander';
import pc from 'picocolors';
import { type ConfigOverrides, loadConfig } from '../config/load-config.ts';
import type { MikadoConfig } from '../config/types.ts';

/** Options every command accepts. */
export interface GlobalOptions {
  root?: string;
  cards?: string;
  docs?: string;
  json?: boolean;
  color?: boolean;
  /** false with `--no-pager`. */
  pager?: boolean;
}

/** What a command needs from the outside world; tests build one to call commands in-process. */
export interface CliContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

/**
 * Reads the global options of a command (they may be given before or after the command name).
 * @param cmd the commander command whose action runs
 * @returns the merged global options
 */
export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

/**
 * Loads the config with the command's `--root`, `--cards` and `--docs`.
 * @param cmd the commander command whose action runs
 * @param ctx the CLI context (for the working directory)
 * @param root the repository root when `--root` is not given, if the caller knows it already
 *   (default: found from the working directory)
 * @returns the resolved config
 */
export function commandConfig(cmd: Command, ctx: CliContext, root?: string): MikadoConfig {
  const g = globalOptions(cmd);
  const overrides: ConfigOverrides = {
    cwd: ctx.cwd,
    root: g.root ?? root,
    cards: g.cards,
    docs: g.docs,
  };
  return loadConfig(overrides);
}

/**
 * Whether to colour output: off with `--no-color`, `NO_COLOR`, or when the stream is not a
 * terminal; `FORCE_COLOR` turns it on.
 * @param cmd the commander command whose action runs
 * @param ctx the CLI context
 * @param stream the stream the output goes to (default: stdout)
 * @returns true to colour
 */
export function useColor(
  cmd: Command,
  ctx: CliContext,
  stream: CliContext['stdout'] = ctx.stdout,
): boolean {
  return colorsOn(globalOptions(cmd).color, ctx, stream);
}

/**
 * {@link useColor} from the `--color` option's value rather than the command.
 * @param option false with `--no-color`, else undefined
 * @param ctx the CLI context
 * @param stream the stream the output goes to
 * @returns true to colour
 */
export function colorsOn(
  option: boolean | undefined,
  ctx: CliContext,
  stream: CliContext['stdout'],
): boolean {
  if (option === false) return false;
  if (ctx.env['NO_COLOR'] !== undefined && ctx.env['NO_COLOR'] !== '') return false;
  if (ctx.env['FORCE_COLOR'] !== undefined && ctx.env['FORCE_COLOR'] !== '0') return true;
  return Boolean(stream.isTTY);
}

/**
 * A picocolors instance honouring {@link useColor}.
 * @param enabled whether colours are on
 * @returns colour functions (identity when off)
 */
export function colors(enabled: boolean): ReturnType<typeof pc.createColors> {
  return pc.createColors(enabled);
}

/**
 * The context of the running process, with `ctx`'s parts in its place. The process streams are
 * getters: Node sets a stream up on first use, and most runs never touch stdin or stderr.
 * @param ctx what to use instead of the process's
 * @returns the context
 */
export function processContext(ctx: Partial<CliContext> = {}): CliContext {
  return {
    cwd: ctx.cwd ?? process.cwd(),
    env: ctx.env ?? process.env,
    get stdout() {
      return ctx.stdout ?? process.stdout;
    },
    get stderr() {
      return ctx.stderr ?? process.stderr;
    },
    get stdin() {
      return ctx.stdin ?? process.stdin;
    },
  };
}
