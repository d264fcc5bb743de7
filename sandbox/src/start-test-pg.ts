import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PgServer } from './pg-server.ts';

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
  const dir = mkdtempSync(path.join(tmpdir(), `mikado-${prefix}-`));
  const server = new PgServer(path.join(dir, 'pg'));
  const stop = async (): Promise<void> => {
    try {
      if (server.status().running) await server.stop({ mode: 'immediate' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    await server.init();
    await server.start();
  } catch (error) {
    await stop();
    throw error;
  }
  return { server, dir, stop };
}
