import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Card, Diagnostic } from '../cards/types.ts';
import type { MikadoConfig } from '../config/types.ts';
import { MikadoError, RunError, UsageError } from '../errors.ts';
import type { BlockSpec } from './block-spec.ts';
import { type BlockResult, executeBlock, type RunningBlock } from './execute-block.ts';
import { findDirtyCards } from './git-guard.ts';
import {
  appendJournalRecord,
  foldInto,
  foldJournal,
  type JournalState,
  journalPath,
  readJournal,
} from './journal.ts';
import type {
  BlockAttempt,
  BlockEnd,
  BlockEndRecord,
  BlockRef,
  JournalRecord,
} from './journal-types.ts';
import { type PlannedBlock, type PlannedCard, planRun, type RunPlan } from './plan-run.ts';
import { hasProcfs, isGroupAlive, killGroup } from './proc.ts';
import { type ResolvedProfile, resolveProfile } from './resolve-profile.ts';
import { acquireRunLock, isOwnerAlive, lockPath, type RunLock, readLockOwner } from './run-lock.ts';
import { transpileBlock } from './transpile-block.ts';

/** Card diagnostics that make running a card unsafe (its blocks or `requires` may be misread). */
const BLOCKING_RULES = new Set([
  'block-attributes',
  'unclosed-fence',
  'frontmatter-yaml',
  'frontmatter-unclosed',
  'frontmatter-schema',
  'card-too-large',
]);

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

/** A block that ran. */
export interface ExecutedBlock extends BlockRef, BlockEnd {
  /** Card path relative to the root. */
  path: string;
  /** 1-based line of the block's opening fence. */
  line: number;
  tail: string[];
}

/** How a run ended. */
export interface RunResult {
  runId?: string;
  profile: string;
  target: string;
  dryRun: boolean;
  outcome: 'succeeded' | 'failed' | 'interrupted' | 'nothing-to-run' | 'planned' | 'declined';
  /** Process exit code: 0, 1 (failed, declined, or a dry run with problems), 130/143 (interrupted). */
  exitCode: number;
  plan: RunPlan;
  executed: ExecutedBlock[];
  /** The block that stopped the run. */
  failed?: ExecutedBlock;
}

/**
 * One `mikado run`: resolves the profile, plans from the chain and the journal, checks that it is
 * safe (cards tracked and clean, syntax, no stale block alive, confirmations), takes the profile's
 * lock and runs the blocks one after the other, journaling each.
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
    const profile = resolveProfile(config, opts.profile, opts.env);
    const { loadCards } = await import('../cards/load-cards.ts');
    const { buildGraph } = await import('../graph/build-graph.ts');
    const { cards } = await loadCards(config);
    const graph = buildGraph(cards);
    if (
      opts.only &&
      opts.target &&
      this.resolveTarget(opts.only, cards) !== this.resolveTarget(opts.target, cards)
    ) {
      throw new UsageError(
        `Unexpected \`--only ${opts.only}\` with card \`${opts.target}\`, expected one card`,
        {
          fix: 'Pass either `mikado run CARD` or `mikado run --only CARD`.',
        },
      );
    }
    const targetArg = opts.only ?? opts.target;
    if (!targetArg) {
      throw new UsageError('Unexpected `mikado run` without a card, expected `mikado run CARD`');
    }
    const target = this.resolveTarget(targetArg, cards);
    const order = opts.only ? [target] : graph.chain(target).order;
    const chainCards = order.map((s) => graph.cards.get(s)!).filter(Boolean);

    let lock: RunLock | undefined;
    const runId = opts.dryRun ? undefined : newRunId();
    const journal = journalPath(config.root, profile.name);
    try {
      if (!opts.dryRun) {
        ensureStateDir(config.root);
        lock = acquireRunLock(lockPath(config.root, profile.name), {
          run: runId!,
          command: ['mikado', ...opts.argv].join(' '),
        });
        if (lock.tookOverFrom) {
          opts.reporter.note(
            `took over the lock left by a runner that is gone (pid ${lock.tookOverFrom.pid}, since ${lock.tookOverFrom.since})`,
            'warn',
          );
        }
      }
      const contents = readJournal(journal);
      for (const w of contents.warnings) opts.reporter.note(w, 'warn');
      let state = foldJournal(contents.records);
      const stale = staleAttempts(state);
      if (!opts.dryRun && stale.length > 0) {
        await this.handleStale(stale, journal);
        state = foldJournal(readJournal(journal).records);
      }
      const alive = (a: BlockAttempt): boolean => attemptAlive(a);
      const plan = planRun({
        order: chainCards,
        target,
        profile: profile.name,
        state,
        defaultTimeoutMs: config.defaultTimeoutMs,
        includeComplete: opts.includeComplete,
        force: opts.force,
        from: opts.from,
        isAlive: alive,
      });
      this.checkGraph(plan, graph, order);
      this.checkCards(plan);
      const modules = await this.checkSyntax(plan);
      if (profile.missing.length > 0) {
        plan.problems.push(
          `Unexpected profile \`${profile.name}\` without values for: ${profile.missing.join(', ')}`,
        );
      }
      const dirty = this.checkGit(plan);
      if (opts.dryRun) {
        for (const a of stale) {
          plan.problems.push(staleMessage(a, config.root));
        }
        const owner = readLockOwner(lockPath(config.root, profile.name));
        if (owner && isOwnerAlive(owner)) {
          plan.warnings.push(
            `a run holds the lock for this profile: pid ${owner.pid} on ${owner.host} since ${owner.since}`,
          );
        }
        opts.reporter.plan(plan, { dryRun: true });
        const result: RunResult = {
          profile: profile.name,
          target,
          dryRun: true,
          outcome: 'planned',
          exitCode: plan.problems.length > 0 ? 1 : 0,
          plan,
          executed: [],
        };
        await opts.reporter.end(result);
        return result;
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
        const result: RunResult = {
          runId,
          profile: profile.name,
          target,
          dryRun: false,
          outcome: 'nothing-to-run',
          exitCode: 0,
          plan,
          executed: [],
        };
        await opts.reporter.end(result);
        return result;
      }
      const confirmNeeded = toRun.filter((b) => b.needsConfirm);
      if (confirmNeeded.length > 0 && !opts.yes) {
        if (!opts.confirm) {
          throw new RunError(
            `Refusing to run without a terminal: ${confirmNeeded.length} block(s) need confirmation: ${confirmNeeded.map((b) => `\`${b.card.stem}:${b.block.name}\``).join(', ')}`,
            {
              code: 2,
              fix: 'Run it in a terminal to answer, or pass `--yes` to confirm them all.',
            },
          );
        }
        const ok = await opts.confirm(confirmNeeded);
        if (!ok) {
          const result: RunResult = {
            runId,
            profile: profile.name,
            target,
            dryRun: false,
            outcome: 'declined',
            exitCode: 1,
            plan,
            executed: [],
          };
          opts.reporter.note('not confirmed: nothing ran', 'warn');
          await opts.reporter.end(result);
          return result;
        }
      }
      const confirmed =
        confirmNeeded.length > 0
          ? {
              confirmed: confirmNeeded.map((b) => `${b.card.stem}:${b.block.name}`),
              confirmedBy: opts.yes ? ('--yes' as const) : ('prompt' as const),
            }
          : {};
      return await this.execute(
        plan,
        modules,
        profile,
        runId!,
        journal,
        dirty.map((d) => d.path),
        state,
        confirmed,
      );
    } finally {
      lock?.release();
    }
  }

  private resolveTarget(arg: string, cards: Card[]): string {
    const { config, cwd } = this.opts;
    const looksLikePath = arg.includes('/') || arg.endsWith('.md');
    if (looksLikePath) {
      const abs = path.resolve(cwd, arg);
      const rel = path.relative(config.cardsDir, abs);
      if (rel.startsWith('..') || path.isAbsolute(rel)) {
        throw new RunError(
          `Unexpected card \`${arg}\` outside the cards root, expected a card under ${path.relative(config.root, config.cardsDir) || '.'}`,
          {
            code: 2,
            fix: 'Only cards under the cards root run; move the card there or pass `--cards`.',
          },
        );
      }
      const card = cards.find((c) => c.absPath === abs);
      if (!card) {
        throw new UsageError(`Unexpected card \`${arg}\`, expected an existing card file`, {
          fix: 'List the cards with `mikado view`.',
        });
      }
      return card.stem;
    }
    if (!cards.some((c) => c.stem === arg)) {
      throw new UsageError(
        `Unexpected card \`${arg}\`, expected the stem of a card under ${path.relative(config.root, config.cardsDir) || '.'}`,
        {
          fix: 'List the cards with `mikado view`.',
        },
      );
    }
    return arg;
  }

  private checkGraph(
    plan: RunPlan,
    graph: {
      cycles: string[][];
      missing: [string, string][];
      duplicates: { stem: string; paths: string[] }[];
    },
    order: string[],
  ): void {
    const members = new Set(order);
    for (const cycle of graph.cycles) {
      if (cycle.some((s) => members.has(s))) {
        plan.problems.push(
          `Unexpected cycle in \`requires\`: ${cycle.join(' → ')}, expected a DAG`,
        );
      }
    }
    if (!this.opts.only) {
      for (const [card, stem] of graph.missing) {
        if (members.has(card)) {
          plan.problems.push(`Unexpected prerequisite \`${stem}\` of \`${card}\`: no such card`);
        }
      }
    } else {
      const open = (plan.cards[0]?.card.requires ?? []).filter((s) => !members.has(s));
      if (open.length > 0) {
        plan.warnings.push(`--only: prerequisites not run: ${open.join(', ')}`);
      }
    }
    for (const d of graph.duplicates) {
      if (members.has(d.stem)) {
        plan.problems.push(`Unexpected duplicate card stem \`${d.stem}\`: ${d.paths.join(', ')}`);
      }
    }
  }

  private checkCards(plan: RunPlan): void {
    for (const pc of plan.cards) {
      if (!pc.included) continue;
      for (const d of pc.card.diagnostics) {
        if (d.severity === 'error' && BLOCKING_RULES.has(d.rule))
          plan.problems.push(formatDiagnostic(d));
      }
    }
  }

  private async checkSyntax(plan: RunPlan): Promise<Map<PlannedBlock, string>> {
    const modules = new Map<PlannedBlock, string>();
    for (const pb of plan.blocks) {
      if (pb.state !== 'run') continue;
      try {
        modules.set(pb, (await transpileBlock(pb.card, pb.block)).code);
      } catch (error) {
        if (!(error instanceof MikadoError)) throw error;
        plan.problems.push(error.message);
        pb.state = 'blocked';
        pb.why = 'syntax error';
        pb.needsConfirm = false;
      }
    }
    return modules;
  }

  private checkGit(plan: RunPlan): { path: string; state: string }[] {
    const paths = [
      ...new Set(plan.blocks.filter((b) => b.state === 'run').map((b) => b.card.path)),
    ];
    const dirty = findDirtyCards(this.opts.config.root, paths);
    if (dirty.length === 0) return [];
    if (this.opts.allowDirty) {
      plan.warnings.push(
        `--allow-dirty: RUNNING CARDS GIT DOES NOT VOUCH FOR (what runs is not in history): ${dirty.map((d) => `${d.path} is ${describeDirty(d.state)}`).join('; ')}`,
      );
      return dirty;
    }
    for (const d of dirty) {
      plan.problems.push(
        `${d.path}: Unexpected ${describeDirty(d.state)} card, expected a card git tracks unmodified (commit it, or pass \`--allow-dirty\`)`,
      );
      for (const b of plan.blocks) {
        if (b.card.path === d.path && b.state === 'run') {
          b.state = 'blocked';
          b.why = `card ${describeDirty(d.state)}`;
          b.needsConfirm = false;
        }
      }
    }
    return [];
  }

  private async handleStale(stale: BlockAttempt[], journal: string): Promise<void> {
    const { opts } = this;
    if (stale.length === 0) return;
    if (!opts.killStale) {
      throw new RunError(
        `Refusing to run while a block started by a runner that is gone still runs:\n  ${stale.map((a) => staleMessage(a, opts.config.root)).join('\n  ')}`,
        {
          fix: 'Wait for it to end, or pass `--kill-stale` to end its process group (SIGTERM, then SIGKILL) first.',
        },
      );
    }
    for (const a of stale) {
      opts.reporter.note(
        `--kill-stale: ending process group ${a.pgid} of \`${a.card}:${a.block}\``,
        'warn',
      );
      const foreign = a.host !== undefined && a.host !== os.hostname();
      if (!foreign) await killGroup(a.pgid!, a.procStart, opts.graceMs ?? 5000);
      appendJournalRecord(
        journal,
        attemptEnd(a, {
          outcome: 'killed',
          signal: foreign ? null : 'SIGTERM',
          durationMs: a.startedAt ? Date.now() - Date.parse(a.startedAt) : 0,
          reason: foreign
            ? `marked ended by --kill-stale (host ${a.host})`
            : 'ended by --kill-stale after its runner died',
        }),
      );
    }
  }

  private async execute(
    plan: RunPlan,
    modules: Map<PlannedBlock, string>,
    profile: ResolvedProfile,
    runId: string,
    journal: string,
    dirty: string[],
    state: JournalState,
    confirmed: { confirmed?: string[]; confirmedBy?: 'prompt' | '--yes' },
  ): Promise<RunResult> {
    const { opts } = this;
    const { config, reporter } = opts;
    const append = (r: JournalRecord): void => appendJournalRecord(journal, r);
    ensureStateDir(config.root);
    let offset = readJournal(journal).size;
    append({
      v: 1,
      type: 'run-start',
      at: new Date().toISOString(),
      run: runId,
      profile: profile.name,
      target: plan.target,
      pid: process.pid,
      host: os.hostname(),
      argv: opts.argv,
      ...(dirty.length > 0 ? { dirty } : {}),
      ...confirmed,
    });
    // Blocks recorded as running whose process is gone were interrupted: say so in the journal.
    for (const a of state.latest.values()) {
      if (a.outcome === 'running' && !attemptAlive(a)) {
        append(
          attemptEnd(a, {
            outcome: 'interrupted',
            signal: null,
            durationMs: 0,
            reason: 'its runner died while it ran; found ended by a later run',
          }),
        );
      }
    }
    reporter.plan(plan, { runId, dryRun: false });
    const tmpDir = path.join(config.root, '.mikado', 'tmp', runId);
    const logDir = path.join(config.root, '.mikado', 'logs', profile.name, runId);
    const executed: ExecutedBlock[] = [];
    const runnerScript = opts.runnerScript ?? defaultRunnerScript();
    const env = blockEnv(opts.env, profile, config.root, runId);
    let outcome: RunResult['outcome'] = 'succeeded';
    let failed: ExecutedBlock | undefined;
    let n = 0;
    try {
      // No block of an earlier run lives on now (refused or killed above): its modules can go.
      rmSync(path.dirname(tmpDir), { recursive: true, force: true });
      mkdirSync(tmpDir, { recursive: true });
      outer: for (const pc of plan.cards) {
        if (!pc.included || pc.blocks.length === 0) continue;
        reporter.cardStart(pc);
        for (const pb of pc.blocks) {
          if (this.interruptedBy) {
            outcome = 'interrupted';
            break outer;
          }
          if (pb.state !== 'run') {
            reporter.blockSkip(pb);
            continue;
          }
          n++;
          const base = `${String(n).padStart(2, '0')}-${fileSafe(pc.card.stem)}--${fileSafe(pb.block.name)}`;
          const modulePath = path.join(tmpDir, `${base}.mjs`);
          writeFileSync(modulePath, modules.get(pb)!);
          const logAbs = path.join(logDir, `${base}.log`);
          const log = path.relative(config.root, logAbs);
          // Values set by earlier blocks (their records were appended since the last look).
          const more = readJournal(journal, offset);
          offset = more.size;
          foldInto(state, more.records);
          const values: Record<string, unknown> = {};
          for (const [k, v] of state.values) values[k] = v.value;
          const spec: BlockSpec = {
            v: 1,
            run: runId,
            root: config.root,
            journal,
            module: modulePath,
            card: { stem: pc.card.stem, title: pc.card.title, path: pc.card.path },
            block: {
              name: pb.block.name,
              index: pb.block.index,
              line: pb.block.line,
              verify: pb.block.verify,
              confirm: pb.block.confirm,
            },
            hash: pb.hash,
            profile: profile.name,
            vars: profile.vars,
            secrets: profile.secrets,
            values,
            log,
          };
          reporter.blockStart(pb, log);
          this.running = executeBlock({
            spec,
            runnerScript,
            env: { ...env, MIKADO_BLOCK: `${pc.card.stem}:${pb.block.name}` },
            timeoutMs: pb.timeoutMs,
            graceMs: opts.graceMs ?? 5000,
            logFile: logAbs,
            secrets: profile.secrets,
            onOutput: (text, stream) => reporter.output(pb, text, stream),
          });
          if (this.interruptedBy) this.running.interrupt(this.interruptedBy);
          const result = await this.running.result;
          this.running = undefined;
          append({
            v: 1,
            type: 'block-end',
            at: new Date().toISOString(),
            run: runId,
            card: pc.card.stem,
            block: pb.block.name,
            hash: pb.hash,
            outcome: result.outcome,
            exitCode: result.exitCode,
            signal: result.signal,
            durationMs: result.durationMs,
            log,
            ...(result.reason ? { reason: result.reason } : {}),
          });
          const done: ExecutedBlock = {
            card: pc.card.stem,
            block: pb.block.name,
            path: pc.card.path,
            line: pb.block.line,
            outcome: result.outcome,
            exitCode: result.exitCode,
            signal: result.signal,
            durationMs: result.durationMs,
            log,
            reason: result.reason,
            tail: result.tail,
          };
          executed.push(done);
          reporter.blockEnd(pb, result, log);
          if (result.outcome !== 'succeeded') {
            failed = done;
            outcome = result.outcome === 'interrupted' ? 'interrupted' : 'failed';
            break outer;
          }
        }
      }
      if (this.interruptedBy) outcome = 'interrupted';
    } finally {
      append({
        v: 1,
        type: 'run-end',
        at: new Date().toISOString(),
        run: runId,
        outcome:
          outcome === 'interrupted'
            ? 'interrupted'
            : outcome === 'succeeded'
              ? 'succeeded'
              : 'failed',
      });
      rmSync(tmpDir, { recursive: true, force: true });
    }
    const exitCode =
      outcome === 'succeeded'
        ? 0
        : outcome === 'interrupted'
          ? this.interruptedBy === 'SIGTERM'
            ? 143
            : 130
          : 1;
    const result: RunResult = {
      runId,
      profile: profile.name,
      target: plan.target,
      dryRun: false,
      outcome,
      exitCode,
      plan,
      executed,
      failed,
    };
    await reporter.end(result);
    return result;
  }
}

/**
 * Whether a journal attempt without an end still has a live process group.
 * @param a the attempt
 * @returns true when its group lives (or lives on another host, which cannot be checked)
 */
export function attemptAlive(a: BlockAttempt): boolean {
  if (a.outcome !== 'running' || a.pgid === undefined) return false;
  if (a.host !== undefined && a.host !== os.hostname()) return true;
  if (!hasProcfs() && a.procStart !== undefined) return isGroupAlive(a.pgid);
  return isGroupAlive(a.pgid, a.procStart);
}

function staleAttempts(state: JournalState): BlockAttempt[] {
  return [...state.latest.values()].filter((a) => a.outcome === 'running' && attemptAlive(a));
}

function staleMessage(a: BlockAttempt, root: string): string {
  const host = a.host && a.host !== os.hostname() ? ` on host ${a.host}` : '';
  return `\`${a.card}:${a.block}\` (run ${a.run}) still runs as process group ${a.pgid}${host}, started ${a.startedAt}; log ${a.log ? path.join(root, a.log) : '?'}`;
}

/**
 * Creates `<root>/.mikado/` with a `.gitignore` of `*`, so the journal, logs and locks stay out
 * of git even where the repository does not ignore `.mikado/`.
 * @param root repository root
 */
export function ensureStateDir(root: string): void {
  const dir = path.join(root, '.mikado');
  mkdirSync(dir, { recursive: true });
  const ignore = path.join(dir, '.gitignore');
  if (!existsSync(ignore)) writeFileSync(ignore, '# mikado run state: journal, logs, locks\n*\n');
}

function describeDirty(state: string): string {
  return state === 'modified'
    ? 'modified'
    : state === 'untracked'
      ? 'untracked'
      : 'not in a git repository';
}

function formatDiagnostic(d: Diagnostic): string {
  return `${d.path}:${d.line}:${d.column}: ${d.message} (${d.rule})`;
}

function fileSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}

function newRunId(): string {
  const t = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${t}-${randomBytes(2).toString('hex')}`;
}

/**
 * The environment of a block: the runner's, with the profile's PATH prefix and `MIKADO_PROFILE`,
 * `MIKADO_ROOT`, `MIKADO_RUN` (so stand-ins such as the sandbox's can tell where they run); each
 * block also gets `MIKADO_BLOCK` (`<card>:<block>`).
 * @param env the runner's environment
 * @param profile the resolved profile
 * @param root repository root
 * @param runId the run
 * @returns the block's environment
 */
export function blockEnv(
  env: NodeJS.ProcessEnv,
  profile: ResolvedProfile,
  root: string,
  runId: string,
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  const current = env['PATH'] ?? '';
  out['PATH'] = [...profile.pathPrefix, ...(current ? [current] : [])].join(path.delimiter);
  out['MIKADO_PROFILE'] = profile.name;
  out['MIKADO_ROOT'] = root;
  out['MIKADO_RUN'] = runId;
  return out;
}

/**
 * Finds dist/block-runner.js of this package (from the bundle, its chunks, or the sources).
 * @returns its absolute path
 */
export function defaultRunnerScript(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'dist', 'block-runner.js');
    if (existsSync(candidate)) return candidate;
    if (path.basename(dir) === 'dist' && existsSync(path.join(dir, 'block-runner.js'))) {
      return path.join(dir, 'block-runner.js');
    }
    dir = path.dirname(dir);
  }
  throw new RunError('Unexpected missing dist/block-runner.js, expected a built package', {
    fix: 'Run `npm run build`.',
  });
}

/**
 * The `block-end` record of an attempt whose runner is gone (no exit code known).
 * @param a the attempt, as the journal has it
 * @param end how it ended
 * @returns the record
 */
function attemptEnd(
  a: BlockAttempt,
  end: Pick<BlockEnd, 'outcome' | 'signal' | 'durationMs'> & { reason: string },
): BlockEndRecord {
  return {
    v: 1,
    type: 'block-end',
    at: new Date().toISOString(),
    run: a.run,
    card: a.card,
    block: a.block,
    hash: a.hash,
    outcome: end.outcome,
    exitCode: null,
    signal: end.signal,
    durationMs: end.durationMs,
    log: a.log ?? '',
    reason: end.reason,
  };
}
