import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { threeWayMerge } from '../src/api.ts';
import { parseArgs, parseKubeDuration } from '../src/argv.ts';
import { nfsRoute, timeSlicingReplicas } from '../src/cluster-view.ts';
import { renderJsonPath } from '../src/jsonpath.ts';
import { kustomize, parseManifests } from '../src/manifests.ts';
import { jsonPatch, mergePatch, strategicMergePatch } from '../src/patch.ts';
import { matchesSelector, parseLabelSelector } from '../src/selectors.ts';
import { StandInError } from '../src/stand-in-error.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'a', labels: { app: 'x' } },
  spec: { containers: [{ name: 'c', resources: { limits: { 'nvidia.com/gpu': 1 } } }] },
  status: {
    phase: 'Running',
    conditions: [
      { type: 'PodScheduled', status: 'True' },
      { type: 'Ready', status: 'False', message: 'not yet' },
    ],
  },
};

describe('kubectl stand-in: jsonpath', () => {
  it('renders fields, filters, escaped dots, ranges and literals as kubectl does', () => {
    expect(renderJsonPath('{.metadata.name}', pod)).toBe('a');
    expect(renderJsonPath('{.status.conditions[?(@.type=="Ready")].status}', pod)).toBe('False');
    expect(renderJsonPath('{.spec.containers[0].resources.limits.nvidia\\.com/gpu}', pod)).toBe(
      '1',
    );
    const list = { kind: 'List', items: [pod, { ...pod, metadata: { name: 'b' } }] };
    expect(renderJsonPath('{.items[*].metadata.name}', list)).toBe('a b');
    expect(renderJsonPath('{range .items[*]}{.metadata.name}{"\\n"}{end}', list)).toBe('a\nb\n');
    expect(renderJsonPath('{.metadata.labels}', pod)).toBe('{"app":"x"}');
    expect(renderJsonPath('{.status.missing}', pod)).toBe('');
    expect(renderJsonPath("{.metadata['name']}", pod)).toBe('a');
    expect(() => renderJsonPath('{range .items[*]}{.x}', list)).toThrow(StandInError);
  });
});

describe('kubectl stand-in: manifests', () => {
  it('expands multi-document YAML and List kinds, skipping empty documents', () => {
    const docs = parseManifests(
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n',
      'x.yaml',
    );
    expect(docs.map((d) => `${d.object.kind}/${d.object.metadata.name}@${d.line}`)).toEqual([
      'Namespace/a@1',
      'ConfigMap/b@6',
    ]);
  });

  it('rejects documents without apiVersion, kind or metadata.name, and YAML errors, naming the file and line', () => {
    const bad = (text: string) => {
      try {
        parseManifests(text, 'bad.yaml');
      } catch (e) {
        expect(e).toBeInstanceOf(StandInError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad('kind: ConfigMap\nmetadata: {name: a}\n')).toMatch(/bad\.yaml.*apiVersion not set/);
    expect(
      bad(
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nmetadata: {name: b}\n',
      ),
    ).toMatch(/line 5.*kind not set/);
    expect(bad('apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n')).toMatch(
      /resource name may not be empty/,
    );
    expect(bad('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}\n')).toMatch(
      /RFC 1123/,
    );
    expect(bad('apiVersion: v1\nkind: [unclosed\n')).toMatch(/error parsing bad\.yaml.*line/);
    expect(bad('- just\n- a list\n')).toMatch(/expected a map/);
  });

  it('builds kustomizations (resources, namespace, labels, images) and refuses unsupported fields', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mikado-kust-'));
    dirs.push(dir);
    mkdirSync(path.join(dir, 'base'));
    writeFileSync(
      path.join(dir, 'base', 'deploy.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: v}\nspec:\n  template:\n    spec:\n      containers: [{name: v, image: registry.ops.eblu.me/valkey/valkey:8}]\n',
    );
    writeFileSync(path.join(dir, 'base', 'kustomization.yaml'), 'resources: [deploy.yaml]\n');
    writeFileSync(
      path.join(dir, 'kustomization.yaml'),
      'namespace: immich\ncommonLabels: {app: immich}\nresources: [base]\nimages:\n  - {name: registry.ops.eblu.me/valkey/valkey, newName: docker.io/valkey/valkey}\n',
    );
    const [d] = kustomize(dir, dir);
    expect(d?.object.metadata).toMatchObject({
      name: 'v',
      namespace: 'immich',
      labels: { app: 'immich' },
    });
    expect(renderJsonPath('{.spec.template.spec.containers[0].image}', d?.object)).toBe(
      'docker.io/valkey/valkey:8',
    );
    writeFileSync(
      path.join(dir, 'kustomization.yaml'),
      'resources: [base]\nconfigMapGenerator: []\n',
    );
    expect(() => kustomize(dir, dir)).toThrow(
      /unsupported by the sandbox: kustomization field `configMapGenerator`/,
    );
  });
});

describe('kubectl stand-in: patches and apply merges', () => {
  it('applies merge, JSON and strategic patches', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 } }, { b: { c: null, e: 4 } })).toEqual({
      a: 1,
      b: { d: 3, e: 4 },
    });
    expect(
      jsonPatch({ a: [1, 2] }, [
        { op: 'add', path: '/a/-', value: 3 },
        { op: 'replace', path: '/a/0', value: 0 },
      ]),
    ).toEqual({ a: [0, 2, 3] });
    expect(() => jsonPatch({ a: 1 }, [{ op: 'remove', path: '/b' }])).toThrow(StandInError);
    expect(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(
      /testing value/,
    );
    const d = {
      spec: {
        containers: [
          { name: 'a', image: 'x' },
          { name: 'b', image: 'y' },
        ],
      },
    };
    expect(strategicMergePatch(d, { spec: { containers: [{ name: 'b', image: 'z' }] } })).toEqual({
      spec: {
        containers: [
          { name: 'a', image: 'x' },
          { name: 'b', image: 'z' },
        ],
      },
    });
  });

  it('three-way merges an apply: drops fields the last manifest had, keeps fields others set', () => {
    const live = { spec: { replicas: 0, paused: true, image: 'a' } };
    const last = { spec: { paused: true, image: 'a' } };
    expect(threeWayMerge(live, last, { spec: { image: 'b' } })).toEqual({
      spec: { replicas: 0, image: 'b' },
    });
  });
});

describe('kubectl stand-in: selectors, flags, durations', () => {
  it('matches label selectors like kubectl -l', () => {
    const labels = { app: 'immich', tier: 'server' };
    expect(matchesSelector(parseLabelSelector('app=immich,tier!=db'), labels)).toBe(true);
    expect(matchesSelector(parseLabelSelector('tier in (db, cache)'), labels)).toBe(false);
    expect(matchesSelector(parseLabelSelector('!legacy,app'), labels)).toBe(true);
    expect(() => parseLabelSelector('a=b=c')).toThrow(StandInError);
  });

  it('parses flags in every kubectl spelling and refuses unknown ones as unsupported', () => {
    const p = parseArgs(
      ['-nfoo', '--context=x', '-o', 'json', 'pods', '-it', '--', 'ls'],
      [
        { name: 'namespace', short: 'n', value: true },
        { name: 'context', value: true },
        { name: 'output', short: 'o', value: true },
        { name: 'stdin', short: 'i' },
        { name: 'tty', short: 't' },
      ],
      'kubectl get',
    );
    expect(p).toEqual({
      args: ['pods'],
      flags: { namespace: 'foo', context: 'x', output: 'json', stdin: 'true', tty: 'true' },
      rest: ['ls'],
    });
    expect(() => parseArgs(['--watch'], [], 'kubectl get')).toThrow(
      /unsupported by the sandbox: flag `--watch`/,
    );
    expect(parseKubeDuration('1m30s', 0)).toBe(90_000);
    expect(parseKubeDuration('45', 0)).toBe(45_000);
  });

  it('reads the device plugin time slicing and the NFS route', () => {
    expect(
      timeSlicingReplicas([
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'c' },
          data: {
            'config.yaml':
              'sharing:\n  timeSlicing:\n    resources: [{name: nvidia.com/gpu, replicas: 3}]\n',
          },
        },
      ]),
    ).toBe(3);
    expect(timeSlicingReplicas([])).toBe(1);
    expect(nfsRoute('sifaka')).toBe('lan');
    expect(nfsRoute('192.168.1.10')).toBe('lan');
    expect(nfsRoute('sifaka.tail8d86e.ts.net')).toBe('tailnet');
    expect(nfsRoute('nas.example')).toBeUndefined();
  });
});
