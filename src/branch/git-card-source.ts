import { CatFile, gitAsync, gitBuffer } from '../git/git.ts';
import { type CardMatcher, cardStem } from './card-matcher.ts';
import type { CardSource } from './judge-branch.ts';

/** A {@link CardSource} over git objects, with one `git cat-file --batch` for all reads. */
export interface GitCardSource extends CardSource {
  /** Ends the `git cat-file` process. */
  close(): void;
}

/**
 * Reads cards from commits (`<sha>:<path>`) and from the index (`:<path>`, honouring
 * `GIT_INDEX_FILE`), starting `git cat-file` only on the first read.
 * @param cwd the repository root
 * @param matcher which paths are cards
 * @returns the card source
 */
export function gitCardSource(cwd: string, matcher: CardMatcher): GitCardSource {
  let cat: CatFile | undefined;
  const listings = new Map<string, Map<string, string>>();
  const found = new Map<string, Promise<string | undefined>>();
  const spec = (rev: string, path: string): string => `${rev}:${path}`;
  const source: GitCardSource = {
    async read(rev, path) {
      cat ??= new CatFile({ cwd });
      return cat.readText(spec(rev, path));
    },
    async cardPaths(rev) {
      let map = listings.get(rev);
      if (map) return map;
      map = new Map();
      const pathspec = matcher.cardsRel === '' ? [] : [matcher.cardsRel];
      const args =
        rev === ''
          ? ['ls-files', '-z', '--', ...pathspec]
          : ['ls-tree', '-r', '-z', '--name-only', rev, '--', ...pathspec];
      const out = gitBuffer(args, { cwd }).toString('utf8');
      for (const p of out.split('\0')) {
        if (p === '' || !matcher.isCard(p)) continue;
        const stem = cardStem(p);
        if (!map.has(stem)) map.set(stem, p);
      }
      listings.set(rev, map);
      return map;
    },
    findCard(rev, stem) {
      const key = `${rev}\0${stem}`;
      let p = found.get(key);
      if (!p) {
        p = find(rev, stem);
        found.set(key, p);
      }
      return p;
    },
    close() {
      cat?.close();
    },
  };
  return source;

  async function find(rev: string, stem: string): Promise<string | undefined> {
    const known = listings.get(rev);
    if (known) return known.get(stem);
    if (rev === '') {
      // The index: a glob pathspec finds one card among thousands without listing them all.
      // `icase`, as cards are `.md` or `.markdown` in any case; the stem itself must match exactly.
      const dir = matcher.cardsRel === '' ? '' : `${matcher.cardsRel}/`;
      const glob = `:(glob,icase)${globEscape(dir)}**/${globEscape(stem)}`;
      const out = await gitAsync(['ls-files', '-z', '--', `${glob}.md`, `${glob}.markdown`], {
        cwd,
      });
      return out
        ?.toString('utf8')
        .split('\0')
        .find((p) => p !== '' && matcher.isCard(p) && cardStem(p) === stem);
    }
    // Cards rarely move: where the index has the stem is where a commit has it, most likely.
    // Checking that one path spares listing every card of the commit's tree.
    const hint = await source.findCard('', stem);
    if (hint !== undefined && (await source.read(rev, hint)) !== null) return hint;
    return (await source.cardPaths(rev)).get(stem);
  }
}

function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}
