import { type CardMatcher, cardStem } from '../branch/card-matcher.ts';
import type { FoundFile } from '../cards/walk-files.ts';

/** One entry of `git ls-files -s -z`: `MODE SHA STAGE\tPATH\0`. */
export interface ListingEntry {
  /** Where its terminating NUL is. */
  end: number;
  sha: string;
  stage: number;
  path: string;
}

/**
 * The part of a listing that differs from an older one, in whole entries: before `from` both are
 * the same bytes, and from `to` on the listing is the older one's last bytes (from `oldTo`).
 */
export interface ChangedWindow {
  from: number;
  to: number;
  oldTo: number;
}

const BLOCK = 4096;

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The output of `git ls-files -s -z`, searched in place: entries are parsed where a search (of
 * the bytes, read one character a byte) lands, so a listing of 10,000 entries is not gone through
 * entry by entry.
 */
export class IndexListing {
  /** The listing, byte for byte. */
  readonly bytes: Buffer;
  private latin1: string | undefined;

  /** @param bytes the output of `git ls-files -s -z` */
  constructor(bytes: Buffer) {
    this.bytes = bytes;
  }

  /** The listing one character a byte: its offsets are the bytes'. */
  get text(): string {
    this.latin1 ??= this.bytes.toString('latin1');
    return this.latin1;
  }

  /**
   * The entry starting at `at`.
   * @param at a byte offset
   * @returns the entry, or undefined when no entry starts there
   */
  entryAt(at: number): ListingEntry | undefined {
    const b = this.bytes;
    if (at > 0 && b[at - 1] !== 0) return undefined;
    const end = b.indexOf(0, at);
    const tab = b.indexOf(9, at);
    if (end < 0 || tab < 0 || tab > end || tab < at + 10) return undefined;
    // the mode is 6 digits, the id 40 (SHA-1) or 64 (SHA-256) hex digits
    return {
      end,
      sha: b.toString('latin1', at + 7, tab - 2),
      stage: b[tab - 1]! - 48,
      path: b.toString('utf8', tab + 1, end),
    };
  }

  /**
   * The stage-0 entry of a path.
   * @param p the path
   * @returns where it starts and its object id, or undefined
   */
  find(p: string): { at: number; sha: string } | undefined {
    const needle = `\t${Buffer.from(p, 'utf8').toString('latin1')}\0`;
    const text = this.text;
    for (let hit = text.indexOf(needle); hit >= 0; hit = text.indexOf(needle, hit + 1)) {
      const at = text.lastIndexOf('\0', hit) + 1;
      const e = this.entryAt(at);
      if (e && e.path === p && e.stage === 0) return { at, sha: e.sha };
    }
    return undefined;
  }

  /**
   * The part of this listing that differs from `old`, found by comparing bytes from both ends.
   * @param old an older listing
   * @returns the window, in whole entries
   */
  changedSince(old: Buffer): ChangedWindow {
    const now = this.bytes;
    const n = Math.min(old.length, now.length);
    let p = 0;
    while (p + BLOCK <= n && old.compare(now, p, p + BLOCK, p, p + BLOCK) === 0) p += BLOCK;
    while (p < n && old[p] === now[p]) p++;
    // back to the start of the entry the difference is in
    const from = p === 0 ? 0 : now.lastIndexOf(0, p - 1) + 1;
    const limit = n - from;
    let q = 0;
    while (
      q + BLOCK <= limit &&
      old.compare(
        now,
        now.length - q - BLOCK,
        now.length - q,
        old.length - q - BLOCK,
        old.length - q,
      ) === 0
    ) {
      q += BLOCK;
    }
    while (q < limit && old[old.length - 1 - q] === now[now.length - 1 - q]) q++;
    const shift = now.length - old.length;
    let to = now.length - q;
    // on to the start of the next entry, which both hold
    if (to > from && (now[to - 1] !== 0 || old[to - shift - 1] !== 0)) {
      const nul = now.indexOf(0, to);
      to = nul < 0 ? now.length : nul + 1;
    }
    return { from, to, oldTo: to - shift };
  }

  /**
   * The cards whose stem is one of `stems`, by one search of the listing.
   * @param stems the stems
   * @param matcher which paths are cards
   * @returns their paths, sorted
   */
  cardsWithStems(stems: ReadonlySet<string>, matcher: CardMatcher): string[] {
    if (stems.size === 0) return [];
    const names = [...stems].map((s) => escapeRegExp(Buffer.from(s, 'utf8').toString('latin1')));
    const re = new RegExp(
      `[\\t/](?:${names.join('|')})\\.(?:[mM][dD]|[mM][aA][rR][kK][dD][oO][wW][nN])\\0`,
      'g',
    );
    const out: string[] = [];
    for (const m of this.text.matchAll(re)) {
      const e = this.entryAt(this.text.lastIndexOf('\0', m.index) + 1);
      if (e && matcher.isCard(e.path) && stems.has(cardStem(e.path))) out.push(e.path);
    }
    return out.sort(byString);
  }

  /**
   * The cards and the files under the docs root whose path `accept`s, when it accepts only paths
   * whose file name (case aside, without `.md` or `.markdown`) is one of `names`: one search finds
   * them when every name and path is ASCII (`toLowerCase` then agrees with the search's case
   * folding); otherwise every entry is looked at.
   * @param names the file names, in lower case
   * @param accept the exact test
   * @param matcher which paths are cards
   * @param docsFile a path under the docs root as a file of the docs index, or undefined for a
   *   path outside it
   * @returns the cards' paths, sorted, and the docs files, in the listing's order
   */
  linkCandidates(
    names: ReadonlySet<string>,
    accept: (path: string) => boolean,
    matcher: CardMatcher,
    docsFile: (path: string) => FoundFile | undefined,
  ): { cards: string[]; docs: FoundFile[] } {
    const cards: string[] = [];
    const docs: FoundFile[] = [];
    const take = (p: string): void => {
      if (!accept(p)) return;
      if (matcher.isCard(p)) cards.push(p);
      const file = docsFile(p);
      if (file) docs.push(file);
    };
    if (names.size === 0) return { cards, docs };
    if ([...names].every(isAscii) && isAscii(this.text)) {
      const re = new RegExp(
        `[\\t/](?:${[...names].map(escapeRegExp).join('|')})(?:\\.(?:md|markdown))?\\0`,
        'gi',
      );
      for (const m of this.text.matchAll(re)) {
        const e = this.entryAt(this.text.lastIndexOf('\0', m.index) + 1);
        if (e) take(e.path);
      }
    } else {
      for (let e = this.entryAt(0); e; e = this.entryAt(e.end + 1)) take(e.path);
    }
    return { cards: cards.sort(byString), docs };
  }
}

function isAscii(s: string): boolean {
  return !/[^\x00-\x7f]/.test(s);
}

function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}
