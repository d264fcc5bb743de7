import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** An object id: SHA-1 (40 hex digits) or SHA-256 (64). */
const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** A loose object's header: type, a space, the size in decimal, then a NUL. */
const BLOB_HEADER = /^blob (0|[1-9][0-9]{0,15})$/;

/**
 * Reads blobs that git keeps as loose objects (`<objects>/ab/cdef…`, zlib-deflated
 * `blob <size>\0<bytes>`), without starting git: `git add` writes each new blob that way, so
 * the blobs a commit hook reads are nearly always there. As git does when it reads an object,
 * the file's name is trusted to be its hash (hashing it would mean loading `node:crypto`, which
 * costs more than the git process this spares); zlib's checksum and the header's size catch a
 * damaged file.
 *
 * Anything else is left to the caller (usually to `git cat-file --batch`): an object that is
 * packed, missing, not a blob, damaged (the inflate fails, or the size is not the header's), or
 * inflates to more than `limit` bytes.
 * @param objectsDir the object directory (`$GIT_COMMON_DIR/objects`)
 * @param shas the object ids, in full
 * @param limit the most bytes of one blob read this way
 * @returns the blobs read, by id, and the ids left
 */
export function readLooseBlobs(
  objectsDir: string,
  shas: readonly string[],
  limit: number,
): { blobs: Map<string, Buffer>; rest: string[] } {
  const blobs = new Map<string, Buffer>();
  const rest: string[] = [];
  for (const sha of new Set(shas)) {
    const blob = OBJECT_ID.test(sha) ? readLooseBlob(objectsDir, sha, limit) : undefined;
    if (blob) blobs.set(sha, blob);
    else rest.push(sha);
  }
  return { blobs, rest };
}

function readLooseBlob(objectsDir: string, sha: string, limit: number): Buffer | undefined {
  const file = path.join(objectsDir, sha.slice(0, 2), sha.slice(2));
  let deflated: Buffer;
  try {
    // deflate never grows data by more than a little: a larger file holds more than `limit`
    if (statSync(file).size > limit + (limit >> 8) + 1024) return undefined;
    deflated = readFileSync(file);
  } catch {
    return undefined;
  }
  const zlib = process.getBuiltinModule('node:zlib');
  let object: Buffer;
  try {
    // the header is at most 24 bytes: "blob " and 16 digits, then the NUL
    object = zlib.inflateSync(deflated, { maxOutputLength: limit + 24 });
  } catch {
    return undefined;
  }
  const nul = object.indexOf(0);
  if (nul < 0 || nul > 23) return undefined;
  const header = BLOB_HEADER.exec(object.subarray(0, nul).toString('latin1'));
  if (!header || Number(header[1]) !== object.length - nul - 1) return undefined;
  return object.subarray(nul + 1);
}
