import type { Block, Card, Diagnostic } from '../cards/types.ts';
import { blockKey, type JournalState } from './journal.ts';
import type { BlockAttempt } from './journal-types.ts';
import { blockHash } from './transpile-block.ts';

/** What a run will do with a block. */
export type PlannedState =
  /** it runs (again) */
  | 'run'
  /** it succeeded with the same content: skipped */
  | 'done'
  /** it cannot run now (stale process, dirty card, syntax error, ...) */
  | 'blocked'
  /** before `--from`: not run */
  | 'excluded';

/** A block in a run's plan. */
export interface PlannedBlock {
  card: Card;
  block: Block;
  hash: string;
  state: PlannedState;
  /** Why, in words: `never run`, `changed since it succeeded at ...`, `done at ...`, ... */
  why: string;
  /** When it last succeeded with this content, for `done`. */
  doneAt?: string;
  /** Its latest journal attempt. */
  attempt?: BlockAttempt;
  /** Effective timeout in milliseconds (`timeout=` or the default). */
  timeoutMs: number;
  /** Whether it runs and carries `confirm`. */
  needsConfirm: boolean;
}

/** A card in a run's plan. */
export interface PlannedCard {
  card: Card;
  /** Whether its blocks are part of the run (complete cards need `--include-complete`). */
  included: boolean;
  /** Why it is left out, when it is. */
  why?: string;
  /** Its blocks in run order: document order, `verify` blocks last. */
  blocks: PlannedBlock[];
}

/** A run's plan: cards in dependency order (prerequisites first), then the blocks to run. */
export interface RunPlan {
  target: string;
  profile: string;
  cards: PlannedCard[];
  /** Every block of the included cards, in run order. */
  blocks: PlannedBlock[];
  /** Reasons the run cannot start (each a sentence naming the file or block). */
  problems: string[];
  /** Things worth saying that do not stop the run. */
  warnings: string[];
  /** A dry run's lines describing the profile's variables (secrets without their values). */
  variables?: string[];
}

/** What {@link planRun} needs. */
export interface PlanInput {
  /** The target card and its prerequisites, prerequisites first (or just the target for `--only`). */
  order: Card[];
  target: string;
  profile: string;
  state: JournalState;
  defaultTimeoutMs: number;
  includeComplete?: boolean;
  force?: boolean;
  /** `--from BLOCK`: a block name, or `stem:name`. */
  from?: string;
  /**
   * Whether a block's process group, recorded as running in the journal, still lives.
   * @param attempt the attempt without an end
   * @returns true when alive
   */
  isAlive: (attempt: BlockAttempt) => boolean;
}

/**
 * Frontmatter diagnostics that leave a card neither open nor complete (its `status` or
 * `requires` cannot be trusted).
 */
const UNREADABLE_RULES = new Set([
  'frontmatter-yaml',
  'frontmatter-unclosed',
  'frontmatter-schema',
  'no-frontmatter',
  'symlink-card',
]);

/**
 * The findings that make a card's frontmatter unreadable: YAML that does not parse, no closing
 * `---`, no frontmatter at all, values outside the schema (`status: done`), or a card committed
 * as a symbolic link. Such a card is neither open nor complete.
 * @param card the card
 * @returns the findings (empty when the frontmatter reads)
 */
export function unreadableFrontmatter(card: Card): Diagnostic[] {
  return card.diagnostics.filter(
    (d) => UNREADABLE_RULES.has(d.rule) && (d.severity === 'error' || d.rule === 'no-frontmatter'),
  );
}

/**
 * Orders a card's blocks for running: document order, `verify` blocks after the others.
 * @param card the card
 * @returns the blocks in run order
 */
export function runOrder(card: Card): Block[] {
  return [...card.blocks.filter((b) => !b.verify), ...card.blocks.filter((b) => b.verify)];
}

/**
 * Plans a run from the chain and the journal: which blocks run, which are done (succeeded with
 * the same content hash), which are blocked by a process group still alive from a runner that
 * died (that block and every later one), which come before `--from`.
 * @param input the chain, the journal state and the options
 * @returns the plan (its `problems` list what stops the run)
 */
export function planRun(input: PlanInput): RunPlan {
  const plan: RunPlan = {
    target: input.target,
    profile: input.profile,
    cards: [],
    blocks: [],
    problems: [],
    warnings: [],
  };
  for (const card of input.order) {
    const unreadable = unreadableFrontmatter(card).length > 0;
    const complete = card.status !== 'active';
    const included = !unreadable && (!complete || input.includeComplete === true);
    const pc: PlannedCard = {
      card,
      included,
      why: unreadable
        ? 'unreadable frontmatter: neither open nor complete'
        : included
          ? undefined
          : 'complete (`--include-complete` runs it)',
      blocks: [],
    };
    const names = new Set<string>();
    for (const block of runOrder(card)) {
      if (names.has(block.name)) {
        plan.problems.push(
          `${card.path}:${block.line}: Unexpected second block named \`${block.name}\`, expected unique block names in a card`,
        );
      }
      names.add(block.name);
      const pb = planBlock(card, block, input);
      pc.blocks.push(pb);
      if (included) plan.blocks.push(pb);
    }
    plan.cards.push(pc);
  }
  if (input.from !== undefined) applyFrom(plan, input.from);
  // A block still running from a dead runner blocks itself and everything after it.
  const stale = plan.blocks.findIndex((b) => b.state === 'blocked');
  if (stale >= 0) {
    for (const b of plan.blocks.slice(stale + 1)) {
      if (b.state !== 'excluded')
        markBlocked(b, `after \`${plan.blocks[stale]!.block.name}\`, which is still running`);
    }
  }
  return plan;
}

function planBlock(card: Card, block: Block, input: PlanInput): PlannedBlock {
  const hash = blockHash(block, input.profile);
  const attempt = input.state.latest.get(blockKey({ card: card.stem, block: block.name }));
  const pb: PlannedBlock = {
    card,
    block,
    hash,
    state: 'run',
    why: 'never run',
    attempt,
    timeoutMs: block.timeoutMs ?? input.defaultTimeoutMs,
    needsConfirm: block.confirm,
  };
  if (attempt?.outcome === 'running' && input.isAlive(attempt)) {
    markBlocked(
      pb,
      `still running as pid ${attempt.pid} (started ${attempt.startedAt}) from a runner that is gone`,
    );
    return pb;
  }
  if (input.force) {
    pb.why = '--force';
    return pb;
  }
  if (!attempt) return pb;
  const when = attempt.endedAt ?? attempt.startedAt ?? '?';
  if (attempt.outcome === 'succeeded') {
    if (attempt.hash === hash) {
      pb.state = 'done';
      pb.needsConfirm = false;
      pb.doneAt = when;
      pb.why = `done at ${when}`;
    } else {
      pb.why = `changed since it succeeded at ${when}`;
    }
    return pb;
  }
  const outcome = attempt.outcome === 'running' ? 'interrupted' : attempt.outcome;
  pb.why = `${outcome} at ${when}${attempt.hash === hash ? '' : ', changed since'}`;
  return pb;
}

function markBlocked(pb: PlannedBlock, why: string): void {
  pb.state = 'blocked';
  pb.why = why;
  pb.needsConfirm = false;
}

function applyFrom(plan: RunPlan, from: string): void {
  const [stem, name] = from.includes(':') ? from.split(/:(.*)/s) : [undefined, from];
  const matches = plan.blocks.filter(
    (b) => b.block.name === name && (stem === undefined || b.card.stem === stem),
  );
  if (matches.length === 0) {
    const known = plan.blocks.map((b) => `\`${b.block.name}\``).join(', ') || 'none';
    plan.problems.push(`Unexpected \`--from ${from}\`, expected a block of the plan: ${known}`);
    return;
  }
  if (matches.length > 1) {
    plan.problems.push(
      `Unexpected ambiguous \`--from ${from}\`, expected one of: ${matches.map((b) => `\`${b.card.stem}:${b.block.name}\``).join(', ')}`,
    );
    return;
  }
  const start = plan.blocks.indexOf(matches[0]!);
  for (const b of plan.blocks.slice(0, start)) {
    if (b.state === 'blocked') continue;
    b.state = 'excluded';
    b.why = `before \`--from ${from}\``;
    b.needsConfirm = false;
  }
  const first = plan.blocks[start]!;
  if (first.state === 'done') {
    first.state = 'run';
    first.why = `--from (was ${first.why})`;
    first.needsConfirm = first.block.confirm;
  }
}
