import { RunError } from '../errors.ts';
import { runCommand } from './run-command.ts';

/**
 * The commit an ArgoCD Application should be pinned to on a branch (`argocd app set APP
 * --revision SHA`): `HEAD`'s 40-character sha. When the repository has remotes, the commit must
 * be on one of them, or ArgoCD cannot check it out.
 * @param cwd a directory in the repository
 * @returns the sha
 * @throws RunError when the commit is not pushed
 */
export async function pushedRevision(cwd: string): Promise<string> {
  const sha = (await runCommand('git', ['rev-parse', 'HEAD'], { cwd })).stdout.trim();
  const remotes = (await runCommand('git', ['remote'], { cwd })).stdout.trim();
  if (remotes === '') return sha;
  const on = (await runCommand('git', ['branch', '-r', '--contains', sha], { cwd })).stdout.trim();
  if (on === '') {
    throw new RunError(
      `Unexpected unpushed commit ${sha.slice(0, 12)}, expected it on a remote branch (ArgoCD checks out the revision from the forge)`,
      { fix: 'Push the branch, then run again.' },
    );
  }
  return sha;
}
