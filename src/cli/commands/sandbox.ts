import type { Command } from 'commander';
import { type CliContext, commandConfig } from '../context.ts';

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
  const dirOf = async (cmd: Command, flags: SandboxFlags): Promise<string> => {
    const { resolveSandboxDir } = await import('../../sandbox/paths.ts');
    const root =
      flags.dir || ctx.env['MIKADO_SANDBOX_DIR'] ? ctx.cwd : commandConfig(cmd, ctx).root;
    return resolveSandboxDir({ dir: flags.dir, env: ctx.env, root, cwd: ctx.cwd });
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
    .action(async (flags: SandboxFlags, cmd: Command) => {
      const dir = await dirOf(cmd, flags);
      const { sandboxUp } = await import('../../sandbox/sandbox.ts');
      const root = commandConfig(cmd, ctx).root;
      const result = await sandboxUp({
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
    });
  sandbox
    .command('down')
    .description('Stop every server and process the sandbox started (state is kept)')
    .option('--dir <dir>', 'sandbox directory')
    .option('--json', 'print the result as JSON')
    .action(async (flags: SandboxFlags, cmd: Command) => {
      const dir = await dirOf(cmd, flags);
      const { sandboxDown } = await import('../../sandbox/sandbox.ts');
      const result = await sandboxDown(dir);
      if (flags.json) {
        ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      ctx.stdout.write(
        `${result.stopped.length > 0 ? `stopped: ${result.stopped.join(', ')}` : 'nothing was running'}\n`,
      );
      for (const l of result.leftAlone)
        ctx.stderr.write(`left alone (not started by mikado): ${l}\n`);
    });
  sandbox
    .command('status')
    .description('Summarise the sandbox: servers, workloads, tailnet, mounts, processes')
    .option('--dir <dir>', 'sandbox directory')
    .option('--json', 'print the status as JSON')
    .action(async (flags: SandboxFlags, cmd: Command) => {
      const dir = await dirOf(cmd, flags);
      const { formatSandboxStatus, sandboxStatus } = await import('../../sandbox/sandbox.ts');
      const status = sandboxStatus(dir);
      ctx.stdout.write(
        flags.json ? `${JSON.stringify(status, null, 2)}\n` : formatSandboxStatus(status),
      );
      if (!status.exists) process.exitCode = 1;
    });
}
