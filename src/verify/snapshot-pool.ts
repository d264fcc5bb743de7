import type pg from 'pg';
import { closeSides, openSide } from './open-side.ts';
import type { DatabaseTarget } from './types.ts';

/** Connections that all read one snapshot: the main one and its helpers. */
export interface SnapshotPool {
  /** Every client, the main one first. */
  clients: pg.Client[];
  /** Closes the helpers (the main client stays the caller's). */
  close(): Promise<void>;
}

/**
 * Opens `jobs - 1` more connections reading the main client's snapshot (`pg_export_snapshot()`,
 * then `SET TRANSACTION SNAPSHOT` in each), so work spread over them still sees one state.
 * @param db the database the main client is connected to
 * @param main a client inside its repeatable-read transaction (from `openSide`)
 * @param jobs connections wanted in all (1: only the main one)
 * @returns the pool
 */
export async function openSnapshotPool(
  db: DatabaseTarget,
  main: pg.Client,
  jobs: number,
): Promise<SnapshotPool> {
  const helpers: pg.Client[] = [];
  if (jobs > 1) {
    const { rows } = await main.query<{ id: string }>('select pg_export_snapshot() as id');
    const id = rows[0]!.id.replaceAll("'", "''");
    try {
      for (let i = 1; i < jobs; i++)
        helpers.push(await openSide(db, `set transaction snapshot '${id}'`));
    } catch (error) {
      await closeSides(...helpers);
      throw error;
    }
  }
  return { clients: [main, ...helpers], close: () => closeSides(...helpers) };
}

/**
 * Runs tasks on a pool's clients, each client one task at a time, longest first as given.
 * @param clients the clients
 * @param tasks the work, each given a client
 * @returns the results, in the tasks' order
 */
export async function runOnPool<T>(
  clients: pg.Client[],
  tasks: ((client: pg.Client) => Promise<T>)[],
): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!(client);
      }
    }),
  );
  return results;
}
