import { formatAttrs } from './format-plan.ts';
import type { RunPlan } from './plan-run.ts';
import type { RunResult } from './run-cards.ts';

/**
 * The stable JSON form of a run's plan and result (`mikado run --json`).
 * @param result how the run ended (a dry run's result holds the plan only)
 * @returns a JSON-ready object, `version: 1`
 */
export function runResultJson(result: RunResult): Record<string, unknown> {
  return {
    version: 1,
    runId: result.runId ?? null,
    profile: result.profile,
    target: result.target,
    dryRun: result.dryRun,
    outcome: result.outcome,
    exitCode: result.exitCode,
    plan: planJson(result.plan),
    executed: result.executed.map(({ tail: _tail, ...b }) => b),
    failed: result.failed ?? null,
  };
}

/**
 * The JSON form of a plan: cards in order with their blocks, state and reason.
 * @param plan the plan
 * @returns a JSON-ready object
 */
export function planJson(plan: RunPlan): Record<string, unknown> {
  return {
    cards: plan.cards.map((pc) => ({
      card: pc.card.stem,
      path: pc.card.path,
      title: pc.card.title ?? null,
      status: pc.card.status,
      included: pc.included,
      blocks: pc.blocks.map((pb) => ({
        name: pb.block.name,
        line: pb.block.line,
        attributes: formatAttrs(pb.block),
        verify: pb.block.verify,
        confirm: pb.block.confirm,
        timeoutMs: pb.timeoutMs,
        hash: pb.hash,
        state: pc.included ? pb.state : 'excluded',
        needsConfirm: pb.needsConfirm,
        why: pb.why,
        doneAt: pb.doneAt ?? null,
      })),
    })),
    problems: plan.problems,
    warnings: plan.warnings,
  };
}
