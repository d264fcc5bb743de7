import path from 'node:path';
import type { Command } from 'commander';
import { MikadoError, UsageError } from '../../errors.ts';
import { type CliContext, commandConfig } from '../context.ts';

type SandboxPackage = typeof import('@mikado-docs/sandbox');

interface SandboxFlags {
  dir?: string;
  size?: string;
  load?: boolean;
  loadInterval?: string;
  reset?: boolean;
  json?: boolean;
}

/**
 * Registers `mikado sandbox up|down|status`: the migration sandbox (two emulated clusters on
 * real PostgreSQL) in `--dir`, `MIKADO_SANDBOX_DIR` or `<root>/.mikado/sandbox`.
 * @param program the root program
 * @param ctx the CLI context
 */
export function defineSandbox(program: Command, ctx: CliContext): void {
  const sandbox = program
    .command('sandbox')
    .description(
      'the migration sandbox: minikube-indri and k3s-ringtail emulated on real PostgreSQL',
    );
  const dirOf = (sb: SandboxPackage, cmd: Command, flags: SandboxFlags): string => {
    const root =
      flags.dir || ctx.env['MIKADO_SANDBOX_DIR'] ? ctx.cwd : commandConfig(cmd, ctx).root;
    return sb.resolveSandboxDir({ dir: flags.dir, env: ctx.env, root, cwd: ctx.cwd });
  };
  sandbox
    .command('up')
    .description('Seed (first time) and start the sandbox; prints the PATH entry for its stand-ins')
    .option(
      '--dir <dir>',
      'sandbox directory (default: MIKADO_SANDBOX_DIR or <root>/.mikado/sandbox)',
    )
    .option(
      '--size <size>',
      'source dataset: tiny, small, medium, large, or e.g. 500MB, 1GB (first up only)',
      'small',
    )
    .option('--load', 'start the load writer on the source database')
    .option('--load-interval <ms>', "pause between the load writer's transactions")
    .option('--reset', 'stop and wipe an existing sandbox first')
    .option('--json', 'print the result as JSON')
    .action(
      withSandbox(async (sb, flags: SandboxFlags, cmd: Command) => {
        const dir = dirOf(sb, cmd, flags);
        const root = commandConfig(cmd, ctx).root;
        const result = await sb.sandboxUp({
          dir,
          repoRoot: root,
          size: flags.size,
          load: flags.load,
          loadIntervalMs: flags.loadInterval ? Number(flags.loadInterval) : undefined,
          reset: flags.reset,
          log: flags.json ? undefined : (l) => ctx.stderr.write(`sandbox: ${l}\n`),
        });
        if (flags.json) {
          ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
          return;
        }
        ctx.stdout.write(
          [
            `sandbox ${result.created ? 'created' : 'up'}: ${result.dir}`,
            `  stand-ins: export PATH="${result.bin}:$PATH"`,
            `  source database: ${result.sourceConnectionString}`,
            ...(result.dataset
              ? [
                  `  dataset: ${result.dataset.rows['public.assets'] ?? 0} assets, ${(result.dataset.databaseBytes / 2 ** 20).toFixed(1)} MiB`,
                ]
              : []),
            ...(result.loadWriterPid ? [`  load writer: pid ${result.loadWriterPid}`] : []),
            '',
          ].join('\n'),
        );
      }),
    );
  sandbox
    .command('down')
    .description('Stop every server and process the sandbox started (state is kept)')
    .option('--dir <dir>', 'sandbox directory')
    .option('--json', 'print the result as JSON')
    .action(
      withSandbox(async (sb, flags: SandboxFlags, cmd: Command) => {
        const dir = dirOf(sb, cmd, flags);
        const result = await sb.sandboxDown(dir);
        if (flags.json) {
          ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
          return;
        }
        ctx.stdout.write(
          `${result.stopped.length > 0 ? `stopped: ${result.stopped.join(', ')}` : 'nothing was running'}\n`,
        );
        for (const l of result.leftAlone)
          ctx.stderr.write(`left alone (not started by mikado): ${l}\n`);
      }),
    );
  sandbox
    .command('status')
    .description('Summarise the sandbox: servers, workloads, tailnet, mounts, processes')
    .option('--dir <dir>', 'sandbox directory')
    .option('--json', 'print the status as JSON')
    .action(
      withSandbox(async (sb, flags: SandboxFlags, cmd: Command) => {
        const dir = dirOf(sb, cmd, flags);
        const status = sb.sandboxStatus(dir);
        ctx.stdout.write(
          flags.json ? `${JSON.stringify(status, null, 2)}\n` : sb.formatSandboxStatus(status),
        );
      }),
    );
}

/** The sandbox package's name: a private workspace package of the mikado-docs repository. */
const SANDBOX_PACKAGE = '@mikado-docs/sandbox';

/**
 * Loads the sandbox package, which a development install has and a published one has not.
 * @returns the package
 * @throws UsageError when it is absent or not built, saying how to get it
 */
async function loadSandbox(): Promise<SandboxPackage> {
  try {
    return await import('@mikado-docs/sandbox');
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    if (e.message.includes(`'${SANDBOX_PACKAGE}'`)) {
      throw new UsageError(
        `Unexpected missing package \`${SANDBOX_PACKAGE}\`, expected it installed next to mikado-docs: \`mikado sandbox\` runs it (it is developed in the mikado-docs repository, not published)`,
        {
          fix: 'In a clone of the mikado-docs repository run `npm ci`, then in your project run `npm install --save-dev <clone>/sandbox`',
        },
      );
    }
    const missing = /Cannot find module '([^']+)'/.exec(e.message)?.[1];
    if (missing?.endsWith(path.join('dist', 'index.js'))) {
      const dir = path.dirname(path.dirname(missing));
      throw new UsageError(
        `Unexpected \`${SANDBOX_PACKAGE}\` without its build: \`${missing}\` is missing`,
        { fix: `Run \`npm run build --prefix ${dir}\`` },
      );
    }
    throw error;
  }
}

/**
 * Wraps a command action: loads the sandbox package (`@mikado-docs/sandbox`) on first use and
 * turns its refusals into the tool's errors, so the CLI prints them like its own.
 * @param action the action, given the loaded package first
 * @returns the action commander calls
 */
function withSandbox(
  action: (sb: SandboxPackage, flags: SandboxFlags, cmd: Command) => Promise<void>,
): (flags: SandboxFlags, cmd: Command) => Promise<void> {
  return async (flags, cmd) => {
    const sb = await loadSandbox();
    try {
      await action(sb, flags, cmd);
    } catch (error) {
      if (error instanceof sb.SandboxError) {
        throw new MikadoError(error.message, { code: error.code, fix: error.fix });
      }
      throw error;
    }
  };
}
