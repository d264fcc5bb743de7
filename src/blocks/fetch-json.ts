import { RunError } from '../errors.ts';

/** A JSON answer and where it came from. */
export interface FetchedJson<T> {
  /** The path that answered. */
  path: string;
  /** The parsed body. */
  body: T;
}

/**
 * GETs the first of several equivalent paths that exists (an API that moved between releases,
 * e.g. `/api/server/version` and `/api/server-info/version`) and parses its JSON.
 * @param base the base URL (`http://127.0.0.1:8080`)
 * @param paths paths to try in order; a 404 moves on to the next
 * @param headers request headers (e.g. an API key)
 * @returns the path that answered and its body
 * @throws RunError on any other status, a network error, or when every path is 404
 */
export async function fetchFirstJson<T = unknown>(
  base: string,
  paths: string[],
  headers: Record<string, string> = {},
): Promise<FetchedJson<T>> {
  for (const p of paths) {
    const url = `${base.replace(/\/$/, '')}${p}`;
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
    } catch (e) {
      throw new RunError(`GET ${url} failed: ${(e as Error).message}`);
    }
    if (res.status === 404) continue;
    if (!res.ok) throw new RunError(`GET ${url} answered ${res.status} ${res.statusText}`);
    return { path: p, body: (await res.json()) as T };
  }
  throw new RunError(`GET ${base}: none of ${paths.join(', ')} exists (404)`);
}
