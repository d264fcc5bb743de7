import { RunError } from '../errors.ts';
import type { MikadoApi } from '../run/mikado-api.ts';

/** A verification outcome kept in the journal, bound to the run that reached it. */
export interface RunVerdict {
  /** What was verified (`immich.final-sync`). */
  name: string;
  ok: boolean;
  /** Id of the `mikado run` that recorded it. */
  run: string;
  /** ISO time. */
  at: string;
  /** One line: what passed, or the first failure. */
  summary: string;
  /** Anything else worth keeping (JSON). */
  details?: unknown;
}

/** The part of the block API verdicts need. */
export type VerdictApi = Pick<MikadoApi, 'get' | 'set' | 'runId' | 'card' | 'block' | 'profile'>;

/** A destructive step refused for want of a passing verdict. */
export class VerdictError extends RunError {}

/**
 * The journal key of a verdict of one run.
 * @param name what was verified
 * @param runId the run
 * @returns `verdict:<name>:<runId>`
 */
export function verdictKey(name: string, runId: string): string {
  return `verdict:${name}:${runId}`;
}

/**
 * Records a verdict for the current run (`mikado.set`), and as the latest verdict of its name.
 * @param api the block's `mikado` object
 * @param name what was verified
 * @param result whether it passed, a one-line summary, details
 * @returns the recorded verdict
 */
export function recordVerdict(
  api: VerdictApi,
  name: string,
  result: { ok: boolean; summary: string; details?: unknown },
): RunVerdict {
  const verdict: RunVerdict = {
    name,
    ok: result.ok,
    run: api.runId,
    at: new Date().toISOString(),
    summary: result.summary,
    ...(result.details === undefined ? {} : { details: result.details }),
  };
  api.set(verdictKey(name, api.runId), verdict);
  api.set(`verdict:${name}`, verdict);
  return verdict;
}

/**
 * The verdict of a name recorded by a given run (default: the current one).
 * @param api the block's `mikado` object
 * @param name what was verified
 * @param runId the run (default `api.runId`)
 * @returns the verdict, or undefined when that run recorded none
 */
export function findVerdict(
  api: VerdictApi,
  name: string,
  runId = api.runId,
): RunVerdict | undefined {
  return api.get<RunVerdict>(verdictKey(name, runId));
}

/**
 * Refuses (throws) unless the journal holds a passing verdict of `name` recorded by this very run
 * (or by the run named in `options.run`, e.g. the run that already switched traffic and whose
 * verification cannot be repeated once the new site took writes). Destructive blocks call it
 * first: a verification from some earlier run proves nothing about what happened since.
 * @param api the block's `mikado` object
 * @param name what must have been verified
 * @param options `run`: the run whose verdict counts (default: this one); `rerun`: the block to
 *   re-run to get a verdict (named in the fix)
 * @returns the passing verdict
 * @throws VerdictError when there is none, naming the latest verdict of that name if any
 */
export function requireVerdict(
  api: VerdictApi,
  name: string,
  options: { run?: string; rerun?: string } = {},
): RunVerdict {
  const run = options.run ?? api.runId;
  const verdict = findVerdict(api, name, run);
  if (verdict?.ok) return verdict;
  const which = run === api.runId ? `this run (${run})` : `run ${run}`;
  const latest = api.get<RunVerdict>(`verdict:${name}`);
  const why = verdict
    ? `the verification \`${name}\` of ${which} failed: ${verdict.summary}`
    : latest
      ? `no verification \`${name}\` in ${which}; the latest, from run ${latest.run} at ${latest.at}, ${latest.ok ? 'passed' : `failed: ${latest.summary}`}`
      : `no verification \`${name}\` in the journal`;
  const rerun = options.rerun ?? name;
  throw new VerdictError(
    `Refusing \`${api.card.stem}:${api.block.name}\`: ${why}. Destructive steps run only after a passing verification of the same run.`,
    {
      fix: verdict
        ? 'Find out why the verification failed (its log names the table and key range) before anything else.'
        : `Run the verification again in the same run: \`mikado run ${api.card.stem} --profile ${api.profile} --from ${rerun}\`.`,
    },
  );
}
