/** The homelab's local registry mirror: its images are built on indri (arm64) and only for it. */
export const LOCAL_REGISTRY = 'registry.ops.eblu.me';

/**
 * The CPU architectures an image is published for, as the sandbox believes them: the local
 * registry mirror's builds are arm64-only (built on indri); everything else is multi-arch.
 * @param image an image reference
 * @returns architectures
 */
export function imageArchitectures(image: string): string[] {
  if (image.startsWith(`${LOCAL_REGISTRY}/`)) return ['arm64'];
  return ['amd64', 'arm64'];
}

/**
 * What an image is, for the behaviours the sandbox emulates.
 * @param image an image reference
 * @returns the role
 */
export function imageRole(
  image: string,
): 'immich-server' | 'immich-machine-learning' | 'valkey' | 'postgres' | 'other' {
  const repo = image.replace(/[@:][^/]*$/, '');
  if (/immich-server$/.test(repo)) return 'immich-server';
  if (/immich-machine-learning$/.test(repo)) return 'immich-machine-learning';
  if (/(valkey|redis)$/.test(repo)) return 'valkey';
  if (/(postgresql|postgres|cloudnative-vectorchord|postgis)$/.test(repo)) return 'postgres';
  return 'other';
}

/**
 * The version in an image tag (`ghcr.io/immich-app/immich-server:v1.137.3` → 1.137.3).
 * @param image an image reference
 * @returns major, minor, patch (zeros when the tag has no version)
 */
export function imageVersion(image: string): { major: number; minor: number; patch: number } {
  const m = /:v?(\d+)\.(\d+)\.(\d+)/.exec(image);
  return m
    ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) }
    : { major: 0, minor: 0, patch: 0 };
}
