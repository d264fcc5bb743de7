import { type KindInfo, qualifiedPlural } from './kinds.ts';
import {
  dig,
  groupOf,
  isObject,
  type JsonObject,
  jsonEqual,
  type K8sObject,
  objectKey,
  parseQuantity,
  shortHash,
} from './objects.ts';
import { StandInError } from './stand-in-error.ts';
import type { ContextState, World } from './store.ts';

/** Label the emulated CNPG operator Deployment carries. */
export const CNPG_OPERATOR_LABEL = 'cloudnative-pg';

/**
 * Whether the CNPG operator is installed in a context (its Deployment exists with replicas).
 * @param ctx context state
 * @returns true when installed and scaled up
 */
export function cnpgOperatorInstalled(ctx: ContextState): boolean {
  return Object.values(ctx.objects).some(
    (o) =>
      o.kind === 'Deployment' &&
      !o.metadata.deletionTimestamp &&
      o.metadata.labels?.['app.kubernetes.io/name'] === CNPG_OPERATOR_LABEL &&
      Number(dig(o, 'spec', 'replicas') ?? 1) > 0,
  );
}

const invalid = (kind: string, name: string, detail: string): StandInError =>
  new StandInError(`The ${kind} "${name}" is invalid: ${detail}`);

/**
 * Admission: the API server's validation and the emulated webhooks for a create or update.
 * Also mutates like the API server (Service cluster IPs). Throws kubectl's error text.
 * @param world the world
 * @param ctxName the context
 * @param kind the kind
 * @param old the live object (undefined on create)
 * @param next the object to store
 * @param source manifest source (messages)
 */
export function admit(
  world: World,
  ctxName: string,
  kind: KindInfo,
  old: K8sObject | undefined,
  next: K8sObject,
  source: string,
): void {
  const ctx = world.contexts[ctxName]!;
  const name = next.metadata.name;
  const ns = next.metadata.namespace;
  if (kind.namespaced && ns) {
    const nsObj = ctx.objects[objectKey('', 'Namespace', '', ns)];
    if (!nsObj) {
      throw new StandInError(
        `Error from server (NotFound): error when creating "${source}": namespaces "${ns}" not found`,
      );
    }
    if (nsObj.metadata.deletionTimestamp && !old) {
      throw new StandInError(
        `Error from server (Forbidden): error when creating "${source}": ${qualifiedPlural(kind)} "${name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
      );
    }
  }
  switch (kind.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
      admitWorkload(kind.kind, old, next);
      break;
    case 'PersistentVolumeClaim':
      admitPvc(old, next);
      break;
    case 'PersistentVolume':
      if (old && !jsonEqual(volumeSource(old), volumeSource(next))) {
        throw invalid(
          'PersistentVolume',
          name,
          'spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation',
        );
      }
      break;
    case 'Secret':
      admitSecret(next);
      break;
    case 'Service':
      admitService(ctxName, old, next);
      break;
    case 'Cluster':
      if (kind.group === 'postgresql.cnpg.io') admitCnpgCluster(ctx, old, next);
      break;
  }
}

function admitWorkload(kind: string, old: K8sObject | undefined, next: K8sObject): void {
  const name = next.metadata.name;
  const selector = dig(next, 'spec', 'selector', 'matchLabels');
  const tplLabels = dig(next, 'spec', 'template', 'metadata', 'labels');
  if (!isObject(selector) || Object.keys(selector).length === 0) {
    throw invalid(kind, name, 'spec.selector: Required value');
  }
  if (!isObject(tplLabels) || Object.entries(selector).some(([k, v]) => tplLabels[k] !== v)) {
    throw invalid(
      kind,
      name,
      `spec.template.metadata.labels: Invalid value: ${JSON.stringify(tplLabels ?? {})}: \`selector\` does not match template \`labels\``,
    );
  }
  const containers = dig(next, 'spec', 'template', 'spec', 'containers');
  if (!Array.isArray(containers) || containers.length === 0) {
    throw invalid(kind, name, 'spec.template.spec.containers: Required value');
  }
  for (const [i, c] of containers.entries()) {
    if (!isObject(c) || typeof c['name'] !== 'string' || typeof c['image'] !== 'string') {
      throw invalid(kind, name, `spec.template.spec.containers[${i}]: name and image are required`);
    }
  }
  if (old && !jsonEqual(dig(old, 'spec', 'selector'), dig(next, 'spec', 'selector'))) {
    throw invalid(
      kind,
      name,
      `spec.selector: Invalid value: ${JSON.stringify(dig(next, 'spec', 'selector'))}: field is immutable`,
    );
  }
}

function admitPvc(old: K8sObject | undefined, next: K8sObject): void {
  const name = next.metadata.name;
  const size = dig(next, 'spec', 'resources', 'requests', 'storage');
  if (Number.isNaN(parseQuantity(size))) {
    throw invalid('PersistentVolumeClaim', name, 'spec.resources[storage]: Required value');
  }
  if (!old) return;
  const strip = (o: K8sObject) => {
    const spec = { ...(o['spec'] as object) } as Record<string, unknown>;
    delete spec['resources'];
    delete spec['volumeName'];
    delete spec['volumeAttributesClassName'];
    return spec;
  };
  if (!jsonEqual(strip(old), strip(next))) {
    throw invalid(
      'PersistentVolumeClaim',
      name,
      'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    );
  }
  const before = parseQuantity(dig(old, 'spec', 'resources', 'requests', 'storage'));
  if (parseQuantity(size) < before) {
    throw invalid(
      'PersistentVolumeClaim',
      name,
      'spec.resources.requests.storage: Forbidden: field can not be less than previous value',
    );
  }
}

function volumeSource(o: K8sObject): unknown {
  const spec = { ...((o['spec'] as object) ?? {}) } as Record<string, unknown>;
  for (const k of ['claimRef', 'persistentVolumeReclaimPolicy', 'capacity', 'mountOptions'])
    delete spec[k];
  return spec;
}

function admitSecret(next: K8sObject): void {
  const data = next['data'];
  if (data === undefined) return;
  if (!isObject(data)) throw invalid('Secret', next.metadata.name, 'data: must be a map');
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) {
      throw new StandInError(
        `Error from server (BadRequest): error when creating "${next.metadata.name}": Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0 (key \`${k}\`)`,
      );
    }
  }
}

function admitService(ctxName: string, old: K8sObject | undefined, next: K8sObject): void {
  if (!isObject(next['spec'])) next['spec'] = {};
  const spec = next['spec'] as JsonObject;
  const oldIp = dig(old, 'spec', 'clusterIP');
  if (typeof oldIp === 'string') {
    if (spec['clusterIP'] !== undefined && spec['clusterIP'] !== oldIp) {
      throw invalid(
        'Service',
        next.metadata.name,
        'spec.clusterIP: Invalid value: field is immutable',
      );
    }
    spec['clusterIP'] = oldIp;
  } else if (spec['clusterIP'] === undefined) {
    const h = shortHash(`${ctxName}/${next.metadata.namespace}/${next.metadata.name}`, 4);
    spec['clusterIP'] =
      `10.43.${Number.parseInt(h.slice(0, 2), 16)}.${Number.parseInt(h.slice(2), 16) || 1}`;
  }
  if (!Array.isArray(spec['ports']) || spec['ports'].length === 0) {
    if (spec['clusterIP'] !== 'None') {
      throw invalid('Service', next.metadata.name, 'spec.ports: Required value');
    }
  }
  spec['type'] ??= 'ClusterIP';
}

function admitCnpgCluster(ctx: ContextState, old: K8sObject | undefined, next: K8sObject): void {
  if (!cnpgOperatorInstalled(ctx)) return; // no operator: no webhook (the object is just stored)
  const name = next.metadata.name;
  const deny = (field: string, value: unknown, detail: string): StandInError =>
    new StandInError(
      `Error from server (Forbidden): admission webhook "vcluster.cnpg.io" denied the request: Cluster.postgresql.cnpg.io "${name}" is invalid: ${field}: Invalid value: ${JSON.stringify(value)}: ${detail}`,
    );
  const instances = dig(next, 'spec', 'instances') ?? 1;
  if (typeof instances !== 'number' || instances < 1) {
    throw deny('spec.instances', instances, 'must be at least 1');
  }
  if (instances > 1) {
    throw new StandInError(
      `error: unsupported by the sandbox: Cluster "${name}" with instances: ${instances} (the sandbox runs one instance per Cluster)`,
    );
  }
  const size = dig(next, 'spec', 'storage', 'size');
  if (size !== undefined && Number.isNaN(parseQuantity(size))) {
    throw deny('spec.storage.size', size, 'quantities must match the regular expression');
  }
  const bootstrap = dig(next, 'spec', 'bootstrap');
  if (isObject(bootstrap)) {
    const methods = Object.keys(bootstrap).filter((k) => bootstrap[k] !== undefined);
    if (methods.length > 1) {
      throw deny('spec.bootstrap', methods, 'Too many bootstrap types specified');
    }
  }
  const externals = dig(next, 'spec', 'externalClusters');
  const externalNames = Array.isArray(externals)
    ? externals.map((e) => (isObject(e) ? e['name'] : undefined))
    : [];
  const source = dig(next, 'spec', 'bootstrap', 'pg_basebackup', 'source');
  if (source !== undefined && !externalNames.includes(source as string)) {
    throw deny(
      'spec.bootstrap.pg_basebackup.source',
      source,
      'External cluster not found in spec.externalClusters',
    );
  }
  const replicaSource = dig(next, 'spec', 'replica', 'source');
  if (
    dig(next, 'spec', 'replica', 'enabled') === true &&
    !externalNames.includes(replicaSource as string)
  ) {
    throw deny(
      'spec.replica.source',
      replicaSource ?? '',
      'External cluster not found in spec.externalClusters',
    );
  }
  if (old && size !== undefined) {
    const before = dig(old, 'spec', 'storage', 'size');
    if (parseQuantity(size) < parseQuantity(before)) {
      throw deny(
        'spec.storage.size',
        size,
        `can't shrink existing storage from ${String(before)} to ${String(size)}`,
      );
    }
  }
  if (old && groupOf(old.apiVersion) === 'postgresql.cnpg.io') {
    const wasReplica = dig(old, 'spec', 'replica', 'enabled') === true;
    const isReplica = dig(next, 'spec', 'replica', 'enabled') === true;
    if (!wasReplica && isReplica && dig(old, 'status', 'readyInstances') !== undefined) {
      throw new StandInError(
        `error: unsupported by the sandbox: demoting Cluster "${name}" to a replica cluster (replica.enabled false → true)`,
      );
    }
  }
}
