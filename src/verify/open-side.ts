import type pg from 'pg';
import { newPgClient } from './new-pg-client.ts';
import type { DatabaseInfo, DatabaseTarget } from './types.ts';

/** Session settings that make `row::text` identical on both sides. */
const SESSION_SETUP = `
  set timezone = 'UTC';
  set datestyle = 'ISO, YMD';
  set intervalstyle = 'postgres';
  set extra_float_digits = 1;
  set bytea_output = 'hex';
  set lc_monetary = 'C';
  set statement_timeout = 0;
  set work_mem = '32MB';
`;

/**
 * Connects to one side of a verification with the session settings that make `row::text`
 * identical on both sides, and opens a read-only repeatable-read transaction: everything read
 * through the client belongs to one snapshot.
 * @param db connection string or `pg` client config
 * @param first a statement to run first in the transaction (`SET TRANSACTION SNAPSHOT ...`)
 * @returns the connected client, inside its transaction
 */
export async function openSide(db: DatabaseTarget, first?: string): Promise<pg.Client> {
  const client = await newPgClient(typeof db === 'string' ? { connectionString: db } : db);
  // A connection the server ends while idle (the server killed or restarted) is reported by the
  // next query; without a listener, pg's 'error' event would end the whole process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(SESSION_SETUP);
    await client.query('begin isolation level repeatable read read only');
    if (first) await client.query(first);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

/**
 * Facts about the connected side for the report.
 * @param client connected client
 * @returns database name, server version and address
 */
export async function sideInfo(client: pg.Client): Promise<DatabaseInfo> {
  const { rows } = await client.query<{
    db: string;
    v: string;
    addr: string | null;
    port: number | null;
  }>(
    `select current_database() as db, current_setting('server_version') as v,
       inet_server_addr()::text as addr, inet_server_port() as port`,
  );
  const r = rows[0]!;
  return {
    database: r.db,
    serverVersion: r.v,
    address: r.addr ? `${r.addr.replace(/\/\d+$/, '')}:${r.port}` : 'unix socket',
  };
}

/**
 * Closes both sides' connections, ignoring errors (the transactions are read-only).
 * @param clients the clients
 */
export async function closeSides(...clients: (pg.Client | undefined)[]): Promise<void> {
  await Promise.all(clients.map((c) => c?.end().catch(() => undefined)));
}
