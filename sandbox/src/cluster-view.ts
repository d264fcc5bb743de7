import { existsSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { listObjects, objectsOfKind } from './api.ts';
import { imageArchitectures, imageRole } from './images.ts';
import {
  clone,
  dig,
  isObject,
  type JsonObject,
  type K8sObject,
  keyOf,
  kubeSuffix,
  objectKey,
  parseQuantity,
  shortHash,
} from './objects.ts';
import { TAILNET } from './paths.ts';
import { PgServer } from './pg-server.ts';
import { matchesLabels } from './selectors.ts';
import type { ContextState, SandboxCluster, World } from './store.ts';

/** A volume as a pod sees it, mapped to a host directory. */
export interface PodMount {
  /** Volume name in the pod spec. */
  volume: string;
  /** Where the container sees it. */
  mountPath: string;
  /** The host directory standing in for it. */
  hostPath: string;
  readOnly: boolean;
  /** For NFS volumes: the export and the network it goes over. */
  nfs?: { server: string; path: string; route: 'lan' | 'tailnet' };
}

/** A pod with its computed status and what the sandbox needs to exec into it. */
export interface PodInfo {
  /** The pod object with its status. */
  pod: K8sObject;
  context: string;
  /** The controller that owns it (Deployment, StatefulSet, DaemonSet, Cluster), if any. */
  owner?: K8sObject;
  /** The role of its first container's image. */
  role: ReturnType<typeof imageRole>;
  /** For a CNPG instance pod: the Cluster. */
  cnpgCluster?: K8sObject;
  /** Container runs (Running phase, not crash-looping). */
  running: boolean;
  ready: boolean;
  /** `nvidia.com/gpu` requested by its containers. */
  gpuRequested: number;
  /** A GPU slice is allocated to it. */
  gpuAllocated: boolean;
  /** Volume mounts of the first container, resolved. */
  mounts: PodMount[];
  /** Environment of the first container, resolved (secrets and config maps read). */
  env: Record<string, string>;
  /** Why it is not running/ready, in Kubernetes' words. */
  problem?: { reason: string; message: string; scheduling?: boolean; crash?: boolean };
}

/** A name on the tailnet and what owns it. */
export interface TailnetDevice {
  /** Assigned short name (`photos`, `photos-1`). */
  name: string;
  /** Full MagicDNS name. */
  dnsName: string;
  /** 100.x address. */
  ip: string;
  os: string;
  /** The Kubernetes object that owns it (operator devices), if any. */
  owner?: { context: string; kind: string; namespace: string; name: string };
}

/** Hosts on the tailnet that are not Kubernetes objects. */
export const STATIC_DEVICES: Omit<TailnetDevice, 'dnsName'>[] = [
  { name: 'indri', ip: '100.98.12.4', os: 'macOS' },
  { name: 'ringtail', ip: '100.98.12.21', os: 'linux' },
  { name: 'sifaka', ip: '100.98.12.30', os: 'linux' },
];

/** The NFS export the library stands in for. */
export const LIBRARY_EXPORT = { server: 'sifaka', path: '/volume1/photos' };

/** Where Immich keeps its media inside the server container (IMMICH_MEDIA_LOCATION default). */
export const IMMICH_MEDIA_LOCATION = '/usr/src/app/upload';

/** Folders Immich checks for its `.immich` marker at start-up. */
export const IMMICH_FOLDERS = [
  'library',
  'upload',
  'thumbs',
  'encoded-video',
  'profile',
  'backups',
];

/**
 * Whether an object is a Tailscale-exposed Service or Ingress, and the name it asks for.
 * @param obj the object
 * @returns the requested tailnet name, or undefined when not exposed
 */
export function tailnetRequest(obj: K8sObject): string | undefined {
  if (obj.metadata.deletionTimestamp) return undefined;
  const ann = obj.metadata.annotations ?? {};
  const ns = obj.metadata.namespace ?? 'default';
  if (obj.kind === 'Ingress' && dig(obj, 'spec', 'ingressClassName') === 'tailscale') {
    const host = dig(obj, 'spec', 'tls', 0, 'hosts', 0);
    if (typeof host === 'string' && host) return host.split('.')[0];
    return `${ns}-${obj.metadata.name}-ingress`;
  }
  if (
    obj.kind === 'Service' &&
    (dig(obj, 'spec', 'loadBalancerClass') === 'tailscale' ||
      ann['tailscale.com/expose'] === 'true')
  ) {
    return ann['tailscale.com/hostname'] ?? `${ns}-${obj.metadata.name}`;
  }
  return undefined;
}

/**
 * A deterministic tailnet address for a name.
 * @param name device name
 * @returns a 100.x address
 */
export function tailnetIp(name: string): string {
  const h = shortHash(`ts/${name}`, 4);
  return `100.${64 + (Number.parseInt(h.slice(0, 2), 16) % 64)}.${Number.parseInt(h.slice(2), 16) % 256}.${1 + (name.length % 250)}`;
}

/** The result of resolving a host name from inside a cluster. */
export interface ResolvedService {
  context: string;
  namespace: string;
  service: K8sObject;
  via: 'cluster-dns' | 'tailnet';
}

/**
 * A read-only view of the emulated clusters: pods derived from workloads, statuses that reflect
 * the real PostgreSQL servers, name resolution, GPU allocation, the tailnet. Computed from the
 * stored state on every call; nothing here writes.
 */
export class ClusterView {
  readonly world: World;
  private readonly podCache = new Map<string, PodInfo[]>();
  private readonly serverCache = new Map<string, PgServer | undefined>();

  /** @param world the loaded world */
  constructor(world: World) {
    this.world = world;
  }

  /**
   * The meta of a context's cluster.
   * @param ctxName context
   * @returns its description
   */
  cluster(ctxName: string): SandboxCluster {
    const c = this.world.meta.clusters.find((x) => x.context === ctxName);
    if (!c) throw new Error(`unknown context ${ctxName}`);
    return c;
  }

  private ctx(ctxName: string): ContextState {
    return this.world.contexts[ctxName]!;
  }

  /**
   * The host directory standing in for a PersistentVolume, and NFS details.
   * @param ctxName context
   * @param pv the PV
   * @returns the directory and NFS info, or an error message (mount failure)
   */
  pvHostPath(
    ctxName: string,
    pv: K8sObject,
  ): { hostPath: string; nfs?: PodMount['nfs'] } | { error: string } {
    const nfs = dig(pv, 'spec', 'nfs');
    if (isObject(nfs)) return this.nfsHostPath(String(nfs['server']), String(nfs['path']));
    return { hostPath: path.join(this.world.paths.volumes, ctxName, pv.metadata.name) };
  }

  /**
   * Maps an NFS export to the library directory (only `sifaka:/volume1/photos` exists).
   * @param server the NFS server as written in the volume
   * @param exportPath the exported path
   * @returns the host directory and route, or a mount error
   */
  nfsHostPath(
    server: string,
    exportPath: string,
  ): { hostPath: string; nfs: PodMount['nfs'] } | { error: string } {
    const route = nfsRoute(server);
    if (!route) {
      return {
        error: `mount.nfs: Failed to resolve server ${server}: Name or service not known`,
      };
    }
    const clean = path.posix.normalize(exportPath).replace(/\/$/, '');
    if (clean !== LIBRARY_EXPORT.path && !clean.startsWith(`${LIBRARY_EXPORT.path}/`)) {
      return { error: `mount.nfs: access denied by server while mounting ${server}:${exportPath}` };
    }
    const rest = clean.slice(LIBRARY_EXPORT.path.length);
    return {
      hostPath: path.join(this.world.paths.library, rest),
      nfs: { server, path: exportPath, route },
    };
  }

  /**
   * The PostgreSQL server of a CNPG Cluster (its instance's data volume), if its PVC is bound.
   * @param ctxName context
   * @param cluster the Cluster object
   * @returns the server handle, or undefined
   */
  pgServerFor(ctxName: string, cluster: K8sObject): PgServer | undefined {
    const key = `${ctxName}/${cluster.metadata.namespace}/${cluster.metadata.name}`;
    if (this.serverCache.has(key)) return this.serverCache.get(key);
    let server: PgServer | undefined;
    const pvc =
      this.ctx(ctxName).objects[
        objectKey(
          '',
          'PersistentVolumeClaim',
          cluster.metadata.namespace ?? '',
          `${cluster.metadata.name}-1`,
        )
      ];
    const pvName = dig(pvc, 'spec', 'volumeName');
    if (pvc && typeof pvName === 'string' && dig(pvc, 'status', 'phase') === 'Bound') {
      const pv = this.ctx(ctxName).objects[objectKey('', 'PersistentVolume', '', pvName)];
      if (pv) {
        const host = this.pvHostPath(ctxName, pv);
        if ('hostPath' in host) server = new PgServer(host.hostPath);
      }
    }
    this.serverCache.set(key, server);
    return server;
  }

  /**
   * GPU slices the node advertises: physical GPUs × the device plugin's time-slicing replicas
   * (0 without the device plugin).
   * @param ctxName context
   * @returns allocatable `nvidia.com/gpu`
   */
  gpuCapacity(ctxName: string): number {
    const gpus = this.cluster(ctxName).gpu?.count ?? 0;
    if (gpus === 0) return 0;
    const ctx = this.ctx(ctxName);
    const plugin = objectsOfKind(ctx, 'DaemonSet').find(
      (d) =>
        !d.metadata.deletionTimestamp &&
        d.metadata.labels?.['app.kubernetes.io/name'] === 'nvidia-device-plugin',
    );
    if (!plugin) return 0;
    return gpus * timeSlicingReplicas(objectsOfKind(ctx, 'ConfigMap', plugin.metadata.namespace));
  }

  /**
   * Every pod of a context with its status.
   * @param ctxName context
   * @returns pod infos sorted by namespace and name
   */
  pods(ctxName: string): PodInfo[] {
    const cached = this.podCache.get(ctxName);
    if (cached) return cached;
    const infos = this.basePods(ctxName);
    this.podCache.set(ctxName, infos);
    for (const p of infos) if (p.role === 'immich-server') this.checkImmichServer(p);
    for (const p of infos) finishStatus(p);
    return infos;
  }

  /**
   * Pods of a namespace (or all).
   * @param ctxName context
   * @param namespace namespace or undefined for all
   * @returns pod infos
   */
  podsIn(ctxName: string, namespace?: string): PodInfo[] {
    return this.pods(ctxName).filter(
      (p) => namespace === undefined || p.pod.metadata.namespace === namespace,
    );
  }

  /**
   * Pods a workload or Cluster owns.
   * @param ctxName context
   * @param owner the owner
   * @returns its pods
   */
  podsOf(ctxName: string, owner: K8sObject): PodInfo[] {
    return this.pods(ctxName).filter((p) => p.owner && keyOf(p.owner) === keyOf(owner));
  }

  private basePods(ctxName: string): PodInfo[] {
    const ctx = this.ctx(ctxName);
    const node = this.cluster(ctxName);
    const specs: { pod: K8sObject; owner?: K8sObject; createdAt: string; cnpg?: K8sObject }[] = [];
    const templatePods = (
      owner: K8sObject,
      names: string[],
      extraLabels: Record<string, string>,
    ) => {
      const tpl = dig(owner, 'spec', 'template');
      if (!isObject(tpl)) return;
      const book = ctx.books[keyOf(owner)];
      const createdAt =
        book?.templateAt ?? owner.metadata.creationTimestamp ?? new Date(0).toISOString();
      for (const name of names) {
        const meta = isObject(tpl['metadata']) ? tpl['metadata'] : {};
        specs.push({
          owner,
          createdAt,
          pod: {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: {
              name,
              namespace: owner.metadata.namespace,
              labels: { ...((meta['labels'] as Record<string, string>) ?? {}), ...extraLabels },
              annotations: (meta['annotations'] as Record<string, string>) ?? undefined,
              creationTimestamp: createdAt,
              uid: shortHash(
                `${ctxName}/${owner.metadata.namespace}/${name}/${createdAt}`,
                32,
              ).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5'),
              ownerReferences: [
                {
                  apiVersion: owner.kind === 'Deployment' ? 'apps/v1' : owner.apiVersion,
                  kind: owner.kind === 'Deployment' ? 'ReplicaSet' : owner.kind,
                  name:
                    owner.kind === 'Deployment' ? name.replace(/-[^-]+$/, '') : owner.metadata.name,
                  uid: owner.metadata.uid ?? '',
                  controller: true,
                },
              ],
            },
            spec: { ...clone(tpl['spec'] as JsonObject), nodeName: node.node },
          },
        });
      }
    };
    for (const d of listObjects(ctx, { group: 'apps', kind: 'Deployment' })) {
      if (d.metadata.deletionTimestamp) continue;
      const replicas = Number(dig(d, 'spec', 'replicas') ?? 1);
      const tplHash = shortHash(
        JSON.stringify(dig(d, 'spec', 'template')) + (ctx.books[keyOf(d)]?.templateAt ?? ''),
        10,
      ).replace(/[aeiou01]/g, 'x');
      const rs = `${d.metadata.name}-${tplHash}`;
      const names = Array.from(
        { length: replicas },
        (_, i) => `${rs}-${kubeSuffix(`${rs}/${i}`, 5)}`,
      );
      templatePods(d, names, { 'pod-template-hash': tplHash });
    }
    for (const s of listObjects(ctx, { group: 'apps', kind: 'StatefulSet' })) {
      if (s.metadata.deletionTimestamp) continue;
      const replicas = Number(dig(s, 'spec', 'replicas') ?? 1);
      templatePods(
        s,
        Array.from({ length: replicas }, (_, i) => `${s.metadata.name}-${i}`),
        {},
      );
      for (let i = 0; i < replicas; i++) {
        const p = specs.at(-replicas + i);
        if (p)
          p.pod.metadata.labels = {
            ...p.pod.metadata.labels,
            'statefulset.kubernetes.io/pod-name': p.pod.metadata.name,
          };
      }
    }
    for (const s of listObjects(ctx, { group: 'apps', kind: 'DaemonSet' })) {
      if (s.metadata.deletionTimestamp) continue;
      templatePods(
        s,
        [`${s.metadata.name}-${kubeSuffix(`${s.metadata.name}/${node.node}`, 5)}`],
        {},
      );
    }
    for (const c of listObjects(ctx, { group: 'postgresql.cnpg.io', kind: 'Cluster' })) {
      const names = dig(c, 'status', 'instanceNames');
      if (!Array.isArray(names) || names.length === 0) continue;
      const name = `${c.metadata.name}-1`;
      const image =
        (dig(c, 'spec', 'imageName') as string | undefined) ??
        'ghcr.io/cloudnative-pg/postgresql:17.5';
      const replica = dig(c, 'spec', 'replica', 'enabled') === true;
      const createdAt =
        (dig(c, 'status', 'instancesStartedAt') as string | undefined) ??
        c.metadata.creationTimestamp ??
        '';
      specs.push({
        owner: c,
        cnpg: c,
        createdAt,
        pod: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name,
            namespace: c.metadata.namespace,
            creationTimestamp: createdAt,
            labels: {
              'cnpg.io/cluster': c.metadata.name,
              'cnpg.io/instanceName': name,
              'cnpg.io/instanceRole': 'primary',
              'cnpg.io/podRole': 'instance',
              role: 'primary',
              ...(replica ? { 'cnpg.io/replicaCluster': 'true' } : {}),
            },
            ownerReferences: [
              {
                apiVersion: c.apiVersion,
                kind: 'Cluster',
                name: c.metadata.name,
                uid: c.metadata.uid ?? '',
                controller: true,
              },
            ],
          },
          spec: {
            nodeName: node.node,
            containers: [
              {
                name: 'postgres',
                image,
                ports: [{ name: 'postgresql', containerPort: 5432, protocol: 'TCP' }],
                env: [{ name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' }],
                volumeMounts: [{ name: 'pgdata', mountPath: '/var/lib/postgresql/data' }],
              },
            ],
            volumes: [{ name: 'pgdata', persistentVolumeClaim: { claimName: name } }],
          },
        },
      });
    }
    for (const p of listObjects(ctx, { group: '', kind: 'Pod' })) {
      specs.push({ pod: clone(p), createdAt: p.metadata.creationTimestamp ?? '' });
    }
    for (const obj of Object.values(ctx.objects)) {
      const assigned = dig(obj, 'status', 'loadBalancer', 'ingress', 0, 'hostname');
      if (!tailnetRequest(obj) || typeof assigned !== 'string') continue;
      const parent = obj.metadata.name;
      const name = `ts-${parent}-${kubeSuffix(`${obj.metadata.namespace}/${parent}`, 5)}-0`;
      specs.push({
        createdAt: obj.metadata.creationTimestamp ?? '',
        pod: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name,
            namespace: 'tailscale',
            creationTimestamp: obj.metadata.creationTimestamp,
            labels: {
              'tailscale.com/managed': 'true',
              'tailscale.com/parent-resource': parent,
              'tailscale.com/parent-resource-ns': obj.metadata.namespace ?? '',
              'tailscale.com/parent-resource-type': obj.kind === 'Ingress' ? 'ingress' : 'svc',
            },
          },
          spec: {
            nodeName: node.node,
            containers: [{ name: 'tailscale', image: 'tailscale/tailscale:v1.84.3' }],
          },
        },
      });
    }
    const infos = specs.map((s) => this.basePod(ctxName, s.pod, s.owner, s.cnpg));
    this.allocateGpus(
      ctxName,
      infos,
      specs.map((s) => s.createdAt),
    );
    return infos.sort((a, b) =>
      `${a.pod.metadata.namespace}/${a.pod.metadata.name}` <
      `${b.pod.metadata.namespace}/${b.pod.metadata.name}`
        ? -1
        : 1,
    );
  }

  private basePod(ctxName: string, pod: K8sObject, owner?: K8sObject, cnpg?: K8sObject): PodInfo {
    const ctx = this.ctx(ctxName);
    const ns = pod.metadata.namespace ?? 'default';
    const containers = (dig(pod, 'spec', 'containers') as JsonObject[] | undefined) ?? [];
    const first = containers[0] ?? {};
    const image = String(first['image'] ?? '');
    const info: PodInfo = {
      pod,
      context: ctxName,
      owner,
      role: cnpg ? 'postgres' : imageRole(image),
      cnpgCluster: cnpg,
      running: true,
      ready: true,
      gpuRequested: 0,
      gpuAllocated: false,
      mounts: [],
      env: {},
    };
    const fail = (reason: string, message: string, scheduling = false, crash = false) => {
      info.problem ??= { reason, message, scheduling, crash };
      info.ready = false;
    };
    for (const c of containers) {
      const gpu = Math.max(
        parseQuantity(dig(c, 'resources', 'limits', 'nvidia.com/gpu')) || 0,
        parseQuantity(dig(c, 'resources', 'requests', 'nvidia.com/gpu')) || 0,
      );
      info.gpuRequested += gpu;
    }
    // Volumes
    const volumes = (dig(pod, 'spec', 'volumes') as JsonObject[] | undefined) ?? [];
    const volumeHosts = new Map<string, { hostPath: string; nfs?: PodMount['nfs'] }>();
    for (const v of volumes) {
      const vname = String(v['name']);
      const claim = dig(v, 'persistentVolumeClaim', 'claimName');
      if (typeof claim === 'string') {
        const pvc = ctx.objects[objectKey('', 'PersistentVolumeClaim', ns, claim)];
        if (!pvc) {
          fail(
            'Unschedulable',
            `0/1 nodes are available: persistentvolumeclaim "${claim}" not found. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.`,
            true,
          );
          continue;
        }
        if (pvc.metadata.deletionTimestamp) {
          fail(
            'Unschedulable',
            `0/1 nodes are available: persistentvolumeclaim "${claim}" is being deleted.`,
            true,
          );
          continue;
        }
        const pvName = dig(pvc, 'spec', 'volumeName');
        const pv =
          typeof pvName === 'string'
            ? ctx.objects[objectKey('', 'PersistentVolume', '', pvName)]
            : undefined;
        if (!pv || dig(pvc, 'status', 'phase') !== 'Bound') {
          fail(
            'Unschedulable',
            '0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
            true,
          );
          continue;
        }
        const host = this.pvHostPath(ctxName, pv);
        if ('error' in host) {
          fail(
            'ContainerCreating',
            `MountVolume.SetUp failed for volume "${pv.metadata.name}" : mount failed: exit status 32\n${host.error}`,
          );
          continue;
        }
        volumeHosts.set(vname, host);
      } else if (isObject(v['nfs'])) {
        const host = this.nfsHostPath(
          String(dig(v, 'nfs', 'server')),
          String(dig(v, 'nfs', 'path')),
        );
        if ('error' in host) {
          fail(
            'ContainerCreating',
            `MountVolume.SetUp failed for volume "${vname}" : mount failed: exit status 32\n${host.error}`,
          );
          continue;
        }
        volumeHosts.set(vname, host);
      }
    }
    for (const m of (first['volumeMounts'] as JsonObject[] | undefined) ?? []) {
      const host = volumeHosts.get(String(m['name']));
      if (!host) continue;
      const sub = typeof m['subPath'] === 'string' ? m['subPath'] : '';
      info.mounts.push({
        volume: String(m['name']),
        mountPath: String(m['mountPath']),
        hostPath: sub ? path.join(host.hostPath, sub) : host.hostPath,
        readOnly: m['readOnly'] === true,
        nfs: host.nfs,
      });
    }
    // Runtime class
    const runtime = dig(pod, 'spec', 'runtimeClassName');
    if (
      typeof runtime === 'string' &&
      !ctx.objects[objectKey('node.k8s.io', 'RuntimeClass', '', runtime)]
    ) {
      fail('Unschedulable', `pod rejected: RuntimeClass "${runtime}" not found`, true);
    }
    // Environment
    const env: Record<string, string> = {};
    const secretData = (name: string): Record<string, string> | undefined => {
      const s = ctx.objects[objectKey('', 'Secret', ns, name)];
      if (!s) return undefined;
      const data = isObject(s['data']) ? s['data'] : {};
      return Object.fromEntries(
        Object.entries(data).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString()]),
      );
    };
    const configData = (name: string): Record<string, string> | undefined => {
      const c = ctx.objects[objectKey('', 'ConfigMap', ns, name)];
      if (!c) return undefined;
      return Object.fromEntries(
        Object.entries(isObject(c['data']) ? c['data'] : {}).map(([k, v]) => [k, String(v)]),
      );
    };
    for (const ef of (first['envFrom'] as JsonObject[] | undefined) ?? []) {
      const sref = dig(ef, 'secretRef', 'name');
      const cref = dig(ef, 'configMapRef', 'name');
      const optional =
        dig(ef, 'secretRef', 'optional') === true || dig(ef, 'configMapRef', 'optional') === true;
      const data =
        typeof sref === 'string'
          ? secretData(sref)
          : typeof cref === 'string'
            ? configData(cref)
            : {};
      if (!data) {
        if (!optional)
          fail(
            'CreateContainerConfigError',
            `${typeof sref === 'string' ? 'secret' : 'configmap'} "${String(sref ?? cref)}" not found`,
          );
        continue;
      }
      Object.assign(env, data);
    }
    for (const e of (first['env'] as JsonObject[] | undefined) ?? []) {
      const name = String(e['name']);
      if (typeof e['value'] === 'string' || typeof e['value'] === 'number') {
        env[name] = String(e['value']).replace(
          /\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g,
          (m, v: string) => env[v] ?? m,
        );
        continue;
      }
      const sk = dig(e, 'valueFrom', 'secretKeyRef');
      const ck = dig(e, 'valueFrom', 'configMapKeyRef');
      const ref = isObject(sk) ? sk : isObject(ck) ? ck : undefined;
      if (!ref) continue;
      const data = isObject(sk) ? secretData(String(ref['name'])) : configData(String(ref['name']));
      const value = data?.[String(ref['key'])];
      if (value === undefined) {
        if (ref['optional'] !== true) {
          fail(
            'CreateContainerConfigError',
            data
              ? `couldn't find key ${String(ref['key'])} in ${isObject(sk) ? 'Secret' : 'ConfigMap'} ${ns}/${String(ref['name'])}`
              : `${isObject(sk) ? 'secret' : 'configmap'} "${String(ref['name'])}" not found`,
          );
        }
        continue;
      }
      env[name] = value;
    }
    info.env = env;
    // CPU architecture
    if (!info.problem) {
      const arch = this.cluster(ctxName).arch;
      const bad = containers.find(
        (c) => !imageArchitectures(String(c['image'] ?? '')).includes(arch),
      );
      if (bad) {
        fail(
          'CrashLoopBackOff',
          `exec /usr/local/bin/docker-entrypoint.sh: exec format error (image ${String(bad['image'])} has no linux/${arch} build)`,
          false,
          true,
        );
      }
    }
    // CNPG instance: its server
    if (cnpg && !info.problem) {
      const server = this.pgServerFor(ctxName, cnpg);
      const st = server?.status();
      if (!st?.running) {
        const phase = String(dig(cnpg, 'status', 'phase') ?? '');
        fail(
          'PodInitializing',
          phase ? `instance not running: ${phase}` : 'instance not running',
          false,
        );
      } else if (st.pmStatus !== 'ready' && st.pmStatus !== 'standby') {
        fail('Running', `postgres is ${st.pmStatus ?? 'starting'}`, false, true);
      }
    }
    return info;
  }

  private allocateGpus(ctxName: string, infos: PodInfo[], createdAt: string[]): void {
    let left = this.gpuCapacity(ctxName);
    const order = infos
      .map((p, i) => ({ p, at: createdAt[i] ?? '' }))
      .filter(({ p }) => p.gpuRequested > 0 && !p.problem?.scheduling)
      .sort((a, b) =>
        a.at === b.at
          ? a.p.pod.metadata.name < b.p.pod.metadata.name
            ? -1
            : 1
          : a.at < b.at
            ? -1
            : 1,
      );
    for (const { p } of order) {
      if (p.gpuRequested <= left) {
        left -= p.gpuRequested;
        p.gpuAllocated = true;
      } else {
        p.problem = {
          reason: 'Unschedulable',
          message:
            '0/1 nodes are available: 1 Insufficient nvidia.com/gpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
          scheduling: true,
        };
        p.running = false;
        p.ready = false;
      }
    }
  }

  /**
   * Immich's server needs its database (writable), valkey and its media folders at start-up;
   * without them it exits and the pod crash-loops.
   */
  private checkImmichServer(p: PodInfo): boolean {
    if (p.problem) return false;
    const ns = p.pod.metadata.namespace ?? 'default';
    const crash = (message: string): boolean => {
      p.problem = { reason: 'CrashLoopBackOff', message, crash: true };
      p.ready = false;
      return false;
    };
    const db = immichDatabaseTarget(p.env);
    const dbHost = this.resolveHost(p.context, ns, db.host);
    if (!dbHost) return crash(`Error: getaddrinfo ENOTFOUND ${db.host}`);
    const backend = this.serviceBackend(dbHost, db.port);
    if (backend?.kind !== 'pg') return crash(`Error: connect ECONNREFUSED ${db.host}:${db.port}`);
    const st = backend.server.status();
    if (!st.running) return crash(`Error: connect ECONNREFUSED ${db.host}:${db.port}`);
    if (st.standby) {
      return crash(
        'QueryFailedError: cannot execute CREATE TABLE in a read-only transaction (the database is a standby)',
      );
    }
    const redisHost = p.env['REDIS_HOSTNAME'] ?? 'redis';
    const redisPort = Number(p.env['REDIS_PORT'] ?? 6379);
    const redis = this.resolveHost(p.context, ns, redisHost);
    const rb = redis ? this.serviceBackend(redis, redisPort) : undefined;
    if (!redis) return crash(`Error: getaddrinfo ENOTFOUND ${redisHost}`);
    if (rb?.kind !== 'valkey')
      return crash(`Error: connect ECONNREFUSED ${redisHost}:${redisPort}`);
    const media = p.env['IMMICH_MEDIA_LOCATION'] ?? IMMICH_MEDIA_LOCATION;
    const mount = p.mounts.find((m) => m.mountPath.replace(/\/$/, '') === media.replace(/\/$/, ''));
    for (const folder of IMMICH_FOLDERS) {
      if (!mount || !existsSync(path.join(mount.hostPath, folder, '.immich'))) {
        return crash(
          `Failed to read "${media}/${folder}/.immich": ENOENT (the media location is not the library volume)`,
        );
      }
    }
    return true;
  }

  /**
   * Resolves a host name the way a pod in `ctxName`/`namespace` would: cluster DNS of its own
   * cluster (`svc`, `svc.ns`, `svc.ns.svc[.cluster.local]`), then MagicDNS names of the tailnet
   * (Tailscale Services and Ingresses of either cluster).
   * @param ctxName context of the asking pod
   * @param namespace its namespace
   * @param host the host name
   * @returns the Service it reaches, or undefined
   */
  resolveHost(ctxName: string, namespace: string, host: string): ResolvedService | undefined {
    const h = host.toLowerCase().replace(/\.$/, '');
    const parts = h.split('.');
    const ctx = this.ctx(ctxName);
    const svcIn = (ns: string, name: string): ResolvedService | undefined => {
      const svc = ctx.objects[objectKey('', 'Service', ns, name)];
      return svc && !svc.metadata.deletionTimestamp
        ? { context: ctxName, namespace: ns, service: svc, via: 'cluster-dns' }
        : undefined;
    };
    if (parts.length === 1) {
      const r = svcIn(namespace, h);
      if (r) return r;
    } else if (
      parts.length === 2 ||
      (parts.length === 3 && parts[2] === 'svc') ||
      (parts.length === 5 && parts.slice(2).join('.') === 'svc.cluster.local')
    ) {
      const r = svcIn(parts[1]!, parts[0]!);
      if (r) return r;
    }
    return this.resolveTailnetHost(h);
  }

  /**
   * Resolves a MagicDNS name (`photos`, `photos.tail8d86e.ts.net`) to the Service behind the
   * Tailscale Service or Ingress that owns it, as a host on the tailnet (indri) sees it.
   * @param host the host name
   * @returns the Service, or undefined
   */
  resolveTailnetHost(host: string): ResolvedService | undefined {
    const h = host.toLowerCase().replace(/\.$/, '');
    const short = h.endsWith(`.${TAILNET}`)
      ? h.slice(0, -TAILNET.length - 1)
      : h.includes('.')
        ? undefined
        : h;
    if (short === undefined) return undefined;
    const device = this.tailnetDevices().find((d) => d.name === short);
    if (!device?.owner) return undefined;
    const octx = this.world.contexts[device.owner.context]!;
    const owner =
      octx.objects[
        objectKey(
          device.owner.kind === 'Ingress' ? 'networking.k8s.io' : '',
          device.owner.kind,
          device.owner.namespace,
          device.owner.name,
        )
      ];
    if (!owner) return undefined;
    if (owner.kind === 'Service') {
      return {
        context: device.owner.context,
        namespace: device.owner.namespace,
        service: owner,
        via: 'tailnet',
      };
    }
    const backend =
      dig(owner, 'spec', 'defaultBackend', 'service', 'name') ??
      dig(owner, 'spec', 'rules', 0, 'http', 'paths', 0, 'backend', 'service', 'name');
    if (typeof backend !== 'string') return undefined;
    const svc = octx.objects[objectKey('', 'Service', device.owner.namespace, backend)];
    return svc
      ? {
          context: device.owner.context,
          namespace: device.owner.namespace,
          service: svc,
          via: 'tailnet',
        }
      : undefined;
  }

  /**
   * What answers on a Service port: a ready pod selected by it and the emulated process behind
   * that pod's port.
   * @param target the resolved Service
   * @param port the Service port asked for
   * @returns the backend, or undefined when nothing answers
   */
  serviceBackend(target: ResolvedService, port: number): Backend | undefined {
    const ports = (dig(target.service, 'spec', 'ports') as JsonObject[] | undefined) ?? [];
    const sp = ports.find((p) => Number(p['port']) === port);
    if (!sp) return undefined;
    const selector = dig(target.service, 'spec', 'selector') as Record<string, string> | undefined;
    const pods = this.pods(target.context).filter(
      (p) =>
        p.pod.metadata.namespace === target.namespace &&
        matchesLabels(selector, p.pod.metadata.labels ?? {}),
    );
    const pod = pods.find((p) => p.ready) ?? undefined;
    if (!pod) return undefined;
    const targetPort = sp['targetPort'] ?? sp['port'];
    return this.podBackend(pod, targetPort as string | number);
  }

  /**
   * What listens on a pod's port.
   * @param pod the pod
   * @param port number or container port name
   * @returns the backend, or undefined
   */
  podBackend(pod: PodInfo, port: string | number): Backend | undefined {
    const containers = (dig(pod.pod, 'spec', 'containers') as JsonObject[] | undefined) ?? [];
    let num = typeof port === 'number' ? port : Number(port);
    if (Number.isNaN(num)) {
      for (const c of containers) {
        for (const p of (c['ports'] as JsonObject[] | undefined) ?? []) {
          if (p['name'] === port) num = Number(p['containerPort']);
        }
      }
    }
    if (pod.cnpgCluster && num === 5432) {
      const server = this.pgServerFor(pod.context, pod.cnpgCluster);
      return server ? { kind: 'pg', pod, server } : undefined;
    }
    if (pod.role === 'immich-server' && num === Number(pod.env['IMMICH_PORT'] ?? 2283)) {
      return { kind: 'immich-api', pod };
    }
    if (pod.role === 'valkey' && num === 6379) return { kind: 'valkey', pod };
    return undefined;
  }

  /**
   * Devices on the tailnet: the static hosts plus the names the Tailscale operators of both
   * clusters assigned (stored in the objects' status).
   * @returns devices
   */
  tailnetDevices(): TailnetDevice[] {
    const out: TailnetDevice[] = STATIC_DEVICES.map((d) => ({
      ...d,
      dnsName: `${d.name}.${TAILNET}`,
    }));
    for (const [ctxName, ctx] of Object.entries(this.world.contexts)) {
      for (const obj of Object.values(ctx.objects)) {
        if (!tailnetRequest(obj)) continue;
        const fqdn = dig(obj, 'status', 'loadBalancer', 'ingress', 0, 'hostname');
        if (typeof fqdn !== 'string') continue;
        const name = fqdn.split('.')[0]!;
        out.push({
          name,
          dnsName: fqdn,
          ip: tailnetIp(name),
          os: 'linux',
          owner: {
            context: ctxName,
            kind: obj.kind,
            namespace: obj.metadata.namespace ?? '',
            name: obj.metadata.name,
          },
        });
      }
    }
    return out;
  }
}

/** What answers on a port. */
export type Backend =
  | { kind: 'pg'; pod: PodInfo; server: PgServer }
  | { kind: 'immich-api'; pod: PodInfo }
  | { kind: 'valkey'; pod: PodInfo };

/**
 * Where Immich's server connects, from its environment (`DB_URL` or `DB_HOSTNAME`...).
 * @param env the container environment
 * @returns host, port, database, user and password
 */
export function immichDatabaseTarget(env: Record<string, string>): {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
} {
  if (env['DB_URL']) {
    try {
      const u = new URL(env['DB_URL']);
      return {
        host: u.hostname,
        port: Number(u.port || 5432),
        database: decodeURIComponent(u.pathname.slice(1)) || 'immich',
        user: decodeURIComponent(u.username) || 'postgres',
        password: decodeURIComponent(u.password),
      };
    } catch {}
  }
  return {
    host: env['DB_HOSTNAME'] ?? 'database',
    port: Number(env['DB_PORT'] ?? 5432),
    database: env['DB_DATABASE_NAME'] ?? 'immich',
    user: env['DB_USERNAME'] ?? 'postgres',
    password: env['DB_PASSWORD'] ?? '',
  };
}

/**
 * The network an NFS server name goes over: `lan` for `sifaka` and 192.168.1.x, `tailnet` for
 * its MagicDNS name or a 100.64.0.0/10 address; undefined when it does not resolve.
 * @param server the server as written in the volume
 * @returns the route
 */
export function nfsRoute(server: string): 'lan' | 'tailnet' | undefined {
  const s = server.toLowerCase();
  if (s === 'sifaka' || s === 'sifaka.lan' || s === 'sifaka.local' || /^192\.168\.1\.\d+$/.test(s))
    return 'lan';
  if (s === `sifaka.${TAILNET}` || s === STATIC_DEVICES[2]!.ip) return 'tailnet';
  const m = /^100\.(\d+)\.\d+\.\d+$/.exec(s);
  if (m && Number(m[1]) >= 64 && Number(m[1]) < 128) return 'tailnet';
  return undefined;
}

/**
 * The time-slicing replicas of `nvidia.com/gpu` in the device plugin's ConfigMaps (1 without).
 * @param configMaps ConfigMaps of the device plugin's namespace
 * @returns replicas per GPU
 */
export function timeSlicingReplicas(configMaps: K8sObject[]): number {
  for (const cm of configMaps) {
    const data = isObject(cm['data']) ? cm['data'] : {};
    for (const text of Object.values(data)) {
      let parsed: unknown;
      try {
        parsed = parseYaml(String(text));
      } catch {
        continue;
      }
      const resources = dig(parsed, 'sharing', 'timeSlicing', 'resources');
      if (!Array.isArray(resources)) continue;
      const gpu = resources.find((r) => isObject(r) && r['name'] === 'nvidia.com/gpu');
      const replicas = Number(dig(gpu, 'replicas'));
      if (Number.isInteger(replicas) && replicas > 0) return replicas;
    }
  }
  return 1;
}

function finishStatus(p: PodInfo): void {
  const containers = (dig(p.pod, 'spec', 'containers') as JsonObject[] | undefined) ?? [];
  const started = p.pod.metadata.creationTimestamp ?? new Date().toISOString();
  const pr = p.problem;
  const scheduled = !pr?.scheduling;
  const phase = scheduled && (!pr || pr.crash || pr.reason === 'Running') ? 'Running' : 'Pending';
  p.running = phase === 'Running' && !pr?.crash;
  p.ready = !pr;
  const cond = (type: string, ok: boolean, reason?: string, message?: string) => ({
    type,
    status: ok ? 'True' : 'False',
    lastTransitionTime: started,
    ...(reason && !ok ? { reason } : {}),
    ...(message && !ok ? { message } : {}),
  });
  const status: JsonObject = {
    phase,
    conditions: [
      cond('PodScheduled', scheduled, 'Unschedulable', pr?.scheduling ? pr.message : undefined),
      cond('Initialized', scheduled),
      cond(
        'ContainersReady',
        !pr,
        'ContainersNotReady',
        pr
          ? `containers with unready status: [${containers.map((c) => String(c['name'])).join(' ')}]`
          : undefined,
      ),
      cond(
        'Ready',
        !pr,
        'ContainersNotReady',
        pr
          ? `containers with unready status: [${containers.map((c) => String(c['name'])).join(' ')}]`
          : undefined,
      ),
    ],
    qosClass: 'BestEffort',
  };
  if (scheduled) {
    status['hostIP'] = '192.168.49.2';
    status['podIP'] =
      `10.42.0.${1 + (Number.parseInt(shortHash(p.pod.metadata.name, 2), 16) % 250)}`;
    status['startTime'] = started;
    status['containerStatuses'] = containers.map((c) => {
      const base: JsonObject = {
        name: String(c['name']),
        image: String(c['image']),
        imageID: `${String(c['image'])}@sha256:${shortHash(String(c['image']), 64)}`,
        ready: !pr,
        started: !pr || pr.reason === 'Running',
        restartCount: pr?.crash ? 5 : 0,
      };
      if (!pr) base['state'] = { running: { startedAt: started } };
      else if (pr.crash && pr.reason === 'Running')
        base['state'] = { running: { startedAt: started } };
      else if (pr.crash) {
        base['state'] = {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off 5m0s restarting failed container=${String(c['name'])} pod=${p.pod.metadata.name}`,
          },
        };
        base['lastState'] = {
          terminated: {
            exitCode: 1,
            reason: 'Error',
            message: pr.message,
            startedAt: started,
            finishedAt: started,
          },
        };
      } else base['state'] = { waiting: { reason: pr.reason, message: pr.message } };
      return base;
    });
  }
  p.pod['status'] = status;
}
