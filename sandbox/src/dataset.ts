import { DatabaseError } from './errors.ts';
import { newPgClient } from './new-pg-client.ts';

/** Options of {@link generateDataset}. */
export interface DatasetOptions {
  /** Number of assets; the other tables scale with it. Default 200, or derived from `targetBytes`. */
  assets?: number;
  /** Approximate database size to reach (bytes); ignored when `assets` is given. */
  targetBytes?: number;
  /** Seed of the generator: the same seed, size and dimension give the same rows. Default 1. */
  seed?: number;
  /** Length of each embedding (`real[]`). Default 512 (Immich's CLIP and face models). */
  embeddingDim?: number;
}

/** What {@link generateDataset} made. */
export interface DatasetSummary {
  /** Seed used. */
  seed: number;
  /** Embedding length used. */
  embeddingDim: number;
  /** Rows per table (`schema.table` → count). */
  rows: Record<string, number>;
  /** `pg_database_size()` after generation. */
  databaseBytes: number;
  /** Wall time of the generation. */
  durationMs: number;
}

/** The tables of the Immich-shaped schema, parents before children. */
export const DATASET_TABLES = [
  'users',
  'user_metadata',
  'sessions',
  'assets',
  'exif',
  'smart_search',
  'person',
  'asset_face',
  'face_search',
  'albums',
  'albums_assets',
  'shared_links',
  'audit',
  'migrations',
  'system_metadata',
] as const;

/** Bytes per asset besides its embeddings, measured on PostgreSQL 15 (tables + indexes). */
const BYTES_PER_ASSET_BASE = 1_200;
/** Embeddings per asset (smart search for 98 %, 1.2 faces). */
const EMBEDDINGS_PER_ASSET = 2.18;
/** Size of an empty database. */
const EMPTY_DATABASE_BYTES = 7_500_000;

/**
 * The schema: Immich's shape (camelCase quoted columns, uuid keys, a circular person ↔ face
 * reference, a composite key, an identity and a serial column, enum-like text, JSON and large
 * text) with embeddings as `real[]` instead of `vector`.
 */
export const DATASET_SCHEMA = `
create table users (
  id uuid primary key,
  email varchar not null unique,
  name varchar not null default '',
  "isAdmin" boolean not null default false,
  password varchar not null default '',
  "oauthId" varchar not null default '',
  "profileImagePath" varchar not null default '',
  "shouldChangePassword" boolean not null default true,
  "storageLabel" varchar unique,
  "quotaSizeInBytes" bigint,
  "quotaUsageInBytes" bigint not null default 0,
  status varchar not null default 'active',
  "createdAt" timestamptz not null default now(),
  "updatedAt" timestamptz not null default now(),
  "deletedAt" timestamptz
);
create table user_metadata (
  "userId" uuid not null references users (id) on delete cascade,
  key varchar not null,
  value jsonb not null,
  primary key ("userId", key)
);
create table sessions (
  id uuid primary key,
  token varchar not null,
  "userId" uuid not null references users (id) on delete cascade,
  "deviceType" varchar not null default '',
  "deviceOS" varchar not null default '',
  "createdAt" timestamptz not null default now(),
  "updatedAt" timestamptz not null default now()
);
create table assets (
  id uuid primary key,
  "deviceAssetId" varchar not null,
  "ownerId" uuid not null references users (id) on delete cascade,
  "deviceId" varchar not null,
  type varchar not null,
  "originalPath" varchar not null,
  "fileCreatedAt" timestamptz not null,
  "fileModifiedAt" timestamptz not null,
  "localDateTime" timestamptz not null,
  "isFavorite" boolean not null default false,
  "isArchived" boolean not null default false,
  "isVisible" boolean not null default true,
  "isOffline" boolean not null default false,
  duration varchar,
  "encodedVideoPath" varchar default '',
  checksum bytea not null,
  thumbhash bytea,
  "livePhotoVideoId" uuid references assets (id) on delete set null,
  "originalFileName" varchar not null,
  "sidecarPath" varchar,
  "createdAt" timestamptz not null default now(),
  "updatedAt" timestamptz not null default now(),
  "deletedAt" timestamptz
);
create table exif (
  "assetId" uuid primary key references assets (id) on delete cascade,
  make varchar,
  model varchar,
  "exifImageWidth" integer,
  "exifImageHeight" integer,
  "fileSizeInByte" bigint,
  orientation varchar,
  "dateTimeOriginal" timestamptz,
  "modifyDate" timestamptz,
  "lensModel" varchar,
  "fNumber" double precision,
  "focalLength" double precision,
  iso integer,
  "exposureTime" varchar,
  latitude double precision,
  longitude double precision,
  city varchar,
  state varchar,
  country varchar,
  description text not null default '',
  "timeZone" varchar,
  rating integer
);
create table smart_search (
  "assetId" uuid primary key references assets (id) on delete cascade,
  embedding real[] not null
);
create table person (
  id uuid primary key,
  "ownerId" uuid not null references users (id) on delete cascade,
  name varchar not null default '',
  "thumbnailPath" varchar not null default '',
  "isHidden" boolean not null default false,
  "birthDate" date,
  "faceAssetId" uuid,
  "createdAt" timestamptz not null default now(),
  "updatedAt" timestamptz not null default now()
);
create table asset_face (
  id uuid primary key,
  "assetId" uuid not null references assets (id) on delete cascade,
  "personId" uuid references person (id) on delete set null,
  "imageWidth" integer not null default 0,
  "imageHeight" integer not null default 0,
  "boundingBoxX1" integer not null default 0,
  "boundingBoxY1" integer not null default 0,
  "boundingBoxX2" integer not null default 0,
  "boundingBoxY2" integer not null default 0,
  "sourceType" varchar not null default 'machine-learning'
);
alter table person add constraint "person_faceAssetId_fkey"
  foreign key ("faceAssetId") references asset_face (id) on delete set null;
create table face_search (
  "faceId" uuid primary key references asset_face (id) on delete cascade,
  embedding real[] not null
);
create table albums (
  id uuid primary key,
  "ownerId" uuid not null references users (id) on delete cascade,
  "albumName" varchar not null default 'Untitled Album',
  description text not null default '',
  "albumThumbnailAssetId" uuid references assets (id) on delete set null,
  "isActivityEnabled" boolean not null default true,
  "order" varchar not null default 'desc',
  "createdAt" timestamptz not null default now(),
  "updatedAt" timestamptz not null default now(),
  "deletedAt" timestamptz
);
create table albums_assets (
  "albumsId" uuid not null references albums (id) on delete cascade,
  "assetsId" uuid not null references assets (id) on delete cascade,
  "createdAt" timestamptz not null default now(),
  primary key ("albumsId", "assetsId")
);
create table shared_links (
  id uuid primary key,
  description varchar,
  "userId" uuid not null references users (id) on delete cascade,
  key bytea not null unique,
  type varchar not null,
  "albumId" uuid references albums (id) on delete cascade,
  "allowUpload" boolean not null default false,
  "allowDownload" boolean not null default true,
  "showExif" boolean not null default true,
  password varchar,
  "createdAt" timestamptz not null default now(),
  "expiresAt" timestamptz
);
create table audit (
  id integer generated always as identity primary key,
  "entityType" varchar not null,
  "entityId" uuid not null,
  action varchar not null,
  "ownerId" uuid not null,
  "createdAt" timestamptz not null default now()
);
create table migrations (
  id serial primary key,
  timestamp bigint not null,
  name varchar not null
);
create table system_metadata (
  key varchar primary key,
  value jsonb not null
);
`;

/** Indexes created after the bulk load (faster than maintaining them row by row). */
export const DATASET_INDEXES = `
create unique index "UQ_assets_owner_checksum" on assets ("ownerId", checksum);
create index "IDX_assets_fileCreatedAt" on assets ("fileCreatedAt");
create index "IDX_assets_owner_localDateTime" on assets ("ownerId", "localDateTime" desc);
create index "IDX_assets_originalFileName" on assets ("originalFileName");
create index "IDX_exif_city" on exif (city);
create index "IDX_asset_face_assetId" on asset_face ("assetId");
create index "IDX_asset_face_personId" on asset_face ("personId");
create index "IDX_person_ownerId" on person ("ownerId");
create index "IDX_albums_assets_assetsId" on albums_assets ("assetsId");
create index "IDX_sessions_token" on sessions (token);
create index "IDX_audit_owner_createdAt" on audit ("ownerId", "createdAt");
`;

/** Deterministic uuid for row `n` of `kind` under `seed` (SQL expression over a bigint `n`). */
const uuidSql = (kind: string, n: string): string => `md5($1::text || ':${kind}:' || ${n})::uuid`;

/** Deterministic integer in [0, mod) from row `n` of `kind` (SQL). */
const intSql = (kind: string, n: string, mod: number): string =>
  `(('x' || substr(md5($1::text || ':${kind}:' || ${n}), 1, 8))::bit(32)::int & 2147483647) % ${mod}`;

/** An embedding of `dim` values in [-1, 1) from the session's random sequence (correlated to `n`). */
const embeddingSql = (n: string, dim: number): string =>
  `array(select (random() * 2 - 1)::real from generate_series(1, ${dim}) where ${n} is not null)`;

/** The base timestamp all generated times count from. */
const EPOCH = `timestamptz '2015-01-01 00:00:00+00'`;

/**
 * Statements that fill the schema; `$1` is the seed (text) and counts are inlined.
 * @param n asset count
 * @param dim embedding length
 * @param seed generator seed (for `setseed`)
 * @returns the statements in order, each deterministic
 */
function fillStatements(n: number, dim: number, seed: number): string[] {
  const users = Math.max(3, Math.ceil(n / 2000));
  const faces = Math.ceil(n * 1.2);
  const persons = Math.max(5, Math.ceil(faces / 20));
  const albums = Math.max(2, Math.ceil(n / 100));
  const links = Math.max(1, Math.ceil(albums / 4));
  const randomSeed = ((seed % 1000) + 0.5) / 1000; // setseed wants [-1, 1]
  const user = (expr: string) => uuidSql('user', `((${expr}) % ${users} + 1)`);
  const asset = (expr: string) => uuidSql('asset', `((${expr}) % ${n} + 1)`);
  return [
    `insert into users (id, email, name, "isAdmin", password, "storageLabel", "quotaSizeInBytes",
       "quotaUsageInBytes", "createdAt", "updatedAt")
     select ${uuidSql('user', 'g')}, 'user' || g || '@example.test', 'User ' || g, g = 1,
       '$2b$10$' || md5($1::text || 'pw' || g), case when g = 1 then 'admin' end,
       case when g % 3 = 0 then 107374182400 end, g::bigint * 1048576,
       ${EPOCH} + g * interval '1 day', ${EPOCH} + g * interval '2 day'
     from generate_series(1, ${users}) g`,
    `insert into user_metadata ("userId", key, value)
     select ${uuidSql('user', 'g')}, k,
       case k when 'preferences' then jsonb_build_object('avatar', jsonb_build_object('color', 'primary'),
         'memories', jsonb_build_object('enabled', g % 2 = 0), 'download', jsonb_build_object('archiveSize', 4294967296))
       else jsonb_build_object('isOnboarded', true, 'version', g) end
     from generate_series(1, ${users}) g, unnest(array['preferences', 'onboarding']) k`,
    `insert into sessions (id, token, "userId", "deviceType", "deviceOS", "createdAt", "updatedAt")
     select ${uuidSql('session', 'g')}, encode(sha256(($1::text || 'token' || g)::bytea), 'hex'), ${user('g')},
       (array['iOS', 'Android', 'Chrome', 'Firefox'])[g % 4 + 1], (array['iOS', 'Android', 'Linux', 'macOS'])[g % 4 + 1],
       ${EPOCH} + g * interval '3 hour', ${EPOCH} + g * interval '5 hour'
     from generate_series(1, ${users * 3}) g`,
    `insert into assets (id, "deviceAssetId", "ownerId", "deviceId", type, "originalPath", "fileCreatedAt",
       "fileModifiedAt", "localDateTime", "isFavorite", "isArchived", duration, checksum, thumbhash,
       "livePhotoVideoId", "originalFileName", "sidecarPath", "createdAt", "updatedAt", "deletedAt")
     select ${uuidSql('asset', 'g')}, 'IMG_' || g || '-' || ${intSql('dev', 'g', 1000000)}, ${user('g')},
       'device-' || (g % 7), case when g % 10 = 0 then 'VIDEO' else 'IMAGE' end,
       '/usr/src/app/upload/library/' || (g % ${users}) || '/' || to_char(${EPOCH} + g * interval '7 minute', 'YYYY/MM') || '/IMG_' || g || case when g % 10 = 0 then '.MOV' else '.HEIC' end,
       ${EPOCH} + g * interval '7 minute', ${EPOCH} + g * interval '7 minute' + interval '1 second',
       ${EPOCH} + g * interval '7 minute' + interval '2 hour', ${intSql('fav', 'g', 20)} = 0, ${intSql('arch', 'g', 50)} = 0,
       case when g % 10 = 0 then '0:00:' || lpad((${intSql('dur', 'g', 60)})::text, 2, '0') || '.000000' end,
       sha256(($1::text || 'file' || g)::bytea), decode(substr(md5($1::text || 'th' || g) || md5('th' || g), 1, 50), 'hex'),
       case when g % 10 = 1 and g + 9 <= ${n} then ${uuidSql('asset', 'g + 9')} end,
       'IMG_' || g || case when g % 10 = 0 then '.MOV' else '.HEIC' end,
       case when g % 5 = 0 then '/usr/src/app/upload/library/IMG_' || g || '.xmp' end,
       ${EPOCH} + g * interval '7 minute' + interval '1 day', ${EPOCH} + g * interval '7 minute' + interval '2 day',
       case when ${intSql('del', 'g', 100)} = 0 then ${EPOCH} + g * interval '8 minute' end
     from generate_series(1, ${n}) g`,
    `insert into exif ("assetId", make, model, "exifImageWidth", "exifImageHeight", "fileSizeInByte", orientation,
       "dateTimeOriginal", "modifyDate", "lensModel", "fNumber", "focalLength", iso, "exposureTime", latitude,
       longitude, city, state, country, description, "timeZone", rating)
     select ${uuidSql('asset', 'g')}, (array['Apple', 'Google', 'SONY', 'FUJIFILM'])[g % 4 + 1],
       (array['iPhone 15 Pro', 'Pixel 8', 'ILCE-7M4', 'X-T5'])[g % 4 + 1], 4032, 3024,
       1000000 + ${intSql('size', 'g', 9000000)}, '1', ${EPOCH} + g * interval '7 minute',
       ${EPOCH} + g * interval '7 minute', 'lens ' || (g % 5), 1.8 + (g % 5) * 0.4, 6.86, 50 * (1 + g % 16),
       '1/' || (60 * (1 + g % 8)), 47.0 + ${intSql('lat', 'g', 100000)} / 100000.0,
       8.0 + ${intSql('lon', 'g', 100000)} / 100000.0, (array['Zürich', 'Bern', 'Genève', 'Basel', 'Luzern'])[g % 5 + 1],
       'CH', 'Switzerland',
       case when g % 25 = 0 then repeat('A long caption with ünïcödé, quotes '' " and a tab	. ', 40 + g % 60) else '' end,
       'Europe/Zurich', case when g % 9 = 0 then g % 6 end
     from generate_series(1, ${n}) g where g % 20 <> 7`,
    `select setseed(${randomSeed})`,
    `insert into smart_search ("assetId", embedding)
     select ${uuidSql('asset', 'g')}, ${embeddingSql('g', dim)} from generate_series(1, ${n}) g where g % 50 <> 3`,
    `insert into person (id, "ownerId", name, "thumbnailPath", "isHidden", "birthDate", "createdAt", "updatedAt")
     select ${uuidSql('person', 'g')}, ${user('g')}, case when g % 3 = 0 then '' else 'Person ' || g end,
       '/usr/src/app/upload/thumbs/person/' || g || '.jpeg', g % 17 = 0,
       case when g % 4 = 0 then date '1950-01-01' + (${intSql('bd', 'g', 25000)}) end,
       ${EPOCH} + g * interval '1 hour', ${EPOCH} + g * interval '2 hour'
     from generate_series(1, ${persons}) g`,
    `insert into asset_face (id, "assetId", "personId", "imageWidth", "imageHeight", "boundingBoxX1",
       "boundingBoxY1", "boundingBoxX2", "boundingBoxY2", "sourceType")
     select ${uuidSql('face', 'g')}, ${asset('g - 1')},
       case when g % 10 <> 0 then ${uuidSql('person', `(g % ${persons} + 1)`)} end, 4032, 3024,
       ${intSql('x', 'g', 3000)}, ${intSql('y', 'g', 2000)}, ${intSql('x', 'g', 3000)} + 200, ${intSql('y', 'g', 2000)} + 260,
       case when g % 40 = 0 then 'exif' else 'machine-learning' end
     from generate_series(1, ${faces}) g`,
    `update person p set "faceAssetId" = f.id
     from (select distinct on ("personId") "personId", id from asset_face where "personId" is not null
           order by "personId", id) f
     where f."personId" = p.id`,
    `insert into face_search ("faceId", embedding)
     select ${uuidSql('face', 'g')}, ${embeddingSql('g', dim)} from generate_series(1, ${faces}) g`,
    `insert into albums (id, "ownerId", "albumName", description, "albumThumbnailAssetId", "isActivityEnabled",
       "order", "createdAt", "updatedAt")
     select ${uuidSql('album', 'g')}, ${user('g')}, 'Album ' || g,
       case when g % 3 = 0 then repeat('Holiday notes. ', 20 + g % 30) else '' end, ${asset('g * 37')},
       g % 4 <> 0, case when g % 2 = 0 then 'asc' else 'desc' end,
       ${EPOCH} + g * interval '1 day', ${EPOCH} + g * interval '1 day' + interval '1 hour'
     from generate_series(1, ${albums}) g`,
    `insert into albums_assets ("albumsId", "assetsId", "createdAt")
     select distinct on (1, 2) ${uuidSql('album', 'a')}, ${asset('a * 37 + k * 101')}, ${EPOCH} + (a * 100 + k) * interval '1 minute'
     from generate_series(1, ${albums}) a, generate_series(1, 20) k
     order by 1, 2, 3
     on conflict do nothing`,
    `insert into shared_links (id, description, "userId", key, type, "albumId", "allowUpload", password, "createdAt",
       "expiresAt")
     select ${uuidSql('link', 'g')}, 'Shared ' || g, ${user('g')}, sha256(($1::text || 'link' || g)::bytea), 'ALBUM',
       ${uuidSql('album', `((g * 4 - 1) % ${albums} + 1)`)}, g % 2 = 0, case when g % 3 = 0 then 'secret' || g end,
       ${EPOCH} + g * interval '1 day', case when g % 2 = 1 then ${EPOCH} + g * interval '30 day' end
     from generate_series(1, ${links}) g`,
    `insert into audit ("entityType", "entityId", action, "ownerId", "createdAt")
     select 'ASSET', ${asset('g * 3')}, case when g % 5 = 0 then 'DELETE' else 'UPDATE' end, ${user('g')},
       ${EPOCH} + g * interval '11 minute'
     from generate_series(1, ${Math.ceil(n / 2)}) g`,
    `insert into migrations (timestamp, name)
     select 1700000000000 + g::bigint * 86400000, 'Migration' || g || 'Immich' || (1700000000000 + g::bigint * 86400000)
     from generate_series(1, 60) g`,
    `insert into system_metadata (key, value) values
     ('system-config', jsonb_build_object('ffmpeg', jsonb_build_object('crf', 23, 'preset', 'ultrafast',
        'targetVideoCodec', 'h264', 'acceptedVideoCodecs', jsonb_build_array('h264'), 'transcode', 'required'),
        'machineLearning', jsonb_build_object('enabled', true, 'urls', jsonb_build_array('http://immich-machine-learning:3003'),
          'clip', jsonb_build_object('enabled', true, 'modelName', 'ViT-B-32__openai'),
          'facialRecognition', jsonb_build_object('enabled', true, 'modelName', 'buffalo_l', 'minScore', 0.7,
            'maxDistance', 0.5, 'minFaces', 3)),
        'notes', (select jsonb_agg(jsonb_build_object('i', g, 'text', md5($1::text || 'note' || g))) from generate_series(1, 400) g))),
     ('reverse-geocoding-state', '{"lastUpdate": "2024-06-01T00:00:00.000Z", "lastImportFileName": "cities500.txt"}'),
     ('version-check-state', jsonb_build_object('checkedAt', '2024-06-01T00:00:00.000Z', 'releaseVersion', 'v1.135.3'))`,
  ];
}

/**
 * Number of assets that makes a database of about `bytes` (default embedding length).
 * @param bytes target `pg_database_size`
 * @param embeddingDim embedding length
 * @returns the asset count
 */
export function assetsForBytes(bytes: number, embeddingDim = 512): number {
  const perAsset = BYTES_PER_ASSET_BASE + EMBEDDINGS_PER_ASSET * (4 * embeddingDim + 840);
  return Math.max(10, Math.round((bytes - EMPTY_DATABASE_BYTES) / perAsset));
}

/**
 * Creates the Immich-shaped schema in an empty database and fills it deterministically, server-side
 * (`generate_series`, seeded `md5` and `random()`), then builds the indexes and analyses.
 * @param connectionString database to fill (must not hold these tables yet)
 * @param options size, seed and embedding length
 * @returns rows per table and the database size
 */
export async function generateDataset(
  connectionString: string,
  options: DatasetOptions = {},
): Promise<DatasetSummary> {
  const started = Date.now();
  const seed = options.seed ?? 1;
  const dim = options.embeddingDim ?? 512;
  const n =
    options.assets ?? (options.targetBytes ? assetsForBytes(options.targetBytes, dim) : 200);
  if (!Number.isInteger(n) || n < 1)
    throw new DatabaseError(`Unexpected asset count ${n}, expected an integer ≥ 1`);
  const client = await newPgClient({ connectionString });
  await client.connect();
  try {
    await client.query("set timezone = 'UTC'");
    const [exists] = (await client.query("select to_regclass('public.assets') is not null as e"))
      .rows;
    if (exists?.e) {
      throw new DatabaseError(
        'Unexpected table `public.assets`, expected a database without the dataset',
        {
          fix: 'Generate into a fresh database',
        },
      );
    }
    await client.query('begin');
    await client.query(DATASET_SCHEMA);
    for (const sql of fillStatements(n, dim, seed)) {
      await client.query(sql, sql.includes('$1') ? [String(seed)] : []);
    }
    await client.query(DATASET_INDEXES);
    await client.query('commit');
    await client.query('vacuum analyze');
    const rows: Record<string, number> = {};
    for (const t of DATASET_TABLES) {
      const [r] = (await client.query(`select count(*)::int as n from public.${t}`)).rows;
      rows[`public.${t}`] = r?.n ?? 0;
    }
    const [size] = (await client.query('select pg_database_size(current_database())::bigint as b'))
      .rows;
    return {
      seed,
      embeddingDim: dim,
      rows,
      databaseBytes: Number(size?.b),
      durationMs: Date.now() - started,
    };
  } catch (e) {
    await client.query('rollback').catch(() => {});
    throw e;
  } finally {
    await client.end();
  }
}
