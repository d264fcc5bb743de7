import { stringify as toYaml } from 'yaml';
import { renderJsonPath } from './jsonpath.ts';
import { type KindInfo, qualifiedName } from './kinds.ts';
import { dig, formatAge, isObject, type JsonObject, type K8sObject } from './objects.ts';
import { unsupported } from './stand-in-error.ts';

/** How `kubectl get` prints. */
export interface PrintOptions {
  /** `-o` value (`json`, `yaml`, `name`, `jsonpath=...`, `wide`), or undefined for a table. */
  output?: string;
  /** `-A`: add a NAMESPACE column. */
  allNamespaces?: boolean;
  /** `--no-headers`. */
  noHeaders?: boolean;
  /** One object was asked for by name (json/yaml print it bare, not as a List). */
  single?: boolean;
}

/** An object with the kind it was listed as. */
export interface Printed {
  kind: KindInfo;
  obj: K8sObject;
}

/**
 * Renders objects the way `kubectl get` does.
 * @param items the objects (with status)
 * @param options output format
 * @returns the text (ends with a newline unless empty or jsonpath)
 */
export function printObjects(items: Printed[], options: PrintOptions): string {
  const out = options.output;
  if (out === 'json' || out === 'yaml') {
    const value = options.single && items.length === 1 ? items[0]!.obj : asList(items);
    return out === 'json' ? `${JSON.stringify(value, null, 4)}\n` : toYaml(value, { lineWidth: 0 });
  }
  if (out === 'name')
    return items.map((i) => `${qualifiedName(i.kind)}/${i.obj.metadata.name}\n`).join('');
  if (out?.startsWith('jsonpath=') || out?.startsWith('jsonpath-as-json=')) {
    const tpl = out.slice(out.indexOf('=') + 1);
    const value = options.single && items.length === 1 ? items[0]!.obj : asList(items);
    return renderJsonPath(tpl, value);
  }
  if (out !== undefined && out !== 'wide') {
    throw unsupported(
      `output format \`-o ${out}\``,
      'supported: json, yaml, name, jsonpath=..., wide',
    );
  }
  return printTables(items, options);
}

function asList(items: Printed[]): JsonObject {
  return {
    apiVersion: 'v1',
    items: items.map((i) => i.obj) as unknown as JsonObject[],
    kind: 'List',
    metadata: { resourceVersion: '' },
  };
}

function printTables(items: Printed[], options: PrintOptions): string {
  const groups = new Map<string, Printed[]>();
  for (const i of items) {
    const key = qualifiedName(i.kind);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  const prefixKind = groups.size > 1;
  const blocks: string[] = [];
  for (const group of groups.values()) {
    const { headers, rows } = table(
      group[0]!.kind,
      group.map((g) => g.obj),
    );
    const names = group.map((g) =>
      prefixKind ? `${qualifiedName(g.kind)}/${g.obj.metadata.name}` : g.obj.metadata.name,
    );
    let head = ['NAME', ...headers];
    let body = rows.map((r, i) => [names[i]!, ...r]);
    if (options.allNamespaces && group[0]!.kind.namespaced) {
      head = ['NAMESPACE', ...head];
      body = body.map((r, i) => [group[i]!.obj.metadata.namespace ?? '', ...r]);
    }
    blocks.push(formatColumns(options.noHeaders ? body : [head, ...body]));
  }
  return blocks.join('\n');
}

/**
 * Aligns rows into columns separated by three spaces, as kubectl's tabwriter does.
 * @param rows the cells
 * @returns the text with a trailing newline
 */
export function formatColumns(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) {
    for (const [i, c] of r.entries()) widths[i] = Math.max(widths[i] ?? 0, c.length);
  }
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 3)))
        .join('')
        .trimEnd(),
    )
    .map((l) => `${l}\n`)
    .join('');
}

function table(kind: KindInfo, objs: K8sObject[]): { headers: string[]; rows: string[][] } {
  const age = (o: K8sObject) => formatAge(o.metadata.creationTimestamp);
  const s = (v: unknown, dflt = '<none>') =>
    v === undefined || v === null || v === '' ? dflt : String(v);
  switch (`${kind.group}/${kind.kind}`) {
    case '/Pod':
      return {
        headers: ['READY', 'STATUS', 'RESTARTS', 'AGE'],
        rows: objs.map((o) => {
          const cs = (dig(o, 'status', 'containerStatuses') as JsonObject[] | undefined) ?? [];
          const total = ((dig(o, 'spec', 'containers') as unknown[]) ?? []).length;
          const ready = cs.filter((c) => c['ready'] === true).length;
          const waiting = cs.map((c) => dig(c, 'state', 'waiting', 'reason')).find((r) => r);
          const restarts = cs.reduce((n, c) => n + Number(c['restartCount'] ?? 0), 0);
          const status = o.metadata.deletionTimestamp
            ? 'Terminating'
            : s(waiting ?? dig(o, 'status', 'phase'), 'Pending');
          return [`${ready}/${total}`, status, String(restarts), age(o)];
        }),
      };
    case 'apps/Deployment':
      return {
        headers: ['READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
        rows: objs.map((o) => [
          `${Number(dig(o, 'status', 'readyReplicas') ?? 0)}/${Number(dig(o, 'spec', 'replicas') ?? 1)}`,
          String(dig(o, 'status', 'updatedReplicas') ?? 0),
          String(dig(o, 'status', 'availableReplicas') ?? 0),
          age(o),
        ]),
      };
    case 'apps/StatefulSet':
      return {
        headers: ['READY', 'AGE'],
        rows: objs.map((o) => [
          `${Number(dig(o, 'status', 'readyReplicas') ?? 0)}/${Number(dig(o, 'spec', 'replicas') ?? 1)}`,
          age(o),
        ]),
      };
    case 'apps/DaemonSet':
      return {
        headers: ['DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
        rows: objs.map((o) => [
          String(dig(o, 'status', 'desiredNumberScheduled') ?? 0),
          String(dig(o, 'status', 'currentNumberScheduled') ?? 0),
          String(dig(o, 'status', 'numberReady') ?? 0),
          String(dig(o, 'status', 'updatedNumberScheduled') ?? 0),
          String(dig(o, 'status', 'numberAvailable') ?? 0),
          age(o),
        ]),
      };
    case '/Service':
      return {
        headers: ['TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
        rows: objs.map((o) => {
          const ports = ((dig(o, 'spec', 'ports') as JsonObject[]) ?? [])
            .map((p) => `${String(p['port'])}/${String(p['protocol'] ?? 'TCP')}`)
            .join(',');
          const lb = dig(o, 'status', 'loadBalancer', 'ingress', 0);
          const ext = isObject(lb) ? s(lb['hostname'] ?? lb['ip']) : '<none>';
          return [
            s(dig(o, 'spec', 'type'), 'ClusterIP'),
            s(dig(o, 'spec', 'clusterIP')),
            ext,
            ports,
            age(o),
          ];
        }),
      };
    case 'postgresql.cnpg.io/Cluster':
      return {
        headers: ['AGE', 'INSTANCES', 'READY', 'STATUS', 'PRIMARY'],
        rows: objs.map((o) => [
          age(o),
          String(dig(o, 'status', 'instances') ?? ''),
          String(dig(o, 'status', 'readyInstances') ?? ''),
          String(dig(o, 'status', 'phase') ?? ''),
          String(dig(o, 'status', 'currentPrimary') ?? ''),
        ]),
      };
    case '/PersistentVolumeClaim':
      return {
        headers: [
          'STATUS',
          'VOLUME',
          'CAPACITY',
          'ACCESS MODES',
          'STORAGECLASS',
          'VOLUMEATTRIBUTESCLASS',
          'AGE',
        ],
        rows: objs.map((o) => [
          o.metadata.deletionTimestamp ? 'Terminating' : s(dig(o, 'status', 'phase'), 'Pending'),
          s(dig(o, 'spec', 'volumeName'), ''),
          s(dig(o, 'status', 'capacity', 'storage'), ''),
          accessModes(dig(o, 'status', 'accessModes') ?? dig(o, 'spec', 'accessModes')),
          s(dig(o, 'spec', 'storageClassName'), ''),
          '<unset>',
          age(o),
        ]),
      };
    case '/PersistentVolume':
      return {
        headers: [
          'CAPACITY',
          'ACCESS MODES',
          'RECLAIM POLICY',
          'STATUS',
          'CLAIM',
          'STORAGECLASS',
          'VOLUMEATTRIBUTESCLASS',
          'REASON',
          'AGE',
        ],
        rows: objs.map((o) => {
          const ref = dig(o, 'spec', 'claimRef');
          return [
            s(dig(o, 'spec', 'capacity', 'storage'), ''),
            accessModes(dig(o, 'spec', 'accessModes')),
            s(dig(o, 'spec', 'persistentVolumeReclaimPolicy'), 'Retain'),
            s(dig(o, 'status', 'phase'), 'Available'),
            isObject(ref) ? `${String(ref['namespace'])}/${String(ref['name'])}` : '',
            s(dig(o, 'spec', 'storageClassName'), ''),
            '<unset>',
            '',
            age(o),
          ];
        }),
      };
    case '/Node':
      return {
        headers: ['STATUS', 'ROLES', 'AGE', 'VERSION'],
        rows: objs.map((o) => [
          'Ready',
          'control-plane',
          age(o),
          s(dig(o, 'status', 'nodeInfo', 'kubeletVersion')),
        ]),
      };
    case '/Namespace':
      return {
        headers: ['STATUS', 'AGE'],
        rows: objs.map((o) => [o.metadata.deletionTimestamp ? 'Terminating' : 'Active', age(o)]),
      };
    case 'apiextensions.k8s.io/CustomResourceDefinition':
      return { headers: ['CREATED AT'], rows: objs.map((o) => [s(o.metadata.creationTimestamp)]) };
    case 'networking.k8s.io/Ingress':
      return {
        headers: ['CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'],
        rows: objs.map((o) => {
          const hosts = ((dig(o, 'spec', 'rules') as JsonObject[]) ?? [])
            .map((r) => r['host'])
            .filter(Boolean);
          const tls = ((dig(o, 'spec', 'tls') as JsonObject[]) ?? []).length > 0;
          return [
            s(dig(o, 'spec', 'ingressClassName')),
            hosts.length ? hosts.join(',') : '*',
            s(dig(o, 'status', 'loadBalancer', 'ingress', 0, 'hostname'), ''),
            tls ? '80, 443' : '80',
            age(o),
          ];
        }),
      };
    case 'argoproj.io/Application':
      return {
        headers: ['SYNC STATUS', 'HEALTH STATUS'],
        rows: objs.map((o) => [
          s(dig(o, 'status', 'sync', 'status'), 'Unknown'),
          s(dig(o, 'status', 'health', 'status'), 'Unknown'),
        ]),
      };
    case '/ConfigMap':
    case '/Secret':
      return {
        headers: kind.kind === 'Secret' ? ['TYPE', 'DATA', 'AGE'] : ['DATA', 'AGE'],
        rows: objs.map((o) => {
          const n = String(Object.keys(isObject(o['data']) ? o['data'] : {}).length);
          return kind.kind === 'Secret' ? [s(o['type'], 'Opaque'), n, age(o)] : [n, age(o)];
        }),
      };
    case 'external-secrets.io/ExternalSecret':
      return {
        headers: ['STORETYPE', 'STORE', 'REFRESH INTERVAL', 'STATUS', 'READY'],
        rows: objs.map((o) => {
          const c = (dig(o, 'status', 'conditions') as JsonObject[] | undefined)?.[0];
          return [
            s(dig(o, 'spec', 'secretStoreRef', 'kind'), 'SecretStore'),
            s(dig(o, 'spec', 'secretStoreRef', 'name')),
            s(dig(o, 'spec', 'refreshInterval'), '1h'),
            s(c?.['reason'], ''),
            s(c?.['status'], 'False'),
          ];
        }),
      };
    default:
      return { headers: ['AGE'], rows: objs.map((o) => [age(o)]) };
  }
}

function accessModes(v: unknown): string {
  if (!Array.isArray(v)) return '';
  const short: Record<string, string> = {
    ReadWriteOnce: 'RWO',
    ReadOnlyMany: 'ROX',
    ReadWriteMany: 'RWX',
    ReadWriteOncePod: 'RWOP',
  };
  return v.map((m) => short[String(m)] ?? String(m)).join(',');
}
