import type { Command } from 'commander';
import { shellQuote } from '../../shell-quote.ts';
import { type CliContext, commandConfig } from '../context.ts';

/**
 * Registers the card lifecycle: `new`, `close` and `finalize`.
 * @param program the root program
 * @param ctx the CLI context
 */
export function defineLifecycle(program: Command, ctx: CliContext): void {
  program
    .command('new')
    .description('create a card from templates/ (a prerequisite with --for, or a goal with --goal)')
    .argument(
      '<stem>',
      "the new card's stem (file name without .md); `topic/stem` puts it in a folder",
    )
    .option(
      '--for <parent>',
      "the card that needs this one (adds the stem to the parent's requires)",
    )
    .option('--goal', 'create a goal card (templates/goal.md)')
    .option('--title <title>', 'the title (default: the stem in words)')
    .option('--dir <folder>', 'a topic folder under the cards root')
    .action(async (stem: string, opts: NewOpts, cmd: Command) => {
      const { newCard } = await import('../../lifecycle/new-card.ts');
      const { readRepoState } = await import('../../branch/repo-state.ts');
      const config = commandConfig(cmd, ctx);
      const currentBranch = safeBranch(readRepoState, config.root);
      const r = await newCard({
        config,
        stem,
        goal: opts.goal,
        parent: opts.for,
        title: opts.title,
        dir: opts.dir,
        date: today(),
        currentBranch,
      });
      const out: string[] = [`created ${r.path}`];
      if (r.parentPath) out.push(`updated ${r.parentPath} (requires ${stemOf(r.path)})`);
      if (r.branch) out.push(`  branch: ${r.branch}`);
      const goalStem = stemOf(r.path);
      if (opts.goal && !r.branch) {
        out.push(
          `next: start the chain on its own branch: \`git switch -c mikado/${goalStem}\`, add \`branch: mikado/${goalStem}\` to ${r.path}, and commit \`C2(${goalStem}): plan ${goalStem}\``,
        );
      } else if (mikadoStemOf(currentBranch)) {
        // `mikado plan` puts the plan at the end of the planning layer, wherever the branch is.
        const paths = [r.path, ...(r.parentPath ? [r.parentPath] : [])].map(shellQuote).join(' ');
        out.push(`next: \`git add -- ${paths} && mikado plan ${shellQuote(goalStem)}\``);
      } else {
        const chain = opts.goal ? goalStem : '<goal>';
        out.push(`next: stage the cards and commit \`C2(${chain}): plan ${goalStem}\``);
      }
      ctx.stdout.write(`${out.join('\n')}\n`);
    });

  program
    .command('close')
    .description(
      'complete a card: remove `status: active` (refuses while it has active prerequisites)',
    )
    .argument('<stem>', 'the card to close')
    .action(async (stem: string, _opts: unknown, cmd: Command) => {
      const { closeCard } = await import('../../lifecycle/close-card.ts');
      const { readRepoState } = await import('../../branch/repo-state.ts');
      const config = commandConfig(cmd, ctx);
      const r = await closeCard(config, stem, today());
      if (r.alreadyComplete) {
        ctx.stdout.write(`${r.path} is already complete (no \`status: active\`); nothing to do\n`);
        return;
      }
      const chain = mikadoStemOf(safeBranch(readRepoState, config.root)) ?? '<goal>';
      ctx.stdout.write(
        `closed ${r.path}\nnext: \`git add ${r.path}\` and commit \`C2(${chain}): close ${stem}\`\n`,
      );
    });

  program
    .command('finalize')
    .description(
      "strip the Mikado frontmatter (status, requires, branch) from every card of a goal's chain",
    )
    .argument('<goal>', "the chain's goal card")
    .action(async (goal: string, _opts: unknown, cmd: Command) => {
      const { finalizeChain } = await import('../../lifecycle/finalize-chain.ts');
      const config = commandConfig(cmd, ctx);
      const r = await finalizeChain(config, goal, today());
      const lines = r.changed.map((p) => `finalized ${p}`);
      if (r.changed.length === 0)
        lines.push('nothing to finalize: no chain card has Mikado frontmatter');
      else
        lines.push(
          `next: \`git add ${r.changed.join(' ')}\` and commit \`C2(${goal}): finalize ${goal}\``,
        );
      ctx.stdout.write(`${lines.join('\n')}\n`);
    });
}

interface NewOpts {
  for?: string;
  goal?: boolean;
  title?: string;
  dir?: string;
}

function today(): string {
  const d = new Date();
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function stemOf(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1).replace(/\.md$/, '');
}

function mikadoStemOf(branch: string | undefined): string | undefined {
  return branch?.startsWith('mikado/') ? branch.slice('mikado/'.length) : undefined;
}

function safeBranch(read: (root: string) => { branch?: string }, root: string): string | undefined {
  try {
    return read(root).branch;
  } catch {
    return undefined;
  }
}
