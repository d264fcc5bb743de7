import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SandboxError } from './errors.ts';

/** The certificates CNPG generates for a Cluster, PEM-encoded. */
export interface ClusterCertificates {
  /** `<cluster>-ca`: the CA that signs the server's and the clients' certificates. */
  caCrt: string;
  caKey: string;
  /** `<cluster>-server`: the server certificate (for the `-rw`, `-r`, `-ro` Service names). */
  serverCrt: string;
  serverKey: string;
  /** `<cluster>-replication`: the client certificate of `streaming_replica`. */
  replicationCrt: string;
  replicationKey: string;
}

/**
 * Generates a Cluster's certificates with `openssl`, as CNPG does at creation: a self-signed CA,
 * a server certificate for the Cluster's Services and a client certificate with CN
 * `streaming_replica` (what CNPG's fixed `hostssl replication streaming_replica all cert` rule
 * authenticates). EC P-256 keys, ten years.
 * @param cluster the Cluster's name
 * @param namespace its namespace
 * @returns the PEM texts
 */
export function clusterCertificates(cluster: string, namespace: string): ClusterCertificates {
  const dir = mkdtempSync(path.join(tmpdir(), 'mikado-certs-'));
  const f = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => {
    try {
      execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      throw new SandboxError(
        `\`openssl ${args.slice(0, 2).join(' ')}\` failed: ${String((e as { stderr?: Buffer }).stderr ?? e)}`,
        { fix: 'The sandbox needs the openssl command line tool (apt-get install openssl)' },
      );
    }
  };
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    openssl(
      'req',
      '-x509',
      ...key,
      '-keyout',
      f('ca.key'),
      '-out',
      f('ca.crt'),
      '-days',
      '3650',
      '-subj',
      `/OU=${namespace}/CN=${cluster}`,
    );
    const sign = (name: string, cn: string, ext?: string) => {
      openssl(
        'req',
        ...key,
        '-keyout',
        f(`${name}.key`),
        '-out',
        f(`${name}.csr`),
        '-subj',
        `/CN=${cn}`,
      );
      if (ext) writeFileSync(f(`${name}.ext`), ext);
      openssl(
        'x509',
        '-req',
        '-in',
        f(`${name}.csr`),
        '-CA',
        f('ca.crt'),
        '-CAkey',
        f('ca.key'),
        '-CAcreateserial',
        '-out',
        f(`${name}.crt`),
        '-days',
        '3650',
        ...(ext ? ['-extfile', f(`${name}.ext`)] : []),
      );
    };
    const names = ['rw', 'r', 'ro'].flatMap((s) => {
      const svc = `${cluster}-${s}`;
      return [
        svc,
        `${svc}.${namespace}`,
        `${svc}.${namespace}.svc`,
        `${svc}.${namespace}.svc.cluster.local`,
      ];
    });
    sign('server', `${cluster}-rw`, `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}\n`);
    sign('replication', 'streaming_replica');
    const read = (name: string) => readFileSync(f(name), 'utf8');
    return {
      caCrt: read('ca.crt'),
      caKey: read('ca.key'),
      serverCrt: read('server.crt'),
      serverKey: read('server.key'),
      replicationCrt: read('replication.crt'),
      replicationKey: read('replication.key'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
