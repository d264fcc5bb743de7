import type { ClusterView } from './cluster-view.ts';
import {
  clone,
  dig,
  groupOf,
  isObject,
  type JsonObject,
  type K8sObject,
  objectKey,
} from './objects.ts';

/**
 * The object as `kubectl get` shows it: stored fields plus the status the emulated controllers
 * would report now (workload replicas from their pods, CNPG readiness from the real server).
 * @param view the cluster view
 * @param ctxName context
 * @param obj the stored object
 * @returns a copy with its status
 */
export function withStatus(view: ClusterView, ctxName: string, obj: K8sObject): K8sObject {
  const o = clone(obj);
  switch (o.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
      if (groupOf(o.apiVersion) === 'apps') o['status'] = workloadStatus(view, ctxName, obj);
      break;
    case 'Cluster':
      if (groupOf(o.apiVersion) === 'postgresql.cnpg.io')
        o['status'] = cnpgStatus(view, ctxName, obj);
      break;
    case 'Namespace':
      o['status'] = { phase: o.metadata.deletionTimestamp ? 'Terminating' : 'Active' };
      break;
    case 'Application':
      if (groupOf(o.apiVersion) === 'argoproj.io') o['status'] = applicationStatus(view, obj);
      break;
  }
  return o;
}

function workloadStatus(view: ClusterView, ctxName: string, obj: K8sObject): JsonObject {
  const pods = view.podsOf(ctxName, obj);
  const ready = pods.filter((p) => p.ready).length;
  const gen = obj.metadata.generation ?? 1;
  if (obj.kind === 'DaemonSet') {
    return {
      currentNumberScheduled: pods.length,
      desiredNumberScheduled: 1,
      numberAvailable: ready,
      numberMisscheduled: 0,
      numberReady: ready,
      observedGeneration: gen,
      updatedNumberScheduled: pods.length,
      ...(ready < 1 ? { numberUnavailable: 1 - ready } : {}),
    };
  }
  const replicas = Number(dig(obj, 'spec', 'replicas') ?? 1);
  const status: JsonObject = {
    observedGeneration: gen,
    replicas: pods.length,
    updatedReplicas: pods.length,
    availableReplicas: ready,
  };
  if (ready > 0) status['readyReplicas'] = ready;
  if (obj.kind === 'StatefulSet') {
    status['currentReplicas'] = pods.length;
    return status;
  }
  if (replicas - ready > 0) status['unavailableReplicas'] = replicas - ready;
  const now = obj.metadata.creationTimestamp ?? new Date().toISOString();
  const stuck = pods.find((p) => p.problem);
  status['conditions'] = [
    {
      type: 'Available',
      status: ready >= replicas ? 'True' : 'False',
      reason: ready >= replicas ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
      message:
        ready >= replicas
          ? 'Deployment has minimum availability.'
          : 'Deployment does not have minimum availability.',
      lastTransitionTime: now,
      lastUpdateTime: now,
    },
    {
      type: 'Progressing',
      status: 'True',
      reason: ready >= replicas ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
      message: stuck
        ? `ReplicaSet is progressing; pod ${stuck.pod.metadata.name}: ${stuck.problem!.reason}: ${stuck.problem!.message}`
        : `ReplicaSet "${obj.metadata.name}" has successfully progressed.`,
      lastTransitionTime: now,
      lastUpdateTime: now,
    },
  ];
  return status;
}

function cnpgStatus(view: ClusterView, ctxName: string, obj: K8sObject): JsonObject {
  const stored = isObject(obj['status']) ? clone(obj['status']) : {};
  const name = obj.metadata.name;
  const server = view.pgServerFor(ctxName, obj);
  const st = server?.status();
  const bootstrapped = Array.isArray(stored['instanceNames']) && stored['instanceNames'].length > 0;
  const up =
    bootstrapped && st?.running === true && (st.pmStatus === 'ready' || st.pmStatus === 'standby');
  const out: JsonObject = {
    instances: Number(dig(obj, 'spec', 'instances') ?? 1),
    readyInstances: up ? 1 : 0,
    writeService: `${name}-rw`,
    readService: `${name}-r`,
    ...stored,
  };
  out['readyInstances'] = up ? 1 : 0;
  if (bootstrapped && !up && out['phase'] === 'Cluster in healthy state') {
    out['phase'] = 'Waiting for the instances to become active';
    out['phaseReason'] = 'Instance is not ready';
  }
  const conditions = Array.isArray(stored['conditions'])
    ? stored['conditions'].filter((c) => isObject(c) && c['type'] !== 'Ready')
    : [];
  const healthy = up && out['phase'] === 'Cluster in healthy state';
  conditions.unshift({
    type: 'Ready',
    status: healthy ? 'True' : 'False',
    reason: healthy ? 'ClusterIsReady' : 'ClusterIsNotReady',
    message: healthy
      ? 'Cluster is Ready'
      : String(out['phaseReason'] ?? out['phase'] ?? 'Cluster Is Not Ready'),
    lastTransitionTime: String(stored['lastTransition'] ?? obj.metadata.creationTimestamp ?? ''),
  });
  out['conditions'] = conditions;
  delete out['lastTransition'];
  return out;
}

/**
 * ArgoCD-style health of one object.
 * @param view the cluster view
 * @param ctxName context
 * @param obj the object (stored)
 * @returns Healthy, Progressing, Degraded, Suspended or Missing
 */
export function healthOf(view: ClusterView, ctxName: string, obj: K8sObject | undefined): string {
  if (!obj) return 'Missing';
  const o = withStatus(view, ctxName, obj);
  switch (o.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet': {
      const pods = view.podsOf(ctxName, obj);
      if (pods.some((p) => p.problem?.crash)) return 'Degraded';
      const replicas = o.kind === 'DaemonSet' ? 1 : Number(dig(o, 'spec', 'replicas') ?? 1);
      if (replicas === 0 && o.kind !== 'DaemonSet') return 'Healthy';
      return pods.filter((p) => p.ready).length >= replicas ? 'Healthy' : 'Progressing';
    }
    case 'Cluster':
      return dig(o, 'status', 'phase') === 'Cluster in healthy state' &&
        dig(o, 'status', 'readyInstances') === dig(o, 'status', 'instances')
        ? 'Healthy'
        : 'Progressing';
    case 'PersistentVolumeClaim':
      return dig(o, 'status', 'phase') === 'Bound' ? 'Healthy' : 'Progressing';
    default:
      return 'Healthy';
  }
}

function applicationStatus(view: ClusterView, app: K8sObject): JsonObject {
  const stored = isObject(app['status']) ? clone(app['status']) : {};
  const resources = Array.isArray(stored['resources']) ? stored['resources'] : [];
  const ctxName =
    typeof stored['destinationContext'] === 'string' ? stored['destinationContext'] : undefined;
  let worst = 'Healthy';
  const rank = ['Healthy', 'Suspended', 'Progressing', 'Missing', 'Degraded'];
  const out = resources.map((r) => {
    if (!isObject(r) || !ctxName || !view.world.contexts[ctxName]) return r;
    const group = String(r['group'] ?? '');
    const obj =
      view.world.contexts[ctxName]!.objects[
        objectKey(group, String(r['kind']), String(r['namespace'] ?? ''), String(r['name']))
      ];
    const h = healthOf(view, ctxName, obj);
    if (rank.indexOf(h) > rank.indexOf(worst)) worst = h;
    return { ...r, status: obj ? 'Synced' : 'OutOfSync', health: { status: h } };
  });
  stored['resources'] = out;
  stored['health'] = { status: resources.length === 0 && !stored['sync'] ? 'Missing' : worst };
  if (!isObject(stored['sync'])) stored['sync'] = { status: 'OutOfSync' };
  else if (out.some((r) => isObject(r) && r['status'] === 'OutOfSync')) {
    stored['sync'] = { ...stored['sync'], status: 'OutOfSync' };
  }
  return stored;
}

/**
 * The node of a context, with capacity (GPU slices from the device plugin) and architecture.
 * @param view the cluster view
 * @param ctxName context
 * @returns the Node object
 */
export function nodeObject(view: ClusterView, ctxName: string): K8sObject {
  const c = view.cluster(ctxName);
  const gpu = view.gpuCapacity(ctxName);
  const capacity: JsonObject = {
    cpu: c.arch === 'amd64' ? '16' : '8',
    memory: c.arch === 'amd64' ? '65536Mi' : '12288Mi',
    pods: '110',
    'ephemeral-storage': '500Gi',
  };
  if (gpu > 0) capacity['nvidia.com/gpu'] = String(gpu);
  const created = view.world.meta.createdAt;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: c.node,
      creationTimestamp: created,
      uid: `node-${c.node}`,
      labels: {
        'kubernetes.io/arch': c.arch,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/hostname': c.node,
        'node-role.kubernetes.io/control-plane': 'true',
        ...(c.gpu ? { 'nvidia.com/gpu.present': 'true' } : {}),
      },
    },
    spec: {},
    status: {
      capacity,
      allocatable: capacity,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
        },
      ],
      nodeInfo: {
        architecture: c.arch,
        operatingSystem: 'linux',
        kubeletVersion: c.kubeletVersion,
        containerRuntimeVersion: c.context.startsWith('k3s')
          ? 'containerd://2.0.5-k3s1'
          : 'docker://28.1.1',
      },
      addresses: [
        {
          type: 'InternalIP',
          address: c.context.startsWith('k3s') ? '192.168.1.21' : '192.168.49.2',
        },
        { type: 'Hostname', address: c.node },
      ],
    },
  };
}
