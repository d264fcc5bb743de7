import type pg from 'pg';

/**
 * A new `pg` client (not connected), `pg` loaded on first use: a block that never connects to a
 * database does not load it (about 65 ms of every block's start otherwise).
 * @param config connection string or client configuration
 * @returns the client
 */
export async function newPgClient(config: pg.ClientConfig | string): Promise<pg.Client> {
  const { default: pgModule } = await import('pg');
  return new pgModule.Client(config);
}
