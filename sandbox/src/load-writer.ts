import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { setTimeout as wait } from 'node:timers/promises';
import type pg from 'pg';
import writeFileAtomic from 'write-file-atomic';
import { DatabaseError } from './errors.ts';
import { packageRoot } from './install.ts';
import { newPgClient } from './new-pg-client.ts';
import { pidAlive } from './pid-alive.ts';

/** Options of the load writer. */
export interface LoadWriterOptions {
  /** Database holding the Immich-shaped dataset. */
  connectionString: string;
  /** Append-only log of operations (JSON lines), created if missing. */
  logFile: string;
  /** Pause between transactions in ms (default 20). */
  intervalMs?: number;
  /** Stop by itself after this many committed operations (default: run until stopped). */
  maxOps?: number;
}

/** Options of {@link startLoadWriter}. */
export interface StartLoadWriterOptions extends LoadWriterOptions {
  /** Pid file the writer creates once connected and removes when it stops cleanly. */
  pidFile: string;
  /** The writer's stdout/stderr (default: the pid file with `.out` instead of `.pid`). */
  outputFile?: string;
  /** How long to wait for the writer to connect (default 30 s). */
  timeoutMs?: number;
}

/** Operation kinds, each one transaction. */
export type LoadOp = 'insert-asset' | 'update-asset' | 'update-embedding' | 'insert-face';

/** One line of the log. */
export interface LoadLogEntry {
  /** Sequence number within this writer's run. */
  n: number;
  /** `committed` after COMMIT returned; `in-doubt` when COMMIT failed (the outcome is unknown). */
  status: 'committed' | 'in-doubt';
  /** The operation. */
  op: LoadOp;
  /** Id of the `audit` row the transaction inserted. */
  audit: number;
  /** Asset touched. */
  asset: string;
  /** Faces inserted. */
  faces?: string[];
  /** New `isFavorite` (update-asset). */
  isFavorite?: boolean;
  /** New `updatedAt`, ISO (update-asset). */
  updatedAt?: string;
  /** `md5(embedding::text)` of the new smart-search embedding (update-embedding, insert-asset). */
  embeddingMd5?: string;
  /** Time of the commit. */
  at: string;
}

/** What a writer did (returned by {@link runLoadWriter}). */
export interface LoadWriterStats {
  /** Operations committed. */
  committed: number;
  /** Operations whose COMMIT failed (outcome unknown). */
  inDoubt: number;
  /** Connection or query errors survived. */
  errors: number;
}

/** The result of {@link checkLoadWriterLog}. */
export interface LoadWriterCheck {
  /** True when every committed operation is in the database and nothing unlogged is. */
  ok: boolean;
  /** Committed operations in the log. */
  committed: number;
  /** In-doubt operations in the log (accepted either way). */
  inDoubt: number;
  /** Logged operations whose effect is missing or different, one line each. */
  missing: string[];
  /** Writer audit rows in the database that the log does not list. */
  unexpected: number[];
}

/** Waits `ms`, or less when `signal` aborts (resolving, not rejecting). */
const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  wait(ms, undefined, { signal }).catch(() => undefined);

/** Appends one line and flushes it to disk before returning. */
function appendLine(file: string, value: unknown): void {
  const fd = openSync(file, 'a');
  try {
    writeSync(fd, `${JSON.stringify(value)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function embedding(dim: number): number[] {
  return Array.from({ length: dim }, () => Math.fround(Math.random() * 2 - 1));
}

/** A random existing row id of `table` (uniform enough for load). */
async function pickId(
  client: pg.Client,
  table: string,
  column = 'id',
): Promise<string | undefined> {
  const q = `select "${column}"::text as id from ${table} where "${column}" >= $1::uuid order by "${column}" limit 1`;
  const r = await client.query<{ id: string }>(q, [randomUUID()]);
  if (r.rows[0]) return r.rows[0].id;
  return (
    await client.query<{ id: string }>(
      `select "${column}"::text as id from ${table} order by "${column}" limit 1`,
    )
  ).rows[0]?.id;
}

async function audit(client: pg.Client, op: LoadOp, asset: string, owner: string): Promise<number> {
  const r = await client.query<{ id: number }>(
    `insert into audit ("entityType", "entityId", action, "ownerId") values ('ASSET', $1, $2, $3) returning id`,
    [asset, `load:${op}`, owner],
  );
  return r.rows[0]!.id;
}

async function insertFace(client: pg.Client, asset: string, dim: number): Promise<string> {
  const face = randomUUID();
  const person = await pickId(client, 'person');
  await client.query(
    `insert into asset_face (id, "assetId", "personId", "imageWidth", "imageHeight", "boundingBoxX1", "boundingBoxY1",
       "boundingBoxX2", "boundingBoxY2") values ($1, $2, $3, 4032, 3024, 10, 20, 210, 280)`,
    [face, asset, person ?? null],
  );
  await client.query('insert into face_search ("faceId", embedding) values ($1, $2::real[])', [
    face,
    embedding(dim),
  ]);
  return face;
}

/** Runs one operation in its own transaction; returns the log entry (without status/n/at). */
async function runOp(
  client: pg.Client,
  op: LoadOp,
  dim: number,
): Promise<Omit<LoadLogEntry, 'n' | 'status' | 'at'>> {
  if (op === 'insert-asset') {
    const owner = await pickId(client, 'users');
    if (!owner) throw new DatabaseError('The load writer needs at least one row in `users`');
    const asset = randomUUID();
    const name = `LOAD_${asset.slice(0, 8)}.HEIC`;
    await client.query(
      `insert into assets (id, "deviceAssetId", "ownerId", "deviceId", type, "originalPath", "fileCreatedAt",
         "fileModifiedAt", "localDateTime", checksum, "originalFileName")
       values ($1, $2, $3, 'load-writer', 'IMAGE', $4, now(), now(), now(), $5, $2)`,
      [asset, name, owner, `/usr/src/app/upload/library/load/${name}`, randomBytes(32)],
    );
    await client.query(
      `insert into exif ("assetId", make, model, "exifImageWidth", "exifImageHeight", "fileSizeInByte", city, country)
       values ($1, 'Apple', 'iPhone 15 Pro', 4032, 3024, $2, 'Zürich', 'Switzerland')`,
      [asset, 1_000_000 + Math.floor(Math.random() * 9_000_000)],
    );
    const e = await client.query<{ m: string }>(
      'insert into smart_search ("assetId", embedding) values ($1, $2::real[]) returning md5(embedding::text) as m',
      [asset, embedding(dim)],
    );
    const faces: string[] = [];
    for (let i = Math.floor(Math.random() * 3); i > 0; i--)
      faces.push(await insertFace(client, asset, dim));
    return {
      op,
      asset,
      faces,
      embeddingMd5: e.rows[0]!.m,
      audit: await audit(client, op, asset, owner),
    };
  }
  const asset = await pickId(client, 'assets');
  if (!asset) throw new DatabaseError('The load writer needs at least one row in `assets`');
  const owner = (
    await client.query<{ o: string }>('select "ownerId"::text as o from assets where id = $1', [
      asset,
    ])
  ).rows[0]!.o;
  if (op === 'update-asset') {
    const isFavorite = Math.random() < 0.5;
    const r = await client.query<{ u: string }>(
      `update assets set "isFavorite" = $2, "updatedAt" = clock_timestamp() where id = $1
       returning to_char("updatedAt" at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as u`,
      [asset, isFavorite],
    );
    return {
      op,
      asset,
      isFavorite,
      updatedAt: r.rows[0]!.u,
      audit: await audit(client, op, asset, owner),
    };
  }
  if (op === 'update-embedding') {
    const e = await client.query<{ m: string }>(
      `insert into smart_search ("assetId", embedding) values ($1, $2::real[])
       on conflict ("assetId") do update set embedding = excluded.embedding returning md5(embedding::text) as m`,
      [asset, embedding(dim)],
    );
    return { op, asset, embeddingMd5: e.rows[0]!.m, audit: await audit(client, op, asset, owner) };
  }
  const face = await insertFace(client, asset, dim);
  return { op, asset, faces: [face], audit: await audit(client, op, asset, owner) };
}

function pickOp(): LoadOp {
  const r = Math.random();
  if (r < 0.3) return 'insert-asset';
  if (r < 0.6) return 'update-asset';
  if (r < 0.85) return 'update-embedding';
  return 'insert-face';
}

/**
 * Writes to the dataset until `signal` aborts (or `maxOps` commits): each operation (insert an
 * asset with exif, embedding and faces; update an asset; replace an embedding; add a face) is one
 * transaction that also inserts an `audit` row, and is appended to the log only after COMMIT
 * returns. An abort lets the current transaction finish and log. Connection errors are logged and
 * retried.
 * @param options database, log file, pace
 * @param signal stops the writer
 * @returns counts of what it did
 */
export async function runLoadWriter(
  options: LoadWriterOptions,
  signal?: AbortSignal,
): Promise<LoadWriterStats> {
  mkdirSync(path.dirname(path.resolve(options.logFile)), { recursive: true });
  const stats: LoadWriterStats = { committed: 0, inDoubt: 0, errors: 0 };
  const interval = options.intervalMs ?? 20;
  let n = 0;
  let client: pg.Client | undefined;
  let dim = 512;
  let backoff = 100;
  while (!signal?.aborted && (options.maxOps === undefined || stats.committed < options.maxOps)) {
    try {
      if (!client) {
        client = await newPgClient({
          connectionString: options.connectionString,
          application_name: 'mikado-load-writer',
        });
        client.on('error', () => undefined);
        await client.connect();
        const d = await client.query<{ d: number | null }>(
          'select array_length(embedding, 1) as d from smart_search limit 1',
        );
        dim = d.rows[0]?.d ?? 512;
        backoff = 100;
      }
    } catch (e) {
      stats.errors++;
      appendLine(options.logFile, { error: (e as Error).message, at: new Date().toISOString() });
      await client?.end().catch(() => undefined);
      client = undefined;
      await sleep(backoff, signal);
      backoff = Math.min(backoff * 2, 5_000);
      continue;
    }
    const op = pickOp();
    let entry: Omit<LoadLogEntry, 'n' | 'status' | 'at'> | undefined;
    try {
      await client.query('begin');
      entry = await runOp(client, op, dim);
    } catch (e) {
      stats.errors++;
      appendLine(options.logFile, {
        error: (e as Error).message,
        op,
        at: new Date().toISOString(),
      });
      await client.query('rollback').catch(() => undefined);
      if (!(e instanceof DatabaseError)) {
        await client.end().catch(() => undefined);
        client = undefined;
      }
      await sleep(backoff, signal);
      continue;
    }
    let status: LoadLogEntry['status'] = 'committed';
    try {
      await client.query('commit');
      stats.committed++;
    } catch {
      status = 'in-doubt';
      stats.inDoubt++;
      await client.end().catch(() => undefined);
      client = undefined;
    }
    appendLine(options.logFile, { n: ++n, status, ...entry, at: new Date().toISOString() });
    if (interval > 0) await sleep(interval, signal);
  }
  await client?.end().catch(() => undefined);
  return stats;
}

/**
 * Reads a load writer log, skipping error lines (and a torn last line).
 * @param logFile the log
 * @returns the operation entries in order
 */
export function readLoadWriterLog(logFile: string): LoadLogEntry[] {
  if (!existsSync(logFile)) return [];
  const out: LoadLogEntry[] = [];
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as Partial<LoadLogEntry>;
      if (typeof v.n === 'number' && v.op) out.push(v as LoadLogEntry);
    } catch {}
  }
  return out;
}

/**
 * Proves zero loss: every committed operation of the log is in the database (rows present, last
 * updates and embeddings as logged) and every writer `audit` row in the database is in the log.
 * Run it after the writer stopped, against the source or a copy of it.
 * @param logFile the writer's log
 * @param connectionString database to check
 * @returns the verdict and what is missing
 */
export async function checkLoadWriterLog(
  logFile: string,
  connectionString: string,
): Promise<LoadWriterCheck> {
  const entries = readLoadWriterLog(logFile);
  const committed = entries.filter((e) => e.status === 'committed');
  const inDoubt = entries.filter((e) => e.status === 'in-doubt');
  const client = await newPgClient({ connectionString });
  await client.connect();
  const missing: string[] = [];
  try {
    const auditRows = await client.query<{ id: number }>(
      "select id from audit where action like 'load:%'",
    );
    const inDb = new Set(auditRows.rows.map((r) => r.id));
    const logged = new Set(entries.map((e) => e.audit));
    for (const e of committed)
      if (!inDb.has(e.audit))
        missing.push(`#${e.n} ${e.op} ${e.asset}: audit row ${e.audit} missing`);
    const unexpected = [...inDb].filter((id) => !logged.has(id)).sort((a, b) => a - b);
    const doubtful = new Set(inDoubt.map((e) => e.asset));
    const faces = committed.flatMap((e) => e.faces ?? []);
    const assets = committed.filter((e) => e.op === 'insert-asset').map((e) => e.asset);
    const present = async (table: string, column: string, ids: string[]) =>
      new Set(
        (
          await client.query<{ id: string }>(
            `select "${column}"::text as id from ${table} where "${column}" = any($1::uuid[])`,
            [ids],
          )
        ).rows.map((r) => r.id),
      );
    const assetSet = await present('assets', 'id', assets);
    for (const a of assets) if (!assetSet.has(a)) missing.push(`asset ${a}: inserted but missing`);
    const faceSet = await present('asset_face', 'id', faces);
    const faceSearch = await present('face_search', 'faceId', faces);
    for (const f of faces)
      if (!faceSet.has(f) || !faceSearch.has(f)) missing.push(`face ${f}: inserted but missing`);
    const lastFav = new Map<string, LoadLogEntry>();
    const lastEmb = new Map<string, LoadLogEntry>();
    for (const e of committed) {
      if (e.op === 'update-asset') lastFav.set(e.asset, e);
      if (e.embeddingMd5) lastEmb.set(e.asset, e);
    }
    const favRows = await client.query<{ id: string; f: boolean; u: string }>(
      `select id::text, "isFavorite" as f, to_char("updatedAt" at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as u
       from assets where id = any($1::uuid[])`,
      [[...lastFav.keys()]],
    );
    const fav = new Map(favRows.rows.map((r) => [r.id, r]));
    for (const [id, e] of lastFav) {
      if (doubtful.has(id)) continue;
      const r = fav.get(id);
      if (!r || r.f !== e.isFavorite || r.u !== e.updatedAt)
        missing.push(`#${e.n} update-asset ${id}: not as logged`);
    }
    const embRows = await client.query<{ id: string; m: string }>(
      'select "assetId"::text as id, md5(embedding::text) as m from smart_search where "assetId" = any($1::uuid[])',
      [[...lastEmb.keys()]],
    );
    const emb = new Map(embRows.rows.map((r) => [r.id, r.m]));
    for (const [id, e] of lastEmb) {
      if (doubtful.has(id)) continue;
      if (emb.get(id) !== e.embeddingMd5)
        missing.push(`#${e.n} ${e.op} ${id}: embedding not as logged`);
    }
    const inDoubtAudits = new Set(inDoubt.map((e) => e.audit));
    const reallyUnexpected = unexpected.filter((id) => !inDoubtAudits.has(id));
    return {
      ok: missing.length === 0 && reallyUnexpected.length === 0,
      committed: committed.length,
      inDoubt: inDoubt.length,
      missing,
      unexpected: reallyUnexpected,
    };
  } finally {
    await client.end();
  }
}

/**
 * The command that runs the writer in a child process: `dist/load-writer.js`, or the TypeScript
 * entry through tsx when the build is missing.
 * @returns executable and leading arguments
 */
export function loadWriterCommand(): [string, string[]] {
  const root = packageRoot();
  const built = path.join(root, 'dist', 'load-writer.js');
  if (existsSync(built)) return [process.execPath, [built]];
  return [process.execPath, ['--import', 'tsx', path.join(root, 'src', 'load-writer.entry.ts')]];
}

function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `pid` is alive and is a load writer (not a reused pid). */
function isWriter(pid: number): boolean {
  if (!pidAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('load-writer');
  } catch {
    return true;
  }
}

/**
 * Whether the writer of a pid file runs.
 * @param pidFile the pid file given to {@link startLoadWriter}
 * @returns running and its pid
 */
export function loadWriterStatus(pidFile: string): { running: boolean; pid?: number } {
  const pid = readPid(pidFile);
  if (pid === undefined || !isWriter(pid)) return { running: false };
  return { running: true, pid };
}

/**
 * Starts the load writer as a detached child process and waits until it is connected (its pid
 * file exists). It survives the caller; stop it with {@link stopLoadWriter}.
 * @param options database, log, pid file, pace
 * @returns the writer's pid
 */
export async function startLoadWriter(options: StartLoadWriterOptions): Promise<{ pid: number }> {
  const pidFile = path.resolve(options.pidFile);
  const st = loadWriterStatus(pidFile);
  if (st.running)
    throw new DatabaseError(`A load writer already runs (pid ${st.pid}, \`${pidFile}\`)`);
  rmSync(pidFile, { force: true });
  mkdirSync(path.dirname(pidFile), { recursive: true });
  const outputFile = options.outputFile ?? pidFile.replace(/(\.pid)?$/, '.out');
  const out = openSync(outputFile, 'a');
  const config = {
    connectionString: options.connectionString,
    logFile: path.resolve(options.logFile),
    intervalMs: options.intervalMs,
    maxOps: options.maxOps,
    pidFile,
  };
  const [cmd, args] = loadWriterCommand();
  const child = spawn(cmd, [...args, JSON.stringify(config)], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  let exited: number | null | undefined;
  child.on('exit', (code) => {
    exited = code;
  });
  child.unref();
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (readPid(pidFile) === child.pid) return { pid: child.pid! };
    if (exited !== undefined) break;
    await sleep(25);
  }
  if (exited === undefined) child.kill('SIGKILL');
  const tail = existsSync(outputFile)
    ? readFileSync(outputFile, 'utf8').trim().split('\n').slice(-5).join('\n')
    : '';
  throw new DatabaseError(`The load writer did not start${tail ? `: ${tail}` : ''}`, {
    fix: `See ${outputFile}`,
  });
}

/**
 * Stops a load writer with SIGTERM (it finishes and logs its current transaction) and waits for
 * it to exit; SIGKILL after the timeout.
 * @param pidFile the pid file given to {@link startLoadWriter}
 * @param options timeout (default 30 s)
 * @returns true if a writer was stopped, false if none ran
 */
export async function stopLoadWriter(
  pidFile: string,
  options: { timeoutMs?: number } = {},
): Promise<boolean> {
  const st = loadWriterStatus(pidFile);
  if (!st.running || st.pid === undefined) {
    rmSync(pidFile, { force: true });
    return false;
  }
  process.kill(st.pid, 'SIGTERM');
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (isWriter(st.pid)) {
    if (Date.now() > deadline) {
      process.kill(st.pid, 'SIGKILL');
      await sleep(100);
      break;
    }
    await sleep(25);
  }
  rmSync(pidFile, { force: true });
  return true;
}

/**
 * Writes a pid file atomically (used by the writer's entry point).
 * @param pidFile path
 * @param pid process id
 */
export function writePidFile(pidFile: string, pid: number): void {
  writeFileAtomic.sync(pidFile, `${pid}\n`, { fsync: false });
}
