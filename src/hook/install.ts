import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { GitError, MikadoError } from '../errors.ts';
import { git } from '../git/git.ts';
import { LISTING_ENV, STAGED_NAMES_ENV, STAGED_NAMES_MAX, STAGED_PID_ENV } from './hook-staged.ts';

/** The hooks `mikado hook install` manages. */
export const HOOK_NAMES = ['commit-msg', 'pre-commit'] as const;

/** A managed hook name. */
export type HookName = (typeof HOOK_NAMES)[number];

/** The line that marks a hook file as ours. */
export const HOOK_MARKER = '# mikado-docs managed hook';

/** Suffix given to a hook that was there before ours; ours runs it first. */
export const CHAINED_SUFFIX = '.pre-mikado';

/** Markdown files, as git pathspecs: `.md` and `.markdown` in any case. */
const MARKDOWN_PATHSPECS = "':(icase)*.md' ':(icase)*.markdown'";

/**
 * The sh test that is true when no Markdown file is staged (added, copied, modified or renamed):
 * `.md` and `.markdown` in any case, as the card matcher takes them. The husky and lefthook lines
 * of docs/hook.md start Node only when it is false; the installed hook lists the same files
 * instead, and hands the names on.
 */
export const NO_STAGED_MARKDOWN = `git diff --cached --quiet --diff-filter=ACMR -- ${MARKDOWN_PATHSPECS}`;

/** How the installed hook starts mikado. */
export interface HookCommand {
  /** Absolute path of the Node binary used as a fallback when `node` is not on PATH. */
  node: string;
  /** Absolute path of `bin/mikado.js` used when the repository has no `node_modules/.bin/mikado`. */
  script: string;
  /**
   * The folders of the index the pre-commit hook reads (`git ls-files` pathspecs: the config's
   * cards and docs folders): the hook has git list them while Node starts. Without them, mikado
   * asks git itself.
   */
  listing?: readonly string[];
}

/** What happened to one hook file. */
export interface HookAction {
  hook: HookName;
  path: string;
  action:
    | 'installed'
    | 'updated'
    | 'unchanged'
    | 'chained'
    | 'removed'
    | 'restored'
    | 'absent'
    | 'foreign';
}

/**
 * The hooks directory git uses: `core.hooksPath` when set, else `$GIT_DIR/hooks`.
 * @param root repository root
 * @returns absolute path
 */
export function hooksDir(root: string): string {
  return path.resolve(root, git(['rev-parse', '--git-path', 'hooks'], { cwd: root }).trim());
}

/**
 * The text of an installed hook: POSIX sh that runs a chained older hook first, then decides on
 * the branch itself (commit-msg) or on whether Markdown is staged (pre-commit) before starting
 * Node, so commits on other branches cost one `git` call.
 * @param hook which hook
 * @param command how to start mikado
 * @returns the script
 */
export function hookScript(hook: HookName, command: HookCommand): string {
  const q = shellQuote;
  const gate =
    hook === 'commit-msg'
      ? [
          '# Only Mikado branches are judged; a detached HEAD or any other branch passes at once.',
          'case $(git symbolic-ref --short -q HEAD) in',
          '  mikado/*) ;;',
          '  *) exit 0 ;;',
          'esac',
        ]
      : [
          '# Card conventions apply to staged Markdown only; nothing staged, nothing to check.',
          '# The names go to mikado, so it need not ask git again; they hold for the mikado this',
          '# script starts (its parent process id is this one). Quoted names, or too many, mikado',
          '# asks git for.',
          `unset ${STAGED_NAMES_ENV} ${LISTING_ENV}`,
          `${STAGED_PID_ENV}=$$`,
          `export ${STAGED_PID_ENV}`,
          `if staged=$(git -c core.quotePath=false diff --cached --name-only --diff-filter=ACMR -- ${MARKDOWN_PATHSPECS}); then`,
          '  [ -n "$staged" ] || exit 0',
          `  if [ \${#staged} -le ${STAGED_NAMES_MAX} ]; then`,
          `    ${STAGED_NAMES_ENV}=$staged`,
          `    export ${STAGED_NAMES_ENV}`,
          '  fi',
          'fi',
        ];
  const args = hook === 'commit-msg' ? 'hook commit-msg "$1"' : 'hook pre-commit';
  return [
    '#!/bin/sh',
    `${HOOK_MARKER} (${hook}): installed by \`mikado hook install\`, removed by \`mikado hook uninstall\`.`,
    '# Edits are overwritten on the next install; an older hook is kept as',
    `# ${hook}${CHAINED_SUFFIX} and runs first.`,
    '# (the folder of $0 without starting `dirname`: git names hooks by their path)',
    `case $0 in */*) chained="\${0%/*}/${hook}${CHAINED_SUFFIX}" ;; *) chained="./${hook}${CHAINED_SUFFIX}" ;; esac`,
    'if [ -x "$chained" ]; then',
    '  "$chained" "$@" || exit $?',
    'fi',
    ...gate,
    '# mikado opens no TLS connection here, and Node 20 and 22 read the NODE_EXTRA_CA_CERTS',
    '# certificates as they start (about 50 ms): not for this process.',
    'unset NODE_EXTRA_CA_CERTS',
    '# Git GUIs may run hooks without Node on PATH: then use the Node that installed the hook.',
    `command -v node >/dev/null 2>&1 || PATH=${q(path.dirname(command.node))}:$PATH`,
    "# git runs hooks at the work tree root: prefer the project's own mikado.",
    ...(hook === 'pre-commit'
      ? preCommitStart(command.script, command.listing)
      : [
          'if [ -x node_modules/.bin/mikado ]; then',
          `  exec node_modules/.bin/mikado ${args}`,
          'fi',
          `exec node ${q(command.script)} ${args}`,
        ]),
    '',
  ].join('\n');
}

/**
 * The end of the pre-commit hook: mikado starts as this script's child (the names the gate
 * listed are for the process whose parent this is). When the hook knows the folders mikado
 * reads, git lists them while Node starts, into mikado's standard input; the listing ends with a
 * mark (the folders, as JSON) that says it is whole and for which folders. mikado takes it only
 * then ({@link listingFromHook}), and otherwise asks git itself.
 * @param script `bin/mikado.js`, when the project has no `node_modules/.bin/mikado`
 * @param specs the folders, or undefined
 * @returns the lines
 */
function preCommitStart(script: string, specs: readonly string[] | undefined): string[] {
  const q = shellQuote;
  const listed = specs ? 'listing | ' : '';
  const installer = path.dirname(path.dirname(script));
  return [
    ...(specs
      ? [
          '# git lists the cards and docs folders of the index while Node starts.',
          `${LISTING_ENV}=${q(JSON.stringify(specs))}`,
          `export ${LISTING_ENV}`,
          `listing() { git ls-files -s -z -- ${specs.map(q).join(' ')} && printf '%s' "$${LISTING_ENV}"; }`,
        ]
      : []),
    // bin/pre-commit.cjs starts sooner than bin/mikado.js, once dist/ is built (bin/mikado.js
    // builds it): the project's own package first, then the one that installed the hook
    `if [ -f ${OWN_PACKAGE}/dist/pre-commit.cjs ]; then`,
    `  ${listed}node ${OWN_PACKAGE}/bin/pre-commit.cjs`,
    '  exit $?',
    'fi',
    'if [ -x node_modules/.bin/mikado ]; then',
    `  ${listed}node_modules/.bin/mikado hook pre-commit`,
    '  exit $?',
    'fi',
    `if [ -f ${q(path.join(installer, 'dist/pre-commit.cjs'))} ]; then`,
    `  ${listed}node ${q(path.join(installer, 'bin/pre-commit.cjs'))}`,
    '  exit $?',
    'fi',
    `${listed}node ${q(script)} hook pre-commit`,
  ];
}

/** Where a project that depends on mikado-docs has it. */
const OWN_PACKAGE = 'node_modules/mikado-docs';

/**
 * Installs the commit-msg and pre-commit hooks. Idempotent; an existing hook that is not ours is
 * kept as `<hook>.pre-mikado` and run first by ours (never overwritten).
 * @param root repository root
 * @param command how the hook starts mikado
 * @returns what happened to each hook
 */
export function installHooks(root: string, command: HookCommand): HookAction[] {
  const dir = hooksDir(root);
  refuseManagedDir(root, dir);
  mkdirSync(dir, { recursive: true });
  const actions: HookAction[] = [];
  for (const hook of HOOK_NAMES) {
    const file = path.join(dir, hook);
    const chained = file + CHAINED_SUFFIX;
    const text = hookScript(hook, command);
    let action: HookAction['action'] = 'installed';
    if (exists(file)) {
      if (isOurs(file)) {
        if (readFileSync(file, 'utf8') === text) {
          actions.push({ hook, path: file, action: 'unchanged' });
          continue;
        }
        action = 'updated';
      } else {
        if (exists(chained)) {
          throw new MikadoError(
            `${rel(root, file)} and ${rel(root, chained)} both exist and neither is mikado's`,
            {
              fix: `Merge them into one hook (or remove one), then run \`mikado hook install\` again.`,
            },
          );
        }
        renameSync(file, chained);
        action = 'chained';
      }
    }
    writeFileAtomic.sync(file, text, { mode: 0o755 });
    actions.push({ hook, path: file, action });
  }
  return actions;
}

/**
 * Removes the hooks that `mikado hook install` wrote and puts back any hook it had chained.
 * Hooks that are not ours are left alone.
 * @param root repository root
 * @returns what happened to each hook
 */
export function uninstallHooks(root: string): HookAction[] {
  const dir = hooksDir(root);
  const actions: HookAction[] = [];
  for (const hook of HOOK_NAMES) {
    const file = path.join(dir, hook);
    const chained = file + CHAINED_SUFFIX;
    if (!exists(file)) {
      actions.push({ hook, path: file, action: 'absent' });
      continue;
    }
    if (!isOurs(file)) {
      actions.push({ hook, path: file, action: 'foreign' });
      continue;
    }
    rmSync(file);
    if (exists(chained)) {
      renameSync(chained, file);
      actions.push({ hook, path: file, action: 'restored' });
    } else {
      actions.push({ hook, path: file, action: 'removed' });
    }
  }
  return actions;
}

/** The shell command that adds mikado to husky's hooks (docs/hook.md, "husky and lefthook"). */
const HUSKY_LINES = [
  `printf '%s\\n' 'case "$(git symbolic-ref --short -q HEAD)" in' '  mikado/*) mikado hook commit-msg "$1" ;;' 'esac' >> .husky/commit-msg`,
  `printf '%s\\n' "${NO_STAGED_MARKDOWN} || mikado hook pre-commit" >> .husky/pre-commit`,
].join(' && ');

function refuseManagedDir(root: string, dir: string): void {
  const r = rel(root, dir);
  if (/(^|\/)\.husky(\/_)?$/.test(r)) {
    throw new GitError(`core.hooksPath is \`${r}\`, which husky manages`, {
      fix: `Add mikado to husky's hooks instead: \`${HUSKY_LINES}\``,
    });
  }
}

function exists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return existsSync(file);
  }
}

function isOurs(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').includes(HOOK_MARKER);
  } catch {
    return false;
  }
}

function rel(root: string, file: string): string {
  const r = path.relative(root, file).split(path.sep).join('/');
  return r.startsWith('..') ? file : r;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
