import type pg from 'pg';
import { DatabaseError } from '../errors.ts';
import { excludedTable } from './compare-catalogs.ts';
import { newPgClient } from './new-pg-client.ts';
import { closeSides, openSide } from './open-side.ts';
import { digestPair, digestTable, type SideDigest, sameKey, snapshotFacts } from './side-digest.ts';
import { keyRange, listTables } from './table-checksum.ts';
import type { DatabaseTarget, VerifyOptions } from './types.ts';

/** Both sides' digests, taken while both are live: the bulk of a verification, done ahead. */
export interface OnlineComparison {
  /** Format version. */
  version: 1;
  /** Rows per chunk. */
  chunkRows: number;
  /** The source's digest (it chose the chunk bounds). */
  source: SideDigest;
  /** The target's digest, with the source's bounds. */
  target: SideDigest;
  /**
   * Chunks that differed at the time (`public.albums: chunk 2 of 7 (id > ... and id <= ...)`):
   * rows written on the source that the target had not replayed yet, or real differences. Every
   * one of them is compared again at the cutover, like every chunk that changed since.
   */
  differing: string[];
  /** Whether the target was a standby whose WAL replay was paused for its snapshot. */
  replayPaused: boolean;
  /** Wall time. */
  durationMs: number;
}

/** Options of {@link compareOnline}. */
export interface CompareOnlineOptions
  extends Pick<VerifyOptions, 'chunkRows' | 'schemas' | 'excludeTables'> {
  /** Pause WAL replay while the target's snapshot is read, when it is a standby (default true). */
  pauseReplay?: boolean;
  /** How long to wait for replay to pause (default 60 s). */
  pauseTimeoutMs?: number;
}

/** Pauses WAL replay on a standby until released; a no-op on a primary. */
async function pauseReplay(
  db: DatabaseTarget,
  timeoutMs: number,
): Promise<{ paused: boolean; resume(): Promise<void> }> {
  const client = await newPgClient(typeof db === 'string' ? { connectionString: db } : db);
  await client.connect();
  client.on('error', () => {});
  const recovery = (await client.query<{ r: boolean }>('select pg_is_in_recovery() as r')).rows[0]!
    .r;
  if (!recovery) {
    await client.end();
    return { paused: false, resume: async () => {} };
  }
  const resume = async () => {
    try {
      await client.query('select pg_wal_replay_resume() where pg_is_in_recovery()');
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  try {
    await client.query('select pg_wal_replay_pause()');
    const end = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await client.query<{ s: string }>(
        'select pg_get_wal_replay_pause_state() as s',
      );
      if (rows[0]!.s === 'paused') break;
      if (Date.now() > end) {
        throw new DatabaseError('WAL replay on the target did not pause', {
          fix: 'Check the standby with `select pg_get_wal_replay_pause_state()` and try again',
        });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (error) {
    await resume();
    throw error;
  }
  return { paused: true, resume };
}

/**
 * Compares two live databases ahead of a cutover and keeps both sides' chunk digests: every table
 * is checksummed in chunks on both sides (the source picks the bounds), each side in one
 * repeatable-read snapshot; the target's snapshot is taken with its WAL replay paused (a standby),
 * then the source's. Differences are expected (the source keeps writing) and listed, not failed:
 * `verifySince`, run once the source is stopped, hashes again only the chunks that differed or
 * that may have changed since on either side, and proves the rest unchanged.
 * @param source the live source
 * @param target the target (a streaming standby, or any copy)
 * @param options chunk size, scope, replay pause
 * @returns both digests (JSON-serialisable: keep it for the cutover)
 */
export async function compareOnline(
  source: DatabaseTarget,
  target: DatabaseTarget,
  options: CompareOnlineOptions = {},
): Promise<OnlineComparison> {
  const started = Date.now();
  const chunkRows = options.chunkRows ?? 10_000;
  const schemas = options.schemas ?? [];
  const replay =
    options.pauseReplay === false
      ? { paused: false, resume: async () => {} }
      : await pauseReplay(target, options.pauseTimeoutMs ?? 60_000);
  let src: pg.Client | undefined;
  let tgt: pg.Client | undefined;
  try {
    tgt = await openSide(target);
    const tgtAt = new Date().toISOString();
    const tgtFacts = await snapshotFacts(tgt);
    src = await openSide(source);
    const srcAt = new Date().toISOString();
    const srcFacts = await snapshotFacts(src);
    const [srcTables, tgtTables] = await Promise.all([
      listTables(src, schemas),
      listTables(tgt, schemas),
    ]);
    const side = (at: string, f: typeof srcFacts): SideDigest => ({
      at,
      identity: f.identity,
      xmin: f.xmin,
      fingerprint: f.fingerprint,
      tables: {},
    });
    const out: OnlineComparison = {
      version: 1,
      chunkRows,
      source: side(srcAt, srcFacts),
      target: side(tgtAt, tgtFacts),
      differing: [],
      replayPaused: replay.paused,
      durationMs: 0,
    };
    for (const [name, s] of [...srcTables].sort(([a], [b]) => a.localeCompare(b))) {
      if (excludedTable(name, options)) continue;
      const t = tgtTables.get(name);
      if (!t || !sameKey(t, { key: s.key, keyTypes: s.keyTypes, chunks: [] })) {
        out.source.tables[name] = await digestTable(src, s, chunkRows);
        out.differing.push(`${name}: ${t ? 'another primary key' : 'missing'} on the target`);
        continue;
      }
      const pair = await digestPair(src, tgt, s, chunkRows);
      out.source.tables[name] = pair.source;
      out.target.tables[name] = pair.target;
      const chunks = pair.source.chunks;
      chunks.forEach((c, i) => {
        const o = pair.target.chunks[i];
        if (o?.n === c.n && o.sum === c.sum) return;
        const range = keyRange(s.key, chunks[i - 1]?.upper, c.upper).text;
        out.differing.push(`${name}: chunk ${i + 1} of ${chunks.length} (${range})`);
      });
    }
    out.durationMs = Date.now() - started;
    return out;
  } finally {
    await closeSides(src, tgt);
    await replay.resume();
  }
}
