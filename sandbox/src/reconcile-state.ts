import { createHash } from 'node:crypto';
import { cnpgOperatorInstalled } from './admission.ts';
import { listObjects, objectsOfKind, removeObject, requestDeletion, storeObject } from './api.ts';
import { clusterCertificates } from './certificates.ts';
import { ClusterView, STATIC_DEVICES, tailnetIp, tailnetRequest } from './cluster-view.ts';
import {
  clone,
  dig,
  isObject,
  type JsonObject,
  jsonEqual,
  type K8sObject,
  keyOf,
  objectKey,
  parseQuantity,
} from './objects.ts';
import { TAILNET } from './paths.ts';
import type { ContextState, World } from './store.ts';

/** Annotation ArgoCD tracks the resources of an Application with. */
export const TRACKING_ID = 'argocd.argoproj.io/tracking-id';

/** Label of the emulated Tailscale operator's Deployment. */
export const TAILSCALE_OPERATOR_LABEL = 'tailscale-operator';

/**
 * A deterministic password for generated secrets (stable across runs, so the sandbox can be
 * rebuilt; the servers check it with scram-sha-256 like CNPG's).
 * @param seed what the secret is for
 * @returns 32 characters
 */
export function sandboxPassword(seed: string): string {
  return createHash('sha256').update(`mikado-sandbox/${seed}`).digest('base64url').slice(0, 32);
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/**
 * The emulated controllers that only change stored state (no processes): the CNPG operator's
 * derived objects (PVC, Services, Secrets), the external-secrets operator, PVC binding and
 * dynamic provisioning, finalizers, namespace termination, garbage collection and the Tailscale
 * operator's name assignment. Run after every change, under the lock, until nothing changes.
 * @param world the world (changed in place)
 * @returns true when something changed
 */
export function reconcileState(world: World): boolean {
  let any = false;
  for (let round = 0; round < 8; round++) {
    let changed = false;
    for (const [name, ctx] of Object.entries(world.contexts)) {
      const before = ctx.resourceVersion;
      reconcileCnpg(ctx);
      reconcileExternalSecrets(ctx);
      reconcileVolumes(world, name, ctx);
      collectGarbage(ctx);
      if (ctx.resourceVersion !== before) changed = true;
    }
    if (assignTailnetNames(world)) changed = true;
    if (finalizeApplications(world)) changed = true;
    any ||= changed;
    if (!changed) break;
  }
  return any;
}

function put(ctx: ContextState, obj: K8sObject): void {
  const old = ctx.objects[keyOf(obj)];
  if (old) {
    const merged = { ...clone(old), ...clone(obj), metadata: { ...old.metadata, ...obj.metadata } };
    if (jsonEqual(old, merged)) return;
    storeObject(ctx, merged as K8sObject);
  } else storeObject(ctx, obj);
}

function ownerRef(owner: K8sObject): NonNullable<K8sObject['metadata']['ownerReferences']>[number] {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? '',
    controller: true,
  };
}

function reconcileCnpg(ctx: ContextState): void {
  if (!cnpgOperatorInstalled(ctx)) return;
  for (const c of listObjects(ctx, { group: 'postgresql.cnpg.io', kind: 'Cluster' })) {
    if (c.metadata.deletionTimestamp) continue;
    const ns = c.metadata.namespace ?? 'default';
    const name = c.metadata.name;
    const labels = { 'cnpg.io/cluster': name };
    const size = String(dig(c, 'spec', 'storage', 'size') ?? '1Gi');
    const pvcKey = objectKey('', 'PersistentVolumeClaim', ns, `${name}-1`);
    const pvc = ctx.objects[pvcKey];
    if (!pvc) {
      const sc = dig(c, 'spec', 'storage', 'storageClass');
      storeObject(ctx, {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: {
          name: `${name}-1`,
          namespace: ns,
          labels: { ...labels, 'cnpg.io/instanceName': `${name}-1`, 'cnpg.io/pvcRole': 'PG_DATA' },
          finalizers: ['kubernetes.io/pvc-protection'],
        },
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: size } },
          ...(typeof sc === 'string' ? { storageClassName: sc } : {}),
          volumeMode: 'Filesystem',
        },
      });
    } else if (
      !pvc.metadata.deletionTimestamp &&
      parseQuantity(size) > parseQuantity(dig(pvc, 'spec', 'resources', 'requests', 'storage'))
    ) {
      const next = clone(pvc);
      (next['spec'] as JsonObject)['resources'] = { requests: { storage: size } };
      storeObject(ctx, next);
    }
    const services: [string, Record<string, string>][] = [
      ['rw', { ...labels, 'cnpg.io/instanceRole': 'primary' }],
      ['ro', { ...labels, 'cnpg.io/instanceRole': 'replica' }],
      ['r', { ...labels, 'cnpg.io/podRole': 'instance' }],
    ];
    for (const [suffix, selector] of services) {
      const key = objectKey('', 'Service', ns, `${name}-${suffix}`);
      if (ctx.objects[key]) continue;
      storeObject(ctx, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name: `${name}-${suffix}`,
          namespace: ns,
          labels,
          ownerReferences: [ownerRef(c)],
        },
        spec: {
          type: 'ClusterIP',
          clusterIP: `10.43.${(name.length * 7 + suffix.length) % 250}.${(ns.length * 13 + suffix.charCodeAt(0)) % 250}`,
          ports: [{ name: 'postgres', port: 5432, protocol: 'TCP', targetPort: 5432 }],
          selector,
        },
      });
    }
    const method = isObject(dig(c, 'spec', 'bootstrap', 'pg_basebackup'))
      ? 'pg_basebackup'
      : 'initdb';
    const boot = dig(c, 'spec', 'bootstrap', method);
    const owner = String(dig(boot, 'owner') ?? dig(boot, 'database') ?? 'app');
    const dbname = String(dig(boot, 'database') ?? 'app');
    const appKey = objectKey('', 'Secret', ns, `${name}-app`);
    const wantsApp = method === 'initdb' || dig(boot, 'owner') !== undefined;
    if (!ctx.objects[appKey] && wantsApp) {
      const pw = sandboxPassword(`${ctx.context}/${ns}/${name}/app`);
      const host = `${name}-rw`;
      storeObject(ctx, {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/basic-auth',
        metadata: {
          name: `${name}-app`,
          namespace: ns,
          labels: { ...labels, 'cnpg.io/reload': 'true' },
          ownerReferences: [ownerRef(c)],
        },
        data: {
          username: b64(owner),
          user: b64(owner),
          password: b64(pw),
          dbname: b64(dbname),
          host: b64(host),
          port: b64('5432'),
          uri: b64(`postgresql://${owner}:${pw}@${host}.${ns}:5432/${dbname}`),
          'jdbc-uri': b64(
            `jdbc:postgresql://${host}.${ns}:5432/${dbname}?password=${pw}&user=${owner}`,
          ),
          pgpass: b64(`${host}:5432:${dbname}:${owner}:${pw}\n`),
        },
      });
    }
    const suKey = objectKey('', 'Secret', ns, `${name}-superuser`);
    const su = ctx.objects[suKey];
    if (
      dig(c, 'spec', 'enableSuperuserAccess') !== true &&
      su?.metadata.ownerReferences?.some((r) => r.uid === c.metadata.uid)
    ) {
      // CNPG removes the superuser Secret it made when superuser access is switched off.
      removeObject(ctx, suKey);
    }
    if (dig(c, 'spec', 'enableSuperuserAccess') === true && !ctx.objects[suKey]) {
      const pw = sandboxPassword(`${ctx.context}/${ns}/${name}/superuser`);
      storeObject(ctx, {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/basic-auth',
        metadata: {
          name: `${name}-superuser`,
          namespace: ns,
          labels,
          ownerReferences: [ownerRef(c)],
        },
        data: {
          username: b64('postgres'),
          user: b64('postgres'),
          password: b64(pw),
          dbname: b64('*'),
          host: b64(`${name}-rw`),
          port: b64('5432'),
          uri: b64(`postgresql://postgres:${pw}@${name}-rw.${ns}:5432/*`),
          pgpass: b64(`${name}-rw:5432:*:postgres:${pw}\n`),
        },
      });
    }
    const caKey = objectKey('', 'Secret', ns, `${name}-ca`);
    if (!ctx.objects[caKey]) {
      // CNPG's own PKI: the CA, the server certificate, and `streaming_replica`'s client
      // certificate (the only way its fixed pg_hba rules let that role in).
      const certs = clusterCertificates(name, ns);
      const tls = (suffix: string, crt: string, key: string, type: string): void => {
        storeObject(ctx, {
          apiVersion: 'v1',
          kind: 'Secret',
          type,
          metadata: {
            name: `${name}-${suffix}`,
            namespace: ns,
            labels: { ...labels, 'cnpg.io/reload': 'true' },
            ownerReferences: [ownerRef(c)],
          },
          data:
            suffix === 'ca'
              ? { 'ca.crt': b64(crt), 'ca.key': b64(key) }
              : { 'tls.crt': b64(crt), 'tls.key': b64(key) },
        });
      };
      tls('ca', certs.caCrt, certs.caKey, 'Opaque');
      tls('server', certs.serverCrt, certs.serverKey, 'kubernetes.io/tls');
      tls('replication', certs.replicationCrt, certs.replicationKey, 'kubernetes.io/tls');
    }
    if (!isObject(c['status'])) {
      const next = clone(c);
      next['status'] = {
        phase: 'Setting up primary',
        phaseReason: 'Creating primary instance',
        instances: 1,
        latestGeneratedNode: 1,
      };
      storeObject(ctx, next);
    }
  }
}

function reconcileExternalSecrets(ctx: ContextState): void {
  for (const es of objectsOfKind(ctx, 'ExternalSecret')) {
    if (es.metadata.deletionTimestamp) continue;
    const ns = es.metadata.namespace ?? 'default';
    const storeKind = String(dig(es, 'spec', 'secretStoreRef', 'kind') ?? 'SecretStore');
    const storeName = String(dig(es, 'spec', 'secretStoreRef', 'name') ?? '');
    const store = Object.values(ctx.objects).find(
      (o) =>
        o.kind === storeKind &&
        o.metadata.name === storeName &&
        (storeKind === 'ClusterSecretStore' || o.metadata.namespace === ns),
    );
    const target = String(dig(es, 'spec', 'target', 'name') ?? es.metadata.name);
    const now = es.metadata.creationTimestamp ?? new Date().toISOString();
    let status: JsonObject;
    if (!store) {
      status = {
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'SecretSyncedError',
            message: `could not get ${storeKind} "${storeName}"`,
            lastTransitionTime: now,
          },
        ],
      };
    } else {
      const data: JsonObject = {};
      for (const d of (dig(es, 'spec', 'data') as JsonObject[] | undefined) ?? []) {
        const key = String(dig(d, 'remoteRef', 'key') ?? '');
        const prop = String(dig(d, 'remoteRef', 'property') ?? '');
        const secretKey = String(d['secretKey'] ?? prop);
        const value =
          /user/i.test(prop) || /user/i.test(secretKey)
            ? key.split('/')[0]!.replace(/^.*-/, '') || 'user'
            : sandboxPassword(`${storeName}/${key}/${prop}`);
        data[secretKey] = b64(value);
      }
      put(ctx, {
        apiVersion: 'v1',
        kind: 'Secret',
        type: String(dig(es, 'spec', 'target', 'template', 'type') ?? 'Opaque'),
        metadata: {
          name: target,
          namespace: ns,
          labels: { 'reconcile.external-secrets.io/managed': 'true' },
          ownerReferences: [ownerRef(es)],
        },
        data,
      });
      status = {
        binding: { name: target },
        refreshTime: now,
        syncedResourceVersion: `1-${createHash('md5').update(JSON.stringify(data)).digest('hex')}`,
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'SecretSynced',
            message: 'secret synced',
            lastTransitionTime: now,
          },
        ],
      };
    }
    if (!jsonEqual(es['status'], status)) {
      const next = clone(es);
      next['status'] = status;
      storeObject(ctx, next);
    }
  }
}

function defaultStorageClass(ctx: ContextState): K8sObject | undefined {
  return objectsOfKind(ctx, 'StorageClass').find(
    (s) => s.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true',
  );
}

function reconcileVolumes(world: World, ctxName: string, ctx: ContextState): void {
  const view = new ClusterView(world);
  const used = new Set<string>();
  for (const p of view.podsIn(ctxName)) {
    for (const v of (dig(p.pod, 'spec', 'volumes') as JsonObject[] | undefined) ?? []) {
      const claim = dig(v, 'persistentVolumeClaim', 'claimName');
      if (typeof claim === 'string') used.add(`${p.pod.metadata.namespace}/${claim}`);
    }
  }
  for (const pvc of objectsOfKind(ctx, 'PersistentVolumeClaim')) {
    const ns = pvc.metadata.namespace ?? 'default';
    const key = keyOf(pvc);
    if (pvc.metadata.deletionTimestamp) {
      if (used.has(`${ns}/${pvc.metadata.name}`)) continue;
      releaseVolume(ctx, pvc);
      removeObject(ctx, key);
      continue;
    }
    if (!pvc.metadata.finalizers?.includes('kubernetes.io/pvc-protection')) {
      const next = clone(pvc);
      next.metadata.finalizers = [
        ...(next.metadata.finalizers ?? []),
        'kubernetes.io/pvc-protection',
      ];
      storeObject(ctx, next);
    }
    if (dig(pvc, 'status', 'phase') === 'Bound') continue;
    bindClaim(ctxName, ctx, ctx.objects[key]!);
  }
  for (const pv of objectsOfKind(ctx, 'PersistentVolume')) {
    if (!pv.metadata.deletionTimestamp) continue;
    const ref = dig(pv, 'spec', 'claimRef');
    const claimLive =
      isObject(ref) &&
      ctx.objects[
        objectKey('', 'PersistentVolumeClaim', String(ref['namespace']), String(ref['name']))
      ]?.metadata.uid === ref['uid'];
    const reclaimByController =
      dig(pv, 'status', 'phase') === 'Released' &&
      dig(pv, 'spec', 'persistentVolumeReclaimPolicy') === 'Delete';
    if (!claimLive && !reclaimByController) removeObject(ctx, keyOf(pv));
  }
  for (const ns of objectsOfKind(ctx, 'Namespace')) {
    if (!ns.metadata.deletionTimestamp) continue;
    if (!Object.values(ctx.objects).some((o) => o.metadata.namespace === ns.metadata.name)) {
      removeObject(ctx, keyOf(ns));
    }
  }
}

function releaseVolume(ctx: ContextState, pvc: K8sObject): void {
  const pvName = dig(pvc, 'spec', 'volumeName');
  if (typeof pvName !== 'string') return;
  const pv = ctx.objects[objectKey('', 'PersistentVolume', '', pvName)];
  if (!pv || dig(pv, 'spec', 'claimRef', 'uid') !== pvc.metadata.uid) return;
  const next = clone(pv);
  next['status'] = { phase: 'Released' };
  if (dig(pv, 'spec', 'persistentVolumeReclaimPolicy') === 'Delete') {
    // The provisioner deletes the volume (the controller removes its directory, then the PV).
    next.metadata.deletionTimestamp ??= new Date().toISOString();
  }
  storeObject(ctx, next);
}

function bindClaim(ctxName: string, ctx: ContextState, pvc: K8sObject): void {
  const ns = pvc.metadata.namespace ?? 'default';
  const request = parseQuantity(dig(pvc, 'spec', 'resources', 'requests', 'storage'));
  const modes = (dig(pvc, 'spec', 'accessModes') as string[] | undefined) ?? ['ReadWriteOnce'];
  let pv: K8sObject | undefined;
  const volumeName = dig(pvc, 'spec', 'volumeName');
  const scName = dig(pvc, 'spec', 'storageClassName');
  if (typeof volumeName === 'string') {
    pv = ctx.objects[objectKey('', 'PersistentVolume', '', volumeName)];
    if (!pv || pv.metadata.deletionTimestamp) return;
    const ref = dig(pv, 'spec', 'claimRef');
    if (isObject(ref) && (ref['name'] !== pvc.metadata.name || ref['namespace'] !== ns)) return;
    if (dig(pv, 'status', 'phase') === 'Released') return;
  } else {
    const candidates = objectsOfKind(ctx, 'PersistentVolume').filter((v) => {
      if (v.metadata.deletionTimestamp) return false;
      const ref = dig(v, 'spec', 'claimRef');
      if (isObject(ref)) {
        if (ref['name'] !== pvc.metadata.name || ref['namespace'] !== ns) return false;
        if (ref['uid'] && ref['uid'] !== pvc.metadata.uid) return false;
      } else if ((dig(v, 'status', 'phase') ?? 'Available') !== 'Available') return false;
      const vsc = dig(v, 'spec', 'storageClassName') ?? '';
      if ((scName ?? '') !== vsc && !(scName === undefined && vsc === '')) return false;
      const cap = parseQuantity(dig(v, 'spec', 'capacity', 'storage'));
      const vmodes = (dig(v, 'spec', 'accessModes') as string[] | undefined) ?? [];
      return cap >= request && modes.every((m) => vmodes.includes(m));
    });
    pv = candidates[0];
    if (!pv && scName !== '') {
      const sc =
        typeof scName === 'string'
          ? ctx.objects[objectKey('storage.k8s.io', 'StorageClass', '', scName)]
          : defaultStorageClass(ctx);
      if (!sc) return;
      const name = `pvc-${pvc.metadata.uid}`;
      const local = sc['provisioner'] === 'rancher.io/local-path';
      pv = storeObject(ctx, {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: {
          name,
          annotations: {
            'pv.kubernetes.io/provisioned-by': String(
              sc['provisioner'] ?? 'k8s.io/minikube-hostpath',
            ),
          },
          finalizers: ['kubernetes.io/pv-protection'],
        },
        spec: {
          accessModes: modes,
          capacity: { storage: String(dig(pvc, 'spec', 'resources', 'requests', 'storage')) },
          persistentVolumeReclaimPolicy: String(sc['reclaimPolicy'] ?? 'Delete'),
          storageClassName: sc.metadata.name,
          volumeMode: 'Filesystem',
          hostPath: {
            path: local
              ? `/var/lib/rancher/k3s/storage/${name}_${ns}_${pvc.metadata.name}`
              : `/tmp/hostpath-provisioner/${ns}/${pvc.metadata.name}`,
            type: local ? 'DirectoryOrCreate' : '',
          },
        },
      });
      void ctxName;
    }
  }
  if (!pv) return;
  const nextPv = clone(pv);
  (nextPv['spec'] as JsonObject)['claimRef'] = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    name: pvc.metadata.name,
    namespace: ns,
    uid: pvc.metadata.uid ?? '',
  };
  nextPv['status'] = { phase: 'Bound' };
  if (!jsonEqual(nextPv, pv)) storeObject(ctx, nextPv);
  const nextPvc = clone(pvc);
  (nextPvc['spec'] as JsonObject)['volumeName'] = pv.metadata.name;
  if (dig(pvc, 'spec', 'storageClassName') === undefined && dig(pv, 'spec', 'storageClassName')) {
    (nextPvc['spec'] as JsonObject)['storageClassName'] = dig(
      pv,
      'spec',
      'storageClassName',
    ) as string;
  }
  nextPvc['status'] = {
    phase: 'Bound',
    accessModes: (dig(pv, 'spec', 'accessModes') as string[]) ?? modes,
    capacity: { storage: String(dig(pv, 'spec', 'capacity', 'storage')) },
  };
  storeObject(ctx, nextPvc);
}

function collectGarbage(ctx: ContextState): void {
  const uids = new Set(Object.values(ctx.objects).map((o) => o.metadata.uid));
  for (const [key, o] of Object.entries(ctx.objects)) {
    const refs = o.metadata.ownerReferences;
    if (refs && refs.length > 0 && refs.every((r) => !uids.has(r.uid))) requestDeletion(ctx, key);
  }
  for (const [key, o] of Object.entries(ctx.objects)) {
    if (!o.metadata.deletionTimestamp || (o.metadata.finalizers?.length ?? 0) > 0) continue;
    if (o.kind === 'Namespace' || o.kind === 'PersistentVolume') continue;
    if (o.kind === 'Cluster' && o.apiVersion.startsWith('postgresql.cnpg.io/')) continue;
    removeObject(ctx, key);
  }
}

function tailscaleOperator(ctx: ContextState): boolean {
  return objectsOfKind(ctx, 'Deployment').some(
    (d) =>
      !d.metadata.deletionTimestamp &&
      d.metadata.labels?.['app.kubernetes.io/name'] === TAILSCALE_OPERATOR_LABEL,
  );
}

/**
 * The Tailscale operators of both clusters register a device per exposed Service/Ingress. A name
 * already on the tailnet gets a numeric suffix (`photos-1`), as Tailscale does; a device keeps
 * its name until its object goes or asks for another name.
 */
function assignTailnetNames(world: World): boolean {
  const entries: { ctx: ContextState; key: string; obj: K8sObject; want: string }[] = [];
  for (const ctx of Object.values(world.contexts)) {
    if (!tailscaleOperator(ctx)) continue;
    for (const [key, obj] of Object.entries(ctx.objects)) {
      const want = tailnetRequest(obj);
      if (want) entries.push({ ctx, key, obj, want });
    }
  }
  entries.sort((a, b) =>
    (a.obj.metadata.creationTimestamp ?? '') < (b.obj.metadata.creationTimestamp ?? '') ? -1 : 1,
  );
  const taken = new Set(STATIC_DEVICES.map((d) => d.name));
  const pending: typeof entries = [];
  for (const e of entries) {
    const book = e.ctx.books[e.key];
    const assigned = dig(e.obj, 'status', 'loadBalancer', 'ingress', 0, 'hostname');
    if (typeof assigned === 'string' && book?.controller?.['tailnetRequest'] === e.want) {
      taken.add(assigned.split('.')[0]!);
    } else pending.push(e);
  }
  let changed = false;
  for (const e of pending) {
    let name = e.want;
    for (let i = 1; taken.has(name); i++) name = `${e.want}-${i}`;
    taken.add(name);
    const next = clone(e.obj);
    const ingress: JsonObject =
      e.obj.kind === 'Ingress'
        ? { hostname: `${name}.${TAILNET}`, ports: [{ port: 443, protocol: 'TCP' }] }
        : { hostname: `${name}.${TAILNET}`, ip: tailnetIp(name) };
    next['status'] = { loadBalancer: { ingress: [ingress] } };
    storeObject(e.ctx, next);
    const book = e.ctx.books[e.key] ?? {};
    e.ctx.books[e.key] = book;
    book.controller = { ...book.controller, tailnetRequest: e.want };
    changed = true;
  }
  return changed;
}

/**
 * Deletes what an Application deployed (ArgoCD's cascade): the objects carrying its tracking id
 * and those its status lists.
 * @param dest the context the Application deploys to
 * @param app the Application
 */
export function deleteAppResources(dest: ContextState, app: K8sObject): void {
  for (const [key, obj] of Object.entries(dest.objects)) {
    if (obj.metadata.annotations?.[TRACKING_ID]?.startsWith(`${app.metadata.name}:`))
      requestDeletion(dest, key);
  }
  for (const r of (dig(app, 'status', 'resources') as JsonObject[] | undefined) ?? []) {
    const key = objectKey(
      String(r['group'] ?? ''),
      String(r['kind']),
      String(r['namespace'] ?? ''),
      String(r['name']),
    );
    if (dest.objects[key]) requestDeletion(dest, key);
  }
}

/**
 * ArgoCD's resources finalizer: a deleted Application with
 * `resources-finalizer.argocd.argoproj.io` deletes the resources it tracks, then goes.
 */
function finalizeApplications(world: World): boolean {
  let changed = false;
  for (const ctx of Object.values(world.contexts)) {
    for (const app of objectsOfKind(ctx, 'Application')) {
      if (
        !app.metadata.deletionTimestamp ||
        !app.metadata.finalizers?.includes('resources-finalizer.argocd.argoproj.io')
      )
        continue;
      const destName = dig(app, 'status', 'destinationContext');
      const dest = typeof destName === 'string' ? world.contexts[destName] : undefined;
      if (dest) deleteAppResources(dest, app);
      const next = clone(app);
      next.metadata.finalizers = next.metadata.finalizers?.filter(
        (f) => f !== 'resources-finalizer.argocd.argoproj.io',
      );
      storeObject(ctx, next);
      changed = true;
    }
  }
  return changed;
}
