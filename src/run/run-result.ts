import type { BlockEnd, BlockRef } from './journal-types.ts';
import type { RunPlan } from './plan-run.ts';

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
  /**
   * Process exit code: 0; 1 (failed, declined, or a dry run with problems); 2 (a dry run that
   * found unreadable or uncommitted cards); 130/143 (interrupted).
   */
  exitCode: number;
  plan: RunPlan;
  executed: ExecutedBlock[];
  /** The block that stopped the run. */
  failed?: ExecutedBlock;
  /** The command that resumes at the block that stopped the run (the run's own, without `--force`). */
  again?: string;
}

/**
 * Builds a run's result: the plan's target and profile, nothing executed unless given.
 * @param plan the plan
 * @param how the run id (absent for a dry run), the outcome and exit code, and what ran
 * @returns the result
 */
export function runResult(
  plan: RunPlan,
  how: Pick<RunResult, 'runId' | 'outcome' | 'exitCode'> &
    Partial<Pick<RunResult, 'executed' | 'failed' | 'again'>>,
): RunResult {
  return {
    ...(how.runId === undefined ? {} : { runId: how.runId }),
    profile: plan.profile,
    target: plan.target,
    dryRun: how.runId === undefined,
    outcome: how.outcome,
    exitCode: how.exitCode,
    plan,
    executed: how.executed ?? [],
    ...(how.failed ? { failed: how.failed } : {}),
    ...(how.again ? { again: how.again } : {}),
  };
}
