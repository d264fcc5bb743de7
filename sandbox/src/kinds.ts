import { dig, groupOf, isObject, type K8sObject } from './objects.ts';
import type { ContextState } from './store.ts';

/** A resource type the emulated API server serves. */
export interface KindInfo {
  group: string;
  /** Versions served (first is preferred). */
  versions: string[];
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  namespaced: boolean;
}

const b = (
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  shortNames: string[] = [],
): KindInfo => ({
  group,
  versions: [version],
  kind,
  plural,
  singular: kind.toLowerCase(),
  shortNames,
  namespaced,
});

/** The built-in kinds every emulated cluster serves. */
export const BUILTIN_KINDS: KindInfo[] = [
  b('', 'v1', 'Namespace', 'namespaces', false, ['ns']),
  b('', 'v1', 'Pod', 'pods', true, ['po']),
  b('', 'v1', 'Service', 'services', true, ['svc']),
  b('', 'v1', 'ConfigMap', 'configmaps', true, ['cm']),
  b('', 'v1', 'Secret', 'secrets', true),
  b('', 'v1', 'ServiceAccount', 'serviceaccounts', true, ['sa']),
  b('', 'v1', 'PersistentVolume', 'persistentvolumes', false, ['pv']),
  b('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, ['pvc']),
  b('', 'v1', 'Node', 'nodes', false, ['no']),
  b('', 'v1', 'Endpoints', 'endpoints', true, ['ep']),
  b('apps', 'v1', 'Deployment', 'deployments', true, ['deploy']),
  b('apps', 'v1', 'StatefulSet', 'statefulsets', true, ['sts']),
  b('apps', 'v1', 'DaemonSet', 'daemonsets', true, ['ds']),
  b('batch', 'v1', 'Job', 'jobs', true),
  b('batch', 'v1', 'CronJob', 'cronjobs', true, ['cj']),
  b('networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, ['ing']),
  b('networking.k8s.io', 'v1', 'IngressClass', 'ingressclasses', false),
  b('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true, ['netpol']),
  b('storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', false, ['sc']),
  b('node.k8s.io', 'v1', 'RuntimeClass', 'runtimeclasses', false),
  b('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, [
    'crd',
    'crds',
  ]),
  b('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
  b('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
  b('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  b('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  b('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, ['pdb']),
  b(
    'admissionregistration.k8s.io',
    'v1',
    'MutatingWebhookConfiguration',
    'mutatingwebhookconfigurations',
    false,
  ),
  b(
    'admissionregistration.k8s.io',
    'v1',
    'ValidatingWebhookConfiguration',
    'validatingwebhookconfigurations',
    false,
  ),
  b('scheduling.k8s.io', 'v1', 'PriorityClass', 'priorityclasses', false, ['pc']),
  b('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
];

/**
 * The kinds a context serves: the built-ins plus every established CustomResourceDefinition.
 * @param ctx the context state
 * @returns kind infos
 */
export function kindsOf(ctx: ContextState): KindInfo[] {
  const out = [...BUILTIN_KINDS];
  for (const obj of Object.values(ctx.objects)) {
    if (obj.kind !== 'CustomResourceDefinition' || obj.metadata.deletionTimestamp) continue;
    const info = crdKind(obj);
    if (info) out.push(info);
  }
  return out;
}

/**
 * The kind a CustomResourceDefinition defines.
 * @param crd the CRD object
 * @returns its kind info, or undefined when the CRD is incomplete
 */
export function crdKind(crd: K8sObject): KindInfo | undefined {
  const names = dig(crd, 'spec', 'names');
  const group = dig(crd, 'spec', 'group');
  if (!isObject(names) || typeof group !== 'string' || typeof names['kind'] !== 'string') {
    return undefined;
  }
  const versions = dig(crd, 'spec', 'versions');
  const served = Array.isArray(versions)
    ? versions
        .filter((v) => isObject(v) && v['served'] !== false && typeof v['name'] === 'string')
        .map((v) => (v as { name: string }).name)
    : [];
  const kind = names['kind'];
  const short = names['shortNames'];
  return {
    group,
    versions: served.length > 0 ? served : ['v1'],
    kind,
    plural: typeof names['plural'] === 'string' ? names['plural'] : `${kind.toLowerCase()}s`,
    singular: typeof names['singular'] === 'string' ? names['singular'] : kind.toLowerCase(),
    shortNames: Array.isArray(short) ? short.filter((s): s is string => typeof s === 'string') : [],
    namespaced: dig(crd, 'spec', 'scope') !== 'Cluster',
  };
}

/**
 * Finds the kind of a manifest's apiVersion and kind.
 * @param kinds the kinds served
 * @param apiVersion e.g. `apps/v1`
 * @param kind e.g. `Deployment`
 * @returns the kind info, or undefined ("no matches for kind")
 */
export function kindForManifest(
  kinds: KindInfo[],
  apiVersion: string,
  kind: string,
): KindInfo | undefined {
  const group = groupOf(apiVersion);
  const version = apiVersion.includes('/')
    ? apiVersion.slice(apiVersion.indexOf('/') + 1)
    : apiVersion;
  return kinds.find((k) => k.group === group && k.kind === kind && k.versions.includes(version));
}

/**
 * Resolves a resource type as typed on the command line (`pods`, `po`, `deploy`,
 * `clusters.postgresql.cnpg.io`, `Deployment`).
 * @param kinds the kinds served
 * @param name the type
 * @returns the kind info, or undefined
 */
export function kindForType(kinds: KindInfo[], name: string): KindInfo | undefined {
  const lower = name.toLowerCase();
  const dot = lower.indexOf('.');
  const base = dot < 0 ? lower : lower.slice(0, dot);
  const rest = dot < 0 ? undefined : lower.slice(dot + 1);
  const matches = kinds.filter((k) => {
    const names = [k.plural, k.singular, k.kind.toLowerCase(), ...k.shortNames];
    if (!names.includes(base)) return false;
    if (rest === undefined) return true;
    return rest === k.group || k.versions.some((v) => rest === `${v}.${k.group}`);
  });
  // Built-ins win over CRDs with the same short name, as kubectl's discovery priority does.
  return matches.find((k) => k.group === '' || !k.group.includes('.')) ?? matches[0];
}

/**
 * The name kubectl prints for a kind (`deployment.apps`, `pod`, `cluster.postgresql.cnpg.io`).
 * @param k the kind
 * @returns the qualified singular name
 */
export function qualifiedName(k: KindInfo): string {
  return k.group ? `${k.singular}.${k.group}` : k.singular;
}

/**
 * The plural resource name with group (`deployments.apps`), as in NotFound errors.
 * @param k the kind
 * @returns plural.group
 */
export function qualifiedPlural(k: KindInfo): string {
  return k.group ? `${k.plural}.${k.group}` : k.plural;
}
