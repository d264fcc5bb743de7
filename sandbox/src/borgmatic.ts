import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
} from 'node:fs';
import path from 'node:path';
import { ClusterView } from './cluster-view.ts';
import { readIndriState } from './ops-repo.ts';
import { sandboxPaths } from './paths.ts';
import { findPgBinDir } from './pg-server.ts';
import { StandInError, unsupported } from './stand-in-error.ts';
import type { StandInIo } from './stand-in-io.ts';
import { loadWorld, writeFileAtomic } from './store.ts';

/** One backup archive of the borgmatic stand-in. */
export interface BorgmaticArchive {
  archive: string;
  time: string;
  databases: {
    name: string;
    hostname: string;
    resolvedTo: string;
    file: string;
    bytes: number;
    sha256: string;
  }[];
}

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (b) => h.update(b))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}

/**
 * Lists the archives the borgmatic stand-in wrote.
 * @param dir sandbox directory
 * @returns archives, oldest first
 */
export function listBorgmaticArchives(dir: string): BorgmaticArchive[] {
  const base = sandboxPaths(dir).backups;
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .filter((a) => existsSync(path.join(base, a, 'archive.json')))
    .sort()
    .map(
      (a) =>
        JSON.parse(readFileSync(path.join(base, a, 'archive.json'), 'utf8')) as BorgmaticArchive,
    );
}

/**
 * The `borgmatic` stand-in on indri: `create` (also the default action) dumps every database of
 * the installed config with a real `pg_dump -Fc`, connecting as the configured user to the host
 * resolved over the tailnet (so a missing role or an unreachable host fails as it would);
 * `list`/`repo-list`/`rlist` list the archives; `--version`. Pruning, compaction and checks are
 * not emulated.
 * @param io the call
 * @returns the exit code
 */
export async function borgmatic(io: StandInIo): Promise<number> {
  if (io.argv.includes('--version')) {
    io.stdout.write('1.9.14 (mikado sandbox stand-in for borgmatic)\n');
    return 0;
  }
  const actions = io.argv.filter((a) => !a.startsWith('-'));
  const flags = io.argv.filter((a) => a.startsWith('-'));
  for (const f of flags) {
    if (!/^(--verbosity|-v)(=?-?\d)?$|^--stats$|^--list$|^--files$|^-\d$/.test(f))
      throw unsupported(`borgmatic flag \`${f}\``);
  }
  const numeric = actions.filter((a) => /^-?\d$/.test(a));
  const verbs = actions.filter((a) => !numeric.includes(a));
  const verb = verbs[0] ?? 'create';
  if (verbs.length > 1) throw unsupported(`several borgmatic actions (${verbs.join(' ')})`);
  if (['list', 'repo-list', 'rlist'].includes(verb)) {
    for (const a of listBorgmaticArchives(io.dir))
      io.stdout.write(`${a.archive.padEnd(36)}${a.time}\n`);
    return 0;
  }
  if (verb !== 'create')
    throw unsupported(`\`borgmatic ${verb}\``, 'supported: create (default), list, repo-list');
  const paths = sandboxPaths(io.dir);
  const state = readIndriState(paths);
  const view = new ClusterView(loadWorld(io.dir));
  const time = new Date().toISOString();
  const archive = `indri-${time.replace(/[:.]/g, '-')}`;
  const adir = path.join(paths.backups, archive);
  mkdirSync(adir, { recursive: true });
  const bin = findPgBinDir(io.env);
  const result: BorgmaticArchive = { archive, time, databases: [] };
  for (const db of state.borgmatic.databases) {
    const target = view.resolveTailnetHost(db.hostname);
    const backend = target ? view.serviceBackend(target, db.port) : undefined;
    const port = backend?.kind === 'pg' ? backend.server.status().port : undefined;
    if (!target || !port) {
      throw new StandInError(
        `indri: Error running actions for repository\npg_dump: error: ${target ? `connection to server at "${db.hostname}", port ${db.port} failed: Connection refused` : `could not translate host name "${db.hostname}" to address: Name or service not known`}\nCommand 'pg_dump --format custom ${db.name}' returned non-zero exit status 1.\n\nsummary:\nindri: Error running actions for repository`,
        1,
      );
    }
    // borgmatic's credential for the role: on the homelab from systemd credentials, here the
    // role's password Secret next to the database (the one its managed role reads).
    const password = roleSecretPassword(view, target.context, target.namespace, db.username);
    const file = path.join(adir, `${db.name}.dump`);
    await new Promise<void>((resolve, reject) => {
      execFile(
        path.join(bin, 'pg_dump'),
        [
          '--format',
          'custom',
          '--no-password',
          '-h',
          '127.0.0.1',
          '-p',
          String(port),
          '-U',
          db.username,
          '-d',
          db.name,
          '-f',
          file,
        ],
        {
          env: {
            PATH: process.env['PATH'] ?? '/usr/bin:/bin',
            LC_ALL: 'C',
            ...(password ? { PGPASSWORD: password } : {}),
          },
          maxBuffer: 16 * 2 ** 20,
        },
        (err, _out, stderr) =>
          err
            ? reject(
                new StandInError(
                  `indri: Error running actions for repository\n${stderr.trim()}\nCommand 'pg_dump --format custom ${db.name}' returned non-zero exit status 1.`,
                  1,
                ),
              )
            : resolve(),
      );
    });
    result.databases.push({
      name: db.name,
      hostname: db.hostname,
      resolvedTo: `${target.context}/${target.namespace}/${target.service.metadata.name}`,
      file,
      bytes: statSync(file).size,
      sha256: await sha256(file),
    });
    io.recorder.add({
      notes: [
        `dumped ${db.name} from ${db.hostname} (${target.context}/${target.namespace}/${target.service.metadata.name}) as ${db.username}`,
      ],
    });
  }
  writeFileAtomic(path.join(adir, 'archive.json'), `${JSON.stringify(result, null, 2)}\n`);
  if (io.argv.includes('--stats') || io.argv.some((a) => /^(--verbosity|-v)/.test(a))) {
    io.stdout.write(
      `indri: Creating archive\nArchive name: ${archive}\n${result.databases.map((d) => `  ${d.name}: ${d.bytes} B from ${d.hostname}`).join('\n')}\n`,
    );
  }
  return 0;
}

/**
 * The password of a role from the Secret that holds it in a namespace (`username` equal to the
 * role), e.g. `immich-pg-borgmatic` for `borgmatic`.
 * @param view the clusters
 * @param context the context
 * @param namespace the namespace
 * @param role the role
 * @returns the password, or undefined when no Secret names the role
 */
function roleSecretPassword(
  view: ClusterView,
  context: string,
  namespace: string,
  role: string,
): string | undefined {
  const decode = (v: unknown) => Buffer.from(String(v ?? ''), 'base64').toString();
  for (const o of Object.values(view.world.contexts[context]?.objects ?? {})) {
    if (o.kind !== 'Secret' || o.metadata.namespace !== namespace) continue;
    const data = (o['data'] ?? {}) as Record<string, unknown>;
    if (decode(data['username']) === role && data['password']) return decode(data['password']);
  }
  return undefined;
}
