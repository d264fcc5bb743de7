import os from 'node:os';
import path from 'node:path';
import { RunError } from '../errors.ts';
import { appendJournalRecord, type JournalState } from './journal.ts';
import type { BlockAttempt, BlockEnd, BlockEndRecord } from './journal-types.ts';
import { hasProcfs, isGroupAlive, killGroup } from './proc.ts';

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

/**
 * The attempts recorded as running whose process group still lives (their runner died).
 * @param state the folded journal
 * @returns the stale attempts
 */
export function staleAttempts(state: JournalState): BlockAttempt[] {
  return [...state.latest.values()].filter((a) => a.outcome === 'running' && attemptAlive(a));
}

/**
 * Describes a stale attempt for the operator.
 * @param a the attempt
 * @param root repository root (its log path is shown absolute)
 * @returns one line
 */
export function staleMessage(a: BlockAttempt, root: string): string {
  const host = a.host && a.host !== os.hostname() ? ` on host ${a.host}` : '';
  return `\`${a.card}:${a.block}\` (run ${a.run}) still runs as process group ${a.pgid}${host}, started ${a.startedAt}; log ${a.log ? path.join(root, a.log) : '?'}`;
}

/** What {@link endStaleAttempts} needs. */
export interface EndStaleOptions {
  root: string;
  journal: string;
  /** `--kill-stale`: end them; otherwise refuse. */
  killStale?: boolean;
  graceMs: number;
  /**
   * Tells the operator what is being done.
   * @param text the message
   */
  note: (text: string) => void;
}

/**
 * Refuses to run while stale attempts live on, or (`--kill-stale`) ends their process groups and
 * journals them as killed.
 * @param stale the stale attempts
 * @param opts root, journal, whether to kill, grace period, and where notes go
 * @throws RunError when there are stale attempts and `killStale` is not set
 */
export async function endStaleAttempts(
  stale: BlockAttempt[],
  opts: EndStaleOptions,
): Promise<void> {
  if (stale.length === 0) return;
  if (!opts.killStale) {
    throw new RunError(
      `Refusing to run while a block started by a runner that is gone still runs:\n  ${stale.map((a) => staleMessage(a, opts.root)).join('\n  ')}`,
      {
        fix: 'Wait for it to end, or pass `--kill-stale` to end its process group (SIGTERM, then SIGKILL) first.',
      },
    );
  }
  for (const a of stale) {
    opts.note(`--kill-stale: ending process group ${a.pgid} of \`${a.card}:${a.block}\``);
    const foreign = a.host !== undefined && a.host !== os.hostname();
    if (!foreign) await killGroup(a.pgid!, a.procStart, opts.graceMs);
    appendJournalRecord(
      opts.journal,
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

/**
 * The `block-end` record of an attempt whose runner is gone (no exit code known).
 * @param a the attempt, as the journal has it
 * @param end how it ended
 * @returns the record
 */
export function attemptEnd(
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
