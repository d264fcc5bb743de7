import type { Card } from '../cards/types.ts';
import type { Paint } from '../render/paint.ts';
import { formatMs } from './execute-block.ts';
import { blockKey, type JournalState } from './journal.ts';
import type { BlockAttempt } from './journal-types.ts';
import { runOrder } from './plan-run.ts';
import { blockHash } from './transpile-block.ts';

/** One block's line in `mikado status`. */
export interface StatusBlock {
  block: string;
  /** 1-based fence line, when the block is still in the card. */
  line?: number;
  /** Latest outcome; `never-run`; `running` (its process lives); `interrupted` also for a dead `running`. */
  state: string;
  at?: string;
  durationMs?: number;
  exitCode?: number | null;
  signal?: string | null;
  reason?: string;
  log?: string;
  /** The block's content changed since that attempt (it will run again). */
  changed?: boolean;
  /** No longer in the card. */
  removed?: boolean;
  /** Number of attempts recorded. */
  attempts: number;
}

/** One card in `mikado status`. */
export interface StatusCard {
  card: string;
  path?: string;
  title?: string;
  blocks: StatusBlock[];
}

/** What `mikado status` shows. */
export interface RunStatus {
  version: 1;
  profile: string;
  journal: string;
  lastRun?: JournalState['lastRun'];
  cards: StatusCard[];
  /** `mikado.set` values. */
  values: Record<string, { value: unknown; card: string; block: string; at: string }>;
}

/**
 * Builds `mikado status` from the journal and the current cards: per card, each block's latest
 * attempt (what, when, how it ended, its log), whether it changed since, and blocks never run.
 * @param state the folded journal
 * @param cards the current cards
 * @param opts profile, journal path (for display), an optional card to show alone, and how to
 *   tell whether a `running` attempt still lives
 * @returns the status
 */
export function collectStatus(
  state: JournalState,
  cards: Card[],
  opts: { profile: string; journal: string; card?: string; isAlive: (a: BlockAttempt) => boolean },
): RunStatus {
  const byStem = new Map(cards.map((c) => [c.stem, c]));
  const stems: string[] = [];
  if (opts.card) stems.push(opts.card);
  else {
    const seen = new Set<string>();
    for (const a of state.latest.values()) seen.add(a.card);
    for (const c of cards) if (seen.delete(c.stem)) stems.push(c.stem);
    stems.push(...[...seen].sort());
  }
  const out: StatusCard[] = [];
  for (const stem of stems) {
    const card = byStem.get(stem);
    const blocks: StatusBlock[] = [];
    const named = new Set<string>();
    for (const b of card ? runOrder(card) : []) {
      named.add(b.name);
      const key = blockKey({ card: stem, block: b.name });
      const a = state.latest.get(key);
      const entry = statusOf(a, state.history.get(key)?.length ?? 0, opts.isAlive);
      entry.block = b.name;
      entry.line = b.line;
      if (a) entry.changed = a.hash !== blockHash(b, opts.profile);
      blocks.push(entry);
    }
    for (const [key, a] of state.latest) {
      if (a.card !== stem || named.has(a.block)) continue;
      const entry = statusOf(a, state.history.get(key)?.length ?? 0, opts.isAlive);
      entry.block = a.block;
      entry.removed = true;
      blocks.push(entry);
    }
    out.push({ card: stem, path: card?.path, title: card?.title, blocks });
  }
  const values: RunStatus['values'] = {};
  for (const [k, v] of [...state.values].sort(([a], [b]) => (a < b ? -1 : 1))) {
    values[k] = { value: v.value, card: v.card, block: v.block, at: v.at };
  }
  return {
    version: 1,
    profile: opts.profile,
    journal: opts.journal,
    lastRun: state.lastRun,
    cards: out,
    values,
  };
}

function statusOf(
  a: BlockAttempt | undefined,
  attempts: number,
  isAlive: (a: BlockAttempt) => boolean,
): StatusBlock {
  if (!a) return { block: '', state: 'never-run', attempts };
  const state = a.outcome === 'running' ? (isAlive(a) ? 'running' : 'interrupted') : a.outcome;
  return {
    block: '',
    state,
    at: a.endedAt ?? a.startedAt,
    durationMs: a.durationMs,
    exitCode: a.exitCode,
    signal: a.signal,
    reason:
      a.outcome === 'running'
        ? isAlive(a)
          ? `pid ${a.pid}`
          : 'its runner died while it ran'
        : a.reason,
    log: a.log,
    attempts,
  };
}

/**
 * Renders `mikado status` as text.
 * @param status the status
 * @param paint colours
 * @returns the text, ending in a newline
 */
export function formatStatus(status: RunStatus, paint: Paint): string {
  const lines: string[] = [];
  const last = status.lastRun;
  lines.push(
    paint.bold(`Profile ${status.profile}`) +
      paint.dim(` (journal ${status.journal})`) +
      (last
        ? `: last run ${last.at} (${last.target}) ${last.outcome ?? 'did not record its end'}`
        : ': nothing has run'),
  );
  for (const c of status.cards) {
    lines.push('', `${paint.bold(c.card)}  ${paint.dim(c.path ?? '(card not found)')}`);
    if (c.blocks.length === 0) lines.push(paint.dim('  (no ts run blocks)'));
    for (const b of c.blocks) {
      const mark =
        b.state === 'succeeded'
          ? paint.green('✓')
          : b.state === 'never-run'
            ? paint.dim('·')
            : b.state === 'running'
              ? paint.cyan('▸')
              : paint.red('✗');
      const parts = [`  ${mark} ${b.block}`, b.state];
      if (b.reason && b.state !== 'succeeded') parts.push(`(${b.reason})`);
      if (b.at) parts.push(paint.dim(b.at));
      if (b.durationMs !== undefined) parts.push(paint.dim(formatMs(b.durationMs)));
      if (b.changed) parts.push(paint.yellow('changed since: runs again'));
      if (b.removed) parts.push(paint.dim('no longer in the card'));
      if (b.log && b.state !== 'succeeded') parts.push(paint.dim(`log ${b.log}`));
      lines.push(parts.join('  '));
    }
  }
  // The latest verdict of each name (recordVerdict keeps it as `verdict:<name>`).
  const verdicts = Object.entries(status.values).filter(
    ([k, v]) => /^verdict:[^:]+$/.test(k) && typeof (v.value as { ok?: unknown })?.ok === 'boolean',
  );
  if (verdicts.length > 0) lines.push('', 'verdicts:');
  for (const [k, v] of verdicts) {
    const verdict = v.value as { ok: boolean; summary?: string; run?: string; at?: string };
    lines.push(
      `  ${verdict.ok ? paint.green('✓') : paint.red('✗')} ${k.slice('verdict:'.length)}  ${verdict.summary ?? ''}  ${paint.dim(`run ${verdict.run ?? '?'} at ${verdict.at ?? v.at}`)}`,
    );
  }
  const keys = Object.keys(status.values);
  if (keys.length > 0) lines.push('', `values (mikado.get): ${keys.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
