// The homelab preflight at the start of the Immich chain, against the sandbox emulating each
// condition it checks both ways: the real binary, the kubectl/argocd stand-ins over real
// PostgreSQL, a temporary git repository with the chain (not pushed at first), and the
// sandbox's forge and ops repository. Every fix the preflight names is followed as written.
import { execFileSync, execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChainRepo, chainRepo, type MikadoOutput, OPS_REPO_URL } from './chain-helpers.ts';

let repo: ChainRepo;
let unpushed: MikadoOutput;
let afterPush: MikadoOutput;
let allBroken: MikadoOutput;
let allFixed: MikadoOutput;
let unpushedText: string;
let allBrokenText: string;
let callsBefore: number;
let writesByPreflight: string[];
const RUN = ['run', 'migrate-immich-to-ringtail', '--profile', 'sandbox', '--yes'];
const ONLY_PREFLIGHT = ['run', 'cnpg-on-ringtail', '--profile', 'sandbox', '--yes'];

/** What a run printed, and the full log of its preflight block (the output shows a tail). */
function out(o: MikadoOutput): string {
  const ends = repo
    .journal('sandbox')
    .filter(
      (r) =>
        r['type'] === 'block-end' && r['card'] === 'cnpg-on-ringtail' && r['block'] === 'preflight',
    );
  const log = ends.at(-1)?.['log'];
  const text = typeof log === 'string' ? readFileSync(path.join(repo.dir, log), 'utf8') : '';
  return `${o.stdout}\n${o.stderr}\n${text}`;
}

/** The commands in backticks of the `fix:` line that follows a failed check's line. */
function fixCommands(output: string, check: string): string[] {
  const lines = output.split('\n');
  const at = lines.findIndex((l) => l.trim().startsWith(`${check}:`));
  const fix = lines.slice(at + 1).find((l) => l.trim().startsWith('fix:')) ?? '';
  return [...fix.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

const kubectl = (...args: string[]) => repo.standIn('kubectl', args);
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
    cwd,
    encoding: 'utf8',
  });

beforeAll(() => {
  repo = chainRepo({ size: 'tiny', push: false });
  callsBefore = repo.calls().length;
  unpushed = repo.mikado(RUN);
  unpushedText = out(unpushed);
  writesByPreflight = repo
    .calls()
    .slice(callsBefore)
    .filter((c) =>
      c.argv.some((a) => ['apply', 'sync', 'patch', 'delete', 'scale', 'set'].includes(a)),
    )
    .map((c) => `${c.tool} ${c.argv.join(' ')}`);
  // The fix, as printed.
  for (const cmd of fixCommands(unpushedText, 'ArgoCD can deploy this commit')) {
    execSync(cmd, { cwd: repo.dir, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
  }
  afterPush = repo.mikado(ONLY_PREFLIGHT);

  // Every condition the preflight checks, broken at once.
  kubectl(
    '--context=minikube-indri',
    '-n',
    'databases',
    'patch',
    'cluster',
    'immich-pg',
    '--type=merge',
    '-p',
    '{"spec":{"enableSuperuserAccess":false,"postgresql":{"parameters":{"wal_keep_size":"512MB"}}}}',
  );
  kubectl(
    '--context=k3s-ringtail',
    'patch',
    'crd',
    'externalsecrets.external-secrets.io',
    '--type=json',
    '-p',
    '[{"op":"replace","path":"/spec/versions/0/served","value":false}]',
  );
  kubectl('--context=k3s-ringtail', 'delete', 'clustersecretstore', 'onepassword-blumeops');
  // The replica logs in as `postgres` with a password (committed, not pushed).
  const patchFile = path.join(
    repo.dir,
    'docs/cards/immich/manifests/immich-pg-replica/replica-of-minikube.yaml',
  );
  const text = readFileSync(patchFile, 'utf8')
    .replace('user: streaming_replica', 'user: postgres')
    .replace('sslmode: verify-ca', 'sslmode: prefer')
    .replace(
      / {6}sslCert:[\s\S]*$/,
      '      password:\n        name: immich-pg-minikube-superuser\n        key: password\n',
    );
  writeFileSync(patchFile, text);
  git(repo.dir, 'commit', '-qam', 'the replica logs in with a password');
  // Rerun the preflight (it passed above).
  allBroken = repo.mikado([...ONLY_PREFLIGHT, '--from', 'preflight', '--force']);
  allBrokenText = out(allBroken);

  // Every fix, as the preflight words it.
  const ops = path.join(repo.sandboxDir, 'ops');
  const clusterFile = path.join(ops, 'argocd/manifests/databases/cluster-immich-pg.yaml');
  const rule = fixCommands(allBrokenText, 'replica access to the source')[0]!;
  const wal = fixCommands(allBrokenText, 'WAL kept for the replica')[0]!;
  writeFileSync(
    clusterFile,
    readFileSync(clusterFile, 'utf8')
      .replace(/ {2}postgresql:\n/, `  postgresql:\n    pg_hba:\n      - ${rule}\n`)
      .replace(/wal_keep_size: \S+/, wal),
  );
  git(ops, 'commit', '-qam', 'immich-pg: a replication rule and WAL for the ringtail replica');
  git(ops, 'push', '-q', 'origin', 'main');
  repo.standIn('argocd', ['app', 'sync', 'databases']);
  kubectl(
    '--context=minikube-indri',
    '-n',
    'databases',
    'patch',
    'cluster',
    'immich-pg',
    '--type=merge',
    '-p',
    '{"spec":{"enableSuperuserAccess":true}}',
  );
  kubectl(
    '--context=k3s-ringtail',
    'patch',
    'crd',
    'externalsecrets.external-secrets.io',
    '--type=json',
    '-p',
    '[{"op":"replace","path":"/spec/versions/0/served","value":true}]',
  );
  execSync(
    `${path.join(repo.sandboxDir, 'bin/kubectl')} --context=minikube-indri get clustersecretstore onepassword-blumeops -o json | ${path.join(repo.sandboxDir, 'bin/kubectl')} --context=k3s-ringtail apply -f -`,
    { cwd: repo.dir },
  );
  for (const cmd of fixCommands(allBrokenText, 'ArgoCD can deploy this commit')) {
    execSync(cmd, { cwd: repo.dir, stdio: 'ignore' });
  }
  allFixed = repo.mikado([...ONLY_PREFLIGHT, '--from', 'preflight', '--force']);
}, 600_000);

afterAll(async () => {
  await repo?.remove();
}, 120_000);

describe('the homelab preflight of the Immich chain (sandbox, real PostgreSQL)', () => {
  it('stops the chain at its first block when the commit is not on the remote the ArgoCD Applications read, naming the fix', () => {
    expect(unpushed.code, out(unpushed)).toBe(1);
    expect(unpushed.stdout).toContain('FAILED preflight');
    const o = unpushedText;
    expect(o).toMatch(/ok +superuser access on the source/);
    expect(o).toMatch(/FAIL ArgoCD can deploy this commit: Unexpected checkout without a remote/);
    expect(fixCommands(o, 'ArgoCD can deploy this commit')).toEqual([
      `git remote add origin ${OPS_REPO_URL}`,
      'git push -u origin HEAD',
    ]);
    // Read-only: nothing was applied, synced, patched, set, scaled or deleted anywhere.
    expect(writesByPreflight).toEqual([]);
  });

  it('passes once the fix is followed as written (the branch pushed to the forge)', () => {
    expect(afterPush.code, out(afterPush)).toBe(0);
    expect(out(afterPush)).toMatch(
      /ok +ArgoCD can deploy this commit: commit [0-9a-f]{12} is pushed/,
    );
    expect(out(afterPush)).toMatch(
      /ok +replica access to the source: `streaming_replica` with its certificate/,
    );
  });

  it('catches each broken condition at once, each with its own fix', () => {
    expect(allBroken.code, allBrokenText).toBe(1);
    const o = allBrokenText;
    expect(o).toMatch(/Preflight: 6 of 6 checks failed/);
    expect(o).toMatch(
      /superuser access on the source: Cluster databases\/immich-pg on minikube-indri has no superuser access/,
    );
    expect(o).toMatch(
      /fix: Set `spec.enableSuperuserAccess: true` on Cluster databases\/immich-pg/,
    );
    expect(o).toMatch(
      /External Secrets API on ringtail: k3s-ringtail serves external-secrets.io\/v1beta1, not v1/,
    );
    expect(o).toMatch(/fix: Upgrade External Secrets on k3s-ringtail to 0.16 or later/);
    expect(o).toMatch(
      /secret store on ringtail: no ClusterSecretStore onepassword-blumeops on k3s-ringtail/,
    );
    expect(o).toMatch(/ArgoCD can deploy this commit: Unexpected unpushed commit/);
    expect(fixCommands(o, 'ArgoCD can deploy this commit')).toEqual(['git push -u origin HEAD']);
    expect(o).toMatch(
      /replica access to the source: no pg_hba rule of the source lets `postgres` open a replication connection/,
    );
    expect(fixCommands(o, 'replica access to the source')[0]).toBe(
      'host replication postgres all scram-sha-256',
    );
    expect(o).toMatch(
      /WAL kept for the replica: the source keeps 512 MB of WAL \(wal_keep_size\), less than 1GB/,
    );
    expect(fixCommands(o, 'WAL kept for the replica')[0]).toBe('wal_keep_size: "1GB"');
  });

  it('passes once each fix is made: the pg_hba line and WAL setting through the ops repository and ArgoCD', () => {
    expect(allFixed.code, out(allFixed)).toBe(0);
    const o = out(allFixed);
    expect(o).toMatch(
      /ok +replica access to the source: `postgres` with a password, rule `host replication … scram-sha-256`/,
    );
    expect(o).toMatch(/ok +WAL kept for the replica: wal_keep_size 1 GB/);
    expect(o).toMatch(/ok +superuser access on the source/);
    expect(o).toMatch(/ok +External Secrets API on ringtail/);
    const hba = kubectl(
      '--context=minikube-indri',
      '-n',
      'databases',
      'exec',
      'immich-pg-1',
      '--',
      'psql',
      '-XAtq',
      '-c',
      "select count(*) from pg_hba_file_rules where 'replication' = any(database) and 'postgres' = any(user_name)",
    );
    expect(hba.trim()).toBe('1');
  });
});
