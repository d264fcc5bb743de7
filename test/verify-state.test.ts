// Database-level state: per-database settings (for the database and for roles in it), the
// database's comment, grants and owner, the roles the database's objects need (attributes,
// memberships, role-wide settings), and the owners of tables and sequences. A copy that carries
// only the data loses all of it; the verification must name each loss, and the copy the chain makes
// (roles first, then `pg_restore --create`) must carry all of it.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { generateDataset, type PgServer, startTestPg, type TestPg } from '@mikado-docs/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carryRoleStatements } from '../src/blocks/carry-roles.ts';
import { NEEDED_ROLES_SQL } from '../src/verify/database-state.ts';
import { formatVerification } from '../src/verify/format-verification.ts';
import { verifyDatabases } from '../src/verify/verify-databases.ts';

let source: TestPg;
let bare: TestPg;
let full: TestPg;
const url = (s: TestPg, db = 'immich') => s.server.connectionString(db);
const bin = (s: PgServer, tool: string) => path.join(s.binDir, tool);
const conn = (s: PgServer) => ['-h', '127.0.0.1', '-p', String(s.status().port), '-U', 'postgres'];

/** The roles a CNPG cluster has before anything is copied: the owner from initdb, managed roles. */
async function cnpgRoles(s: PgServer): Promise<void> {
  await s.query('create role immich login');
  await s.query('create role borgmatic login in role pg_read_all_data');
}

beforeAll(async () => {
  [source, bare, full] = await Promise.all([
    startTestPg('state-src'),
    startTestPg('state-bare'),
    startTestPg('state-full'),
  ]);
  const s = source.server;
  await cnpgRoles(s);
  await s.query('create role immich_reader nologin');
  await s.query('create database immich owner immich');
  await generateDataset(url(source), { assets: 60, seed: 5, embeddingDim: 8 });
  // Immich's tables belong to its role (their sequences follow the tables).
  await s.query(
    `do $$ declare t text; begin
       for t in select format('%I.%I', schemaname, tablename) from pg_tables where schemaname = 'public'
       loop execute format('alter table %s owner to immich', t); end loop; end $$`,
    [],
    'immich',
  );
  for (const sql of [
    "alter database immich set work_mem = '7MB'",
    "comment on database immich is 'Immich photos and their metadata'",
    'grant create on database immich to borgmatic',
    "alter role borgmatic in database immich set statement_timeout = '5min'",
    "alter role borgmatic set search_path = 'public'",
    'grant select on assets to immich_reader',
  ]) {
    await s.query(sql, [], 'immich');
  }
  const dump = execFileSync(bin(s, 'pg_dump'), ['-Fc', '-d', url(source)], {
    maxBuffer: 1 << 28,
  });
  // The copy as the chain made it before: data into the database the cluster already has.
  await cnpgRoles(bare.server);
  await bare.server.query('create database immich owner immich');
  spawnSync(bin(bare.server, 'pg_restore'), ['-d', url(bare)], { input: dump });
  // The copy as the chain makes it now: the roles the database needs, then pg_restore --create.
  await cnpgRoles(full.server);
  const needed = (await s.query<{ rolname: string }>(NEEDED_ROLES_SQL, [], 'immich')).map(
    (r) => r.rolname,
  );
  const existing = (
    await full.server.query<{ rolname: string }>('select rolname from pg_roles')
  ).map((r) => r.rolname);
  const dumpall = execFileSync(bin(s, 'pg_dumpall'), [...conn(s), '--roles-only'], {
    encoding: 'utf8',
  });
  const carry = carryRoleStatements(dumpall, needed, existing);
  execFileSync(
    bin(full.server, 'psql'),
    [...conn(full.server), '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', 'postgres', '-f', '-'],
    {
      input: carry,
    },
  );
  execFileSync(
    bin(full.server, 'pg_restore'),
    ['--create', '--exit-on-error', '-d', url(full, 'postgres')],
    {
      input: dump,
    },
  );
}, 180_000);

afterAll(async () => {
  await Promise.all([source?.stop(), bare?.stop(), full?.stop()]);
});

describe('verifyDatabases on database-level state', () => {
  it('names every piece of database-level state a data-only copy lost', async () => {
    const report = await verifyDatabases(url(source), url(bare), { skipSchema: true });
    expect(report.ok).toBe(false);
    expect(report.failures).toEqual(
      expect.arrayContaining([
        'database immich: setting work_mem=7MB only on source',
        "database immich: comment 'Immich photos and their metadata' on source, none on target",
        'database immich: grant CREATE to borgmatic only on source',
        'role borgmatic in database immich: setting statement_timeout=5min only on source',
        'role borgmatic: setting search_path=public only on source',
        'role immich_reader: missing on target',
      ]),
    );
    expect(report.tables.every((t) => t.ok)).toBe(true);
    expect(formatVerification(report)).toMatch(
      /database +owner, comment, grants, settings: \d+ differ/,
    );
  });

  it('passes on the copy that carries the roles first and restores with --create', async () => {
    const report = await verifyDatabases(url(source), url(full));
    expect(report.failures).toEqual([]);
    expect(report.state.roles.sort()).toEqual(['borgmatic', 'immich', 'immich_reader']);
    expect(report.state.owners).toBeGreaterThan(15);
    expect(formatVerification(report)).toMatch(
      /database +owner, comment, grants, settings, 3 roles, \d+ owners: all match/,
    );
    const [reader] = await full.server.query<{ login: boolean }>(
      "select rolcanlogin as login from pg_roles where rolname = 'immich_reader'",
    );
    expect(reader).toEqual({ login: false });
  });

  it('names a table owner, a sequence owner, a membership and a role attribute that differ', async () => {
    const t = full.server;
    await t.query('alter table audit owner to postgres', [], 'immich');
    await t.query('revoke pg_read_all_data from borgmatic');
    await t.query('alter role immich_reader login');
    try {
      const report = await verifyDatabases(url(source), url(full), { skipSchema: true });
      expect(report.failures).toEqual(
        expect.arrayContaining([
          'owner of table public.audit: immich on source, postgres on target',
          'owner of sequence public.audit_id_seq: immich on source, postgres on target',
          'role borgmatic: member of pg_read_all_data only on source',
          'role immich_reader: NOLOGIN on source, LOGIN on target',
        ]),
      );
    } finally {
      await t.query('alter table audit owner to immich', [], 'immich');
      await t.query('grant pg_read_all_data to borgmatic');
      await t.query('alter role immich_reader nologin');
    }
  });

  it('names an extension whose version differs', async () => {
    await source.server.query("create extension cube version '1.4'", [], 'immich');
    await full.server.query("create extension cube version '1.5'", [], 'immich');
    try {
      const report = await verifyDatabases(url(source), url(full), { skipSchema: true });
      expect(report.failures).toEqual(['extension cube: 1.4 on source, 1.5 on target']);
    } finally {
      await source.server.query('drop extension cube', [], 'immich');
      await full.server.query('drop extension cube', [], 'immich');
    }
  });
});
