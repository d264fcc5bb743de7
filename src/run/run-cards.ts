import { randomBytes } from 'node:crypto';
import type { MikadoConfig } from '../config/types.ts';
import { RunError } from '../errors.ts';
import { describeProfile } from './describe-profile.ts';
import type { BlockResult, RunningBlock } from './execute-block.ts';
import { executeRun } from './execute-run.ts';
import {
  corruptJournal,
  ensureStateDir,
  foldJournal,
  journalPath,
  readJournal,
} from './journal.ts';
import type { BlockAttempt } from './journal-types.ts';
import { type PlannedBlock, type PlannedCard, planRun, type RunPlan } from './plan-run.ts';
import { applyPreflight, type Preflight, preflightRun } from './preflight-run.ts';
import { resolveRun } from './resolve-run.ts';
import { acquireRunLock, isOwnerAlive, lockPath, type RunLock, readLockOwner } from './run-lock.ts';
import { type RunResult, runResult } from './run-result.ts';
import { attemptAlive, endStaleAttempts, staleAttempts, staleMessage } from './stale-attempts.ts';

export type { ExecutedBlock, RunResult } from './run-result.ts';
export { attemptAlive } from './stale-attempts.ts';

/** Receives a run's progress; the CLI renders it (plain lines or a progress view). */
export interface RunReporter {
  /** The plan, once known (before anything runs). */
  plan(plan: RunPlan, info: { runId?: string; dryRun: boolean }): void;
  /** A message for the operator. */
  note(text: string, level: 'info' | 'warn'): void;
  /** A card's blocks are about to be handled. */
  cardStart(card: PlannedCard): void;
  /** A block is skipped (done, before `--from`). */
  blockSkip(block: PlannedBlock): void;
  /** A block's process is starting; `log` is relative to the root. */
  blockStart(block: PlannedBlock, log: string): void;
  /** A piece of a block's (redacted) output. */
  output(block: PlannedBlock, text: string, stream: 'stdout' | 'stderr'): void;
  /** A block ended. */
  blockEnd(block: PlannedBlock, result: BlockResult, log: string): void;
  /** The run is over (not called for refusals, which throw). */
  end(result: RunResult): Promise<void> | void;
}

/** Options of {@link CardRun}. */
export interface RunCardsOptions {
  config: MikadoConfig;
  /** CARD: a stem or a path (relative to `cwd`) under the cards root. */
  target?: string;
  /** `--only CARD`: that card without its prerequisites. */
  only?: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  profile?: string;
  dryRun?: boolean;
  yes?: boolean;
  force?: boolean;
  includeComplete?: boolean;
  allowDirty?: boolean;
  killStale?: boolean;
  from?: string;
  /** The command line after `mikado`, for the journal and the lock. */
  argv: string[];
  /** Milliseconds between SIGTERM and SIGKILL when ending a block's process group (default 5000). */
  graceMs?: number;
  /** The block process entry (default: the package's dist/block-runner.js). */
  runnerScript?: string;
  reporter: RunReporter;
  /**
   * Asks the operator to confirm the `confirm` blocks of the plan, all at once. Absent when
   * there is no terminal to ask on.
   */
  confirm?: (blocks: PlannedBlock[]) => Promise<boolean>;
}

/**
 * One `mikado run`: resolves the target and its chain, plans from the chain and the journal, runs
 * the preflight checks (cards tracked and clean, syntax, no stale block alive, confirmations),
 * takes the profile's lock and executes the blocks one after the other, journaling each.
 */
export class CardRun {
  private readonly opts: RunCardsOptions;
  private running?: RunningBlock;
  private interruptedBy?: NodeJS.Signals;

  /** @param opts what to run and how */
  constructor(opts: RunCardsOptions) {
    this.opts = opts;
  }

  /**
   * Stops the run: forwards the signal to the running block's process group (which is then
   * recorded as interrupted) and runs nothing more.
   * @param signal the signal the runner received
   */
  interrupt(signal: NodeJS.Signals): void {
    if (!this.interruptedBy) this.interruptedBy = signal;
    this.running?.interrupt(signal);
  }

  /**
   * Plans and (unless a dry run) executes.
   * @returns how the run ended
   * @throws MikadoError when the run is refused before anything ran
   */
  async start(): Promise<RunResult> {
    const { opts } = this;
    const { config } = opts;
    const resolved = await resolveRun(opts);
    const { profile } = resolved;
    let lock: RunLock | undefined;
    const runId = opts.dryRun ? undefined : newRunId();
    const journal = journalPath(config.root, profile.name);
    try {
      if (!opts.dryRun) lock = this.lock(runId!, profile.name);
      const contents = readJournal(journal);
      if (contents.damaged.length > 0) throw corruptJournal(journal, contents.damaged);
      for (const w of contents.warnings) opts.reporter.note(w, 'warn');
      let state = foldJournal(contents.records);
      const stale = staleAttempts(state);
      if (!opts.dryRun && stale.length > 0) {
        await endStaleAttempts(stale, {
          root: config.root,
          journal,
          killStale: opts.killStale,
          graceMs: opts.graceMs ?? 5000,
          note: (text) => opts.reporter.note(text, 'warn'),
        });
        state = foldJournal(readJournal(journal).records);
      }
      const planned = planRun({
        order: resolved.chain,
        target: resolved.target,
        profile: profile.name,
        state,
        defaultTimeoutMs: config.defaultTimeoutMs,
        includeComplete: opts.includeComplete,
        force: opts.force,
        from: opts.from,
        isAlive: attemptAlive,
      });
      const pre = await preflightRun({
        plan: planned,
        graph: resolved.graph,
        order: resolved.order,
        chain: resolved.chain,
        committed: resolved.committed,
        workTree: resolved.workTree,
        root: config.root,
        only: opts.only,
        allowDirty: opts.allowDirty,
        missingVars: profile.missing,
      });
      const described = describeProfile(profile, config.root);
      pre.warnings.push(...described.warnings);
      if (opts.dryRun) this.noteForDryRun(pre, stale, profile.name);
      const plan = applyPreflight(planned, pre);
      if (opts.dryRun) plan.variables = described.lines;
      if (opts.dryRun) {
        opts.reporter.plan(plan, { dryRun: true });
        return await this.end(
          runResult(plan, {
            outcome: 'planned',
            exitCode: pre.stops.length > 0 ? 2 : plan.problems.length > 0 ? 1 : 0,
          }),
        );
      }
      if (plan.problems.length > 0) {
        throw new RunError(`Refusing to run:\n  ${plan.problems.join('\n  ')}`, {
          code: 2,
          fix: 'Fix the problems above; `mikado run --dry-run` shows the whole plan.',
        });
      }
      const toRun = plan.blocks.filter((b) => b.state === 'run');
      if (toRun.length === 0) {
        opts.reporter.plan(plan, { runId, dryRun: false });
        return await this.end(runResult(plan, { runId, outcome: 'nothing-to-run', exitCode: 0 }));
      }
      const confirmed = await this.confirm(toRun);
      if (!confirmed) {
        opts.reporter.note('not confirmed: nothing ran', 'warn');
        return await this.end(runResult(plan, { runId, outcome: 'declined', exitCode: 1 }));
      }
      return await executeRun({
        opts,
        plan,
        modules: pre.modules,
        profile,
        runId: runId!,
        journal,
        state,
        dirty: pre.dirty,
        confirmed,
        interruptedBy: () => this.interruptedBy,
        setRunning: (block) => {
          this.running = block;
        },
      });
    } finally {
      lock?.release();
    }
  }

  /** What only a dry run reports: blocks still running from a dead runner, a live lock. */
  private noteForDryRun(pre: Preflight, stale: BlockAttempt[], profile: string): void {
    const { root } = this.opts.config;
    for (const a of stale) pre.problems.push(staleMessage(a, root));
    const owner = readLockOwner(lockPath(root, profile));
    if (owner && isOwnerAlive(owner)) {
      pre.warnings.push(
        `a run holds the lock for this profile: pid ${owner.pid} on ${owner.host} since ${owner.since}`,
      );
    }
  }

  private lock(runId: string, profile: string): RunLock {
    const { opts } = this;
    ensureStateDir(opts.config.root);
    const lock = acquireRunLock(lockPath(opts.config.root, profile), {
      run: runId,
      command: ['mikado', ...opts.argv].join(' '),
    });
    if (lock.tookOverFrom) {
      opts.reporter.note(
        `took over the lock left by a runner that is gone (pid ${lock.tookOverFrom.pid}, since ${lock.tookOverFrom.since})`,
        'warn',
      );
    }
    return lock;
  }

  /**
   * Gets the `confirm` blocks confirmed (by `--yes` or by asking once).
   * @param toRun the blocks that run
   * @returns what to journal about the confirmation, or undefined when the operator said no
   */
  private async confirm(
    toRun: PlannedBlock[],
  ): Promise<{ confirmed?: string[]; confirmedBy?: 'prompt' | '--yes' } | undefined> {
    const { opts } = this;
    const confirmNeeded = toRun.filter((b) => b.needsConfirm);
    if (confirmNeeded.length === 0) return {};
    if (!opts.yes) {
      if (!opts.confirm) {
        throw new RunError(
          `Refusing to run without a terminal: ${confirmNeeded.length} block(s) need confirmation: ${confirmNeeded.map((b) => `\`${b.card.stem}:${b.block.name}\``).join(', ')}`,
          {
            code: 2,
            fix: 'Run it in a terminal to answer, or pass `--yes` to confirm them all.',
          },
        );
      }
      if (!(await opts.confirm(confirmNeeded))) return undefined;
    }
    return {
      confirmed: confirmNeeded.map((b) => `${b.card.stem}:${b.block.name}`),
      confirmedBy: opts.yes ? '--yes' : 'prompt',
    };
  }

  private async end(result: RunResult): Promise<RunResult> {
    await this.opts.reporter.end(result);
    return result;
  }
}

function newRunId(): string {
  const t = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${t}-${randomBytes(2).toString('hex')}`;
}
