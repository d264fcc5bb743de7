import path from 'node:path';
import { globMatcher } from '../cards/glob-matcher.ts';
import { parseCardFrontmatter } from '../cards/parse-card-frontmatter.ts';
import { decodeCardBytes } from '../cards/read-card-file.ts';
import type { Card, Diagnostic } from '../cards/types.ts';
import { isWalkedPath } from '../cards/walk-files.ts';
import type { MikadoConfig } from '../config/types.ts';
import { gitResult, readBlobs } from '../git/git.ts';
import { shellQuote } from '../shell-quote.ts';

/** The cards as committed at HEAD. */
export interface CommittedCards {
  /** Every card under the cards root at HEAD (frontmatter read), sorted by path. */
  cards: Card[];
  /** Each card's bytes at HEAD, by path relative to the root. */
  bytes: Map<string, Buffer>;
  /** Findings about committed files that could not be cards. */
  diagnostics: Diagnostic[];
}

/** Why the committed cards could not be read. */
export interface NoCommittedCards {
  /** What is wrong, in words (`not a git repository`, `no commit yet`, ...). */
  why: string;
}

/** Git's file mode of a symbolic link. */
const SYMLINK_MODE = '120000';

/**
 * Reads the cards as committed at HEAD with two git processes (`ls-tree`, then one
 * `cat-file --batch` for every blob), keeping the files the walker would visit. A card that git
 * stores as a symbolic link (mode 120000) is kept as a card that never runs: its diagnostic
 * `symlink-card` says so.
 * @param config the configuration (root, cards root, excludes)
 * @returns the committed cards, or why there are none
 */
export function readCommittedCards(config: MikadoConfig): CommittedCards | NoCommittedCards {
  const cardsRel = path.relative(config.root, config.cardsDir).split(path.sep).join('/') || '.';
  if (cardsRel.startsWith('../') || cardsRel === '..' || path.isAbsolute(cardsRel)) {
    return { why: `the cards root \`${config.cardsDir}\` is outside the repository` };
  }
  const listing = gitRun(config.root, ['ls-tree', '-r', '-z', 'HEAD', '--', cardsRel]);
  if (listing.error) return { why: listing.error };
  const prefix = cardsRel === '.' ? '' : `${cardsRel}/`;
  const excluded = globMatcher(config.exclude);
  const entries: { mode: string; sha: string; path: string }[] = [];
  for (const line of listing.out.toString('utf8').split('\0')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const [mode, type, sha] = line.slice(0, tab).split(' ');
    const p = line.slice(tab + 1);
    if (type !== 'blob' || !p.startsWith(prefix)) continue;
    if (!isWalkedPath(p.slice(prefix.length), excluded)) continue;
    entries.push({ mode: mode!, sha: sha!, path: p });
  }
  const shas = entries.filter((e) => e.mode !== SYMLINK_MODE).map((e) => e.sha);
  const blobs = readBlobs(shas, { cwd: config.root });
  if (!blobs || shas.some((sha) => !blobs.has(sha))) {
    return { why: '`git cat-file --batch` failed' };
  }
  const out: CommittedCards = { cards: [], bytes: new Map(), diagnostics: [] };
  for (const e of entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const absPath = path.join(config.root, e.path);
    if (e.mode === SYMLINK_MODE) {
      out.cards.push(symlinkCard(e.path, absPath));
      continue;
    }
    const buf = blobs.get(e.sha)!;
    const decoded = decodeCardBytes(buf, e.path);
    if (decoded.diagnostic) {
      out.diagnostics.push(decoded.diagnostic);
      continue;
    }
    out.bytes.set(e.path, buf);
    out.cards.push(parseCardFrontmatter(decoded.text, { path: e.path, absPath }));
  }
  return out;
}

/**
 * A stand-in for a card git stores as a symbolic link: no frontmatter, no blocks, and a
 * diagnostic that keeps it from running.
 * @param rel path relative to the root
 * @param absPath absolute path
 * @returns the card
 */
function symlinkCard(rel: string, absPath: string): Card {
  const p = shellQuote(rel);
  return {
    stem: path.basename(rel).replace(/\.(md|markdown)$/i, ''),
    path: rel,
    absPath,
    tags: [],
    status: null,
    requires: [],
    frontmatter: null,
    bodyLine: 1,
    body: '',
    headings: [],
    links: [],
    blocks: [],
    diagnostics: [
      {
        path: rel,
        line: 1,
        column: 1,
        severity: 'error',
        rule: 'symlink-card',
        message:
          'Unexpected symbolic link committed as a card (git mode 120000), expected a regular file: a link runs code git does not track',
        fix: `Replace the link with the file it points to and commit that: \`cp --remove-destination "$(readlink -f ${p})" ${p} && git add ${p} && git commit -m "Commit the card itself"\`.`,
      },
    ],
  };
}

function gitRun(cwd: string, args: string[], input?: string): { out: Buffer; error?: string } {
  const r = gitResult(args, { cwd, input });
  if (r.error) return { out: Buffer.alloc(0), error: `cannot run git (${r.error.message})` };
  if (r.status !== 0) {
    const err = r.stderr.toString('utf8');
    const why = /not a git repository/i.test(err)
      ? 'not a git repository'
      : /Not a valid object name HEAD|ambiguous argument 'HEAD'|bad revision|unknown revision/i.test(
            err,
          )
        ? 'no commit yet'
        : err.trim().split('\n')[0] || `git exited with ${r.status}`;
    return { out: Buffer.alloc(0), error: why };
  }
  return { out: r.stdout };
}
