/** A profile variable: a plain value, or a secret read from the environment. */
export interface ProfileVar {
  value?: string;
  /** Environment variable to read the value from. */
  env?: string;
  /** Never written to journal, logs or output. */
  secret?: boolean;
}

/** Targets for one environment (homelab, sandbox, ...). */
export interface Profile {
  name: string;
  description?: string;
  vars: Record<string, ProfileVar>;
  /** Directories put first on PATH for blocks (how the sandbox supplies its stand-ins). Relative to the root. */
  path?: string[];
}

/** Resolved configuration: config file, package.json `mikado` key, then CLI flags. */
export interface MikadoConfig {
  /** Absolute repository root. */
  root: string;
  /** Absolute cards root (default `<root>/docs/cards`). */
  cardsDir: string;
  /** Absolute docs root that wikilinks resolve in (default `<root>/docs`). */
  docsDir: string;
  /** Globs (relative to the cards root) of Markdown files that are not cards. */
  exclude: string[];
  /**
   * Markdown files outside the docs root (paths relative to the root) that wikilinks resolve to
   * as if they sat at the docs root: files a site build copies into the docs (`CHANGELOG.md`).
   */
  extraDocs?: string[];
  /** The branch Mikado branches start from (default `main`). */
  baseBranch: string;
  /** Default block timeout in milliseconds. */
  defaultTimeoutMs: number;
  profiles: Record<string, Profile>;
  /** Default profile name. */
  defaultProfile?: string;
  /** Forge for `view --resume` pull-request lookup. */
  forge?: { type: 'forgejo' | 'gitea' | 'github'; api: string; repo: string; tokenEnv?: string };
  /** Absolute path of the config file that was read, if any. */
  configFile?: string;
}
