import type pg from 'pg';
import { DatabaseError } from '../errors.ts';
import { newPgClient } from '../verify/new-pg-client.ts';

/** Writes held off on a live database. */
export interface WriteFreeze {
  /** The WAL position once every table was locked: everything committed is at or before it. */
  lsn: string;
  /** Tables locked (`schema.table`). */
  tables: string[];
  /** Lets writers continue (ends the locking transaction) and closes the connection. */
  release(): Promise<void>;
}

/** Options of {@link freezeWrites}. */
export interface FreezeWritesOptions {
  /** How long one attempt waits for the locks (default 5 s). */
  lockTimeoutMs?: number;
  /** Attempts before giving up (default 12). */
  attempts?: number;
}

const RETRYABLE = new Set(['55P03', '40P01']); // lock_not_available, deadlock_detected

/**
 * Holds off every write to a live database without stopping its clients: one transaction takes
 * `SHARE` locks on all user tables (readers go on, writers wait; nothing fails), then reads the
 * WAL position. A copy taken or replayed up to that position can be compared with the source
 * exactly while the freeze lasts. Lock waits that time out or deadlock are retried.
 * @param config a `pg` client config for the database (a superuser or its owner)
 * @param options lock timeout and attempts
 * @returns the freeze: its WAL position and `release()`
 * @throws DatabaseError when the locks cannot be taken
 */
export async function freezeWrites(
  config: pg.ClientConfig,
  options: FreezeWritesOptions = {},
): Promise<WriteFreeze> {
  const client = await newPgClient(config);
  await client.connect();
  client.on('error', () => {});
  try {
    const { rows } = await client.query<{ t: string }>(
      `select format('%I.%I', n.nspname, c.relname) as t
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema')
          and n.nspname not like 'pg\\_%'
        order by 1`,
    );
    const tables = rows.map((r) => r.t);
    const attempts = options.attempts ?? 12;
    for (let i = 1; ; i++) {
      await client.query('begin isolation level read committed');
      try {
        await client.query(`set local lock_timeout = ${options.lockTimeoutMs ?? 5000}`);
        if (tables.length > 0) await client.query(`lock table ${tables.join(', ')} in share mode`);
        const lsn = (await client.query<{ l: string }>('select pg_current_wal_lsn()::text as l'))
          .rows[0]!.l;
        let released = false;
        return {
          lsn,
          tables,
          release: async () => {
            if (released) return;
            released = true;
            try {
              await client.query('rollback');
            } finally {
              await client.end();
            }
          },
        };
      } catch (error) {
        await client.query('rollback').catch(() => {});
        const code = (error as { code?: string }).code;
        if (!code || !RETRYABLE.has(code) || i >= attempts) throw error;
      }
    }
  } catch (error) {
    await client.end().catch(() => {});
    throw new DatabaseError(`Could not hold off writes: ${(error as Error).message}`, {
      fix: 'A long transaction on the source holds conflicting locks; find it in `pg_stat_activity` and try again.',
    });
  }
}
