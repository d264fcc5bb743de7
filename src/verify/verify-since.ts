import type pg from 'pg';
import {
  compareTableDigests,
  digestTableLike,
  type RefreshedTable,
  refreshTable,
  type SideDigest,
  type SnapshotFacts,
  sameKey,
  snapshotFacts,
  type TableDigest,
} from './side-digest.ts';
import { openSnapshotPool, runOnPool } from './snapshot-pool.ts';
import type { TableInfo } from './table-checksum.ts';
import type { DatabaseTarget, TableCheck, VerificationReport, VerifyOptions } from './types.ts';
import { compareTableFully, judgeTable } from './verify-databases.ts';
import { verifyPair } from './verify-pair.ts';

/** Earlier digests of either side (`compareOnline` gives both, `digestDatabase` one). */
export interface EarlierDigests {
  /** The source's digest: it chose the chunk bounds. */
  source?: SideDigest;
  /** The target's digest, with the source's bounds. */
  target?: SideDigest;
}

const bounds = (d: TableDigest) => JSON.stringify(d.chunks.map((c) => c.upper ?? null));

/** One side's digest of a table brought up to date, or hashed in full over the given bounds. */
function currentDigest(
  client: pg.Client,
  table: TableInfo,
  like: TableDigest,
  earlier: SideDigest | undefined,
  now: SnapshotFacts,
): Promise<RefreshedTable> {
  const mine = earlier?.tables[`${table.schema}.${table.name}`];
  if (earlier && mine && sameKey(table, mine) && bounds(mine) === bounds(like)) {
    return refreshTable(client, table, mine, earlier, now);
  }
  return digestTableLike(client, table, like).then((digest) => ({
    digest,
    rehashed: digest.chunks.length,
  }));
}

/**
 * The earlier digests that still speak for each side: one of another database (rebuilt since, or
 * on another initdb'd server) says nothing, and is left out with the reason.
 * @param earlier the digests given
 * @param source the source's facts now
 * @param target the target's facts now
 * @returns the digests to use, and why any was ignored
 */
function usableDigests(
  earlier: EarlierDigests,
  source: SnapshotFacts,
  target: SnapshotFacts,
): { since: EarlierDigests; ignored: string[] } {
  const since: EarlierDigests = {};
  const ignored: string[] = [];
  for (const [side, now] of [
    ['source', source],
    ['target', target],
  ] as const) {
    const d = earlier[side];
    if (d && d.identity !== now.identity)
      ignored.push(`${side} digest of ${d.identity}, now ${now.identity}`);
    else if (d) since[side] = d;
  }
  return { since, ignored };
}

/**
 * Verifies a target against a source as completely as `verifyDatabases`, but hashes only what may
 * have changed since earlier digests: for every table both digests know (same key), one scan per
 * side finds the chunks whose row count changed or that hold rows written since that side's
 * digest, and only those are hashed again; every other chunk provably still has its recorded
 * checksum (see `findChangedChunks` for the argument), and chunks that already differed when the
 * digests were taken are compared as recorded. A side without a digest is hashed in full over the
 * source digest's bounds (Option B's fresh target); a table without a source digest, or whose key
 * changed, is compared in full. Sequences, extensions, database-level state and the schema are
 * compared in full: they are small. Each side is read in one snapshot.
 * @param source the database copied from (stopped)
 * @param target the database copied to
 * @param earlier the earlier digests (one that is not of the same database on the same running
 *   server is ignored, as if not given)
 * @param options as for `verifyDatabases`
 * @returns the report; `since` and each table's `rehashed` say how much was hashed again
 */
export async function verifySince(
  source: DatabaseTarget,
  target: DatabaseTarget,
  earlier: EarlierDigests,
  options: VerifyOptions = {},
): Promise<VerificationReport> {
  const chunkRows = options.chunkRows ?? 10_000;
  return verifyPair(source, target, options, async (pair) => {
    const { src, tgt, srcTables, tgtTables, names } = pair;
    const [srcFacts, tgtFacts] = await Promise.all([snapshotFacts(src), snapshotFacts(tgt)]);
    const { since, ignored } = usableDigests(earlier, srcFacts, tgtFacts);
    // Tables both digests can speak for: the source brought up to date on its connection while
    // the target's side (brought up to date, or hashed in full) is spread over `jobs` connections.
    const incremental = names.filter((name) => {
      const s = srcTables.get(name);
      const sd = since.source?.tables[name];
      return s && tgtTables.get(name) && sd && sameKey(s, sd);
    });
    const sourceSide = (async () => {
      const out = new Map<string, RefreshedTable>();
      for (const name of incremental) {
        const sd = since.source!.tables[name]!;
        out.set(name, await refreshTable(src, srcTables.get(name)!, sd, since.source!, srcFacts));
      }
      return out;
    })();
    const pool = await openSnapshotPool(target, tgt, options.jobs ?? 1);
    const targetConnections = pool.clients.length;
    let targetSide: RefreshedTable[];
    try {
      const bySize = [...incremental].sort(
        (x, y) => since.source!.tables[y]!.chunks.length - since.source!.tables[x]!.chunks.length,
      );
      const done = await runOnPool(
        pool.clients,
        bySize.map(
          (name) => (client: pg.Client) =>
            currentDigest(
              client,
              tgtTables.get(name)!,
              since.source!.tables[name]!,
              since.target,
              tgtFacts,
            ),
        ),
      );
      targetSide = incremental.map((name) => done[bySize.indexOf(name)]!);
    } finally {
      await pool.close();
    }
    const refreshed = await sourceSide;
    const tables: TableCheck[] = [];
    let rehashed = 0;
    let chunks = 0;
    for (const name of names) {
      let check: TableCheck;
      const i = incremental.indexOf(name);
      if (i < 0) {
        check = await compareTableFully(pair, name, chunkRows);
        check.rehashed = { source: check.chunks, target: check.chunks };
      } else {
        const a = refreshed.get(name)!;
        const b = targetSide[i]!;
        check = judgeTable(
          { table: name, key: a.digest.key, checksum: 'skipped', chunks: 0, ok: false },
          compareTableDigests(a.digest, b.digest),
        );
        check.rehashed = { source: a.rehashed, target: b.rehashed };
      }
      rehashed += check.rehashed.source + check.rehashed.target;
      chunks += 2 * check.chunks;
      tables.push(check);
    }
    const sinceInfo: NonNullable<VerificationReport['since']> = {
      rehashed,
      chunks,
      targetConnections,
    };
    if (since.source) sinceInfo.source = since.source.at;
    if (since.target) sinceInfo.target = since.target.at;
    if (ignored.length) sinceInfo.ignored = ignored;
    return { tables, since: sinceInfo };
  });
}
