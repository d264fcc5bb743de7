import { type CommandOutput, type RunCommandOptions, runCommand } from './run-command.ts';

/** Where a kubectl call goes: a kube context and, for namespaced resources, a namespace. */
export interface KubeTarget {
  /** kube context (`--context`). */
  context: string;
  /** Namespace (`-n`), if any. */
  namespace?: string;
}

/**
 * The full argument list of a kubectl call: `--context=C [-n NS] ARGS`.
 * @param target context and namespace
 * @param args the rest of the command line
 * @returns the arguments after `kubectl`
 */
export function kubectlArgs(target: KubeTarget, args: string[]): string[] {
  const head = [`--context=${target.context}`];
  if (target.namespace) head.push('-n', target.namespace);
  return [...head, ...args];
}

/**
 * Runs `kubectl --context=C [-n NS] ARGS` (the `kubectl` first on PATH: the sandbox's stand-in
 * under the `sandbox` profile).
 * @param target context and namespace
 * @param args the rest of the command line
 * @param options input, timeout
 * @returns standard output and error
 * @throws CommandError when kubectl fails
 */
export function kubectl(
  target: KubeTarget,
  args: string[],
  options: RunCommandOptions = {},
): Promise<CommandOutput> {
  return runCommand('kubectl', kubectlArgs(target, args), options);
}

/**
 * A Kubernetes object as blocks read it: loosely typed, since blocks are runbooks, not programs.
 */
// biome-ignore lint/suspicious/noExplicitAny: blocks read arbitrary Kubernetes JSON
export type KubeObject = Record<string, any>;

/**
 * Runs `kubectl get ... -o json` and parses the result.
 * @param target context and namespace
 * @param args what to get, e.g. `['cluster', 'immich-pg']`
 * @returns the parsed JSON
 * @throws CommandError when kubectl fails (e.g. NotFound)
 */
export async function kubectlJson<T = KubeObject>(target: KubeTarget, args: string[]): Promise<T> {
  const { stdout } = await kubectl(target, ['get', ...args, '-o', 'json']);
  return JSON.parse(stdout) as T;
}

/**
 * Like {@link kubectlJson} for one named object that may not exist.
 * @param target context and namespace
 * @param args the type and name, e.g. `['cluster.postgresql.cnpg.io', 'immich-pg']`
 * @returns the object, or undefined when it does not exist
 * @throws CommandError when kubectl fails otherwise
 */
export async function kubectlFind<T = KubeObject>(
  target: KubeTarget,
  args: string[],
): Promise<T | undefined> {
  const { stdout } = await kubectl(target, ['get', ...args, '--ignore-not-found', '-o', 'json']);
  return stdout.trim() === '' ? undefined : (JSON.parse(stdout) as T);
}

/**
 * Whether `kubectl get` finds a resource (false on NotFound, throws on any other failure).
 * @param target context and namespace
 * @param args what to get, e.g. `['ingress', 'immich-tailscale']`
 * @returns true when it exists
 */
export async function kubectlExists(target: KubeTarget, args: string[]): Promise<boolean> {
  const { stdout } = await kubectl(target, ['get', ...args, '--ignore-not-found', '-o', 'name']);
  return stdout.trim() !== '';
}
