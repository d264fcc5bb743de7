import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { publishOnForge } from './forge.ts';
import { type SandboxPaths, TAILNET } from './paths.ts';
import { opsRepoArgoFiles } from './seed.ts';
import { StandInError } from './stand-in-error.ts';
import { writeFileAtomic } from './store.ts';

/** The Caddy role's defaults file inside the ops repository. */
export const CADDY_DEFAULTS = 'ansible/roles/caddy/defaults/main.yml';
/** The borgmatic role's defaults file inside the ops repository. */
export const BORGMATIC_DEFAULTS = 'ansible/roles/borgmatic/defaults/main.yml';

const CADDY_TEXT = `# Caddy on indri: public names and the upstream each one proxies to.
# (mikado sandbox stand-in of the ops repository's caddy role defaults)
caddy_sites:
  - domain: photos.ops.eblu.me
    upstream: https://photos.${TAILNET}
`;

const BORGMATIC_TEXT = `# borgmatic on indri: databases dumped into the nightly backup.
# (mikado sandbox stand-in of the ops repository's borgmatic role defaults)
borgmatic_postgresql_databases:
  - name: immich
    hostname: immich-pg.${TAILNET}
    port: 5432
    username: borgmatic
    password: "{credential systemd borgmatic-immich-pg}"
`;

/** A Caddy site: a public domain and its upstream. */
export interface CaddySite {
  domain: string;
  upstream: string;
}

/** A database borgmatic dumps. */
export interface BorgmaticDatabase {
  name: string;
  hostname: string;
  port: number;
  username: string;
}

/** What provisioning installed on indri (`state/indri.json`). */
export interface IndriState {
  caddy: { sites: CaddySite[]; appliedAt: string };
  borgmatic: { databases: BorgmaticDatabase[]; appliedAt: string };
}

/**
 * Creates the ops-repository stand-in unless it exists: the operator's checkout `<dir>/ops` (the
 * caddy and borgmatic role defaults, the ArgoCD Applications and their manifests) and its origin
 * on the sandbox's forge, `forge/eblume/blumeops.git`, which ArgoCD reads; and indri's
 * provisioned state.
 * @param paths sandbox paths
 */
export function writeOpsRepo(paths: SandboxPaths): void {
  if (!existsSync(paths.ops)) {
    for (const [file, text] of [
      [CADDY_DEFAULTS, CADDY_TEXT],
      [BORGMATIC_DEFAULTS, BORGMATIC_TEXT],
      [
        'mise.toml',
        '[tasks.provision-indri]\ndescription = "Run the indri ansible playbook (pass -- --tags caddy|borgmatic)"\nrun = "ansible-playbook -i inventory.yml indri.yml"\n',
      ],
      ...Object.entries(opsRepoArgoFiles()),
    ] as const) {
      mkdirSync(path.dirname(path.join(paths.ops, file)), { recursive: true });
      writeFileSync(path.join(paths.ops, file), text);
    }
    const git = (...args: string[]) =>
      execFileSync(
        'git',
        [
          '-C',
          paths.ops,
          '-c',
          'user.name=mikado sandbox',
          '-c',
          'user.email=sandbox@mikado.invalid',
          ...args,
        ],
        { stdio: 'ignore' },
      );
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'ops repository stand-in (mikado sandbox)');
  }
  if (!existsSync(path.join(paths.forge, 'eblume/blumeops.git'))) {
    publishOnForge(paths, paths.ops, 'eblume/blumeops');
  }
  const state = indriStateFile(paths);
  if (!existsSync(state)) {
    const now = new Date().toISOString();
    writeIndriState(paths, {
      caddy: { sites: readCaddySites(path.join(paths.ops, CADDY_DEFAULTS)), appliedAt: now },
      borgmatic: {
        databases: readBorgmaticDatabases(path.join(paths.ops, BORGMATIC_DEFAULTS)),
        appliedAt: now,
      },
    });
  }
}

/**
 * The file holding indri's provisioned state.
 * @param paths sandbox paths
 * @returns `state/indri.json`
 */
export function indriStateFile(paths: SandboxPaths): string {
  return path.join(paths.state, 'indri.json');
}

/**
 * Reads indri's provisioned state.
 * @param paths sandbox paths
 * @returns the state
 */
export function readIndriState(paths: SandboxPaths): IndriState {
  return JSON.parse(readFileSync(indriStateFile(paths), 'utf8')) as IndriState;
}

/**
 * Writes indri's provisioned state atomically.
 * @param paths sandbox paths
 * @param state the state
 */
export function writeIndriState(paths: SandboxPaths, state: IndriState): void {
  writeFileAtomic(indriStateFile(paths), `${JSON.stringify(state, null, 2)}\n`);
}

function readYaml(file: string): unknown {
  try {
    return parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new StandInError(
      `fatal: [indri]: FAILED! => {"msg": "could not read ${file}: ${(e as Error).message.split('\n')[0]}"}`,
      2,
    );
  }
}

/**
 * Reads `caddy_sites` from the caddy role defaults.
 * @param file the defaults file
 * @returns the sites
 */
export function readCaddySites(file: string): CaddySite[] {
  const v = readYaml(file) as { caddy_sites?: unknown };
  const sites = v?.caddy_sites;
  if (
    !Array.isArray(sites) ||
    sites.some((s) => typeof s?.domain !== 'string' || typeof s?.upstream !== 'string')
  ) {
    throw new StandInError(
      `fatal: [indri]: FAILED! => {"msg": "${file}: caddy_sites must be a list of {domain, upstream}"}`,
      2,
    );
  }
  return sites.map((s) => ({ domain: String(s.domain), upstream: String(s.upstream) }));
}

/**
 * Reads `borgmatic_postgresql_databases` from the borgmatic role defaults.
 * @param file the defaults file
 * @returns the databases
 */
export function readBorgmaticDatabases(file: string): BorgmaticDatabase[] {
  const v = readYaml(file) as { borgmatic_postgresql_databases?: unknown };
  const dbs = v?.borgmatic_postgresql_databases;
  if (
    !Array.isArray(dbs) ||
    dbs.some((d) => typeof d?.name !== 'string' || typeof d?.hostname !== 'string')
  ) {
    throw new StandInError(
      `fatal: [indri]: FAILED! => {"msg": "${file}: borgmatic_postgresql_databases must be a list of {name, hostname, port, username}"}`,
      2,
    );
  }
  return dbs.map((d) => ({
    name: String(d.name),
    hostname: String(d.hostname),
    port: Number(d.port ?? 5432),
    username: String(d.username ?? 'postgres'),
  }));
}
