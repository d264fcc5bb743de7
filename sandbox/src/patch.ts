import { clone, isObject, type Json, type JsonObject } from './objects.ts';
import { StandInError } from './stand-in-error.ts';

/**
 * JSON merge patch (RFC 7386): maps merge, `null` deletes, everything else replaces.
 * @param target the document
 * @param patch the patch
 * @returns the patched copy
 */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * An approximation of Kubernetes' strategic merge patch: like a merge patch, except lists of
 * objects that all carry a `name` (containers, env, volumes, ports) merge by name.
 * @param target the document
 * @param patch the patch
 * @returns the patched copy
 */
export function strategicMergePatch(target: Json | undefined, patch: Json): Json {
  if (Array.isArray(patch) && Array.isArray(target)) {
    const named = (l: Json[]) =>
      l.length > 0 && l.every((x) => isObject(x) && typeof x['name'] === 'string');
    if (named(patch) && named(target)) {
      const out = clone(target) as JsonObject[];
      for (const p of patch as JsonObject[]) {
        if (p['$patch'] === 'delete') {
          const i = out.findIndex((x) => x['name'] === p['name']);
          if (i >= 0) out.splice(i, 1);
          continue;
        }
        const i = out.findIndex((x) => x['name'] === p['name']);
        if (i >= 0) out[i] = strategicMergePatch(out[i], p) as JsonObject;
        else out.push(clone(p));
      }
      return out;
    }
    return clone(patch);
  }
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = strategicMergePatch(out[k], v);
  }
  return out;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new StandInError(`error: invalid JSON pointer \`${path}\``);
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(
  doc: Json,
  parts: string[],
  op: string,
): { parent: JsonObject | Json[]; key: string } {
  let cur: Json = doc;
  for (const p of parts.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(p)] as Json;
    else if (isObject(cur)) cur = cur[p] as Json;
    else cur = undefined as unknown as Json;
    if (cur === undefined || cur === null) {
      throw new StandInError(
        `The request is invalid: the server rejected our request due to an error in our request (${op}: path /${parts.join('/')} does not exist)`,
      );
    }
  }
  if (!Array.isArray(cur) && !isObject(cur)) {
    throw new StandInError(
      `The request is invalid: ${op}: path /${parts.join('/')} does not exist`,
    );
  }
  return { parent: cur, key: parts.at(-1) ?? '' };
}

function getAt(doc: Json, path: string): Json | undefined {
  let cur: Json | undefined = doc;
  for (const p of pointer(path)) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isObject(cur)) cur = cur[p];
    else return undefined;
  }
  return cur;
}

/**
 * JSON patch (RFC 6902): add, remove, replace, move, copy, test.
 * @param target the document
 * @param ops the operations
 * @returns the patched copy
 */
export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops))
    throw new StandInError('error: a JSON patch must be a list of operations');
  let doc = clone(target);
  for (const raw of ops) {
    if (!isObject(raw) || typeof raw['op'] !== 'string' || typeof raw['path'] !== 'string') {
      throw new StandInError('error: each JSON patch operation needs `op` and `path`');
    }
    const op = raw['op'];
    const path = raw['path'];
    const parts = pointer(path);
    const write = (value: Json, insert: boolean) => {
      if (parts.length === 0) {
        doc = value;
        return;
      }
      const { parent, key } = parentOf(doc, parts, op);
      if (Array.isArray(parent)) {
        const idx = key === '-' ? parent.length : Number(key);
        if (Number.isNaN(idx) || idx < 0 || idx > parent.length) {
          throw new StandInError(`The request is invalid: ${op}: index ${key} out of range`);
        }
        if (insert) parent.splice(idx, 0, value);
        else parent[idx] = value;
      } else {
        if (!insert && !(key in parent)) {
          throw new StandInError(
            `The request is invalid: replace operation does not apply: doc is missing key: ${path}`,
          );
        }
        parent[key] = value;
      }
    };
    const remove = (p: string[]) => {
      const { parent, key } = parentOf(doc, p, op);
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else {
        if (!(key in parent)) {
          throw new StandInError(
            `The request is invalid: remove operation does not apply: doc is missing path: ${path}`,
          );
        }
        delete parent[key];
      }
    };
    switch (op) {
      case 'add':
        write(clone(raw['value'] as Json), true);
        break;
      case 'replace':
        write(clone(raw['value'] as Json), false);
        break;
      case 'remove':
        remove(parts);
        break;
      case 'move':
      case 'copy': {
        const from = String(raw['from']);
        const v = getAt(doc, from);
        if (v === undefined)
          throw new StandInError(`The request is invalid: ${op}: from path ${from} does not exist`);
        if (op === 'move') remove(pointer(from));
        write(clone(v), true);
        break;
      }
      case 'test':
        if (JSON.stringify(getAt(doc, path)) !== JSON.stringify(raw['value'])) {
          throw new StandInError(`The request is invalid: testing value ${path} failed`);
        }
        break;
      default:
        throw new StandInError(`error: unknown JSON patch operation \`${op}\``);
    }
  }
  return doc;
}
