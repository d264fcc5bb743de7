import { lstatSync } from 'node:fs';
import path from 'node:path';
import type { Block, Card, Diagnostic } from '../cards/types.ts';
import type { FoundFile } from '../cards/walk-files.ts';
import { MikadoError } from '../errors.ts';
import type { CardGraph } from '../graph/build-graph.ts';
import type { CommittedCards } from './committed-cards.ts';
import { describeDirty, dirtyFix, findDirtyCards } from './git-guard.ts';
import { type PlannedBlock, type RunPlan, unreadableFrontmatter } from './plan-run.ts';
import { transpileBlock } from './transpile-block.ts';

/** Body diagnostics that make running a card unsafe (its blocks may be misread). */
const BLOCKING_RULES = new Set([
  'block-attributes',
  'unclosed-fence',
  'card-too-large',
  'markdown-too-costly',
]);

/** What {@link preflightRun} found: the plan itself is left as it was. */
export interface Preflight {
  /** Reasons the run cannot start, each a sentence naming the file or block. */
  problems: string[];
  /**
   * Problems with the input itself (unreadable frontmatter, cards git does not vouch for): the
   * dry run stops with exit 2 on them too. Each is also in `problems`.
   */
  stops: string[];
  /** Things worth saying that do not stop the run. */
  warnings: string[];
  /** Blocks of the plan that cannot run, and why. */
  blocked: Map<PlannedBlock, string>;
  /** The transpiled module of every block that can run, by block. */
  modules: Map<Block, string>;
  /** Cards that run although git does not vouch for them (`--allow-dirty`), relative to the root. */
  dirty: string[];
}

/** What {@link preflightRun} needs. */
export interface PreflightInput {
  plan: RunPlan;
  graph: Pick<CardGraph, 'cycles' | 'missing' | 'duplicates'>;
  /** The chain's stems. */
  order: string[];
  root: string;
  /** The chain's cards (all of them, complete ones too). */
  chain: Card[];
  /** The cards at HEAD, when there is a commit. */
  committed?: CommittedCards;
  /** The card files the walker finds in the work tree. */
  workTree: FoundFile[];
  only?: string;
  allowDirty?: boolean;
  /** Profile variables without a value. */
  missingVars: string[];
}

/**
 * Checks that a plan is safe to run: the chain is a DAG without missing or duplicate cards, the
 * included cards read cleanly, every block that runs compiles, the profile is complete and git
 * vouches for the cards. Returns what it found and never changes the plan.
 * @param input the plan, the graph and the options
 * @returns the problems, warnings, blocked blocks and compiled modules
 */
export async function preflightRun(input: PreflightInput): Promise<Preflight> {
  const pre: Preflight = {
    problems: [],
    stops: [],
    warnings: [],
    blocked: new Map(),
    modules: new Map(),
    dirty: [],
  };
  checkFrontmatter(input, pre);
  checkGraph(input, pre);
  checkCards(input.plan, pre);
  await checkSyntax(input.plan, pre);
  if (input.missingVars.length > 0) {
    pre.problems.push(
      `Unexpected profile \`${input.plan.profile}\` without values for: ${input.missingVars.join(', ')}`,
    );
  }
  checkGit(input, pre);
  return pre;
}

/**
 * The plan as preflight leaves it: its problems and warnings extended and the blocks preflight
 * found unable to run marked blocked. A new plan; the given one is not changed.
 * @param plan the plan
 * @param pre what preflight found
 * @returns the new plan
 */
export function applyPreflight(plan: RunPlan, pre: Preflight): RunPlan {
  const copies = new Map<PlannedBlock, PlannedBlock>();
  const copy = (pb: PlannedBlock): PlannedBlock => {
    let c = copies.get(pb);
    if (!c) {
      const why = pre.blocked.get(pb);
      c = why === undefined ? { ...pb } : { ...pb, state: 'blocked', why, needsConfirm: false };
      copies.set(pb, c);
    }
    return c;
  };
  return {
    ...plan,
    cards: plan.cards.map((pc) => ({ ...pc, blocks: pc.blocks.map(copy) })),
    blocks: plan.blocks.map(copy),
    problems: [...plan.problems, ...pre.problems],
    warnings: [...plan.warnings, ...pre.warnings],
  };
}

function runs(pb: PlannedBlock, pre: Preflight): boolean {
  return pb.state === 'run' && !pre.blocked.has(pb);
}

function checkGraph(input: PreflightInput, pre: Preflight): void {
  const { graph, plan } = input;
  const members = new Set(input.order);
  for (const cycle of graph.cycles) {
    if (cycle.some((s) => members.has(s))) {
      pre.problems.push(`Unexpected cycle in \`requires\`: ${cycle.join(' → ')}, expected a DAG`);
    }
  }
  if (!input.only) {
    for (const [card, stem] of graph.missing) {
      if (members.has(card)) {
        pre.problems.push(`Unexpected prerequisite \`${stem}\` of \`${card}\`: no such card`);
      }
    }
  } else {
    const open = (plan.cards[0]?.card.requires ?? []).filter((s) => !members.has(s));
    if (open.length > 0) {
      pre.warnings.push(`--only: prerequisites not run: ${open.join(', ')}`);
    }
  }
  for (const d of graph.duplicates) {
    if (members.has(d.stem)) {
      pre.problems.push(`Unexpected duplicate card stem \`${d.stem}\`: ${d.paths.join(', ')}`);
    }
  }
}

function checkCards(plan: RunPlan, pre: Preflight): void {
  for (const pc of plan.cards) {
    if (!pc.included) continue;
    for (const d of pc.card.diagnostics) {
      if (d.severity === 'error' && BLOCKING_RULES.has(d.rule))
        pre.problems.push(formatDiagnostic(d));
    }
  }
}

async function checkSyntax(plan: RunPlan, pre: Preflight): Promise<void> {
  for (const pb of plan.blocks) {
    if (!runs(pb, pre)) continue;
    try {
      pre.modules.set(pb.block, (await transpileBlock(pb.card, pb.block)).code);
    } catch (error) {
      if (!(error instanceof MikadoError)) throw error;
      pre.problems.push(error.message);
      pre.blocked.set(pb, 'syntax error');
    }
  }
}

function checkGit(input: PreflightInput, pre: Preflight): void {
  const { plan } = input;
  const dirty = findDirtyCards(input.root, input.chain, input.committed, input.workTree);
  if (dirty.length === 0) return;
  if (input.allowDirty) {
    pre.warnings.push(
      `--allow-dirty: RUNNING CARDS GIT DOES NOT VOUCH FOR (what runs is not in history): ${dirty.map((d) => `${d.path} is ${describeDirty(d.state)}`).join('; ')}`,
    );
    pre.dirty = dirty.map((d) => d.path);
    return;
  }
  for (const d of dirty) {
    stop(
      pre,
      `${d.path}: Unexpected card ${describeDirty(d.state)}, expected every card of the chain committed and unmodified (what runs and what counts as complete come from HEAD): ${dirtyFix(d)}`,
    );
    for (const b of plan.blocks) {
      if (b.card.path === d.path && runs(b, pre)) {
        pre.blocked.set(b, `card ${describeDirty(d.state)}`);
      }
    }
  }
}

/**
 * Every card of the chain, complete ones too, must have frontmatter that reads: a card whose
 * frontmatter does not parse is neither open nor complete. A card that is a symbolic link never
 * runs.
 */
function checkFrontmatter(input: PreflightInput, pre: Preflight): void {
  for (const card of input.chain) {
    for (const d of unreadableFrontmatter(card)) {
      stop(pre, `${formatDiagnostic(d)}${d.fix ? `: ${lowerFirst(d.fix)}` : ''}`);
    }
    if (input.allowDirty && isSymlink(path.join(input.root, card.path))) {
      stop(
        pre,
        `${card.path}: Unexpected symbolic link as a card, expected a regular file: a link runs code git does not track, so it never runs`,
      );
    }
  }
  for (const pb of input.plan.blocks) {
    if (pre.stops.some((s) => s.startsWith(`${pb.card.path}:`))) {
      pre.blocked.set(pb, 'card unreadable');
    }
  }
}

function stop(pre: Preflight, problem: string): void {
  pre.problems.push(problem);
  pre.stops.push(problem);
}

function isSymlink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function formatDiagnostic(d: Diagnostic): string {
  return `${d.path}:${d.line}:${d.column}: ${d.message} (${d.rule})`;
}
