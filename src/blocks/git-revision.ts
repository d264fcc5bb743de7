import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { RunError } from '../errors.ts';
import { git, gitTry } from '../git/git.ts';
import { requireBundled } from '../require-bundled.ts';

/** What {@link pushedRevision} checks besides the commit being pushed. */
export interface PushedRevisionOptions {
  /**
   * The repository the ArgoCD Applications read (`spec.source.repoURL`): the commit must be on a
   * remote with this URL (compared by host and path, so `https://`, `ssh://` and `git@host:`
   * spellings of one repository match).
   */
  repoURL?: string;
  /** Paths (the Applications' `spec.source.path`) that must exist in the commit. */
  paths?: string[];
}

/**
 * A repository URL reduced to what names the repository: `host/path`, lower-case host, without
 * scheme, user, port or `.git` (`git@forge:eblume/blumeops.git` and
 * `https://forge/eblume/blumeops` are the same repository).
 * @param url a git remote URL
 * @returns the comparable form
 */
export function repositoryKey(url: string): string {
  const u = url
    .trim()
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.*)$/.exec(u);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(u))
    return `${scp[1]!.toLowerCase()}/${scp[2]!.replace(/^\/+/, '')}`;
  try {
    const parsed = new URL(u);
    return `${parsed.hostname.toLowerCase()}${parsed.pathname.replace(/\/+$/, '')}`;
  } catch {
    return u;
  }
}

/**
 * The commit an ArgoCD Application should be pinned to on a branch (`argocd app set APP
 * --revision SHA`): `HEAD`'s 40-character sha, once it is certain ArgoCD can check it out: the
 * commit is on a remote-tracking branch (of the remote whose URL is `repoURL`, when given), and
 * every path in `paths` exists in it. A checkout without such a remote is refused, never passed
 * through: ArgoCD reads the forge, not this disk.
 * @param cwd a directory in the repository
 * @param options the repository the Applications read, and the paths they deploy
 * @returns the sha
 * @throws RunError naming the command that fixes it (add the remote, push, commit the path)
 */
export async function pushedRevision(
  cwd: string,
  options: PushedRevisionOptions = {},
): Promise<string> {
  const sha = git(['rev-parse', 'HEAD'], { cwd }).trim();
  const short = sha.slice(0, 12);
  const remotes = new Map<string, string>();
  const listing = gitTry(['config', '--get-regexp', '^remote\\..*\\.url$'], { cwd }) ?? '';
  for (const line of listing.split('\n')) {
    const m = /^remote\.(.+)\.url (.+)$/.exec(line.trim());
    if (m) remotes.set(m[1]!, m[2]!);
  }
  const want = options.repoURL ? repositoryKey(options.repoURL) : undefined;
  const names = [...remotes].filter(([, url]) => !want || repositoryKey(url) === want);
  if (names.length === 0) {
    const name = remotes.has('origin') ? 'forge' : 'origin';
    const url = options.repoURL ?? '<the repository ArgoCD reads>';
    throw new RunError(
      `Unexpected checkout without a remote for ${options.repoURL ?? 'the forge'} (remotes: ${[...remotes].map(([n, u]) => `${n} ${u}`).join(', ') || 'none'}), expected the repository the ArgoCD Applications read, with commit ${short} pushed to it`,
      {
        fix: `Add it and push: \`git remote add ${name} ${url}\`, then \`git push -u ${name} HEAD\`.`,
      },
    );
  }
  const tracking =
    gitTry(['branch', '-r', '--contains', sha, '--format=%(refname:short)'], { cwd }) ?? '';
  const pushed = tracking
    .split('\n')
    .filter(Boolean)
    .some((ref) => names.some(([n]) => ref.startsWith(`${n}/`)));
  if (!pushed) {
    const [name] = names[0]!;
    throw new RunError(
      `Unexpected unpushed commit ${short}, expected it on a branch of \`${name}\` (${remotes.get(name)}): ArgoCD checks out the revision from there`,
      { fix: `Push the branch: \`git push -u ${name} HEAD\`, then run again.` },
    );
  }
  for (const p of options.paths ?? []) {
    const found = gitTry(['cat-file', '-e', `${sha}:${p.replace(/\/+$/, '')}`], { cwd });
    if (found === undefined) {
      throw new RunError(
        `Unexpected commit ${short} without \`${p}\`, expected the manifests the ArgoCD Applications deploy in it`,
        { fix: `Commit \`${p}\` and push it, then run again.` },
      );
    }
  }
  return sha;
}

/**
 * {@link pushedRevision} for an ArgoCD Application kept as a manifest in the repository: the
 * commit must be pushed to the Application's `spec.source.repoURL` and hold its path (or the
 * path it is about to be pointed at with `argocd app set --path`).
 * @param root the repository root
 * @param appFile the Application's manifest, relative to `root` (`.../apps/immich-ringtail.yaml`)
 * @param path the path the Application will deploy, if not its `spec.source.path`
 * @returns the sha to pass to `argocd app set --revision`
 */
export async function appRevision(root: string, appFile: string, path?: string): Promise<string> {
  const text = await readFile(resolve(root, appFile), 'utf8');
  const app = requireBundled('yaml').parse(text) as {
    spec?: { source?: { repoURL?: string; path?: string } };
  };
  const source = app?.spec?.source ?? {};
  const paths = [path ?? source.path].filter((p): p is string => typeof p === 'string');
  return pushedRevision(root, { repoURL: source.repoURL, paths });
}
