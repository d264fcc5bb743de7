import type { Command } from 'commander';
import type { BranchAnalysis } from '../../branch/check-branch.ts';
import { ExitError } from '../../errors.ts';
import { type CliContext, colors, commandConfig, globalOptions, useColor } from '../context.ts';

/**
 * Registers `mikado hook`: `commit-msg FILE`, `pre-commit`, `check-branch [REF]`, `install` and
 * `uninstall`.
 * @param program the root program
 * @param ctx the CLI context
 */
export function defineHook(program: Command, ctx: CliContext): void {
  const hook = program
    .command('hook')
    .description('git hooks that keep Mikado branches honest (the Mikado Branch Invariant)');

  hook
    .command('commit-msg')
    .description('judge the commit being made on a mikado/<stem> branch (the commit-msg hook)')
    .argument('<file>', 'the message file git passes to the hook')
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      const { commitMsg } = await import('../../hook/commit-msg.ts');
      const result = await commitMsg({
        file,
        cwd: ctx.cwd,
        env: ctx.env,
        // The hook already knows the root: no second `git rev-parse` for the config.
        config: (root) => commandConfig(cmd, ctx, root),
      });
      if (result.outcome !== 'fail' || !result.verdict) return;
      const { formatViolations } = await import('../../branch/format-violations.ts');
      const n = result.verdict.violations.length;
      const heading = `mikado: commit rejected: ${n} violation${n === 1 ? '' : 's'} of the Mikado Branch Invariant on \`${result.branch}\`${result.amend ? ' (amending HEAD, judged without it)' : ''}`;
      ctx.stderr.write(formatViolations(result.verdict.violations, heading, paint(cmd, ctx)));
      throw new ExitError(1);
    });

  hook
    .command('pre-commit')
    .description('check the card conventions of staged cards (the pre-commit hook)')
    .action(async (_opts: unknown, cmd: Command) => {
      const { preCommitAction } = await import('./pre-commit-action.ts');
      await preCommitAction(ctx, commandConfig(cmd, ctx), paint(cmd, ctx));
    });

  hook
    .command('check-branch')
    .description("validate an existing mikado/<stem> branch's history (for CI)")
    .argument('[ref]', 'branch or ref to check (default: the current branch)')
    .option('--base <branch>', 'base branch (default: `baseBranch` from the config, or main)')
    .option('--allow-fixups', 'accept fixup!/squash!/amend! commits (they are findings by default)')
    .option('--json', 'print the verdict as JSON')
    .action((ref: string | undefined, opts: CheckBranchOpts, cmd: Command) =>
      checkBranchAction(ref, opts, cmd, ctx),
    );

  hook
    .command('install')
    .description('install the commit-msg and pre-commit hooks (idempotent; chains existing hooks)')
    .action(async (_opts: unknown, cmd: Command) => {
      const { installHooks } = await import('../../hook/install.ts');
      const { packageRoot } = await import('../../package-root.ts');
      const path = await import('node:path');
      const root = await hookRoot(cmd, ctx);
      const actions = installHooks(root, {
        node: process.execPath,
        script: path.join(packageRoot(), 'bin', 'mikado.js'),
        listing: await hookListing(root),
      });
      for (const a of actions) {
        const note =
          a.action === 'chained'
            ? ` (the existing hook is kept as ${a.hook}.pre-mikado and runs first)`
            : '';
        ctx.stdout.write(`${a.action} ${path.relative(root, a.path) || a.path}${note}\n`);
      }
    });

  hook
    .command('uninstall')
    .description('remove the hooks installed by `mikado hook install` (restores chained hooks)')
    .action(async (_opts: unknown, cmd: Command) => {
      const { uninstallHooks } = await import('../../hook/install.ts');
      const path = await import('node:path');
      const root = await hookRoot(cmd, ctx);
      for (const a of uninstallHooks(root)) {
        const note = a.action === 'foreign' ? ' (not installed by mikado; left alone)' : '';
        ctx.stdout.write(`${a.action} ${path.relative(root, a.path) || a.path}${note}\n`);
      }
    });
}

/** `mikado hook check-branch [REF]`: judges a branch's history; exit 1 on violations. */
async function checkBranchAction(
  ref: string | undefined,
  opts: CheckBranchOpts,
  cmd: Command,
  ctx: CliContext,
): Promise<void> {
  const { analyseBranch, resolveBranch } = await import('../../branch/check-branch.ts');
  const { mikadoStem } = await import('../../branch/repo-state.ts');
  const config = commandConfig(cmd, ctx);
  const target = resolveBranch(config.root, ref, ctx.env);
  const json = opts.json || globalOptions(cmd).json;
  if (!target || !mikadoStem(target.branch)) {
    const what = target ? `\`${target.branch}\` is not a Mikado branch` : 'HEAD is detached';
    if (json) ctx.stdout.write(`${JSON.stringify({ version: 1, checked: false, reason: what })}\n`);
    else ctx.stdout.write(`mikado: ${what}; nothing to check.\n`);
    return;
  }
  const analysis = await analyseBranch({
    root: config.root,
    config,
    target,
    base: opts.base,
    mode: opts.allowFixups ? 'resume' : 'branch',
  });
  const v = analysis.verdict;
  if (json) {
    ctx.stdout.write(`${JSON.stringify(checkBranchJson(analysis), null, 2)}\n`);
  } else if (v.violations.length === 0) {
    const n = analysis.history.commits.length;
    ctx.stdout.write(
      `mikado: \`${analysis.branch}\`: ${n} commit${n === 1 ? '' : 's'} since \`${analysis.base.name}\` follow the Mikado Branch Invariant (${v.position}).\n`,
    );
  } else {
    const { formatViolations } = await import('../../branch/format-violations.ts');
    const n = v.violations.length;
    ctx.stdout.write(
      formatViolations(
        v.violations,
        `mikado: ${n} violation${n === 1 ? '' : 's'} of the Mikado Branch Invariant on \`${analysis.branch}\``,
        paint(cmd, ctx, ctx.stdout),
      ),
    );
  }
  if (v.violations.length > 0) throw new ExitError(1);
}

/** `mikado hook check-branch --json`: the verdict as a versioned object. */
function checkBranchJson(analysis: BranchAnalysis): object {
  const v = analysis.verdict;
  return {
    version: 1,
    checked: true,
    branch: analysis.branch,
    sha: analysis.sha,
    base: {
      name: analysis.base.name,
      sha: analysis.base.sha ?? null,
      fallback: analysis.base.fallback,
    },
    commits: analysis.history.commits.length,
    position: v.position,
    violations: v.violations.map((x) => ({
      commit: x.commit,
      subject: x.subject,
      rule: x.rule,
      message: x.message,
      fix: x.fix,
      resetPoint: x.resetPoint
        ? { sha: x.resetPoint.sha, subject: x.resetPoint.subject ?? null }
        : null,
    })),
  };
}

interface CheckBranchOpts {
  base?: string;
  allowFixups?: boolean;
  json?: boolean;
}

/** Colours for the hook's output, which goes to stderr unless said otherwise. */
function paint(
  cmd: Command,
  ctx: CliContext,
  stream: CliContext['stderr'] = ctx.stderr,
): ReturnType<typeof colors> {
  return colors(useColor(cmd, ctx, stream));
}

/**
 * The folders of the index the pre-commit hook reads, from the config the hook will load (at the
 * repository root, as git runs hooks); undefined when it cannot be loaded now (the hook then
 * reports it at the commit, and mikado asks git for the listing).
 */
async function hookListing(root: string): Promise<string[] | undefined> {
  const { indexLayout } = await import('../../hook/index-cards.ts');
  const { loadConfig } = await import('../../config/load-config.ts');
  try {
    return indexLayout(loadConfig({ cwd: root })).specs;
  } catch {
    return undefined;
  }
}

/** The repository `install` and `uninstall` work on: `--root`, else git's top level (it must be a repository). */
async function hookRoot(cmd: Command, ctx: CliContext): Promise<string> {
  if (globalOptions(cmd).root) return commandConfig(cmd, ctx).root;
  const { readRepoState } = await import('../../branch/repo-state.ts');
  return readRepoState(ctx.cwd).root;
}
