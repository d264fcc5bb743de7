import { stringify as toYaml } from 'yaml';
import { OPS_REPO_URL } from './forge.ts';
import { LOCAL_REGISTRY } from './images.ts';
import type { K8sObject } from './objects.ts';
import { TAILNET } from './paths.ts';
import { sandboxPassword } from './reconcile-state.ts';
import type { SandboxCluster } from './store.ts';

/** The two clusters of the homelab. */
export const SANDBOX_CLUSTERS: SandboxCluster[] = [
  {
    context: 'minikube-indri',
    node: 'minikube',
    arch: 'arm64',
    server: 'https://kubernetes.default.svc',
    argocdNames: ['in-cluster', 'minikube-indri', 'indri'],
    kubeletVersion: 'v1.32.0',
  },
  {
    context: 'k3s-ringtail',
    node: 'ringtail',
    arch: 'amd64',
    server: `https://ringtail.${TAILNET}:6443`,
    argocdNames: ['ringtail', 'k3s-ringtail'],
    gpu: { model: 'NVIDIA GeForce RTX 4080', count: 1 },
    kubeletVersion: 'v1.32.5+k3s1',
  },
];

/** Images the seeded homelab runs. */
export const SEED_IMAGES = {
  immichServer: 'ghcr.io/immich-app/immich-server:v1.137.3',
  immichMl: 'ghcr.io/immich-app/immich-machine-learning:v1.137.3',
  /** The local registry mirror's valkey: arm64-only. */
  valkeyMirror: `${LOCAL_REGISTRY}/valkey/valkey:8.1.3-alpine`,
  /** The upstream multi-arch valkey. */
  valkeyUpstream: 'docker.io/valkey/valkey:8.1.3-alpine',
  postgres: 'ghcr.io/tensorchord/cloudnative-vectorchord:17-0.5.0',
  cnpgOperator: 'ghcr.io/cloudnative-pg/cloudnative-pg:1.27.1',
};

const ns = (name: string): K8sObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name },
});

function crd(
  group: string,
  kind: string,
  plural: string,
  scope: 'Namespaced' | 'Cluster',
  versions: string[],
  shortNames: string[] = [],
): K8sObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      names: {
        kind,
        plural,
        singular: kind.toLowerCase(),
        listKind: `${kind}List`,
        ...(shortNames.length ? { shortNames } : {}),
      },
      scope,
      versions: versions.map((v, i) => ({
        name: v,
        served: true,
        storage: i === 0,
        schema: {
          openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        },
      })),
    },
  };
}

/**
 * The CRDs of the CNPG operator release (schemas elided: the sandbox does not validate them).
 * @returns CRD objects
 */
export function cnpgCrds(): K8sObject[] {
  const g = 'postgresql.cnpg.io';
  return [
    crd(g, 'Backup', 'backups', 'Namespaced', ['v1']),
    crd(g, 'Cluster', 'clusters', 'Namespaced', ['v1']),
    crd(g, 'ClusterImageCatalog', 'clusterimagecatalogs', 'Cluster', ['v1']),
    crd(g, 'Database', 'databases', 'Namespaced', ['v1']),
    crd(g, 'FailoverQuorum', 'failoverquorums', 'Namespaced', ['v1']),
    crd(g, 'ImageCatalog', 'imagecatalogs', 'Namespaced', ['v1']),
    crd(g, 'Pooler', 'poolers', 'Namespaced', ['v1']),
    crd(g, 'Publication', 'publications', 'Namespaced', ['v1']),
    crd(g, 'ScheduledBackup', 'scheduledbackups', 'Namespaced', ['v1']),
    crd(g, 'Subscription', 'subscriptions', 'Namespaced', ['v1']),
  ];
}

function deployment(
  name: string,
  namespace: string,
  image: string,
  extra: {
    labels?: Record<string, string>;
    pod?: Record<string, unknown>;
    container?: Record<string, unknown>;
    replicas?: number;
  } = {},
): K8sObject {
  const selector = { 'app.kubernetes.io/name': extra.labels?.['app.kubernetes.io/name'] ?? name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { ...selector, ...extra.labels } },
    spec: {
      replicas: extra.replicas ?? 1,
      selector: { matchLabels: selector },
      strategy: { type: 'Recreate' },
      template: {
        metadata: { labels: { ...selector, ...extra.labels } },
        spec: { ...extra.pod, containers: [{ name, image, ...extra.container }] },
      },
    },
  };
}

function service(
  name: string,
  namespace: string,
  port: number,
  selector: Record<string, string>,
  extra: Record<string, unknown> = {},
  annotations?: Record<string, string>,
): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
    spec: { ports: [{ name: 'tcp', port, protocol: 'TCP', targetPort: port }], selector, ...extra },
  };
}

/**
 * The CNPG operator as its release installs it: namespace `cnpg-system`, CRDs, the controller
 * Deployment (what the built-in `mirrors/cloudnative-pg` source of the ArgoCD stand-in yields).
 * @param revision the release tag
 * @returns manifests
 */
export function cnpgOperatorManifests(revision = 'v1.27.1'): K8sObject[] {
  return [
    ...cnpgCrds(),
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'cnpg-manager', namespace: 'cnpg-system' },
    },
    deployment(
      'cnpg-controller-manager',
      'cnpg-system',
      `ghcr.io/cloudnative-pg/cloudnative-pg:${revision.replace(/^v/, '')}`,
      {
        labels: { 'app.kubernetes.io/name': 'cloudnative-pg' },
        pod: { serviceAccountName: 'cnpg-manager' },
      },
    ),
    service('cnpg-webhook-service', 'cnpg-system', 443, {
      'app.kubernetes.io/name': 'cloudnative-pg',
    }),
  ];
}

function common(storageClass: K8sObject): K8sObject[] {
  return [
    ...[
      'default',
      'kube-system',
      'kube-public',
      'kube-node-lease',
      'tailscale',
      'external-secrets',
    ].map(ns),
    storageClass,
    crd(
      'external-secrets.io',
      'ExternalSecret',
      'externalsecrets',
      'Namespaced',
      ['v1', 'v1beta1'],
      ['es'],
    ),
    crd(
      'external-secrets.io',
      'ClusterSecretStore',
      'clustersecretstores',
      'Cluster',
      ['v1', 'v1beta1'],
      ['css'],
    ),
    crd(
      'external-secrets.io',
      'SecretStore',
      'secretstores',
      'Namespaced',
      ['v1', 'v1beta1'],
      ['ss'],
    ),
    crd('tailscale.com', 'ProxyGroup', 'proxygroups', 'Cluster', ['v1alpha1'], ['pg']),
    crd('tailscale.com', 'ProxyClass', 'proxyclasses', 'Cluster', ['v1alpha1']),
    crd('tailscale.com', 'Connector', 'connectors', 'Cluster', ['v1alpha1'], ['cn']),
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'tailscale' },
      spec: { controller: 'tailscale.com/ts-ingress' },
    },
    deployment('operator', 'tailscale', 'tailscale/k8s-operator:v1.84.3', {
      labels: { 'app.kubernetes.io/name': 'tailscale-operator' },
    }),
    {
      apiVersion: 'tailscale.com/v1alpha1',
      kind: 'ProxyGroup',
      metadata: { name: 'ingress-proxies' },
      spec: { type: 'ingress', replicas: 1 },
    },
    deployment(
      'external-secrets',
      'external-secrets',
      'ghcr.io/external-secrets/external-secrets:v0.18.2',
    ),
    {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterSecretStore',
      metadata: { name: 'onepassword-blumeops' },
      spec: {
        provider: {
          onepassword: {
            vaults: { blumeops: 1 },
            connectHost: 'http://onepassword-connect.external-secrets:8080',
          },
        },
      },
    },
  ];
}

function application(name: string, spec: Record<string, unknown>): K8sObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] },
    spec: { project: 'default', ...spec },
  };
}

/**
 * The BEFORE state of `minikube-indri`: ArgoCD, the CNPG operator, the `immich-pg` Cluster
 * (initdb bootstrap, PG 17 + VectorChord image, `borgmatic` managed role), its Tailscale Service
 * and ExternalSecret, the Immich app (server, machine learning, valkey from the local arm64
 * mirror), the library on NFS, and the `immich-tailscale` ingress owning `photos`.
 * @returns manifests in apply order
 */
export function minikubeSeed(): K8sObject[] {
  const appPassword = sandboxPassword('minikube-indri/databases/immich-pg/app');
  return [
    ...common({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: {
        name: 'standard',
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      provisioner: 'k8s.io/minikube-hostpath',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'Immediate',
    }),
    ...['argocd', 'cnpg-system', 'databases', 'immich'].map(ns),
    crd('argoproj.io', 'Application', 'applications', 'Namespaced', ['v1alpha1'], ['app', 'apps']),
    crd('argoproj.io', 'AppProject', 'appprojects', 'Namespaced', ['v1alpha1'], ['appproj']),
    deployment('argocd-server', 'argocd', 'quay.io/argoproj/argocd:v3.0.11'),
    deployment('argocd-repo-server', 'argocd', 'quay.io/argoproj/argocd:v3.0.11'),
    ...cnpgOperatorManifests(),
    {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: { name: 'immich-pg', namespace: 'databases' },
      spec: {
        instances: 1,
        imageName: SEED_IMAGES.postgres,
        enableSuperuserAccess: true,
        // wal_keep_size: what the chain's preflight asks of the source for an external replica
        // (CNPG's default is 512MB).
        postgresql: {
          shared_preload_libraries: ['vchord.so'],
          parameters: { wal_keep_size: '1GB' },
        },
        bootstrap: {
          initdb: {
            database: 'immich',
            owner: 'immich',
            postInitSQL: [
              'CREATE EXTENSION IF NOT EXISTS vchord CASCADE;',
              'CREATE EXTENSION IF NOT EXISTS vector;',
              'CREATE EXTENSION IF NOT EXISTS cube CASCADE;',
              'CREATE EXTENSION IF NOT EXISTS earthdistance CASCADE;',
            ],
          },
        },
        managed: {
          roles: [
            {
              name: 'borgmatic',
              ensure: 'present',
              login: true,
              inRoles: ['pg_read_all_data'],
              passwordSecret: { name: 'immich-pg-borgmatic' },
            },
          ],
        },
        storage: { size: '10Gi' },
      },
    },
    {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'immich-pg-borgmatic', namespace: 'databases' },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { kind: 'ClusterSecretStore', name: 'onepassword-blumeops' },
        target: { name: 'immich-pg-borgmatic', template: { type: 'kubernetes.io/basic-auth' } },
        data: [
          {
            secretKey: 'username',
            remoteRef: { key: 'immich-pg-borgmatic', property: 'username' },
          },
          {
            secretKey: 'password',
            remoteRef: { key: 'immich-pg-borgmatic', property: 'password' },
          },
        ],
      },
    },
    service(
      'immich-pg-tailscale',
      'databases',
      5432,
      { 'cnpg.io/cluster': 'immich-pg', 'cnpg.io/instanceRole': 'primary' },
      { type: 'LoadBalancer', loadBalancerClass: 'tailscale' },
      { 'tailscale.com/hostname': 'immich-pg' },
    ),
    {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'immich-library' },
      spec: {
        capacity: { storage: '2Ti' },
        accessModes: ['ReadWriteMany'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: '',
        mountOptions: ['nfsvers=4.1'],
        nfs: { server: 'sifaka', path: '/volume1/photos' },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'immich-library', namespace: 'immich' },
      spec: {
        accessModes: ['ReadWriteMany'],
        storageClassName: '',
        volumeName: 'immich-library',
        resources: { requests: { storage: '2Ti' } },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'pvc-ml-cache', namespace: 'immich' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'immich-db', namespace: 'immich' },
      type: 'Opaque',
      data: { password: Buffer.from(appPassword).toString('base64') },
    },
    deployment('immich-server', 'immich', SEED_IMAGES.immichServer, {
      pod: {
        volumes: [{ name: 'library', persistentVolumeClaim: { claimName: 'immich-library' } }],
      },
      container: {
        ports: [{ name: 'http', containerPort: 2283, protocol: 'TCP' }],
        env: [
          { name: 'DB_HOSTNAME', value: 'immich-pg-rw.databases.svc.cluster.local' },
          { name: 'DB_DATABASE_NAME', value: 'immich' },
          { name: 'DB_USERNAME', value: 'immich' },
          {
            name: 'DB_PASSWORD',
            valueFrom: { secretKeyRef: { name: 'immich-db', key: 'password' } },
          },
          { name: 'REDIS_HOSTNAME', value: 'immich-valkey' },
          { name: 'IMMICH_MACHINE_LEARNING_URL', value: 'http://immich-machine-learning:3003' },
        ],
        volumeMounts: [{ name: 'library', mountPath: '/usr/src/app/upload' }],
      },
    }),
    service('immich-server', 'immich', 2283, { 'app.kubernetes.io/name': 'immich-server' }),
    deployment('immich-machine-learning', 'immich', SEED_IMAGES.immichMl, {
      pod: { volumes: [{ name: 'cache', persistentVolumeClaim: { claimName: 'pvc-ml-cache' } }] },
      container: {
        ports: [{ name: 'http', containerPort: 3003, protocol: 'TCP' }],
        volumeMounts: [{ name: 'cache', mountPath: '/cache' }],
      },
    }),
    service('immich-machine-learning', 'immich', 3003, {
      'app.kubernetes.io/name': 'immich-machine-learning',
    }),
    deployment('immich-valkey', 'immich', SEED_IMAGES.valkeyMirror, {
      container: { ports: [{ name: 'redis', containerPort: 6379, protocol: 'TCP' }] },
    }),
    service('immich-valkey', 'immich', 6379, { 'app.kubernetes.io/name': 'immich-valkey' }),
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: 'immich-tailscale',
        namespace: 'immich',
        annotations: { 'tailscale.com/proxy-group': 'ingress-proxies' },
      },
      spec: {
        ingressClassName: 'tailscale',
        defaultBackend: { service: { name: 'immich-server', port: { number: 2283 } } },
        tls: [{ hosts: ['photos'] }],
      },
    },
    application('apps', {
      source: { repoURL: OPS_REPO_URL, path: 'argocd/apps', targetRevision: 'main' },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'argocd' },
    }),
    application('cloudnative-pg', {
      source: {
        repoURL: 'https://forge.ops.eblu.me/mirrors/cloudnative-pg.git',
        path: 'releases',
        targetRevision: 'v1.27.1',
      },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'cnpg-system' },
      syncPolicy: { syncOptions: ['ServerSideApply=true', 'CreateNamespace=true'] },
    }),
    application('databases', {
      source: { repoURL: OPS_REPO_URL, path: 'argocd/manifests/databases', targetRevision: 'main' },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'databases' },
    }),
    application('immich', {
      source: { repoURL: OPS_REPO_URL, path: 'argocd/manifests/immich', targetRevision: 'main' },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'immich' },
      // Automated with self-heal: a scale-down by hand is undone within seconds unless the
      // policy is switched off first (the cutover's quiesce does; the rollback restores it).
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    }),
    application('nvidia-device-plugin-ringtail', {
      source: {
        repoURL: OPS_REPO_URL,
        path: 'argocd/manifests/nvidia-device-plugin',
        targetRevision: 'main',
      },
      destination: {
        server: `https://ringtail.${TAILNET}:6443`,
        namespace: 'nvidia-device-plugin',
      },
    }),
  ];
}

/** The device plugin's time-slicing config (replicas 2: Frigate and Ollama use both). */
export const TIME_SLICING_CONFIG = `version: v1
sharing:
  timeSlicing:
    resources:
      - name: nvidia.com/gpu
        replicas: 2
`;

/**
 * The BEFORE state of `k3s-ringtail`: no Immich and no CNPG, the NVIDIA device plugin with
 * time slicing (replicas 2) and the two GPU tenants that use both slices (Frigate, Ollama).
 * @returns manifests in apply order
 */
export function ringtailSeed(): K8sObject[] {
  const gpuPod = { runtimeClassName: 'nvidia' };
  const gpuLimits = { resources: { limits: { 'nvidia.com/gpu': 1 } } };
  return [
    ...common({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: {
        name: 'local-path',
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      provisioner: 'rancher.io/local-path',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
    }),
    ...['nvidia-device-plugin', 'frigate', 'ollama'].map(ns),
    {
      apiVersion: 'node.k8s.io/v1',
      kind: 'RuntimeClass',
      metadata: { name: 'nvidia' },
      handler: 'nvidia',
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'nvidia-device-plugin-config', namespace: 'nvidia-device-plugin' },
      data: { 'config.yaml': TIME_SLICING_CONFIG },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: {
        name: 'nvidia-device-plugin',
        namespace: 'nvidia-device-plugin',
        labels: { 'app.kubernetes.io/name': 'nvidia-device-plugin' },
      },
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/name': 'nvidia-device-plugin' } },
        template: {
          metadata: { labels: { 'app.kubernetes.io/name': 'nvidia-device-plugin' } },
          spec: {
            runtimeClassName: 'nvidia',
            containers: [
              {
                name: 'nvidia-device-plugin-ctr',
                image: 'nvcr.io/nvidia/k8s-device-plugin:v0.17.1',
                env: [{ name: 'CONFIG_FILE', value: '/config/config.yaml' }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name: 'nvidia-device-plugin-config' } }],
          },
        },
      },
    },
    deployment('frigate', 'frigate', 'ghcr.io/blakeblackshear/frigate:0.15.1-tensorrt', {
      pod: gpuPod,
      container: gpuLimits,
    }),
    deployment('ollama', 'ollama', 'docker.io/ollama/ollama:0.9.6', {
      pod: gpuPod,
      container: gpuLimits,
    }),
  ];
}

/** Where each seeded Application's manifests live in the ops repository, by app name. */
const APP_PATHS: Record<string, { path: string; context: string; namespace?: string }> = {
  databases: {
    path: 'argocd/manifests/databases',
    context: 'minikube-indri',
    namespace: 'databases',
  },
  immich: { path: 'argocd/manifests/immich', context: 'minikube-indri', namespace: 'immich' },
  'nvidia-device-plugin-ringtail': {
    path: 'argocd/manifests/nvidia-device-plugin',
    context: 'k3s-ringtail',
    namespace: 'nvidia-device-plugin',
  },
};

/**
 * The ArgoCD part of the ops repository as the homelab has it before the migration:
 * `argocd/apps/<app>.yaml` (the Applications the app-of-apps `apps` registers) and
 * `argocd/manifests/<app>/<kind>-<name>.yaml` (what each one deploys: the seeded objects of its
 * namespace; Secrets and the library's PersistentVolume are made by hand).
 * @returns repository-relative file → YAML text
 */
export function opsRepoArgoFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const seeds: Record<string, K8sObject[]> = {
    'minikube-indri': minikubeSeed(),
    'k3s-ringtail': ringtailSeed(),
  };
  for (const app of seeds['minikube-indri']!.filter((o) => o.kind === 'Application')) {
    if (app.metadata.name === 'apps') continue;
    files[`argocd/apps/${app.metadata.name}.yaml`] = toYaml(app);
  }
  for (const { path: dir, context, namespace } of Object.values(APP_PATHS)) {
    for (const o of seeds[context]!) {
      if (o.metadata.namespace !== namespace || o.kind === 'Secret') continue;
      files[`${dir}/${o.kind.toLowerCase()}-${o.metadata.name}.yaml`] = toYaml(o);
    }
  }
  return files;
}
