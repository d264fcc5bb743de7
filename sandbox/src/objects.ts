import { createHash } from 'node:crypto';

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/** A Kubernetes object as stored by the sandbox (plain JSON). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: K8sMetadata;
  [key: string]: unknown;
}

/** The metadata fields the sandbox reads. */
export interface K8sMetadata {
  name: string;
  namespace?: string;
  uid?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: {
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
  }[];
  [key: string]: unknown;
}

/**
 * Whether a value is a plain JSON object (not an array, not null).
 * @param v the value
 * @returns true for objects
 */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A deep copy of a JSON value.
 * @param v the value
 * @returns the copy
 */
export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/**
 * Deep equality of JSON values (key order ignored).
 * @param a one value
 * @param b the other
 * @returns true when equal
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

/**
 * Reads a nested field.
 * @param obj the object
 * @param keys the path
 * @returns the value or undefined
 */
export function dig(obj: unknown, ...keys: (string | number)[]): unknown {
  let cur: unknown = obj;
  for (const k of keys) {
    if (typeof k === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[k];
    } else {
      if (!isObject(cur)) return undefined;
      cur = cur[k];
    }
  }
  return cur;
}

/**
 * A short stable hash (hex).
 * @param text input
 * @param length number of hex digits
 * @returns the hash prefix
 */
export function shortHash(text: string, length = 10): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

const ALNUM = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * A stable Kubernetes-style random-looking suffix (consonants and digits, as ReplicaSets use).
 * @param text input
 * @param length number of characters
 * @returns the suffix
 */
export function kubeSuffix(text: string, length: number): string {
  const h = createHash('sha256').update(text).digest();
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[(h[i] ?? 0) % ALNUM.length];
  return out;
}

/**
 * The API group of an apiVersion (`apps/v1` → `apps`, `v1` → ``).
 * @param apiVersion the apiVersion
 * @returns the group ('' for the core group)
 */
export function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/**
 * The key of an object in a context's store.
 * @param group API group
 * @param kind kind
 * @param namespace namespace ('' when cluster-scoped)
 * @param name name
 * @returns `group|kind|namespace|name`
 */
export function objectKey(group: string, kind: string, namespace: string, name: string): string {
  return `${group}|${kind}|${namespace}|${name}`;
}

/**
 * The key of a stored object.
 * @param obj the object
 * @returns its key
 */
export function keyOf(obj: K8sObject): string {
  return objectKey(
    groupOf(obj.apiVersion),
    obj.kind,
    obj.metadata.namespace ?? '',
    obj.metadata.name,
  );
}

/**
 * Labels of an object (never undefined).
 * @param obj the object
 * @returns labels
 */
export function labelsOf(obj: {
  metadata?: { labels?: Record<string, string> };
}): Record<string, string> {
  return obj.metadata?.labels ?? {};
}

/**
 * Parses a Kubernetes quantity (`10Gi`, `500M`, `1.5`) into a number of base units.
 * @param q the quantity
 * @returns the value, or NaN when it is not a quantity
 */
export function parseQuantity(q: unknown): number {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return Number.NaN;
  const m = /^([0-9.]+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m)?$/.exec(q.trim());
  if (!m) return Number.NaN;
  const mult: Record<string, number> = {
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    m: 1e-3,
  };
  return Number(m[1]) * (m[2] ? (mult[m[2]] ?? 1) : 1);
}

/**
 * Human age as kubectl prints it (`5s`, `3m`, `2h`, `4d`).
 * @param since ISO time
 * @param now current time in ms
 * @returns the age
 */
export function formatAge(since: string | undefined, now = Date.now()): string {
  if (!since) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 3600 * 3) return `${Math.floor(s / 60)}m`;
  if (s < 86400 * 2) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}
