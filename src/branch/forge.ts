import type { MikadoConfig } from '../config/types.ts';

/** An open pull request for a branch. */
export interface PullRequest {
  number: number;
  title: string;
  url: string;
}

/** How {@link findPullRequest} reaches the forge. */
export interface ForgeAccess {
  /** `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
  /** Give up after this many milliseconds (default 1500). */
  timeoutMs?: number;
}

interface ApiPull {
  number?: unknown;
  title?: unknown;
  html_url?: unknown;
  head?: { ref?: unknown; label?: unknown };
}

/**
 * Looks up the open pull request whose head is `branch` on a Forgejo, Gitea or GitHub API. Any
 * failure (no forge configured, no network, a timeout, an error status, an unexpected answer)
 * gives null, quickly and silently: resuming must never wait on the network.
 * @param forge the `forge:` config (`type`, `api`, `repo`, optional `tokenEnv`)
 * @param branch the head branch (`mikado/x`)
 * @param env environment, for the token
 * @param access fetch and timeout
 * @returns the pull request, or null
 */
export async function findPullRequest(
  forge: MikadoConfig['forge'],
  branch: string,
  env: NodeJS.ProcessEnv,
  access: ForgeAccess = {},
): Promise<PullRequest | null> {
  if (!forge?.api || !forge.repo) return null;
  const doFetch = access.fetch ?? globalThis.fetch;
  if (typeof doFetch !== 'function') return null;
  const api = forge.api.replace(/\/+$/, '');
  const owner = forge.repo.split('/')[0] ?? '';
  const url =
    forge.type === 'github'
      ? `${api}/repos/${forge.repo}/pulls?state=open&head=${encodeURIComponent(`${owner}:${branch}`)}&per_page=10`
      : `${api}/repos/${forge.repo}/pulls?state=open&limit=50`;
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = forge.tokenEnv ? env[forge.tokenEnv] : undefined;
  if (token) headers['Authorization'] = `token ${token}`;
  try {
    const res = await doFetch(url, {
      headers,
      signal: AbortSignal.timeout(access.timeoutMs ?? 1500),
    });
    if (!res.ok) return null;
    const body = (await res.json()) as unknown;
    if (!Array.isArray(body)) return null;
    const pull = (body as ApiPull[]).find((p) => p?.head?.ref === branch);
    if (!pull || typeof pull.number !== 'number') return null;
    return {
      number: pull.number,
      title: typeof pull.title === 'string' ? pull.title : '',
      url: typeof pull.html_url === 'string' ? pull.html_url : '',
    };
  } catch {
    return null;
  }
}
