import { Transform, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** What a secret's value is replaced with. */
export const REDACTED = '***';

/**
 * Replaces every occurrence of the secrets in a text.
 * @param text the text
 * @param secrets secret values (empty strings are ignored)
 * @returns the text with each secret replaced by `***`
 */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of sortedSecrets(secrets)) out = out.split(s).join(REDACTED);
  return out;
}

function sortedSecrets(secrets: readonly string[]): string[] {
  // Longest first, so a secret containing another is replaced whole.
  return [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
}

/**
 * A stream that redacts secrets from text passing through, also when a secret is split across
 * chunks: the end of a chunk that could begin a secret is held back until the next chunk (or the
 * end of the stream) shows whether it does.
 * @param secrets secret values
 * @returns a Transform from bytes to redacted UTF-8 text
 */
export function createRedactor(secrets: readonly string[]): Transform {
  const list = sortedSecrets(secrets);
  const decoder = new StringDecoder('utf8');
  let held = '';
  const emit = (text: string, final: boolean): string => {
    const replaced = redactText(text, list);
    if (final || list.length === 0) return replaced;
    const keep = heldSuffix(replaced, list);
    held = replaced.slice(replaced.length - keep);
    return replaced.slice(0, replaced.length - keep);
  };
  return new Transform({
    transform(chunk: Buffer | string, _enc: BufferEncoding, cb: TransformCallback) {
      const text = held + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
      held = '';
      const out = emit(text, false);
      cb(null, out.length > 0 ? out : undefined);
    },
    flush(cb: TransformCallback) {
      const text = held + decoder.end();
      held = '';
      const out = emit(text, true);
      cb(null, out.length > 0 ? out : undefined);
    },
  });
}

/** Length of the longest suffix of `text` that is a proper prefix of some secret. */
function heldSuffix(text: string, secrets: string[]): number {
  let best = 0;
  for (const s of secrets) {
    const max = Math.min(s.length - 1, text.length);
    for (let n = max; n > best; n--) {
      if (text.endsWith(s.slice(0, n))) {
        best = n;
        break;
      }
    }
  }
  return best;
}
