import * as v from 'valibot';
import type { JournalRecord } from './journal-types.ts';

const base = {
  v: v.literal(1),
  at: v.string(),
  run: v.pipe(v.string(), v.minLength(1)),
};
const ref = {
  card: v.pipe(v.string(), v.minLength(1)),
  block: v.pipe(v.string(), v.minLength(1)),
};
const outcome = v.picklist(['succeeded', 'failed', 'timeout', 'interrupted', 'killed']);
const int = v.pipe(v.number(), v.integer());

/** The schema of one journal line: each record type with its fields (see journal-types.ts). */
export const JournalRecordSchema = v.variant('type', [
  v.object({
    ...base,
    type: v.literal('run-start'),
    profile: v.string(),
    target: v.string(),
    pid: int,
    host: v.string(),
    argv: v.array(v.string()),
    dirty: v.optional(v.array(v.string())),
    confirmed: v.optional(v.array(v.string())),
    confirmedBy: v.optional(v.picklist(['prompt', '--yes'])),
  }),
  v.object({
    ...base,
    type: v.literal('run-end'),
    outcome: v.picklist(['succeeded', 'failed', 'interrupted']),
    reason: v.optional(v.string()),
  }),
  v.object({
    ...base,
    ...ref,
    type: v.literal('block-start'),
    path: v.string(),
    line: int,
    hash: v.string(),
    pid: int,
    pgid: int,
    procStart: v.optional(v.string()),
    host: v.string(),
    log: v.string(),
  }),
  v.object({
    ...base,
    ...ref,
    type: v.literal('block-exit'),
    hash: v.string(),
    outcome: v.picklist(['succeeded', 'failed']),
    error: v.optional(v.string()),
  }),
  v.object({
    ...base,
    ...ref,
    type: v.literal('block-end'),
    hash: v.string(),
    outcome,
    exitCode: v.nullable(int),
    signal: v.nullable(v.string()),
    durationMs: v.number(),
    log: v.string(),
    reason: v.optional(v.string()),
  }),
  v.object({
    ...base,
    ...ref,
    type: v.literal('set'),
    key: v.pipe(v.string(), v.minLength(1)),
    value: v.unknown(),
  }),
]);

// The schema and the hand-written record types describe the same lines.
type SchemaRecord = v.InferOutput<typeof JournalRecordSchema>;
const sameShape: [SchemaRecord, JournalRecord] extends [JournalRecord, SchemaRecord]
  ? true
  : never = true;
void sameShape;

/**
 * Checks that a parsed journal line is a record of the journal's schema.
 * @param value the parsed JSON
 * @returns the record, or what is wrong with it (the first issue, with its field)
 */
export function validateJournalRecord(
  value: unknown,
): { record: JournalRecord; problem?: undefined } | { record?: undefined; problem: string } {
  const r = v.safeParse(JournalRecordSchema, value);
  if (r.success) return { record: r.output as JournalRecord };
  const issue = r.issues[0];
  const key = issue.path?.map((p) => String(p.key)).join('.');
  return { problem: `${key ? `\`${key}\`: ` : ''}${issue.message}` };
}
