import type pg from 'pg';

/**
 * A new `pg` client, `pg` loaded on first use: most stand-in calls never connect, and loading
 * `pg` costs a stand-in more than its own work.
 * @param config the client's configuration
 * @returns the client (not connected)
 */
export async function newPgClient(config: pg.ClientConfig): Promise<pg.Client> {
  const { default: pgModule } = await import('pg');
  return new pgModule.Client(config);
}
