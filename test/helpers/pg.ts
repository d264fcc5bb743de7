import path from 'node:path';
import { PgServer } from '../../src/pg/pg-server.ts';
import { tempDir } from './temp-dir.ts';

/** A running PostgreSQL server of the tests, in its own temp directory. */
export interface TestPg {
  server: PgServer;
  /** The temp directory (the server's data lives in `dir/pg`). */
  dir: string;
  /** Stops the server (immediate shutdown) and removes the directory. */
  stop(): Promise<void>;
}

/**
 * Creates and starts a PostgreSQL server (a free port, a socket in its own directory).
 * @param prefix temp directory name prefix
 * @returns the server, its directory and its stop
 */
export async function startTestPg(prefix: string): Promise<TestPg> {
  const t = tempDir(prefix);
  const server = new PgServer(path.join(t.dir, 'pg'));
  const stop = async (): Promise<void> => {
    try {
      if (server.status().running) await server.stop({ mode: 'immediate' });
    } finally {
      t.cleanup();
    }
  };
  try {
    await server.init();
    await server.start();
  } catch (error) {
    await stop();
    throw error;
  }
  return { server, dir: t.dir, stop };
}
