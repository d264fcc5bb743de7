/** The manifests that put a CNPG replica of the source's `immich-pg` on ringtail. */
export interface ReplicaManifests {
  /** The ArgoCD Application installing the CNPG operator on ringtail (apply on minikube-indri). */
  operatorApp: string;
  /** The `immich-pg` Cluster in `databases` on ringtail, bootstrapped by pg_basebackup. */
  cluster: string;
  /** The secret (in `databases` on ringtail) the cluster reads the source's password from. */
  sourceSecret: string;
}

/**
 * The manifests of a CNPG replica of the source's `immich-pg` on ringtail (over the tailnet), as
 * the sandbox's CNPG test and benchmark apply them (a merge patch of `spec.replica.enabled` to
 * false promotes it). The replica logs in as `postgres` with a password: the source needs the
 * `host replication postgres all scram-sha-256` line in its `spec.postgresql.pg_hba`, and the
 * secret must hold the source's superuser password.
 * @returns the manifests and the secret's name
 */
export function replicaManifests(): ReplicaManifests {
  const sourceSecret = 'immich-pg-source-superuser';
  return {
    sourceSecret,
    operatorApp: `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: cloudnative-pg-ringtail, namespace: argocd}
spec:
  project: default
  source: {repoURL: https://forge.ops.eblu.me/mirrors/cloudnative-pg.git, path: releases, targetRevision: v1.27.1}
  destination: {server: https://ringtail.tail8d86e.ts.net:6443, namespace: cnpg-system}
  syncPolicy: {syncOptions: [ServerSideApply=true, CreateNamespace=true]}
`,
    cluster: `apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: immich-pg, namespace: databases}
spec:
  instances: 1
  imageName: ghcr.io/tensorchord/cloudnative-vectorchord:17-0.5.0
  storage: {size: 10Gi, storageClass: local-path}
  bootstrap:
    pg_basebackup: {source: minikube-immich-pg}
  replica: {enabled: true, source: minikube-immich-pg}
  externalClusters:
    - name: minikube-immich-pg
      connectionParameters: {host: immich-pg.tail8d86e.ts.net, user: postgres, dbname: postgres}
      password: {name: ${sourceSecret}, key: password}
`,
  };
}
