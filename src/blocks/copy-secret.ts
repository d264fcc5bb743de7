import { type KubeTarget, kubectl, kubectlJson } from './kubectl.ts';

/**
 * Copies a Secret from one cluster or namespace to another without printing it: its type and
 * data only (no owner references, so deleting the original's owner does not delete the copy).
 * @param from where the Secret is
 * @param name its name
 * @param to where the copy goes (created or updated with `kubectl apply`)
 * @param toName the copy's name (default: the same)
 * @param keys copy only these keys (e.g. a CA's `ca.crt` without its private key)
 * @returns the copy's name
 */
export async function copySecret(
  from: KubeTarget,
  name: string,
  to: KubeTarget,
  toName = name,
  keys?: string[],
): Promise<string> {
  const secret = await kubectlJson<{ type?: string; data?: Record<string, string> }>(from, [
    'secret',
    name,
  ]);
  const copy = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: toName,
      ...(to.namespace ? { namespace: to.namespace } : {}),
      labels: { 'app.kubernetes.io/managed-by': 'mikado' },
      annotations: { 'mikado/copied-from': `${from.context}/${from.namespace ?? ''}/${name}` },
    },
    type: keys ? 'Opaque' : (secret.type ?? 'Opaque'),
    data: keys
      ? Object.fromEntries(Object.entries(secret.data ?? {}).filter(([k]) => keys.includes(k)))
      : (secret.data ?? {}),
  };
  await kubectl(to, ['apply', '-f', '-'], { input: JSON.stringify(copy) });
  return toName;
}
