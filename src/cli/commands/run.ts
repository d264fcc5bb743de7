import type { Command } from 'commander';
import type { MikadoConfig } from '../../config/types.ts';
import { ExitError } from '../../errors.ts';
import type { PlannedBlock } from '../../run/plan-run.ts';
import { type CliContext, colors, commandConfig, useColor } from '../context.ts';

interface RunFlags {
  dryRun?: boolean;
  yes?: boolean;
  profile?: string;
  only?: string;
  from?: string;
  force?: boolean;
  includeComplete?: boolean;
  allowDirty?: boolean;
  killStale?: boolean;
  json?: boolean;
  status?: boolean;
}

/**
 * Registers `mikado run` (execute a card's chain of `ts run` blocks) and `mikado status` (what
 * ran, from the journal).
 * @param program the root program
 * @param ctx the CLI context
 */
export function defineRun(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .argument('[card]', 'the card to run (a stem, or a path under the cards root)')
    .description(
      "run the card's open prerequisites in dependency order, then the card: its `ts run` blocks, journaled and resumable",
    )
    .option('--dry-run', 'print every card and block and what would happen; execute nothing')
    .option('--yes', 'answer yes to every `confirm` block (needed without a terminal)')
    .option('--profile <name>', 'the profile (targets and variables) to run with')
    .option('--only <card>', 'run this card alone, without its prerequisites')
    .option(
      '--from <block>',
      'start at this block (a name, or `stem:name`); earlier blocks do not run',
    )
    .option('--force', 'run blocks again even if they succeeded')
    .option('--include-complete', 'also run the blocks of complete cards')
    .option('--allow-dirty', 'run cards that git shows modified or untracked (loudly)')
    .option('--kill-stale', 'end a block process group left alive by a runner that died, then run')
    .option('--status', 'show what ran (same as `mikado status`)')
    .option('--json', 'print the plan and the result as JSON on stdout (progress goes to stderr)')
    .action(async (card: string | undefined, flags: RunFlags, cmd: Command) => {
      if (flags.status) {
        await statusAction(cmd, ctx, card, flags);
        return;
      }
      await runAction(cmd, ctx, card, flags);
    });

  program
    .command('status')
    .argument('[card]', 'show this card only')
    .description('show what ran, when and how it ended, per card, from the journal')
    .option('--profile <name>', 'the profile whose journal to read')
    .option('--json', 'print JSON')
    .action(async (card: string | undefined, flags: RunFlags, cmd: Command) => {
      await statusAction(cmd, ctx, card, flags);
    });
}

async function runAction(
  cmd: Command,
  ctx: CliContext,
  card: string | undefined,
  flags: RunFlags,
): Promise<void> {
  const { config, paint } = setUp(cmd, ctx, flags);
  const { CardRun } = await import('../../run/run-cards.ts');
  const { PlainReporter } = await import('../../run/plain-reporter.ts');
  const human = flags.json ? ctx.stderr : ctx.stdout;
  const columns = (ctx.stdout as { columns?: number }).columns ?? 0;
  const live =
    Boolean(ctx.stdout.isTTY) && columns > 0 && !flags.json && !flags.dryRun && !isCi(ctx.env);
  const reporter = live
    ? new (await import('../../run/listr-reporter.ts')).ListrReporter(ctx.stdout, paint)
    : new PlainReporter(human, paint);
  const canAsk = Boolean(ctx.stdin.isTTY) && Boolean(ctx.stderr.isTTY || ctx.stdout.isTTY);
  const run = new CardRun({
    config,
    target: card,
    only: flags.only,
    cwd: ctx.cwd,
    env: ctx.env,
    profile: flags.profile,
    dryRun: flags.dryRun,
    yes: flags.yes,
    force: flags.force,
    includeComplete: flags.includeComplete,
    allowDirty: flags.allowDirty,
    killStale: flags.killStale,
    from: flags.from,
    argv: cmd.parent ? rawArgs(cmd) : [],
    reporter,
    confirm: canAsk ? (blocks) => askConfirm(ctx, blocks, paint) : undefined,
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    const text = `mikado: ${signal}: stopping the running block (its whole process group); again to kill it at once`;
    if ('interrupting' in reporter)
      reporter.interrupting(`stopping (${signal}; again to kill)`, text);
    else ctx.stderr.write(`\n${text}\n`);
    run.interrupt(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let result: Awaited<ReturnType<typeof run.start>>;
  try {
    result = await run.start();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (flags.json) {
    const { runResultJson } = await import('../../run/run-json.ts');
    ctx.stdout.write(`${JSON.stringify(runResultJson(result), null, 2)}\n`);
  }
  if (result.exitCode !== 0) throw new ExitError(result.exitCode);
}

async function statusAction(
  cmd: Command,
  ctx: CliContext,
  card: string | undefined,
  flags: RunFlags,
): Promise<void> {
  const { config, paint } = setUp(cmd, ctx, flags);
  const path = await import('node:path');
  const { resolveProfile } = await import('../../run/resolve-profile.ts');
  const { foldJournal, journalPath, readJournal } = await import('../../run/journal.ts');
  const { collectStatus, formatStatus } = await import('../../run/run-status.ts');
  const { attemptAlive } = await import('../../run/run-cards.ts');
  const { loadCards } = await import('../../cards/load-cards.ts');
  const { UsageError } = await import('../../errors.ts');
  const profile = resolveProfile(config, flags.profile, ctx.env);
  const journal = journalPath(config.root, profile.name);
  const contents = readJournal(journal);
  for (const w of contents.warnings) ctx.stderr.write(`mikado: warning: ${w}\n`);
  for (const d of contents.damaged) {
    ctx.stderr.write(
      `mikado: warning: ${journal}:${d.line}: Unexpected damaged journal line (${d.why}), expected a journal record (left out; \`mikado run\` refuses until it is repaired)\n`,
    );
  }
  const { cards } = await loadCards(config);
  let stem = card;
  if (card && (card.includes('/') || card.endsWith('.md'))) {
    stem = cards.find((c) => c.absPath === path.resolve(ctx.cwd, card))?.stem;
    if (!stem) throw new UsageError(`Unexpected card \`${card}\`, expected an existing card file`);
  }
  const state = foldJournal(contents.records);
  if (
    stem &&
    !cards.some((c) => c.stem === stem) &&
    ![...state.latest.values()].some((a) => a.card === stem)
  ) {
    throw new UsageError(`Unexpected card \`${card}\`, expected a card stem`, {
      fix: 'List the cards with `mikado view`.',
    });
  }
  const status = collectStatus(state, cards, {
    profile: profile.name,
    journal: path.relative(config.root, journal),
    card: stem,
    isAlive: attemptAlive,
  });
  ctx.stdout.write(
    flags.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status, paint),
  );
}

async function askConfirm(
  ctx: CliContext,
  blocks: PlannedBlock[],
  paint: ReturnType<typeof colors>,
): Promise<boolean> {
  const { default: confirm } = await import('@inquirer/confirm');
  const { formatAttrs } = await import('../../run/format-plan.ts');
  ctx.stderr.write(paint.yellow(`${blocks.length} block(s) of this run ask for confirmation:\n`));
  for (const b of blocks) {
    ctx.stderr.write(
      `  ? ${b.card.stem}:${b.block.name}  ${b.card.path}:${b.block.line}  ${formatAttrs(b.block)}\n`,
    );
  }
  try {
    return await confirm(
      {
        message: `Run ${blocks.length === 1 ? 'it' : `all ${blocks.length}`} (and the rest of the plan)?`,
        default: false,
      },
      {
        input: ctx.stdin as NodeJS.ReadableStream & { isTTY?: boolean } as never,
        output: ctx.stderr as never,
      },
    );
  } catch {
    return false;
  }
}

/** The config, and colours unless the output is JSON. */
function setUp(
  cmd: Command,
  ctx: CliContext,
  flags: RunFlags,
): { config: MikadoConfig; paint: ReturnType<typeof colors> } {
  return { config: commandConfig(cmd, ctx), paint: colors(useColor(cmd, ctx) && !flags.json) };
}

function rawArgs(cmd: Command): string[] {
  // The program parses from `user`: rawArgs are the arguments after `mikado`.
  return [...((cmd.parent as Command & { rawArgs?: string[] }).rawArgs ?? [])];
}

function isCi(env: NodeJS.ProcessEnv): boolean {
  return env['CI'] !== undefined && env['CI'] !== '' && env['CI'] !== 'false' && env['CI'] !== '0';
}
