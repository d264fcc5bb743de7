import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { SandboxPaths } from './paths.ts';

/** The homelab's git forge: ArgoCD reads the ops repository (and mirrors) from it. */
export const FORGE_URL = 'https://forge.ops.eblu.me/';

/** The ops repository on the forge (what the operator's ArgoCD Applications name). */
export const OPS_REPO_URL = `${FORGE_URL}eblume/blumeops.git`;

/**
 * The bare repository standing in for a forge URL: `https://forge.ops.eblu.me/<owner>/<name>[.git]`
 * is `<sandbox>/forge/<owner>/<name>.git`.
 * @param paths sandbox paths
 * @param repoURL an Application's `source.repoURL`
 * @returns the directory, or undefined when the URL is not on the forge
 */
export function forgeRepoPath(paths: SandboxPaths, repoURL: string): string | undefined {
  if (!repoURL.startsWith(FORGE_URL)) return undefined;
  const rel = repoURL
    .slice(FORGE_URL.length)
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
  if (!/^[\w.-]+\/[\w.-]+$/.test(rel)) return undefined;
  return path.join(paths.forge, `${rel}.git`);
}

const git = (cwd: string, ...args: string[]): string =>
  execFileSync(
    'git',
    [
      '-C',
      cwd,
      '-c',
      'user.name=mikado sandbox',
      '-c',
      'user.email=sandbox@mikado.invalid',
      ...args,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );

/**
 * Publishes a local repository on the sandbox's forge as `<owner>/<name>.git` (a bare clone) and
 * makes it the repository's `origin`, as the operator's checkout of the ops repository has it.
 * @param paths sandbox paths
 * @param repo the local repository (committed)
 * @param name `<owner>/<name>` on the forge
 * @returns the bare repository
 */
export function publishOnForge(paths: SandboxPaths, repo: string, name: string): string {
  const bare = path.join(paths.forge, `${name}.git`);
  if (!existsSync(bare)) {
    mkdirSync(path.dirname(bare), { recursive: true });
    execFileSync('git', ['clone', '-q', '--bare', repo, bare], { stdio: 'ignore' });
  }
  const remotes = git(repo, 'remote').split('\n');
  if (!remotes.includes('origin')) git(repo, 'remote', 'add', 'origin', bare);
  git(repo, 'fetch', '-q', 'origin');
  git(repo, 'branch', '-q', '--set-upstream-to=origin/main', 'main');
  return bare;
}

/**
 * Lets a working repository push to the sandbox's forge under the forge's real URLs: sets
 * `url.<sandbox>/forge/.insteadOf https://forge.ops.eblu.me/` in its local git config, so that
 * `git remote add origin https://forge.ops.eblu.me/eblume/blumeops.git && git push` lands in the
 * sandbox (the remote keeps the URL the ArgoCD Applications name). Left alone when the repository
 * already has a remote on the real forge (its pushes must keep going there) or is no git work tree.
 * @param paths sandbox paths
 * @param repoRoot the working repository
 * @returns true when the setting is in place
 */
export function routeForgeToSandbox(paths: SandboxPaths, repoRoot: string): boolean {
  let urls: string;
  try {
    git(repoRoot, 'rev-parse', '--is-inside-work-tree');
    urls = git(repoRoot, 'config', '--get-regexp', '^remote\\..*\\.url$').toString();
  } catch (e) {
    const status = (e as { status?: number }).status;
    // `git config --get-regexp` exits 1 when nothing matches: no remotes at all.
    if (status !== 1 || !existsSync(path.join(repoRoot, '.git'))) return false;
    urls = '';
  }
  const key = `url.${paths.forge}/.insteadOf`;
  let current = '';
  try {
    current = git(repoRoot, 'config', '--get', key).trim();
  } catch {}
  if (current === FORGE_URL) return true;
  if (urls.split('\n').some((l) => l.split(' ')[1]?.includes('forge.ops.eblu.me'))) return false;
  git(repoRoot, 'config', key, FORGE_URL);
  return true;
}
