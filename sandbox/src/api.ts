import { randomUUID } from 'node:crypto';
import { admit } from './admission.ts';
import { type KindInfo, kindForManifest, kindsOf, qualifiedName } from './kinds.ts';
import {
  clone,
  groupOf,
  isObject,
  type Json,
  type JsonObject,
  jsonEqual,
  type K8sObject,
  keyOf,
  objectKey,
} from './objects.ts';
import { StandInError } from './stand-in-error.ts';
import type { ContextState, World } from './store.ts';

/** The annotation client-side apply keeps the last applied manifest in (as real kubectl does). */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Largest total annotation size the API server accepts. */
export const MAX_ANNOTATIONS_BYTES = 262_144;

/**
 * A context's state by name; fails like kubectl for an unknown context.
 * @param world the world
 * @param name the context
 * @returns its state
 */
export function contextState(world: World, name: string): ContextState {
  const ctx = world.contexts[name];
  if (!ctx) throw new StandInError(`error: context "${name}" does not exist`);
  return ctx;
}

/**
 * Reads one stored object.
 * @param ctx context state
 * @param kind its kind
 * @param namespace namespace (ignored for cluster-scoped kinds)
 * @param name name
 * @returns the object or undefined
 */
export function getObject(
  ctx: ContextState,
  kind: KindInfo,
  namespace: string,
  name: string,
): K8sObject | undefined {
  return ctx.objects[objectKey(kind.group, kind.kind, kind.namespaced ? namespace : '', name)];
}

/**
 * Lists stored objects of a kind.
 * @param ctx context state
 * @param kind the kind
 * @param namespace a namespace, or undefined for all
 * @returns the objects, sorted by namespace and name
 */
export function listObjects(
  ctx: ContextState,
  kind: Pick<KindInfo, 'group' | 'kind'>,
  namespace?: string,
): K8sObject[] {
  return Object.values(ctx.objects)
    .filter(
      (o) =>
        o.kind === kind.kind &&
        groupOf(o.apiVersion) === kind.group &&
        (namespace === undefined || (o.metadata.namespace ?? '') === namespace),
    )
    .sort((a, b) =>
      `${a.metadata.namespace ?? ''}/${a.metadata.name}` <
      `${b.metadata.namespace ?? ''}/${b.metadata.name}`
        ? -1
        : 1,
    );
}

/**
 * Finds stored objects by kind name only (any group), e.g. all `Deployment`s.
 * @param ctx context state
 * @param kind the kind name
 * @param namespace a namespace, or undefined for all
 * @returns the objects
 */
export function objectsOfKind(ctx: ContextState, kind: string, namespace?: string): K8sObject[] {
  return Object.values(ctx.objects).filter(
    (o) => o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace),
  );
}

/**
 * Stores a new or changed object: fills server-side metadata (uid, creationTimestamp,
 * resourceVersion, generation) and converts Secret `stringData` to `data`.
 * @param ctx context state
 * @param obj the object (taken over)
 * @param now ISO time
 * @returns the stored object
 */
export function storeObject(
  ctx: ContextState,
  obj: K8sObject,
  now = new Date().toISOString(),
): K8sObject {
  const key = keyOf(obj);
  const old = ctx.objects[key];
  obj.metadata.uid = old?.metadata.uid ?? obj.metadata.uid ?? randomUUID();
  obj.metadata.creationTimestamp = old?.metadata.creationTimestamp ?? now;
  if (old?.metadata.deletionTimestamp)
    obj.metadata.deletionTimestamp = old.metadata.deletionTimestamp;
  const specChanged = !old || !jsonEqual(stripMeta(old), stripMeta(obj));
  obj.metadata.generation = old ? (old.metadata.generation ?? 1) + (specChanged ? 1 : 0) : 1;
  if (!old || !jsonEqual(old, obj) || specChanged) {
    ctx.resourceVersion += 1;
    obj.metadata.resourceVersion = String(ctx.resourceVersion);
  }
  if (obj.kind === 'Secret' && isObject(obj['stringData'])) {
    const data: JsonObject = isObject(obj['data']) ? obj['data'] : {};
    for (const [k, v] of Object.entries(obj['stringData'])) {
      data[k] = Buffer.from(String(v)).toString('base64');
    }
    obj['data'] = data;
    delete obj['stringData'];
  }
  ctx.objects[key] = obj;
  return obj;
}

function stripMeta(o: K8sObject): unknown {
  const { metadata: _m, status: _s, ...rest } = o;
  return rest;
}

/**
 * Three-way merge of an apply: fields the last applied manifest had and the new one drops are
 * removed from the live object; fields of the new manifest are set (maps merge, lists replace).
 * @param live the live value
 * @param last the last applied manifest's value
 * @param desired the new manifest's value
 * @returns the merged value
 */
export function threeWayMerge(live: Json | undefined, last: Json | undefined, desired: Json): Json {
  if (!isObject(desired) || !isObject(live)) return clone(desired);
  const out: JsonObject = clone(live);
  if (isObject(last)) {
    for (const k of Object.keys(last)) if (!(k in desired)) delete out[k];
  }
  for (const [k, v] of Object.entries(desired)) {
    if (v === null) {
      delete out[k];
      continue;
    }
    out[k] = threeWayMerge(out[k], isObject(last) ? last[k] : undefined, v);
  }
  return out;
}

/** The outcome of applying one manifest. */
export interface ApplyOutcome {
  verb: 'created' | 'configured' | 'unchanged' | 'serverside-applied';
  object: K8sObject;
  kind: KindInfo;
}

/** Options of {@link applyManifest}. */
export interface ApplyOptions {
  /** `--server-side`. */
  serverSide: boolean;
  /** Field manager of a server-side apply. */
  fieldManager: string;
  /** `-n`, when given explicitly. */
  namespaceFlag?: string;
  /** Where the manifest came from (messages). */
  source: string;
  /** `--dry-run=client|server`: validate and report, store nothing. */
  dryRun?: boolean;
}

/**
 * Applies one manifest to a context the way `kubectl apply` does: maps its kind (CRDs must be
 * installed), settles the namespace, admits it (validation and webhooks) and three-way merges it
 * into the live object.
 * @param world the world
 * @param ctxName the context
 * @param manifest the manifest
 * @param options apply mode
 * @returns what happened
 */
export function applyManifest(
  world: World,
  ctxName: string,
  manifest: K8sObject,
  options: ApplyOptions,
): ApplyOutcome {
  const ctx = contextState(world, ctxName);
  const kind = kindForManifest(kindsOf(ctx), manifest.apiVersion, manifest.kind);
  const desired = clone(manifest);
  const ns = desired.metadata.namespace;
  if (!kind) {
    throw new StandInError(
      `error: resource mapping not found for name: "${desired.metadata.name}" namespace: "${ns ?? options.namespaceFlag ?? ''}" from "${options.source}": no matches for kind "${desired.kind}" in version "${desired.apiVersion}"\nensure CRDs are installed first`,
    );
  }
  if (kind.namespaced) {
    if (ns && options.namespaceFlag && ns !== options.namespaceFlag) {
      throw new StandInError(
        `error: the namespace from the provided object "${ns}" does not match the namespace "${options.namespaceFlag}". You must pass '--namespace=${ns}' to perform this operation.`,
      );
    }
    desired.metadata.namespace = ns ?? options.namespaceFlag ?? 'default';
  } else delete desired.metadata.namespace;
  delete desired['status'];
  for (const f of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields']) {
    delete desired.metadata[f];
  }
  const key = keyOf(desired);
  const live = ctx.objects[key];
  const book = ctx.books[key] ?? {};
  ctx.books[key] = book;
  let next: K8sObject;
  if (options.serverSide) {
    const last = book.ssa?.[options.fieldManager];
    next = (
      live
        ? threeWayMerge(live as unknown as Json, last, desired as unknown as Json)
        : clone(desired)
    ) as K8sObject;
  } else {
    const annotations = desired.metadata.annotations ?? {};
    delete annotations[LAST_APPLIED];
    const text = `${JSON.stringify(desired)}\n`;
    const total =
      Object.values(annotations).reduce((n, v) => n + String(v).length, 0) + text.length;
    if (total > MAX_ANNOTATIONS_BYTES) {
      throw new StandInError(
        `The ${desired.kind} "${desired.metadata.name}" is invalid: metadata.annotations: Too long: must have at most ${MAX_ANNOTATIONS_BYTES} bytes`,
      );
    }
    let last: Json | undefined;
    try {
      const raw = live?.metadata.annotations?.[LAST_APPLIED];
      last = raw ? (JSON.parse(raw) as Json) : undefined;
    } catch {}
    const withAnnotation = clone(desired);
    withAnnotation.metadata.annotations = { ...annotations, [LAST_APPLIED]: text.trimEnd() };
    if (live && last === undefined) {
      // kubectl warns and patches as if nothing had been applied before.
      last = {};
    }
    next = (
      live
        ? threeWayMerge(live as unknown as Json, last, withAnnotation as unknown as Json)
        : withAnnotation
    ) as K8sObject;
  }
  if (live) {
    next['status'] = live['status'];
    if (next['status'] === undefined) delete next['status'];
  }
  admit(world, ctxName, kind, live, next, options.source);
  const changed = !live || !jsonEqual(live, next);
  if (!options.dryRun) {
    if (options.serverSide) {
      book.ssa = { ...book.ssa, [options.fieldManager]: desired as unknown as JsonObject };
    }
    if (changed) storeObject(ctx, next);
    if (!live) markTemplate(ctx, key, undefined, next);
    else markTemplate(ctx, key, live, next);
  } else if (!live) delete ctx.books[key];
  const verb: ApplyOutcome['verb'] = options.serverSide
    ? 'serverside-applied'
    : !live
      ? 'created'
      : changed
        ? 'configured'
        : 'unchanged';
  return { verb, object: ctx.objects[key] ?? next, kind };
}

/**
 * Records when a workload's pod template changed (its pods are new from then on).
 * @param ctx context state
 * @param key object key
 * @param before the old object
 * @param after the new object
 */
export function markTemplate(
  ctx: ContextState,
  key: string,
  before: K8sObject | undefined,
  after: K8sObject,
): void {
  const tpl = (o: K8sObject | undefined) =>
    o && isObject(o['spec']) ? o['spec']['template'] : undefined;
  if (!before || !jsonEqual(tpl(before), tpl(after))) {
    ctx.books[key] = { ...ctx.books[key], templateAt: new Date().toISOString() };
  }
}

/**
 * Removes an object now and garbage-collects the objects it owns (ownerReferences), like the
 * API server with background cascading deletion.
 * @param ctx context state
 * @param key the object's key
 */
export function removeObject(ctx: ContextState, key: string): void {
  const obj = ctx.objects[key];
  if (!obj) return;
  delete ctx.objects[key];
  delete ctx.books[key];
  ctx.resourceVersion += 1;
  const uid = obj.metadata.uid;
  if (!uid) return;
  for (const [k, o] of Object.entries(ctx.objects)) {
    if (o.metadata.ownerReferences?.some((r) => r.uid === uid)) requestDeletion(ctx, k);
  }
}

/**
 * Deletes an object the way the API server does: objects with finalizers (or that the emulated
 * operators must clean up) get a `deletionTimestamp` and go later; others go now. A Namespace
 * deletes everything in it.
 * @param ctx context state
 * @param key the object's key
 * @returns `gone` or `terminating`
 */
export function requestDeletion(ctx: ContextState, key: string): 'gone' | 'terminating' {
  const obj = ctx.objects[key];
  if (!obj) return 'gone';
  const needsController =
    obj.kind === 'Cluster' && groupOf(obj.apiVersion) === 'postgresql.cnpg.io';
  if (obj.kind === 'Namespace') {
    obj.metadata.deletionTimestamp ??= new Date().toISOString();
    obj['status'] = { phase: 'Terminating' };
    ctx.resourceVersion += 1;
    for (const [k, o] of Object.entries(ctx.objects)) {
      if (o.metadata.namespace === obj.metadata.name) requestDeletion(ctx, k);
    }
    return 'terminating';
  }
  if (needsController || (obj.metadata.finalizers?.length ?? 0) > 0) {
    if (!obj.metadata.deletionTimestamp) {
      obj.metadata.deletionTimestamp = new Date().toISOString();
      ctx.resourceVersion += 1;
    }
    return 'terminating';
  }
  removeObject(ctx, key);
  return 'gone';
}

/**
 * `kind.group/name` as kubectl prints it after apply, scale, patch.
 * @param kind the kind
 * @param name the object name
 * @returns e.g. `deployment.apps/immich-server`
 */
export function displayName(kind: KindInfo, name: string): string {
  return `${qualifiedName(kind)}/${name}`;
}
