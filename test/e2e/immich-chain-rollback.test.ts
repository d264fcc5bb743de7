// A verification failure at the cutover, then the rollback runbook: the real binary against the
// sandbox (kubectl stand-in over real PostgreSQL), Option B, with a fault-injecting kubectl wrapper
// that changes one row on ringtail right after the final restore.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/blocks/kubectl.ts';
import {
  blockOutcomes,
  type ChainRepo,
  chainRepo,
  kubectlCall,
  type MikadoOutput,
} from './chain-helpers.ts';

let repo: ChainRepo;
let failed: MikadoOutput;
let refused: MikadoOutput;
let rolledBack: MikadoOutput;
let forward: MikadoOutput;
const FAULTS = { MIKADO_MIGRATION_METHOD: 'B', MIKADO_TEST_FAULT: 'tamper-target' };

const kubectlJson = (args: string[]): KubeObject =>
  JSON.parse(repo.standIn('kubectl', [...args, '-o', 'json'])) as KubeObject;

beforeAll(() => {
  repo = chainRepo({ size: 'tiny' });
  failed = repo.mikado(
    ['run', 'migrate-immich-to-ringtail', '--profile', 'sandbox-faults', '--yes'],
    FAULTS,
  );
  // Straight to the switch in a new run: no passing verification of that run.
  refused = repo.mikado(
    [
      'run',
      '--only',
      'immich-cutover-and-decommission',
      '--from',
      'free-tailnet-name',
      '--profile',
      'sandbox-faults',
      '--yes',
    ],
    FAULTS,
  );
  rolledBack = repo.mikado(
    [
      'run',
      'immich-cutover-rollback',
      '--include-complete',
      '--profile',
      'sandbox-faults',
      '--yes',
    ],
    FAULTS,
  );
  // A forward run never executes the rollback card: it is not part of the chain.
  forward = repo.mikado(
    ['run', 'migrate-immich-to-ringtail', '--dry-run', '--profile', 'sandbox-faults'],
    FAULTS,
  );
}, 900_000);

afterAll(async () => {
  await repo?.remove();
}, 120_000);

describe('a verification failure and the rollback in the sandbox (kubectl stand-in with a fault-injecting wrapper, real PostgreSQL)', () => {
  it('stops the run at the verification, naming the altered table', () => {
    expect(failed.code, failed.stdout).toBe(1);
    expect(failed.stdout).toContain('FAILED verify-final-sync');
    expect(failed.stdout).toMatch(/assets/);
    const ended = blockOutcomes(repo.journal('sandbox-faults'));
    expect(ended).toContain('immich-cutover-and-decommission:verify-final-sync failed');
    const verdict = repo
      .journal('sandbox-faults')
      .filter(
        (r) => r['type'] === 'set' && String(r['key']).startsWith('verdict:immich.final-sync:'),
      )
      .at(-1);
    expect(verdict?.['value']).toMatchObject({ ok: false });
  });

  it('ran no cutover or decommission step after the failed verification', () => {
    const cutoverBlocks = [
      'free-tailnet-name',
      'switch-to-ringtail',
      'route-to-ringtail',
      'smoke-test',
      'backup-from-ringtail',
      'decommission-minikube',
      'rename-app',
    ];
    // (The refused attempt below ends `failed`; none ever succeeds.)
    const ended = blockOutcomes(repo.journal('sandbox-faults'));
    for (const b of cutoverBlocks) {
      expect(ended).not.toContain(`immich-cutover-and-decommission:${b} succeeded`);
    }
    // Nothing freed the tailnet name, moved traffic, provisioned indri, backed up or deleted.
    const calls = repo.calls();
    expect(calls.some((c) => kubectlCall(c, 'minikube-indri', 'delete', 'ingress'))).toBe(false);
    expect(
      calls.some(
        (c) =>
          c.tool === 'argocd' &&
          c.argv.includes('set') &&
          c.argv.some((a) => a.endsWith('/manifests/immich')),
      ),
    ).toBe(false);
    expect(calls.some((c) => c.tool === 'mise' || c.tool === 'borgmatic')).toBe(false);
    expect(
      calls.some((c) => kubectlCall(c, 'minikube-indri', 'delete', 'cluster.postgresql.cnpg.io')),
    ).toBe(false);
    const sourceCluster = kubectlJson([
      '--context=minikube-indri',
      '-n',
      'databases',
      'get',
      'cluster',
      'immich-pg',
    ]);
    expect(sourceCluster.status.readyInstances).toBe(1);
  });

  it('refuses the first destructive step of a new run without a passing verification of that run', () => {
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('FAILED free-tailnet-name');
    expect(refused.stdout).toMatch(
      /Refusing `immich-cutover-and-decommission:free-tailnet-name`: no verification `immich.final-sync` in this run/,
    );
    expect(repo.calls().some((c) => kubectlCall(c, 'minikube-indri', 'delete', 'ingress'))).toBe(
      false,
    );
  });

  it('brings the source app back with the rollback card', () => {
    expect(rolledBack.code, `${rolledBack.stdout}\n${rolledBack.stderr}`).toBe(0);
    const server = kubectlJson([
      '--context=minikube-indri',
      '-n',
      'immich',
      'get',
      'deployment',
      'immich-server',
    ]);
    expect(server.spec.replicas).toBe(1);
    expect(server.status.readyReplicas).toBe(1);
    const ringtail = kubectlJson([
      '--context=k3s-ringtail',
      '-n',
      'immich',
      'get',
      'deployment',
      'immich-server',
    ]);
    expect(ringtail.spec.replicas).toBe(0);
    const ingress = kubectlJson([
      '--context=minikube-indri',
      '-n',
      'immich',
      'get',
      'ingress',
      'immich-tailscale',
    ]);
    expect(ingress.status.loadBalancer.ingress[0].hostname).toBe('photos.tail8d86e.ts.net');
    expect(rolledBack.stdout).toMatch(/minikube serves Immich \d+\.\d+\.\d+ again/);
  });

  it('keeps the rollback out of forward runs', () => {
    expect(forward.stdout).not.toContain('immich-cutover-rollback');
    expect(forward.stdout).not.toContain('restart-source');
  });
});
