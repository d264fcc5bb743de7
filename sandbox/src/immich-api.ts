import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClusterView, immichDatabaseTarget } from './cluster-view.ts';
import { imageVersion } from './images.ts';
import { newPgClient } from './new-pg-client.ts';
import { dig, type JsonObject } from './objects.ts';
import { pgConnectionString } from './pg-server.ts';
import { loadWorld } from './store.ts';

/** Where the emulated server runs. */
export interface ImmichPodRef {
  context: string;
  namespace: string;
  /** Pod name at the time the forward started. */
  pod: string;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Answers Immich's server API for an emulated `immich-server` pod, reached through
 * `kubectl port-forward`: `/api/server/ping`, `/api/server/version` (from the image tag) and
 * `/api/server/statistics` (read from the database its `DB_HOSTNAME` resolves to; needs an API
 * key or bearer token, any value). Everything else is 404, as on a real server.
 * @param dir sandbox directory
 * @param ref the pod
 * @param req the request
 * @param res the response
 */
export async function handleImmichRequest(
  dir: string,
  ref: ImmichPodRef,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const world = loadWorld(dir);
  const view = new ClusterView(world);
  const pod = view.podsIn(ref.context, ref.namespace).find((p) => p.pod.metadata.name === ref.pod);
  if (!pod?.ready) {
    res.destroy();
    return;
  }
  const image = String(dig(pod.pod, 'spec', 'containers', 0, 'image') ?? '');
  if (req.method !== 'GET')
    return send(res, 404, {
      message: `Cannot ${req.method} ${url.pathname}`,
      error: 'Not Found',
      statusCode: 404,
    });
  switch (url.pathname) {
    case '/api/server/ping':
      return send(res, 200, { res: 'pong' });
    case '/api/server/version':
      return send(res, 200, imageVersion(image));
    case '/api/server/statistics': {
      const auth =
        req.headers['x-api-key'] ??
        req.headers['authorization'] ??
        (req.headers['cookie']?.includes('immich_access_token') ? 'cookie' : undefined);
      if (!auth) {
        return send(res, 401, {
          message: 'Authentication required',
          error: 'Unauthorized',
          statusCode: 401,
        });
      }
      const db = immichDatabaseTarget(pod.env);
      const target = view.resolveHost(ref.context, ref.namespace, db.host);
      const backend = target ? view.serviceBackend(target, db.port) : undefined;
      const port = backend?.kind === 'pg' ? backend.server.status().port : undefined;
      if (!port) return send(res, 500, { message: 'Internal server error', statusCode: 500 });
      try {
        // As Immich connects: its role and password (scram-sha-256).
        const url = new URL(pgConnectionString(port, db.database, db.user));
        url.password = encodeURIComponent(db.password);
        return send(res, 200, await statistics(url.toString()));
      } catch (e) {
        return send(res, 500, { message: (e as Error).message, statusCode: 500 });
      }
    }
    default:
      return send(res, 404, {
        message: `Cannot GET ${url.pathname}`,
        error: 'Not Found',
        statusCode: 404,
      });
  }
}

/**
 * Immich's server statistics computed from the database, in its response shape.
 * @param connectionString the Immich database
 * @returns photos, videos, usage and per-user usage
 */
export async function statistics(connectionString: string): Promise<JsonObject> {
  const client = await newPgClient({ connectionString, application_name: 'immich_server' });
  await client.connect();
  try {
    const rows = (
      await client.query<{
        userId: string;
        userName: string;
        photos: number;
        videos: number;
        usage: string;
        usagePhotos: string;
        usageVideos: string;
        quotaSizeInBytes: string | null;
      }>(`
        select u.id::text as "userId", u.name as "userName",
          count(a.id) filter (where a.type = 'IMAGE')::int as photos,
          count(a.id) filter (where a.type = 'VIDEO')::int as videos,
          coalesce(sum(e."fileSizeInByte"), 0)::bigint as usage,
          coalesce(sum(e."fileSizeInByte") filter (where a.type = 'IMAGE'), 0)::bigint as "usagePhotos",
          coalesce(sum(e."fileSizeInByte") filter (where a.type = 'VIDEO'), 0)::bigint as "usageVideos",
          u."quotaSizeInBytes"::bigint as "quotaSizeInBytes"
        from users u
        left join assets a on a."ownerId" = u.id and a."deletedAt" is null
        left join exif e on e."assetId" = a.id
        where u."deletedAt" is null
        group by u.id, u.name, u."quotaSizeInBytes", u."createdAt"
        order by u."createdAt", u.id`)
    ).rows;
    const usageByUser = rows.map((r) => ({
      userId: r.userId,
      userName: r.userName,
      photos: r.photos,
      videos: r.videos,
      usage: Number(r.usage),
      usagePhotos: Number(r.usagePhotos),
      usageVideos: Number(r.usageVideos),
      quotaSizeInBytes: r.quotaSizeInBytes === null ? null : Number(r.quotaSizeInBytes),
    }));
    const sum = (k: 'photos' | 'videos' | 'usage' | 'usagePhotos' | 'usageVideos') =>
      usageByUser.reduce((n, u) => n + u[k], 0);
    return {
      photos: sum('photos'),
      videos: sum('videos'),
      usage: sum('usage'),
      usagePhotos: sum('usagePhotos'),
      usageVideos: sum('usageVideos'),
      usageByUser,
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}
