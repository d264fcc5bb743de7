// Rollback from every point: the real binary runs the Immich chain (Option B) against the sandbox
// (kubectl and the other stand-ins over real PostgreSQL); a fault-injecting wrapper makes the
// first call of each block in turn fail, from the first data copy to the end of the
// decommission; at each such boundary the rollback card runs, and the test checks that minikube
// serves again with every row it had, that rows written on ringtail after the switch are listed
// for the operator, and that the forward run says how to start again: the advice is followed as
// written, up to the next boundary.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/blocks/kubectl.ts';
import {
  type ChainRepo,
  chainRepo,
  fixCommands,
  type MikadoOutput,
  tableDigests,
} from './chain-helpers.ts';

/** A block boundary: the block whose first call (or first call with `match`) fails. */
interface Boundary {
  block: string;
  match?: string;
  /** The source is stopped for the cutover from here on. */
  quiesced?: boolean;
  /** Traffic moved to ringtail: it may take writes. */
  switched?: boolean;
}

const C = 'immich-cutover-and-decommission';
const BOUNDARIES: Boundary[] = [
  // The first data copy (the rehearsal's, into the scratch cluster): before the cutover, where a
  // rollback has nothing to undo. (The boundaries between it and the cutover are alike: the
  // source never stopped.)
  { block: 'immich-pg-data-migration:rehearse' },
  { block: `${C}:quiesce` },
  { block: `${C}:final-sync`, quiesced: true },
  { block: `${C}:verify-final-sync`, quiesced: true },
  { block: `${C}:free-tailnet-name`, quiesced: true },
  { block: `${C}:switch-to-ringtail`, quiesced: true },
  { block: `${C}:route-to-ringtail`, quiesced: true, switched: true },
  { block: `${C}:smoke-test`, quiesced: true, switched: true },
  { block: `${C}:backup-from-ringtail`, quiesced: true, switched: true },
  { block: `${C}:decommission-minikube`, quiesced: true, switched: true },
  // ... to the end of the decommission: past its first destructive step (the minikube app is
  // deleted), at the next one.
  { block: `${C}:decommission-minikube`, match: 'patch', quiesced: true, switched: true },
];

const ENV = { MIKADO_MIGRATION_METHOD: 'B' };
const PROFILE = 'sandbox-faults';
const ROLLBACK = [
  'run',
  'immich-cutover-rollback',
  '--include-complete',
  '--profile',
  PROFILE,
  '--yes',
];

interface Case {
  boundary: Boundary;
  failed: MikadoOutput;
  rollback: MikadoOutput;
  /** What the forward run said after the rollback (post-quiesce boundaries). */
  refused?: MikadoOutput;
  /** The commands followed, as the refusal worded them. */
  followed: string[];
  sourceDigest: Record<string, string>;
  serverReplicas: number;
  ringtailReplicas: number;
  ingress: string | undefined;
  automated: unknown;
  routes: { domain: string; upstream: string }[];
  /** Album rows written on ringtail after the switch (keys). */
  written: string[];
  writesFile?: unknown;
}

let repo: ChainRepo;
let baseline: Record<string, string>;
let routesBefore: { domain: string; upstream: string }[];
const cases: Case[] = [];
let finished: MikadoOutput;
let goal: MikadoOutput;
let afterDecommission: MikadoOutput;
let dryRun: MikadoOutput;

const out = (o: MikadoOutput): string => `${o.stdout}\n${o.stderr}`;
const kubectlJson = (args: string[]): KubeObject =>
  JSON.parse(repo.standIn('kubectl', [...args, '-o', 'json'])) as KubeObject;

function serverUrl(context: string): string {
  const s = repo.status().servers.find((x) => x.context === context && x.cluster === 'immich-pg');
  if (!s?.port) throw new Error(`no running immich-pg on ${context}`);
  return `postgresql://postgres@127.0.0.1:${s.port}/immich`;
}

async function query<T extends Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Runs a command as the operator would type it (the stand-ins first on PATH). */
function follow(cmd: string, env: NodeJS.ProcessEnv): MikadoOutput {
  if (cmd.startsWith('mikado ')) return repo.mikado(cmd.split(' ').slice(1), env);
  const r = execSync(cmd, {
    cwd: repo.dir,
    env: { ...process.env, PATH: `${path.join(repo.sandboxDir, 'bin')}:${process.env['PATH']}` },
    encoding: 'utf8',
  });
  return { code: 0, stdout: r, stderr: '' };
}

beforeAll(async () => {
  repo = chainRepo({ size: 'tiny' });
  baseline = await tableDigests(serverUrl('minikube-indri'));
  routesBefore = repo.status().routes;
  let forward = (b: Boundary): MikadoOutput =>
    repo.mikado(['run', 'migrate-immich-to-ringtail', '--profile', PROFILE, '--yes'], {
      ...ENV,
      MIKADO_TEST_FAIL_AT: b.block,
      MIKADO_TEST_FAIL_MATCH: b.match ?? '',
    });
  for (const [i, boundary] of BOUNDARIES.entries()) {
    const failed = forward(boundary);
    const written: string[] = [];
    if (boundary.switched) {
      // Immich on ringtail takes a write after the switch.
      const [row] = await query<{ id: string }>(
        serverUrl('k3s-ringtail'),
        `insert into albums (id, "ownerId", "albumName") select gen_random_uuid(), id, 'made on ringtail' from users order by id limit 1 returning id::text`,
      );
      written.push(row!.id);
    }
    const rollback = repo.mikado(i === 0 ? ROLLBACK : [...ROLLBACK, '--force'], ENV);
    const source = serverUrl('minikube-indri');
    const files = existsSync(path.join(repo.dir, '.mikado/rollback'))
      ? readdirSync(path.join(repo.dir, '.mikado/rollback')).sort()
      : [];
    const app = kubectlJson([
      '--context=minikube-indri',
      '-n',
      'argocd',
      'get',
      'application',
      'immich',
    ]);
    const c: Case = {
      boundary,
      failed,
      rollback,
      followed: [],
      sourceDigest: await tableDigests(source),
      serverReplicas:
        kubectlJson([
          '--context=minikube-indri',
          '-n',
          'immich',
          'get',
          'deployment',
          'immich-server',
        ]).status?.readyReplicas ?? 0,
      ringtailReplicas: (() => {
        try {
          return kubectlJson([
            '--context=k3s-ringtail',
            '-n',
            'immich',
            'get',
            'deployment',
            'immich-server',
          ]).spec.replicas;
        } catch {
          return 0;
        }
      })(),
      ingress: kubectlJson([
        '--context=minikube-indri',
        '-n',
        'immich',
        'get',
        'ingress',
        'immich-tailscale',
      ]).status?.loadBalancer?.ingress?.[0]?.hostname,
      automated: app.spec.syncPolicy?.automated,
      routes: repo.status().routes,
      written,
      writesFile:
        boundary.switched && files.length > 0
          ? JSON.parse(readFileSync(path.join(repo.dir, '.mikado/rollback', files.at(-1)!), 'utf8'))
          : undefined,
    };
    cases.push(c);
    const next = BOUNDARIES[i + 1];
    const nextEnv = next
      ? { ...ENV, MIKADO_TEST_FAIL_AT: next.block, MIKADO_TEST_FAIL_MATCH: next.match ?? '' }
      : ENV;
    if (!boundary.quiesced) continue;
    // After a rollback that undid the quiesce, the forward run refuses and says how to start
    // again; that advice is followed as written (and the runner's own advice to pass `--yes`,
    // since this is no terminal), up to the next boundary.
    c.refused = repo.mikado(
      ['run', 'migrate-immich-to-ringtail', '--profile', PROFILE, '--yes'],
      nextEnv,
    );
    let last: MikadoOutput = c.refused;
    for (const cmd of fixCommands(out(c.refused))) {
      c.followed.push(cmd);
      last = follow(cmd, nextEnv);
      if (/Refusing to run without a terminal/.test(out(last))) {
        c.followed.push(`${cmd} --yes`);
        last = follow(`${cmd} --yes`, nextEnv);
      }
    }
    forward = () => last;
  }
  finished = forward({ block: '' });
  goal = repo.mikado(['run', 'migrate-immich-to-ringtail', '--profile', PROFILE, '--yes'], ENV);
  afterDecommission = repo.mikado([...ROLLBACK, '--force'], ENV);
  dryRun = repo.mikado(
    ['run', 'migrate-immich-to-ringtail', '--dry-run', '--profile', PROFILE],
    ENV,
  );
}, 1_800_000);

afterAll(async () => {
  await repo?.remove();
}, 120_000);

describe('rollback from every block boundary, from the first data copy to the end of the decommission (Option B, sandbox, real PostgreSQL)', () => {
  it('stops at each boundary with the injected failure', () => {
    expect(cases.map((c) => c.boundary.block)).toEqual(BOUNDARIES.map((b) => b.block));
    for (const c of cases) {
      expect(c.failed.code, `${c.boundary.block}\n${out(c.failed)}`).toBe(1);
      expect(c.failed.stdout).toContain(`FAILED ${c.boundary.block.split(':')[1]}`);
      expect(out(c.failed)).toMatch(/injected failure/);
    }
  });

  it('rolls back at every boundary: minikube serves again with every row it had, ringtail stopped, the name, routes and sync policy restored', () => {
    for (const c of cases) {
      const at = c.boundary.block + (c.boundary.match ? ` (${c.boundary.match})` : '');
      expect(c.rollback.code, `${at}\n${out(c.rollback)}`).toBe(0);
      expect(c.rollback.stdout, at).toMatch(/minikube serves Immich \d+\.\d+\.\d+ again/);
      expect(c.sourceDigest, at).toEqual(baseline);
      expect(c.serverReplicas, at).toBe(1);
      expect(c.ringtailReplicas, at).toBe(0);
      expect(c.ingress, at).toBe('photos.tail8d86e.ts.net');
      expect(c.automated, at).toMatchObject({ selfHeal: true });
      expect(c.routes, at).toEqual(routesBefore);
    }
  });

  it('lists, row by row, what ringtail took after the switch, with the rows themselves', () => {
    const switched = cases.filter((c) => c.boundary.switched);
    expect(switched.length).toBe(5);
    for (const c of switched) {
      const at = c.boundary.block;
      const key = c.written[0]!;
      expect(out(c.rollback), at).toMatch(/WARNING: ringtail took writes after the switch/);
      expect(out(c.rollback), at).toMatch(
        new RegExp(`public\\.albums \\[id\\]: 1 written \\(${key}\\)`),
      );
      const file = c.writesFile as {
        tables: {
          table: string;
          onlyInTarget: string[];
          rows: Record<string, { albumName: string }>;
        }[];
      };
      const albums = file.tables.find((t) => t.table === 'public.albums');
      expect(albums?.onlyInTarget, at).toEqual([key]);
      expect(albums?.rows[key]?.albumName, at).toBe('made on ringtail');
    }
    for (const c of cases.filter((x) => !x.boundary.switched)) {
      expect(out(c.rollback)).not.toMatch(/ringtail took writes/);
    }
  });

  it('after a rollback that undid the quiesce, the forward run refuses and names the restart; followed as written, it goes on to the next boundary', () => {
    for (const c of cases.filter((x) => x.boundary.quiesced)) {
      const at = c.boundary.block;
      expect(c.refused?.code, at).toBe(1);
      expect(out(c.refused!), at).toMatch(/no `immich.quiesced` in the journal/);
      expect(c.followed[0], at).toBe(`mikado run ${C} --profile ${PROFILE} --from quiesce --force`);
    }
  });

  it('the last advice followed completes the cutover; the goal passes; a rollback after the decommission refuses', () => {
    expect(finished.code, out(finished)).toBe(0);
    expect(goal.code, out(goal)).toBe(0);
    expect(afterDecommission.code).toBe(1);
    expect(out(afterDecommission)).toMatch(
      /Refusing to roll back: the immich-pg Cluster is gone from minikube-indri \(decommissioned\)\. Restore from backup instead\./,
    );
  });

  it('keeps the rollback out of forward runs', () => {
    expect(dryRun.stdout).not.toContain('immich-cutover-rollback');
    expect(dryRun.stdout).not.toContain('restart-source');
  });
});
