import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Server } from 'node:net';
import { ClusterView } from './cluster-view.ts';
import { handleImmichRequest } from './immich-api.ts';
import { podForTarget } from './kubectl.ts';
import { dig, type JsonObject } from './objects.ts';
import { registerProcess, unregisterProcess } from './processes.ts';
import { StandInError, unsupported } from './stand-in-error.ts';
import type { StandInIo } from './stand-in-io.ts';
import { loadWorld } from './store.ts';

/** Options of {@link portForward}. */
export interface PortForwardOptions {
  io: StandInIo;
  ctx: string;
  ns: string;
  /** `POD`, `pod/x`, `svc/x`, `deploy/x`. */
  target: string;
  /** `[LOCAL:]REMOTE` specs. */
  ports: string[];
}

/**
 * `kubectl port-forward`: a real TCP listener on 127.0.0.1 per port. Connections to a CNPG
 * instance's 5432 are relayed to its real PostgreSQL server (the server's current port is looked
 * up per connection); an `immich-server` pod's port answers Immich's server API. Runs until
 * SIGTERM/SIGINT, or until the pod goes ("lost connection to pod").
 * @param o target and ports
 * @returns the exit code
 */
export async function portForward(o: PortForwardOptions): Promise<number> {
  const { io } = o;
  const world = loadWorld(io.dir);
  const view = new ClusterView(world);
  const { pod, service } = podForTarget({ world, ctx: o.ctx, ns: o.ns }, view, o.target);
  if (!pod.running || !pod.ready) {
    throw new StandInError(
      `error: unable to forward port because pod is not running. Current status=${String(dig(pod.pod, 'status', 'phase') ?? 'Pending')}`,
    );
  }
  const podRef = { context: o.ctx, namespace: o.ns, pod: pod.pod.metadata.name };
  const servers: Server[] = [];
  const listen = (server: Server, port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(
          e.code === 'EADDRINUSE'
            ? new StandInError(
                `Unable to listen on port ${port}: Listeners failed to create with the following errors: [unable to create listener: Error listen tcp4 127.0.0.1:${port}: bind: address already in use]\nerror: unable to listen on any of the requested ports: [{${port} ${port}}]`,
              )
            : e,
        ),
      );
      server.listen(port, '127.0.0.1', () => {
        const a = server.address();
        resolve(typeof a === 'object' && a ? a.port : port);
      });
    });
  for (const spec of o.ports) {
    const m = /^(\d*):?(\d+|[a-z][-a-z0-9]*)$/.exec(spec);
    if (!m) throw new StandInError(`error: invalid port specification ${spec}`);
    const hasLocal = spec.includes(':');
    const remoteRaw = m[2]!;
    let remote: string | number = /^\d+$/.test(remoteRaw) ? Number(remoteRaw) : remoteRaw;
    if (service) {
      const sp = ((dig(service, 'spec', 'ports') as JsonObject[] | undefined) ?? []).find(
        (p) => p['port'] === remote || p['name'] === remote,
      );
      if (!sp)
        throw new StandInError(
          `error: Service ${service.metadata.name} does not have a service port ${remoteRaw}`,
        );
      remote = (sp['targetPort'] as number | string | undefined) ?? Number(sp['port']);
    }
    const backend = view.podBackend(pod, remote);
    if (!backend || backend.kind === 'valkey') {
      throw unsupported(
        `port-forward to pod/${pod.pod.metadata.name} port ${String(remote)} (nothing the sandbox emulates listens there)`,
        'supported: a CNPG instance on 5432, immich-server on its API port',
      );
    }
    const remoteNum = typeof remote === 'number' ? remote : Number(remoteRaw);
    const local = hasLocal ? (m[1] === '' ? 0 : Number(m[1])) : Number(remoteRaw);
    let server: Server;
    if (backend.kind === 'pg') {
      const pgServer = backend.server;
      server = createServer((socket) => {
        io.stdout.write(`Handling connection for ${actual}\n`);
        const port = pgServer.status().port;
        if (!port) {
          io.stderr.write(
            `E0000 portforward.go:424] "Unhandled Error" err="an error occurred forwarding ${actual} -> ${remoteNum}: connection refused"\n`,
          );
          socket.destroy();
          return;
        }
        // From 127.0.0.2: a forwarded client is not the local harness, and authenticates as
        // it would against the real server (scram-sha-256 for every role but the certificates).
        const upstream = connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' });
        socket.pipe(upstream).pipe(socket);
        const close = () => {
          socket.destroy();
          upstream.destroy();
        };
        socket.on('error', close);
        upstream.on('error', close);
      });
    } else {
      server = createHttpServer((req, res) => {
        io.stdout.write(`Handling connection for ${actual}\n`);
        handleImmichRequest(io.dir, podRef, req, res).catch((e: Error) => {
          if (!res.headersSent) res.writeHead(500);
          res.end(e.message);
        });
      }) as unknown as Server;
    }
    servers.push(server);
    const actual = await listen(server, local);
    io.stdout.write(`Forwarding from 127.0.0.1:${actual} -> ${remoteNum}\n`);
    io.recorder.add({
      notes: [
        `forwarding 127.0.0.1:${actual} -> ${o.ctx}/${o.ns}/${pod.pod.metadata.name}:${remoteNum}`,
      ],
    });
  }
  const name = `port-forward-${process.pid}`;
  registerProcess(world.paths, {
    name,
    pid: process.pid,
    marker: 'sandbox-kubectl',
    startedAt: new Date().toISOString(),
    description: `kubectl port-forward ${o.target} ${o.ports.join(' ')} (--context ${o.ctx} -n ${o.ns})`,
  });
  return new Promise((resolve) => {
    let done = false;
    const finish = (code: number) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      for (const s of servers) s.close();
      unregisterProcess(world.paths, name);
      resolve(code);
    };
    const timer = setInterval(() => {
      try {
        const w = loadWorld(io.dir);
        const still = new ClusterView(w)
          .podsIn(o.ctx, o.ns)
          .find((p) => p.pod.metadata.name === podRef.pod);
        if (!still) {
          io.stderr.write('error: lost connection to pod\n');
          finish(1);
        }
      } catch {}
    }, 1000);
    process.once('SIGTERM', () => finish(0));
    process.once('SIGINT', () => finish(0));
  });
}
