import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import writeFileAtomic from 'write-file-atomic';
import { DatabaseError } from './errors.ts';
import { newPgClient } from './new-pg-client.ts';
import { pidAlive } from './pid-alive.ts';

/** How `stop()` shuts the server down (`pg_ctl stop -m`). */
export type PgStopMode = 'smart' | 'fast' | 'immediate';

/** Options shared by every server operation. */
export interface PgServerOptions {
  /** Directory holding `initdb`, `pg_ctl`, `postgres`, ...; default {@link findPgBinDir}. */
  binDir?: string;
}

/** Options of {@link PgServer.init}. */
export interface PgInitOptions {
  /** Extra `postgresql.conf` settings, appended after the defaults (so they win). */
  settings?: Record<string, string | number | boolean>;
}

/** Options of {@link PgServer.start}. */
export interface PgStartOptions {
  /** TCP port on 127.0.0.1; default: a free port (retried if another process takes it first). */
  port?: number;
  /** How long to wait for the server to accept connections; default 60 s. */
  timeoutMs?: number;
}

/** What `server.json` records about a server this module started. */
export interface PgServerRecord {
  /** Postmaster pid at start. */
  pid: number;
  /** TCP port on 127.0.0.1. */
  port: number;
  /** Real path of the data directory (matches line 2 of `postmaster.pid`). */
  dataDir: string;
  /** Unix socket directory, or `''` when the path would be too long for a socket. */
  socketDir: string;
  /** ISO time of the start. */
  startedAt: string;
  /** Binaries used. */
  binDir: string;
}

/** The state of a server directory, read from disk. */
export interface PgServerStatus {
  /** The server directory. */
  dir: string;
  /** The data directory (`<dir>/data`). */
  dataDir: string;
  /** Whether the data directory holds a cluster (`PG_VERSION` exists). */
  initialized: boolean;
  /** Major version from `PG_VERSION`, when initialised. */
  version?: string;
  /** Whether a postmaster is alive for this data directory. */
  running: boolean;
  /** Whether the running postmaster (or the last one) was started by this module. */
  ours: boolean;
  /** Whether `standby.signal` exists (the server runs, or will run, as a standby). */
  standby: boolean;
  /** Postmaster pid, from `postmaster.pid`. */
  pid?: number;
  /** TCP port, from `postmaster.pid`. */
  port?: number;
  /** Unix socket directory from `postmaster.pid` (`''` when the server has no socket). */
  socketDir?: string;
  /** Postmaster state from `postmaster.pid` (`starting`, `ready`, `standby`, `stopping`). */
  pmStatus?: string;
  /** `postmaster.pid` exists but its process is gone (a crash). */
  stale: boolean;
  /** `postgresql://postgres@127.0.0.1:PORT/postgres` while running. */
  connectionString?: string;
}

/**
 * Settings every server gets: loopback only, replication-ready, and fast: no fsync (safe unless the
 * machine itself crashes). Commits stay synchronous, so a killed server loses no committed work.
 */
const DEFAULT_SETTINGS: Record<string, string | number | boolean> = {
  listen_addresses: '127.0.0.1',
  wal_level: 'replica',
  max_wal_senders: 10,
  max_replication_slots: 10,
  wal_keep_size: '1GB',
  hot_standby: true,
  max_wal_size: '2GB',
  fsync: false,
  full_page_writes: false,
  max_connections: 50,
  shared_buffers: '128MB',
  logging_collector: false,
  log_min_messages: 'warning',
};

/** Longest path Linux accepts for a Unix socket, with a margin. */
const MAX_SOCKET_PATH = 100;

/**
 * Finds the PostgreSQL server binaries: `MIKADO_PG_BIN` if set, else the newest
 * `/usr/lib/postgresql/<major>/bin`.
 * @param env environment to read `MIKADO_PG_BIN` from
 * @returns the directory holding `pg_ctl`
 */
export function findPgBinDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.MIKADO_PG_BIN;
  if (override) {
    if (!existsSync(path.join(override, 'pg_ctl'))) {
      throw new DatabaseError(
        `Unexpected \`MIKADO_PG_BIN=${override}\`, expected a directory holding \`pg_ctl\``,
        {
          fix: 'Point MIKADO_PG_BIN at a PostgreSQL bin directory, e.g. /usr/lib/postgresql/15/bin',
        },
      );
    }
    return override;
  }
  const base = '/usr/lib/postgresql';
  const majors = existsSync(base)
    ? readdirSync(base)
        .filter((d) => /^\d+(\.\d+)?$/.test(d) && existsSync(path.join(base, d, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = majors[0];
  if (newest === undefined) {
    throw new DatabaseError(`No PostgreSQL server binaries found under \`${base}/*/bin\``, {
      fix: 'Install them (`apt-get install postgresql`) or set MIKADO_PG_BIN to a bin directory',
    });
  }
  return path.join(base, newest, 'bin');
}

/**
 * Asks the kernel for a free TCP port on 127.0.0.1.
 * @returns a port that was free a moment ago
 */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Builds a libpq URL for a server on 127.0.0.1.
 * @param port TCP port
 * @param database database name (default `postgres`)
 * @param user role (default `postgres`)
 * @returns `postgresql://user@127.0.0.1:port/database`
 */
export function pgConnectionString(port: number, database = 'postgres', user = 'postgres'): string {
  return `postgresql://${encodeURIComponent(user)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

const isRoot = (): boolean => process.getuid?.() === 0;

let postgresIds: { uid: number; gid: number } | undefined;
function postgresUser(): { uid: number; gid: number } {
  if (postgresIds) return postgresIds;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) {
    throw new DatabaseError(
      'Running as root but there is no `postgres` user to run PostgreSQL as',
      {
        fix: 'Create it (`useradd -r postgres`) or run as a non-root user',
      },
    );
  }
  postgresIds = { uid: Number(uid), gid: Number(gid) };
  return postgresIds;
}

/** Creates `dir` and, as root, hands it to `postgres` and makes its ancestors traversable. */
function prepareOwnedDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
  if (!isRoot()) return;
  const { uid, gid } = postgresUser();
  chownSync(dir, uid, gid);
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    const mode = statSync(d).mode;
    if ((mode & 0o001) === 0) chmodSync(d, (mode & 0o7777) | 0o001);
    if (d === path.dirname(d)) break;
  }
}

interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a PostgreSQL binary, as `postgres` via `runuser` when we are root. */
function runPg(bin: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<RunResult> {
  const [file, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  return new Promise((resolve, reject) => {
    execFile(
      file,
      argv,
      { cwd, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: cleanEnv() },
      (error, stdout, stderr) => {
        if (error) {
          const detail = `${stderr}${stdout}`.trim().split('\n').slice(-8).join('\n');
          reject(
            new DatabaseError(
              `\`${path.basename(bin)} ${args.join(' ')}\` failed: ${detail || error.message}`,
            ),
          );
        } else resolve({ stdout, stderr });
      },
    );
  });
}

/** The environment for PostgreSQL binaries, without libpq variables that would redirect them. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG')) env[k] = v;
  env.LC_ALL = 'C';
  return env;
}

function confValue(v: string | number | boolean): string {
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (typeof v === 'number') return String(v);
  return `'${v.replace(/'/g, "''")}'`;
}

interface PidFile {
  pid: number;
  dataDir: string;
  port: number;
  socketDir: string;
  pmStatus: string;
}

function readPidFile(dataDir: string): PidFile | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return {
    pid,
    dataDir: lines[1] ?? '',
    port: Number(lines[3]),
    socketDir: lines[4] ?? '',
    pmStatus: (lines[7] ?? '').trim(),
  };
}

/** Whether `pid` is a live process that looks like a postgres postmaster. */
function isPostgresAlive(pid: number): boolean {
  if (!pidAlive(pid)) return false;
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /postgres|postmaster/.test(cmd);
  } catch {
    return true; // no /proc: trust the signal check
  }
}

/** Runs `initdb` into `dataDir`: trust auth, superuser `postgres`, UTF8, C locale. */
async function initdb(binDir: string, dataDir: string): Promise<void> {
  await runPg(
    path.join(binDir, 'initdb'),
    ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale', '--no-sync'],
    path.dirname(dataDir),
  );
}

/**
 * The pristine `initdb` result of these binaries kept in `templates` (`MIKADO_PG_TEMPLATES`),
 * made by the first caller (concurrent callers each make one; the first rename wins).
 * @param binDir the binaries
 * @param templates the templates' directory
 * @returns the template's data directory
 */
async function initdbTemplate(binDir: string, templates: string): Promise<string> {
  const key = createHash('sha256').update(binDir).digest('hex').slice(0, 16);
  const dir = path.join(templates, key);
  if (!existsSync(dir)) {
    const scratch = `${dir}.${randomUUID()}`;
    prepareOwnedDir(scratch);
    await initdb(binDir, path.join(scratch, 'data'));
    try {
      renameSync(scratch, dir);
    } catch {
      rmSync(scratch, { recursive: true, force: true }); // another caller made it first
    }
  }
  return path.join(dir, 'data');
}

/** Copies a template data directory to `dataDir` (owner and modes kept: `cp -a`). */
async function copyTemplate(template: string, dataDir: string): Promise<void> {
  rmSync(dataDir, { recursive: true, force: true }); // absent or empty (init checked)
  await new Promise<void>((resolve, reject) => {
    execFile('cp', ['-a', template, dataDir], (error, _stdout, stderr) => {
      if (error) {
        reject(new DatabaseError(`Cannot copy the initdb template \`${template}\`: ${stderr}`));
      } else resolve();
    });
  });
}

/**
 * A PostgreSQL server living in a directory: `data/` (PGDATA), `postgres.log`, and `server.json`
 * (written when this module starts the server, removed when it stops it). The object holds no
 * state of its own; every call reads the disk, so another process can stop a server this one
 * started. As root, the binaries run as `postgres` (`runuser`), the directory is chowned to it
 * and its ancestors get `o+x` so `postgres` can reach it.
 */
export class PgServer {
  /** The server directory. */
  readonly dir: string;
  /** `<dir>/data`. */
  readonly dataDir: string;
  /** `<dir>/postgres.log`. */
  readonly logFile: string;
  /** `<dir>/server.json`. */
  readonly recordFile: string;
  /** The binaries' directory. */
  readonly binDir: string;

  /**
   * @param dir the server directory (created on `init`/`basebackup`)
   * @param options binaries to use
   */
  constructor(dir: string, options: PgServerOptions = {}) {
    if (dir.includes("'")) {
      throw new DatabaseError(
        `Unexpected \`'\` in server directory \`${dir}\`, expected a plain path`,
      );
    }
    this.dir = path.resolve(dir);
    this.dataDir = path.join(this.dir, 'data');
    this.logFile = path.join(this.dir, 'postgres.log');
    this.recordFile = path.join(this.dir, 'server.json');
    this.binDir = options.binDir ?? findPgBinDir();
  }

  /**
   * Creates a new cluster with `initdb` (trust auth on loopback, superuser `postgres`, UTF8, C
   * locale) and the replication-ready defaults (`wal_level=replica`, `max_wal_senders`, hba
   * `replication` trust on 127.0.0.1). With `MIKADO_PG_TEMPLATES` set (tests set it once per
   * run) the cluster is a copy of one `initdb` result kept in that directory, made by the first
   * call: a tenth of initdb's time, and every copy has the same system identifier.
   * @param options extra `postgresql.conf` settings
   * @returns this server
   */
  async init(options: PgInitOptions = {}): Promise<this> {
    this.expectNoData('Start the existing cluster instead, or remove the directory first');
    prepareOwnedDir(this.dir);
    const templates = process.env['MIKADO_PG_TEMPLATES'];
    if (templates) await copyTemplate(await initdbTemplate(this.binDir, templates), this.dataDir);
    else await initdb(this.binDir, this.dataDir);
    const settings = { ...DEFAULT_SETTINGS, ...options.settings };
    const conf = Object.entries(settings)
      .map(([k, v]) => `${k} = ${confValue(v)}`)
      .join('\n');
    appendFileSync(path.join(this.dataDir, 'postgresql.conf'), `\n# mikado sandbox\n${conf}\n`);
    appendFileSync(
      path.join(this.dataDir, 'pg_hba.conf'),
      '\n# mikado sandbox: streaming replication from loopback\nhost replication all 127.0.0.1/32 trust\n',
    );
    return this;
  }

  /**
   * Writes a file the server reads (a certificate, a key, `pg_hba.conf`) under this server's
   * directory, owned by the user the server runs as and readable by it alone.
   * @param relative path inside the server directory (`data/pg_hba.conf`, `external/x/tls.key`)
   * @param text the content
   * @returns the absolute path
   */
  writeServerFile(relative: string, text: string): string {
    const file = path.join(this.dir, relative);
    prepareOwnedDir(path.dirname(file));
    writeFileAtomic.sync(file, text, { mode: 0o600 });
    chmodSync(file, 0o600);
    if (isRoot()) {
      const { uid, gid } = postgresUser();
      chownSync(file, uid, gid);
    }
    return file;
  }

  /**
   * Makes this directory a streaming standby of a running server with `pg_basebackup -R -X stream`.
   * The source must allow replication connections from 127.0.0.1 (servers made by `init` do).
   * @param source libpq connection string of the source (a replication-capable role)
   * @returns this server (not started)
   */
  async basebackup(source: string): Promise<this> {
    this.expectNoData('Remove the directory before taking a new base backup');
    prepareOwnedDir(this.dir);
    await runPg(
      this.bin('pg_basebackup'),
      ['-d', source, '-D', this.dataDir, '-R', '-X', 'stream', '-c', 'fast', '--no-sync'],
      this.dir,
      30 * 60_000,
    );
    return this;
  }

  /**
   * Starts the server on 127.0.0.1 with its socket in the data directory (none if the path is
   * too long for a socket) and waits until it accepts connections. Starting a server this module
   * already runs returns its status.
   * @param options port and timeout
   * @returns the status of the running server
   */
  async start(
    options: PgStartOptions = {},
  ): Promise<PgServerStatus & { port: number; connectionString: string }> {
    const before = this.status();
    if (!before.initialized) {
      throw new DatabaseError(`No cluster in \`${this.dataDir}\``, {
        fix: 'Run init() or basebackup() first',
      });
    }
    if (before.running) {
      if (!before.ours) {
        throw new DatabaseError(
          `A server not started by mikado already runs in \`${this.dataDir}\` (pid ${before.pid})`,
        );
      }
      return before as PgServerStatus & { port: number; connectionString: string };
    }
    if (before.stale) rmSync(path.join(this.dataDir, 'postmaster.pid'), { force: true });
    rmSync(this.recordFile, { force: true });
    const timeoutMs = options.timeoutMs ?? 60_000;
    const dataDir = realpathSync(this.dataDir);
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await findFreePort());
      const socketDir = `${dataDir}/.s.PGSQL.${port}`.length <= MAX_SOCKET_PATH ? dataDir : '';
      const opts = `-p ${port} -k '${socketDir}' -c listen_addresses=127.0.0.1`;
      try {
        await runPg(
          this.bin('pg_ctl'),
          [
            '-D',
            dataDir,
            '-l',
            this.logFile,
            '-w',
            '-t',
            String(Math.ceil(timeoutMs / 1000)),
            '-o',
            opts,
            'start',
          ],
          this.dir,
          timeoutMs + 10_000,
        );
      } catch (e) {
        const log = this.logTail();
        if (options.port === undefined && attempt < 4 && /could not (bind|create any)/i.test(log))
          continue;
        throw new DatabaseError(`${(e as Error).message}\n${log}`, { fix: `See ${this.logFile}` });
      }
      const pidFile = readPidFile(dataDir);
      if (!pidFile)
        throw new DatabaseError(`Server in \`${dataDir}\` started but wrote no postmaster.pid`);
      const record: PgServerRecord = {
        pid: pidFile.pid,
        port,
        dataDir,
        socketDir,
        startedAt: new Date().toISOString(),
        binDir: this.binDir,
      };
      writeFileAtomic.sync(this.recordFile, `${JSON.stringify(record, null, 2)}\n`, {
        fsync: false,
      });
      await this.waitReady(timeoutMs);
      return this.status() as PgServerStatus & { port: number; connectionString: string };
    }
  }

  /**
   * Stops the server if this module started it (`server.json` names the same pid and data
   * directory as `postmaster.pid`); refuses a server it did not start.
   * @param options shutdown mode (default `fast`) and timeout
   * @returns true if a server was stopped, false if none was running
   */
  async stop(options: { mode?: PgStopMode; timeoutMs?: number } = {}): Promise<boolean> {
    const st = this.status();
    if (!st.running) {
      rmSync(this.recordFile, { force: true });
      return false;
    }
    if (!st.ours) {
      throw new DatabaseError(
        `Refusing to stop the server in \`${this.dataDir}\` (pid ${st.pid}): mikado did not start it`,
        { fix: `Stop it with \`pg_ctl -D ${this.dataDir} stop\` if you own it` },
      );
    }
    const timeoutMs = options.timeoutMs ?? 60_000;
    await runPg(
      this.bin('pg_ctl'),
      [
        '-D',
        realpathSync(this.dataDir),
        '-m',
        options.mode ?? 'fast',
        '-w',
        '-t',
        String(Math.ceil(timeoutMs / 1000)),
        'stop',
      ],
      this.dir,
      timeoutMs + 10_000,
    );
    // pg_ctl returns once postmaster.pid is gone, which the postmaster removes just before it
    // exits: a stopped server is one whose process is gone too.
    const until = Date.now() + 10_000;
    while (st.pid !== undefined && isPostgresAlive(st.pid) && Date.now() < until) await sleep(10);
    rmSync(this.recordFile, { force: true });
    return true;
  }

  /**
   * Reads the server's state from disk: initialised, running, started by us, standby, port.
   * @returns the status
   */
  status(): PgServerStatus {
    const initialized = existsSync(path.join(this.dataDir, 'PG_VERSION'));
    const version = initialized
      ? readFileSync(path.join(this.dataDir, 'PG_VERSION'), 'utf8').trim()
      : undefined;
    const standby = existsSync(path.join(this.dataDir, 'standby.signal'));
    const pidFile = readPidFile(this.dataDir);
    const running = pidFile !== undefined && isPostgresAlive(pidFile.pid);
    const record = this.readRecord();
    let real = this.dataDir;
    try {
      real = realpathSync(this.dataDir);
    } catch {}
    const ours =
      record !== undefined &&
      (!pidFile ||
        (pidFile.pid === record.pid &&
          pidFile.dataDir === record.dataDir &&
          record.dataDir === real));
    const st: PgServerStatus = {
      dir: this.dir,
      dataDir: this.dataDir,
      initialized,
      version,
      running,
      ours,
      standby,
      stale: pidFile !== undefined && !running,
    };
    if (pidFile && running) {
      st.pid = pidFile.pid;
      st.port = pidFile.port;
      st.socketDir = pidFile.socketDir;
      st.pmStatus = pidFile.pmStatus;
      st.connectionString = pgConnectionString(pidFile.port);
    }
    return st;
  }

  /**
   * The connection string of the running server.
   * @param database database name (default `postgres`)
   * @returns `postgresql://postgres@127.0.0.1:PORT/database`
   */
  connectionString(database = 'postgres'): string {
    const st = this.status();
    if (!st.running || st.port === undefined) {
      throw new DatabaseError(`No server runs in \`${this.dataDir}\``, { fix: 'Start it first' });
    }
    return pgConnectionString(st.port, database);
  }

  /**
   * Runs one SQL statement on the running server.
   * @param sql the statement
   * @param params positional parameters
   * @param database database name (default `postgres`)
   * @returns the result rows
   */
  async query<R extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
    database = 'postgres',
  ): Promise<R[]> {
    const client = await newPgClient({ connectionString: this.connectionString(database) });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as R[];
    } finally {
      await client.end();
    }
  }

  /**
   * Whether the running server is in recovery (a standby).
   * @returns `pg_is_in_recovery()`
   */
  async isInRecovery(): Promise<boolean> {
    const [row] = await this.query<{ r: boolean }>('select pg_is_in_recovery() as r');
    return row?.r === true;
  }

  /**
   * Promotes a running standby (`pg_ctl promote`) and waits until it leaves recovery.
   * @param options timeout (default 60 s)
   */
  async promote(options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const st = this.status();
    if (!st.running)
      throw new DatabaseError(`No server runs in \`${this.dataDir}\``, {
        fix: 'Start the standby first',
      });
    if (!(await this.isInRecovery())) return;
    await runPg(
      this.bin('pg_ctl'),
      [
        '-D',
        realpathSync(this.dataDir),
        '-w',
        '-t',
        String(Math.ceil(timeoutMs / 1000)),
        'promote',
      ],
      this.dir,
      timeoutMs + 10_000,
    );
    const deadline = Date.now() + timeoutMs;
    while (await this.isInRecovery()) {
      if (Date.now() > deadline)
        throw new DatabaseError(`Server in \`${this.dataDir}\` is still in recovery after promote`);
      await sleep(100);
    }
  }

  /**
   * Waits until the server accepts connections and answers a query.
   * @param timeoutMs how long to wait
   */
  async waitReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        await this.query('select 1');
        return;
      } catch (e) {
        last = e;
        await sleep(100);
      }
    }
    throw new DatabaseError(
      `Server in \`${this.dataDir}\` not ready after ${timeoutMs} ms: ${String(last)}`,
      {
        fix: `See ${this.logFile}`,
      },
    );
  }

  /**
   * The last lines of `postgres.log`.
   * @param lines how many lines
   * @returns the text, or '' when there is no log
   */
  logTail(lines = 20): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  private readRecord(): PgServerRecord | undefined {
    try {
      return JSON.parse(readFileSync(this.recordFile, 'utf8')) as PgServerRecord;
    } catch {
      return undefined;
    }
  }

  /** Refuses to create a cluster over an existing one. */
  private expectNoData(fix: string): void {
    if (existsSync(this.dataDir) && readdirSync(this.dataDir).length > 0) {
      throw new DatabaseError(
        `Unexpected non-empty data directory \`${this.dataDir}\`, expected none`,
        { fix },
      );
    }
  }

  private bin(name: string): string {
    return path.join(this.binDir, name);
  }
}
