import { Command, CommanderError } from 'commander';
import { defineCheck } from './commands/check.ts';
import { defineHook } from './commands/hook.ts';
import { defineLifecycle } from './commands/lifecycle.ts';
import { defineReset } from './commands/reset.ts';
import { defineRun } from './commands/run.ts';
import { defineSandbox } from './commands/sandbox.ts';
import { defineView } from './commands/view.ts';
import { type CliContext, processContext } from './context.ts';
import { reportError } from './report-error.ts';

/** Version printed by `mikado --version`. */
export const VERSION = '0.1.0';

type DefineCommands = (program: Command, ctx: CliContext) => void;

/** Every command group, in the order `mikado --help` lists them. */
const COMMAND_GROUPS: DefineCommands[] = [
  defineView,
  defineCheck,
  defineRun,
  defineHook,
  defineLifecycle,
  defineReset,
  defineSandbox,
];

/** The top-level command names each group registers (test/cli.test.ts keeps this in step). */
export const COMMAND_NAMES: ReadonlyMap<string, DefineCommands> = new Map([
  ['view', defineView],
  ['check', defineCheck],
  ['run', defineRun],
  ['status', defineRun],
  ['hook', defineHook],
  ['new', defineLifecycle],
  ['close', defineLifecycle],
  ['finalize', defineLifecycle],
  ['reset', defineReset],
  ['plan', defineReset],
  ['replay', defineReset],
  ['sandbox', defineSandbox],
]);

/** The global options that take a value, so a value is not mistaken for the command name. */
const VALUE_OPTIONS = new Set(['--root', '--cards', '--docs']);

/**
 * The command groups a run needs: only the named command's when the arguments name one after
 * nothing but global options, every group otherwise (help, version, errors, no command).
 * Registering one group instead of all saves start-up time on every run.
 * @param argv arguments after the node binary and script
 * @returns the groups to register
 */
export function commandGroupsFor(argv: readonly string[]): DefineCommands[] {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (VALUE_OPTIONS.has(arg)) i++;
    else if (arg === '--no-color' || arg === '--no-pager' || VALUE_OPTIONS.has(arg.split('=')[0]!))
      continue;
    else if (arg.startsWith('-')) return COMMAND_GROUPS;
    else return COMMAND_NAMES.has(arg) ? [COMMAND_NAMES.get(arg)!] : COMMAND_GROUPS;
  }
  return COMMAND_GROUPS;
}

/**
 * Builds the command-line program. Commands load their heavy modules lazily, inside their
 * actions, so start-up stays fast (the commit hook runs on every commit).
 * @param ctx where the program reads and writes
 * @param groups the command groups to register (default: all)
 * @returns the commander program
 */
export function buildProgram(
  ctx: CliContext,
  groups: readonly DefineCommands[] = COMMAND_GROUPS,
): Command {
  const program = new Command('mikado')
    .description(
      'Run large, risky changes with the Mikado method: cards as plan, docs and procedure.',
    )
    .version(VERSION)
    .option('--root <dir>', 'repository root (default: git top level of the current directory)')
    .option('--cards <dir>', 'cards root (default: docs/cards, or `cards:` in mikado.config.yaml)')
    .option('--docs <dir>', 'docs root that wikilinks resolve in (default: docs)')
    .option('--no-color', 'no colours (also NO_COLOR=1; off when stdout is not a terminal)')
    .option('--no-pager', 'write long output straight out (default on a terminal: $PAGER, or less)')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    });
  for (const define of groups) define(program, ctx);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/**
 * Runs the CLI. Never calls `process.exit`: returns the exit code instead.
 * @param argv arguments after the node binary and script
 * @param ctx where to read and write (defaults to the real process)
 * @returns the process exit code
 */
export async function main(argv: string[], ctx: Partial<CliContext> = {}): Promise<number> {
  const full = processContext(ctx);
  const program = buildProgram(full, commandGroupsFor(argv));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    // commander already printed its message (help and version exit with 0)
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    return reportError(error, full);
  }
}
