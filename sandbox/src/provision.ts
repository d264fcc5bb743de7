import { existsSync } from 'node:fs';
import path from 'node:path';
import { ClusterView } from './cluster-view.ts';
import {
  BORGMATIC_DEFAULTS,
  CADDY_DEFAULTS,
  readBorgmaticDatabases,
  readCaddySites,
  readIndriState,
  writeIndriState,
} from './ops-repo.ts';
import { sandboxPaths } from './paths.ts';
import { StandInError, unsupported } from './stand-in-error.ts';
import type { StandInIo } from './stand-in-io.ts';
import { loadWorld } from './store.ts';

function findOpsRepo(cwd: string, fallback: string): string {
  for (let d = path.resolve(cwd); ; d = path.dirname(d)) {
    if (existsSync(path.join(d, 'ansible', 'roles'))) return d;
    if (d === path.dirname(d)) return fallback;
  }
}

/**
 * The `mise` stand-in: only `mise run provision-indri -- --tags caddy|borgmatic` (the ops
 * repository's ansible run on indri). `caddy` reads `ansible/roles/caddy/defaults/main.yml` of the
 * ops repository (found from the working directory, else `<sandbox>/ops`), checks that every
 * upstream resolves on the tailnet to a ready Immich server, and installs the sites on indri;
 * `borgmatic` installs the databases of `ansible/roles/borgmatic/defaults/main.yml` for the
 * borgmatic stand-in. Any other mise use fails loudly.
 * @param io the call
 * @returns the exit code
 */
export async function mise(io: StandInIo): Promise<number> {
  const [sub, task, ...rest] = io.argv;
  if (sub !== 'run' || task !== 'provision-indri') {
    throw unsupported(
      `\`mise ${io.argv.join(' ')}\``,
      'the sandbox mise only runs `provision-indri -- --tags caddy|borgmatic`',
    );
  }
  const args = rest[0] === '--' ? rest.slice(1) : rest;
  const tags: string[] = [];
  // `--check`: ansible's dry run: every task is evaluated, nothing is installed.
  const check = args.includes('--check');
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--tags' || a === '-t') tags.push(...(args[++i] ?? '').split(','));
    else if (a.startsWith('--tags=')) tags.push(...a.slice(7).split(','));
    else if (a === '--diff' || a === '--check' || a === '-v') continue;
    else throw unsupported(`provision-indri argument \`${a}\``);
  }
  if (tags.length === 0)
    throw unsupported('a full provision-indri run', 'pass --tags caddy or --tags borgmatic');
  const bad = tags.find((t) => t !== 'caddy' && t !== 'borgmatic');
  if (bad) throw unsupported(`provision-indri tag \`${bad}\``, 'supported tags: caddy, borgmatic');
  const paths = sandboxPaths(io.dir);
  const repo = findOpsRepo(io.cwd, paths.ops);
  io.recorder.add({ notes: [`ops repository ${repo}`, `tags ${tags.join(',')}`] });
  const state = readIndriState(paths);
  const out: string[] = [
    '',
    'PLAY [indri] *******************************************************************',
    '',
  ];
  let changed = 0;
  let ok = 1;
  if (tags.includes('caddy')) {
    const sites = readCaddySites(path.join(repo, CADDY_DEFAULTS));
    const before = JSON.stringify(state.caddy.sites);
    out.push('TASK [caddy : Render the Caddyfile] ********************************************');
    out.push(`${before === JSON.stringify(sites) ? 'ok' : 'changed'}: [indri]`, '');
    if (before !== JSON.stringify(sites)) changed++;
    else ok++;
    out.push('TASK [caddy : Check every upstream answers] ************************************');
    const view = new ClusterView(loadWorld(io.dir));
    for (const s of sites) {
      let host: string;
      try {
        host = new URL(s.upstream).hostname;
      } catch {
        throw new StandInError(
          `${out.join('\n')}\nfatal: [indri]: FAILED! => {"msg": "${s.domain}: upstream ${s.upstream} is not a URL"}`,
          2,
        );
      }
      const target = view.resolveTailnetHost(host);
      const backend = target
        ? view.serviceBackend(
            target,
            Number(new URL(s.upstream).port || 0) ||
              Number(
                (target.service['spec'] as { ports?: { port: number }[] })?.ports?.[0]?.port ?? 0,
              ),
          )
        : undefined;
      if (!target || !backend || backend.kind !== 'immich-api') {
        io.stdout.write(`${out.join('\n')}\n`);
        throw new StandInError(
          `fatal: [indri]: FAILED! => {"msg": "${s.domain}: upstream ${s.upstream} ${target ? 'does not answer (no ready Immich server behind it)' : 'does not resolve on the tailnet'}"}\n\nPLAY RECAP *********************************************************************\nindri                      : ok=${ok} changed=${changed} unreachable=0 failed=1`,
          2,
        );
      }
      out.push(
        `ok: [indri] => ${s.domain} -> ${s.upstream} (${target.context} ${target.namespace}/${target.service.metadata.name})`,
      );
    }
    ok++;
    out.push('');
    state.caddy = { sites, appliedAt: new Date().toISOString() };
  }
  if (tags.includes('borgmatic')) {
    const databases = readBorgmaticDatabases(path.join(repo, BORGMATIC_DEFAULTS));
    const same = JSON.stringify(state.borgmatic.databases) === JSON.stringify(databases);
    out.push('TASK [borgmatic : Install /etc/borgmatic/config.yaml] ***************************');
    out.push(`${same ? 'ok' : 'changed'}: [indri]`, '');
    if (same) ok++;
    else changed++;
    state.borgmatic = { databases, appliedAt: new Date().toISOString() };
  }
  if (!check) writeIndriState(paths, state);
  out.push('PLAY RECAP *********************************************************************');
  out.push(`indri                      : ok=${ok} changed=${changed} unreachable=0 failed=0`, '');
  io.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
