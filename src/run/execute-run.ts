import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Block } from '../cards/types.ts';
import { RunError } from '../errors.ts';
import { packageRoot } from '../package-root.ts';
import { shellQuote } from '../shell-quote.ts';
import type { BlockSpec } from './block-spec.ts';
import { executeBlock, type RunningBlock } from './execute-block.ts';
import {
  appendJournalRecord,
  ensureStateDir,
  foldInto,
  type JournalState,
  readJournal,
} from './journal.ts';
import type { JournalRecord } from './journal-types.ts';
import type { PlannedBlock, PlannedCard, RunPlan } from './plan-run.ts';
import { redactText } from './redact.ts';
import type { ResolvedProfile } from './resolve-profile.ts';
import type { RunCardsOptions } from './run-cards.ts';
import { type ExecutedBlock, type RunResult, runResult } from './run-result.ts';
import { attemptAlive, attemptEnd } from './stale-attempts.ts';

/** Everything {@link executeRun} works with: one object instead of a list of parameters. */
export interface RunContext {
  opts: RunCardsOptions;
  plan: RunPlan;
  /** The transpiled module of every block that runs. */
  modules: Map<Block, string>;
  profile: ResolvedProfile;
  runId: string;
  /** The journal file. */
  journal: string;
  /** The journal as read before the run. */
  state: JournalState;
  /** Cards that run although git does not vouch for them. */
  dirty: string[];
  /** The `confirm` blocks and how they were confirmed, for the `run-start` record. */
  confirmed: { confirmed?: string[]; confirmedBy?: 'prompt' | '--yes' };
  /** The signal that stopped the run, if one did. */
  interruptedBy(): NodeJS.Signals | undefined;
  /**
   * Tells the owner which block runs now (to forward signals to it).
   * @param block the running block, or undefined between blocks
   */
  setRunning(block: RunningBlock | undefined): void;
}

/** The state of the loop, as it goes. */
interface Progress {
  outcome: RunResult['outcome'];
  executed: ExecutedBlock[];
  failed?: ExecutedBlock;
  /** Blocks started so far (numbers the module and log files). */
  n: number;
  /** Bytes of the journal read so far. */
  offset: number;
  tmpDir: string;
  logDir: string;
  runnerScript: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Runs the blocks of a plan one after the other, journaling the run's start and end and each
 * block's end; stops at the first block that does not succeed, or when interrupted.
 * @param ctx the run
 * @returns how the run ended
 */
export async function executeRun(ctx: RunContext): Promise<RunResult> {
  const { opts, plan, profile, runId } = ctx;
  const { config, reporter } = opts;
  const append = (r: JournalRecord): void => appendJournalRecord(ctx.journal, r);
  ensureStateDir(config.root);
  const offset = readJournal(ctx.journal).size;
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
    ...(ctx.dirty.length > 0 ? { dirty: ctx.dirty } : {}),
    ...ctx.confirmed,
  });
  // Blocks recorded as running whose process is gone were interrupted: say so in the journal.
  for (const a of ctx.state.latest.values()) {
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
  const p: Progress = {
    outcome: 'failed',
    executed: [],
    n: 0,
    offset,
    tmpDir: path.join(config.root, '.mikado', 'tmp', runId),
    logDir: path.join(config.root, '.mikado', 'logs', profile.name, runId),
    runnerScript: '',
    env: blockEnv(opts.env, profile, config.root, runId),
  };
  // The run succeeded only if the loop below ran to its end; anything thrown is a failure.
  let reason: string | undefined = 'the runner stopped before the loop ended';
  try {
    reporter.plan(plan, { runId, dryRun: false });
    p.runnerScript = opts.runnerScript ?? defaultRunnerScript();
    // No block of an earlier run lives on now (refused or killed above): its modules can go.
    rmSync(path.dirname(p.tmpDir), { recursive: true, force: true });
    mkdirSync(p.tmpDir, { recursive: true });
    p.outcome = 'succeeded';
    await runCards(ctx, p);
    if (ctx.interruptedBy()) p.outcome = 'interrupted';
    reason = undefined;
  } catch (error) {
    p.outcome = 'failed';
    reason = `the runner failed: ${redactText(firstLine(error), ctx.profile.secrets)}`;
    throw error;
  } finally {
    append({
      v: 1,
      type: 'run-end',
      at: new Date().toISOString(),
      run: runId,
      outcome:
        reason !== undefined
          ? 'failed'
          : p.outcome === 'interrupted'
            ? 'interrupted'
            : p.outcome === 'succeeded'
              ? 'succeeded'
              : 'failed',
      ...(reason !== undefined ? { reason } : {}),
    });
    rmSync(p.tmpDir, { recursive: true, force: true });
  }
  const signal = ctx.interruptedBy();
  const exitCode =
    p.outcome === 'succeeded'
      ? 0
      : p.outcome === 'interrupted'
        ? signal === 'SIGTERM'
          ? 143
          : 130
        : 1;
  const result = runResult(plan, {
    runId,
    outcome: p.outcome,
    exitCode,
    executed: p.executed,
    failed: p.failed,
    // `--force` again would run the blocks that just succeeded once more, not resume.
    again: p.failed
      ? ['mikado', ...ctx.opts.argv.filter((a) => a !== '--force')].map(shellQuote).join(' ')
      : undefined,
  });
  await reporter.end(result);
  return result;
}

async function runCards(ctx: RunContext, p: Progress): Promise<void> {
  const { reporter } = ctx.opts;
  for (const pc of ctx.plan.cards) {
    if (!pc.included || pc.blocks.length === 0) continue;
    reporter.cardStart(pc);
    for (const pb of pc.blocks) {
      if (ctx.interruptedBy()) {
        p.outcome = 'interrupted';
        return;
      }
      if (pb.state !== 'run') {
        reporter.blockSkip(pb);
        continue;
      }
      const done = await runBlock(ctx, p, pc, pb);
      if (done.outcome !== 'succeeded') {
        p.failed = done;
        p.outcome = done.outcome === 'interrupted' ? 'interrupted' : 'failed';
        return;
      }
    }
  }
}

async function runBlock(
  ctx: RunContext,
  p: Progress,
  pc: PlannedCard,
  pb: PlannedBlock,
): Promise<ExecutedBlock> {
  const { opts, profile, runId } = ctx;
  const { config, reporter } = opts;
  p.n++;
  const base = `${String(p.n).padStart(2, '0')}-${fileSafe(pc.card.stem)}--${fileSafe(pb.block.name)}`;
  const modulePath = path.join(p.tmpDir, `${base}.mjs`);
  writeFileSync(modulePath, ctx.modules.get(pb.block)!);
  const logAbs = path.join(p.logDir, `${base}.log`);
  const log = path.relative(config.root, logAbs);
  // Values set by earlier blocks (their records were appended since the last look).
  const more = readJournal(ctx.journal, p.offset);
  p.offset = more.size;
  foldInto(ctx.state, more.records);
  const values: Record<string, unknown> = {};
  for (const [k, v] of ctx.state.values) values[k] = v.value;
  const spec: BlockSpec = {
    v: 1,
    run: runId,
    root: config.root,
    journal: ctx.journal,
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
  const running = executeBlock({
    spec,
    runnerScript: p.runnerScript,
    env: { ...p.env, MIKADO_BLOCK: `${pb.card.stem}:${pb.block.name}` },
    timeoutMs: pb.timeoutMs,
    graceMs: opts.graceMs ?? 5000,
    logFile: logAbs,
    secrets: profile.secrets,
    onOutput: (text, stream) => reporter.output(pb, text, stream),
  });
  ctx.setRunning(running);
  const signal = ctx.interruptedBy();
  if (signal) running.interrupt(signal);
  const result = await running.result;
  ctx.setRunning(undefined);
  appendJournalRecord(ctx.journal, {
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
  p.executed.push(done);
  reporter.blockEnd(pb, result, log);
  return done;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? '';
}

function fileSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/**
 * The environment of a block: the runner's, with the profile's PATH prefix and `MIKADO_PROFILE`,
 * `MIKADO_ROOT`, `MIKADO_RUN` (so stand-ins such as the sandbox's can tell where they run), and
 * `SHLVL` at least 1 (so that the blocks' `bash -c` does not read ~/.bashrc); each block also gets
 * `MIKADO_BLOCK` (`<card>:<block>`).
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
  // zx runs each command with `bash -c`, its standard input a socket (Node's stdio pipes); bash
  // then takes itself for a remote shell and, as a top-level shell (SHLVL below 2 once it counted
  // itself), reads ~/.bashrc, which may put other binaries first on PATH than the profile's, and
  // costs its time on every command. Under SHLVL 1 bash is a nested shell and reads nothing.
  if (!(Number(out['SHLVL']) >= 1)) out['SHLVL'] = '1';
  return out;
}

/**
 * Finds dist/block-runner.js of this package (from the bundle, its chunks, or the sources).
 * @returns its absolute path
 */
export function defaultRunnerScript(): string {
  const script = path.join(packageRoot(), 'dist', 'block-runner.js');
  if (existsSync(script)) return script;
  throw new RunError('Unexpected missing dist/block-runner.js, expected a built package', {
    fix: 'Run `npm run build`.',
  });
}
