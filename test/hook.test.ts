import { describe, expect, it } from 'vitest';
import { parseLog } from '../src/branch/branch-history.ts';
import { cardMatcher, cardStem } from '../src/branch/card-matcher.ts';
import { namedStem, parseSubject } from '../src/branch/subject.ts';
import {
  CUT_LINE,
  cleanMessage,
  resolveCommentChar,
  subjectOf,
} from '../src/hook/clean-message.ts';
import { detectAmend, gitCommitAmends, type ProcessInfo } from '../src/hook/detect-amend.ts';
import { hookScript } from '../src/hook/install.ts';

describe('cleanMessage (git commit cleanup, as git does it after the hook)', () => {
  const editor = { editorUsed: true };
  it('strips comment lines at column 0 only, trailing whitespace and surrounding blank lines', () => {
    const raw = '\n\nC2(x): plan a  \n  # kept\n# dropped\n\n\n\nbody\t\n\n# Please enter\n';
    expect(cleanMessage(raw, editor)).toBe('C2(x): plan a\n  # kept\n\nbody\n');
  });

  it('keeps # lines when no editor was used (whitespace cleanup)', () => {
    expect(cleanMessage('# C2(x): plan a\n', { editorUsed: false })).toBe('# C2(x): plan a\n');
  });

  it('strips # lines with commit.cleanup=strip even without an editor', () => {
    expect(cleanMessage('# c\nC2(x): plan a\n', { editorUsed: false, cleanup: 'strip' })).toBe(
      'C2(x): plan a\n',
    );
  });

  it('keeps everything but the scissors cut with commit.cleanup=verbatim', () => {
    const raw = 'C2(x): plan a  \n# c\n';
    expect(cleanMessage(raw, { editorUsed: true, cleanup: 'verbatim' })).toBe(raw);
  });

  it('normalises CRLF', () => {
    expect(cleanMessage('C2(x): plan a\r\n\r\nbody\r\n', editor)).toBe('C2(x): plan a\n\nbody\n');
  });

  it('stops at the scissors line when an editor was used', () => {
    const raw = `C2(x): impl a\n\n# ${CUT_LINE}\n# Do not modify\ndiff --git a/x b/x\n+C2(x): plan b\n`;
    expect(cleanMessage(raw, editor)).toBe('C2(x): impl a\n');
    expect(cleanMessage(`# ${CUT_LINE}\nC2(x): plan a\n`, editor)).toBe('');
  });

  it('uses core.commentChar', () => {
    expect(cleanMessage('; c\n#1 subject\n', { ...editor, commentChar: ';' })).toBe('#1 subject\n');
  });

  it("resolves core.commentChar=auto from the scissors line, a lone comment line, or git's own choice", () => {
    expect(resolveCommentChar(`x\n; ${CUT_LINE}\n`, 'auto')).toBe(';');
    expect(resolveCommentChar('#1 fix\n;\n; On branch\n', 'auto')).toBe(';');
    expect(resolveCommentChar('#1 fix\n@x\n', 'auto')).toBe(';');
    expect(resolveCommentChar('plain\n', 'auto')).toBe('#');
    expect(resolveCommentChar('x', undefined)).toBe('#');
  });

  it('takes the first non-empty line as the subject', () => {
    expect(subjectOf('\n  \nC2(x): plan a \r\nbody')).toBe('C2(x): plan a');
    expect(subjectOf('')).toBe('');
  });
});

describe('parseSubject', () => {
  it('accepts whitespace runs after `C2(stem):` and after the verb, as the original hook does', () => {
    for (const subject of [
      'C2(x):\tplan a',
      'C2(x):  plan\u00a0a',
      'C2(x): plan \t a',
      'C2(x):\u2003close\u3000[[a]]: done',
      'C2(x):\u00a0impl\u202fa',
    ]) {
      expect([subject, parseSubject(subject).kind]).toEqual([subject, 'c2']);
    }
    expect(parseSubject('C2(x):  plan\u00a0\u00a0a  b')).toEqual({
      kind: 'c2',
      stem: 'x',
      verb: 'plan',
      description: 'a  b',
    });
    const close = parseSubject('C2(x):\tclose\t\tleaf: done');
    expect(close.kind === 'c2' && namedStem(close.description)).toBe('leaf');
    // Still no whitespace at all, and a verb glued to its description, are refused.
    expect(parseSubject('C2(x):plan a').kind).toBe('invalid');
    expect(parseSubject('C2(x): plan\u200ba').kind).toBe('invalid');
  });

  it('reads the convention', () => {
    expect(parseSubject('C2(immich): close cnpg-on-ringtail operator up')).toEqual({
      kind: 'c2',
      stem: 'immich',
      verb: 'close',
      description: 'cnpg-on-ringtail operator up',
    });
  });

  it.each([
    ['plan a', /expected `C2\(<stem>\)/],
    ['C2(x):plan a', /space after/],
    ['C2(x): design a', /Unexpected verb `design`/],
    ['C2(x): impl', /without a description/],
    ['C2(x): impl   ', /without a description/],
    ['C2(): impl a', /empty stem/],
  ])('rejects %j', (subject, reason) => {
    const s = parseSubject(subject);
    expect(s.kind).toBe('invalid');
    expect(s.kind === 'invalid' && s.reason).toMatch(reason);
  });

  it('reads fixup!, squash! and amend!, nested', () => {
    expect(parseSubject('fixup! fixup! C2(x): impl a')).toEqual({
      kind: 'fixup',
      prefix: 'fixup',
      target: 'C2(x): impl a',
    });
    expect(parseSubject('squash! C2(x): impl a')).toMatchObject({ prefix: 'squash' });
    expect(parseSubject('amend! C2(x): impl a')).toMatchObject({ prefix: 'amend' });
  });

  it('finds the stem a close names', () => {
    expect(namedStem('leaf')).toBe('leaf');
    expect(namedStem('leaf: done')).toBe('leaf');
    expect(namedStem('[[leaf]], done')).toBe('leaf');
    expect(namedStem('`leaf` done')).toBe('leaf');
  });
});

describe('detecting git commit --amend from the git process arguments', () => {
  const aliases: Record<string, string> = { ca: 'commit --amend', ci: 'commit', co: 'checkout' };
  const alias = (name: string) => aliases[name];
  it.each([
    [['git', 'commit', '--amend'], true],
    [['/usr/bin/git', 'commit', '--amend', '-m', 'x'], true],
    [['git', 'commit', '--amen'], true],
    [['git', 'commit', '--am'], true],
    [['git', 'commit', '--amend', '--no-amend'], false],
    [['git', 'commit', '-am', 'x'], false],
    [['git', 'commit', '-m', '--amend'], false],
    [['git', 'commit', '--message', '--amend'], false],
    [['git', 'commit', '-a', '--', '--amend'], false],
    [['git', 'commit', '--fixup=amend:HEAD'], false],
    [['git', '-c', 'user.name=x', '-C', '/tmp', 'commit', '--amend'], true],
    [['git', '--no-pager', 'ca'], true],
    [['git', 'ci', '-m', 'x'], false],
    [['git', 'merge', 'side'], false],
    [['git-commit', '--amend'], true],
  ])('%j → %s', (argv, amend) => {
    expect(gitCommitAmends(argv, alias)).toBe(amend);
  });

  it('is not about processes that are not git', () => {
    expect(gitCommitAmends(['sh', '.git/hooks/commit-msg'], alias)).toBeUndefined();
  });

  it('walks up through hook managers to the git process', () => {
    const procs: Record<number, ProcessInfo> = {
      30: { pid: 30, ppid: 20, argv: ['lefthook', 'run', 'commit-msg'] },
      20: { pid: 20, ppid: 10, argv: ['/bin/sh', '.git/hooks/commit-msg'] },
      10: { pid: 10, ppid: 1, argv: ['git', 'commit', '--amend', '--no-edit'] },
    };
    expect(detectAmend({ env: {}, startPid: 30, readProcess: (p) => procs[p] })).toBe(true);
    expect(
      detectAmend({ env: { MIKADO_AMEND: '0' }, startPid: 30, readProcess: (p) => procs[p] }),
    ).toBe(false);
    expect(
      detectAmend({ env: { MIKADO_AMEND: '1' }, startPid: 99, readProcess: () => undefined }),
    ).toBe(true);
    expect(detectAmend({ env: {}, startPid: 99, readProcess: () => undefined })).toBe(false);
  });
});

describe('parseLog', () => {
  it('reads shas, parents, messages and name-status entries', () => {
    const out =
      '\x1eaaa\x1fppp\x1fC2(x): plan a\n\nbody\n\0\nA\0docs/cards/a.md\0M\0src/x.ts\0' +
      '\x1eppp\x1f\x1finit\n\0';
    expect(parseLog(out)).toEqual([
      {
        sha: 'aaa',
        parents: ['ppp'],
        message: 'C2(x): plan a\n\nbody\n',
        subject: 'C2(x): plan a',
        paths: [
          { status: 'A', path: 'docs/cards/a.md' },
          { status: 'M', path: 'src/x.ts' },
        ],
      },
      { sha: 'ppp', parents: [], message: 'init\n', subject: 'init', paths: [] },
    ]);
  });
});

describe('cardMatcher', () => {
  it('agrees with loadCards: Markdown under the cards root, minus excludes and dot folders', () => {
    const m = cardMatcher({
      root: '/r',
      cardsDir: '/r/docs/cards',
      exclude: ['drafts/**', '*.tmp.md'],
    });
    expect(m.cardsRel).toBe('docs/cards');
    expect(m.isCard('docs/cards/a.md')).toBe(true);
    expect(m.isCard('docs/cards/topic/b.markdown')).toBe(true);
    expect(m.isCard('docs/cards/a.txt')).toBe(false);
    expect(m.isCard('docs/other/a.md')).toBe(false);
    expect(m.isCard('docs/cards/drafts/c.md')).toBe(false);
    expect(m.isCard('docs/cards/x.tmp.md')).toBe(false);
    expect(m.isCard('docs/cards/.obsidian/c.md')).toBe(false);
    expect(cardStem('docs/cards/topic/b.markdown')).toBe('b');
  });
});

describe('hookScript', () => {
  it('decides on the branch in sh before starting Node, and runs a chained hook first', () => {
    const s = hookScript('commit-msg', { node: '/opt/node', script: "/it's/bin/mikado.js" });
    expect(s.startsWith('#!/bin/sh\n')).toBe(true);
    expect(s).toContain('mikado/*) ;;');
    expect(s.indexOf('commit-msg.pre-mikado')).toBeLessThan(s.indexOf('symbolic-ref'));
    expect(s.indexOf('symbolic-ref')).toBeLessThan(s.indexOf('exec'));
    expect(s).toContain(`'/it'\\''s/bin/mikado.js' hook commit-msg "$1"`);
  });
});
