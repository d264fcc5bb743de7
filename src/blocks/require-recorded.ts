import { RunError } from '../errors.ts';
import type { MikadoApi } from '../run/mikado-api.ts';

/** The part of the block API {@link requireRecorded} needs. */
export type RecordedApi = Pick<MikadoApi, 'get' | 'card' | 'block' | 'profile'>;

/**
 * Reads a value an earlier block recorded and this one depends on (the quiesce a cutover step
 * builds on), refusing when it is absent: never recorded, or cleared since (by a rollback). The
 * refusal says how to start again from the block that records it, or gives `advice` recorded for
 * the purpose (e.g. by the rollback, which knows what else has to happen first).
 * @param api the block's `mikado` object
 * @param key the journal key (`immich.quiesced`)
 * @param options `from`: the block that records it; `advice`: a fix to give instead of the
 *   restart command; `why`: what the value stands for, in words
 * @returns the value
 * @throws RunError with the command to run next
 */
export function requireRecorded<T>(
  api: RecordedApi,
  key: string,
  options: { from: string; advice?: string | null; why?: string },
): T {
  const value = api.get<T>(key);
  if (value !== undefined && value !== null) return value;
  const restart = `mikado run ${api.card.stem} --profile ${api.profile} --from ${options.from} --force`;
  throw new RunError(
    `Refusing \`${api.card.stem}:${api.block.name}\`: no \`${key}\` in the journal${options.why ? ` (${options.why})` : ''}; it is recorded by \`${options.from}\` and cleared by a rollback`,
    {
      fix:
        options.advice ??
        `Start again from \`${options.from}\`: \`${restart}\` (\`--force\` runs again the blocks after it that succeeded before).`,
    },
  );
}
