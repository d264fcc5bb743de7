// Reading git's loose objects without starting git (the commit hook reads the staged cards so),
// against git itself on a real repository: what it reads is what git reads, and what it leaves to
// git is left.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readLooseBlobs } from '../src/git/loose-objects.ts';
import { cleanupRepos, createRepo } from './helpers/git-repo.ts';

afterEach(cleanupRepos);

describe('readLooseBlobs: blobs from loose objects', () => {
  it('reads the blobs git add wrote, byte for byte, and leaves packed, missing and other objects', () => {
    const r = createRepo({ install: false });
    const objects = path.join(r.dir, '.git/objects');
    const texts = ['plain\n', '', 'ünïcödé\r\n\0binary\xff', 'x'.repeat(300_000)];
    const shas = texts.map((t, i) => {
      writeFileSync(path.join(r.dir, `f${i}`), t, 'latin1');
      return r.gitOk(['hash-object', '-w', `f${i}`]);
    });
    const tree = r.gitOk(['write-tree']);
    const missing = 'f'.repeat(40);
    const got = readLooseBlobs(objects, [...shas, shas[0]!, tree, missing, 'HEAD'], 1 << 20);
    expect(got.rest).toEqual([tree, missing, 'HEAD']);
    for (const [i, sha] of shas.entries()) {
      expect(
        got.blobs.get(sha)?.equals(execFileSync('git', ['cat-file', 'blob', sha], { cwd: r.dir })),
      ).toBe(true);
      expect(got.blobs.get(sha)?.toString('latin1')).toBe(texts[i]);
    }
    // over the limit: left to git
    expect(readLooseBlobs(objects, [shas[3]!], 1000).rest).toEqual([shas[3]]);
    // damaged: truncated, or a size that is not the header's
    const file = path.join(objects, shas[0]!.slice(0, 2), shas[0]!.slice(2));
    const good = readFileSync(file);
    rmSync(file, { force: true });
    writeFileSync(file, good.subarray(0, good.length - 3));
    expect(readLooseBlobs(objects, [shas[0]!], 1 << 20).rest).toEqual([shas[0]]);
    const zlib = process.getBuiltinModule('node:zlib');
    rmSync(file, { force: true });
    writeFileSync(file, zlib.deflateSync(Buffer.from('blob 7\0plain\n', 'latin1')));
    expect(readLooseBlobs(objects, [shas[0]!], 1 << 20).rest).toEqual([shas[0]]);
    // packed: no loose file left
    r.gitOk(['add', '-A']);
    r.gitOk(['commit', '-q', '--no-verify', '-m', 'all']);
    r.gitOk(['gc', '-q', '--prune=now']);
    expect(readLooseBlobs(objects, [shas[1]!], 1 << 20).rest).toEqual([shas[1]]);
  });
});
