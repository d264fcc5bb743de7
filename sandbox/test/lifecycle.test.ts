import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { controllerStatus } from '../src/controller.ts';
import { sandboxPaths } from '../src/paths.ts';
import { findFreePort, findPgBinDir, PgServer } from '../src/pg-server.ts';
import { listProcesses } from '../src/processes.ts';
import { sandboxDown, sandboxStatus, sandboxUp, serverDirs } from '../src/sandbox.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function newDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mikado-sandbox-life-'));
  cleanups.push(async () => {
    await sandboxDown(dir);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2]?.startsWith('Z');
  } catch {
    return false;
  }
};

async function count(conn: string, sql: string): Promise<number> {
  const c = new pg.Client({ connectionString: conn });
  await c.connect();
  try {
    return Number((await c.query<{ n: string }>(sql)).rows[0]?.n);
  } finally {
    await c.end();
  }
}

describe('sandbox up/down (kubectl stand-in, real PostgreSQL)', () => {
  it('starts cleanly and stops every server it started, repeatedly, keeping the data between runs', async () => {
    const dir = newDir();
    const first = await sandboxUp({ dir, repoRoot: dir, size: 'tiny' });
    expect(first.created).toBe(true);
    for (const tool of ['kubectl', 'argocd', 'tailscale', 'borgmatic', 'mise']) {
      expect(readFileSync(path.join(dir, 'bin', tool), 'utf8')).toContain(
        'mikado sandbox stand-in',
      );
    }
    const assets = await count(first.sourceConnectionString, 'select count(*) as n from assets');
    expect(assets).toBe(40);
    const status = sandboxStatus(dir);
    expect(status.controller.running).toBe(true);
    expect(status.servers).toEqual([
      expect.objectContaining({
        context: 'minikube-indri',
        cluster: 'immich-pg',
        running: true,
        standby: false,
      }),
    ]);
    const pids = [
      status.controller.pid!,
      ...serverDirs(sandboxPaths(dir)).map((d) => new PgServer(d).status().pid!),
    ];
    expect(pids.every(alive)).toBe(true);

    const down = await sandboxDown(dir);
    expect(down.stopped).toEqual(
      expect.arrayContaining(['controller', expect.stringMatching(/^postgres /)]),
    );
    expect(pids.some(alive)).toBe(false);
    expect(sandboxStatus(dir).servers.every((s) => !s.running)).toBe(true);
    expect((await sandboxDown(dir)).stopped).toEqual([]);

    const second = await sandboxUp({ dir, repoRoot: dir, size: 'tiny' });
    expect(second.created).toBe(false);
    expect(second.dataset).toBeUndefined();
    expect(await count(second.sourceConnectionString, 'select count(*) as n from assets')).toBe(
      assets,
    );
    await sandboxDown(dir);
    expect(listProcesses(sandboxPaths(dir)).filter((p) => alive(p.pid))).toEqual([]);
  });

  it('stops the servers after the controller crashed (pid files), and never a server it did not start', async () => {
    const dir = newDir();
    await sandboxUp({ dir, repoRoot: dir, size: 'tiny' });
    const ctl = controllerStatus(dir);
    process.kill(ctl.pid!, 'SIGKILL');
    while (alive(ctl.pid!)) await new Promise((r) => setTimeout(r, 20));
    const [serverDir] = serverDirs(sandboxPaths(dir));
    const serverPid = new PgServer(serverDir!).status().pid!;
    expect(alive(serverPid)).toBe(true);

    // A PostgreSQL server started by hand inside the sandbox's volumes: down must leave it alone.
    const foreign = path.join(dir, 'volumes', 'minikube-indri', 'foreign');
    mkdirSync(foreign, { recursive: true });
    const bin = findPgBinDir();
    const asPostgres = (args: string[]) => {
      const [file, argv] =
        process.getuid?.() === 0
          ? ['runuser', ['-u', 'postgres', '--', ...args]]
          : [args[0]!, args.slice(1)];
      execFileSync(file, argv, { stdio: 'ignore' });
    };
    if (process.getuid?.() === 0) {
      const line = readFileSync('/etc/passwd', 'utf8')
        .split('\n')
        .find((l) => l.startsWith('postgres:'))!
        .split(':');
      chownSync(foreign, Number(line[2]), Number(line[3]));
    }
    asPostgres([
      path.join(bin, 'initdb'),
      '-D',
      path.join(foreign, 'data'),
      '-A',
      'trust',
      '-U',
      'postgres',
      '--no-sync',
    ]);
    const port = await findFreePort();
    asPostgres([
      path.join(bin, 'pg_ctl'),
      '-D',
      path.join(foreign, 'data'),
      '-w',
      '-o',
      `-p ${port} -k ${path.join(foreign, 'data')} -c listen_addresses=127.0.0.1`,
      'start',
    ]);
    cleanups.push(() =>
      asPostgres([
        path.join(bin, 'pg_ctl'),
        '-D',
        path.join(foreign, 'data'),
        '-m',
        'immediate',
        '-w',
        'stop',
      ]),
    );

    const down = await sandboxDown(dir);
    expect(down.stopped).toEqual([
      expect.stringMatching(/^postgres volumes\/minikube-indri\/pvc-/),
    ]);
    expect(down.leftAlone).toEqual([expect.stringContaining('foreign')]);
    expect(alive(serverPid)).toBe(false);
    expect(new PgServer(foreign).status().running).toBe(true);
    expect(existsSync(path.join(serverDir!, 'data', 'PG_VERSION'))).toBe(true);
  });
});
