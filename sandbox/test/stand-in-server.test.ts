// The controller answers stand-in calls on its socket (stand-in-server.ts): real shims, the real
// Perl client, the real controller process of a sandbox over real PostgreSQL. Each call is run
// twice, through the controller and as its own process (MIKADO_SANDBOX_OWN_PROCESS=1), and the
// call records say which path each one took.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSandboxCalls, type SandboxCall } from '../src/calls.ts';
import { controllerStatus } from '../src/controller.ts';
import { SERVED_TOOLS } from '../src/install.ts';
import { sandboxPaths } from '../src/paths.ts';
import { sandboxUp } from '../src/sandbox.ts';
import { parseRequest, SERVED } from '../src/stand-in-server.ts';
import { type RunResult, startSandbox, type TestSandbox, until } from './helpers/sandbox.ts';

let sb: TestSandbox;
const OWN = { MIKADO_SANDBOX_OWN_PROCESS: '1' };

/** Runs a call and returns its result with the record it left. */
async function call(
  tool: string,
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult & { record: SandboxCall }> {
  const before = readSandboxCalls(sb.dir).length;
  const r = await sb.run(tool, args, options);
  const calls = readSandboxCalls(sb.dir);
  expect(calls.length, `one call recorded for ${tool} ${args.join(' ')}`).toBe(before + 1);
  return { ...r, record: calls.at(-1)! };
}

const CONFIG_MAP = (name: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: ${name}, namespace: immich}
data: {made: by-test}
`;

beforeAll(async () => {
  sb = await startSandbox();
}, 120_000);

afterAll(async () => {
  await sb?.cleanup();
}, 120_000);

describe('the controller answers the stand-ins (real shims, Perl client and controller process)', () => {
  it('serves exactly the tools whose shims hand calls to it', () => {
    expect(Object.keys(SERVED).sort()).toEqual([...SERVED_TOOLS].sort());
    const kubectlShim = readFileSync(path.join(sb.dir, 'bin/kubectl'), 'utf8');
    expect(kubectlShim).toContain('stand-in-client.pl');
    expect(readFileSync(path.join(sb.dir, 'bin/mise'), 'utf8')).not.toContain('stand-in-client.pl');
  });

  it('prints what the call prints as its own process, with the same exit code, for successes and failures', async () => {
    const cases: [string, string[]][] = [
      ['kubectl', ['--context=minikube-indri', '-n', 'immich', 'get', 'deployments']],
      [
        'kubectl',
        [
          '--context=minikube-indri',
          '-n',
          'databases',
          'get',
          'cluster',
          'immich-pg',
          '-o',
          'json',
        ],
      ],
      ['kubectl', ['--context=minikube-indri', 'get', 'nosuchkind']],
      ['kubectl', ['--context=nope', 'get', 'pods']],
      ['kubectl', ['frobnicate']],
      ['kubectl', ['--help']],
      ['argocd', ['app', 'list']],
      ['argocd', ['app', 'get', 'no-such-app']],
      ['tailscale', ['status', '--json']],
    ];
    for (const [tool, args] of cases) {
      const served = await call(tool, args);
      const own = await call(tool, args, { env: OWN });
      const at = `${tool} ${args.join(' ')}`;
      expect(served.record.via, at).toBe('controller');
      expect(own.record.via, at).toBe('process');
      expect({ code: served.code, stdout: served.stdout, stderr: served.stderr }, at).toEqual({
        code: own.code,
        stdout: own.stdout,
        stderr: own.stderr,
      });
      expect(served.record.exitCode, at).toBe(served.code);
    }
  });

  it('records the caller: its pid, working directory and in-pod environment', async () => {
    const r = await call('kubectl', ['--context=minikube-indri', 'get', 'nodes'], {
      env: { MIKADO_SANDBOX_POD: 'immich/some-pod' },
    });
    expect(r.record.via).toBe('controller');
    expect(r.record.cwd).toBe(sb.dir);
    expect(r.record.pod).toBe('immich/some-pod');
    expect(r.record.pid).not.toBe(controllerStatus(sb.dir).pid);
  });

  it('reads a manifest from standard input (`apply -f -`) and records it', async () => {
    const r = await call('kubectl', ['--context=minikube-indri', 'apply', '-f', '-'], {
      input: CONFIG_MAP('from-stdin'),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('configmap/from-stdin created\n');
    expect(r.record.via).toBe('controller');
    expect(r.record.stdin).toBe(CONFIG_MAP('from-stdin'));
  });

  it('takes concurrent calls, which change the state one at a time', async () => {
    const names = Array.from({ length: 8 }, (_, i) => `concurrent-${i}`);
    const results = await Promise.all(
      names.map((n) =>
        sb.run('kubectl', ['--context=minikube-indri', 'apply', '-f', '-'], {
          input: CONFIG_MAP(n),
        }),
      ),
    );
    expect(results.map((r) => r.code)).toEqual(names.map(() => 0));
    const got = await sb.run('kubectl', [
      '--context=minikube-indri',
      '-n',
      'immich',
      'get',
      'configmaps',
      '-o',
      'name',
    ]);
    for (const n of names) expect(got.stdout).toContain(`configmap/${n}\n`);
    const applied = readSandboxCalls(sb.dir).filter((c) =>
      names.some((n) => c.stdin?.includes(`name: ${n},`)),
    );
    expect(applied.map((c) => c.via)).toEqual(names.map(() => 'controller'));
  });

  it('declines `kubectl exec`, which the client then runs as its own process', async () => {
    const r = await call('kubectl', [
      '--context=minikube-indri',
      '-n',
      'databases',
      'exec',
      'immich-pg-1',
      '--',
      'psql',
      '-U',
      'postgres',
      '-tAc',
      'select 41 + 1',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('42');
    expect(r.record.via).toBe('process');
  });

  it('stops a call whose client was killed, as a killed process stops: no exit code recorded', async () => {
    const args = [
      '--context=minikube-indri',
      '-n',
      'immich',
      'wait',
      '--for=condition=NeverMet',
      'deployment/immich-server',
      '--timeout=2s',
    ];
    // The same wait, not killed, times out after 2 s with exit code 1.
    const waited = await call('kubectl', args);
    expect(waited.code).toBe(1);
    expect(waited.record).toMatchObject({ via: 'controller', exitCode: 1 });
    const before = readSandboxCalls(sb.dir).length;
    const client = spawn(path.join(sb.dir, 'bin/kubectl'), args, { cwd: sb.dir, stdio: 'ignore' });
    await until(() => readSandboxCalls(sb.dir).length > before);
    client.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 3_000));
    const killed = readSandboxCalls(sb.dir).at(-1)!;
    expect(killed).toMatchObject({ via: 'controller', argv: args });
    expect(killed.end).toBeUndefined();
    expect(killed.exitCode).toBeUndefined();
  });

  it('a malformed request is refused and logged; the next call is served', async () => {
    const socket = sandboxPaths(sb.dir).standInSocket;
    await new Promise<void>((resolve, reject) => {
      const c = net.createConnection(socket, () => {
        const body = Buffer.from('not a request');
        const head = Buffer.alloc(4);
        head.writeUInt32BE(body.length);
        c.write(Buffer.concat([head, body]));
      });
      c.on('error', reject);
      c.on('close', () => resolve());
      c.resume();
    });
    expect(readFileSync(path.join(sb.dir, 'logs/controller.log'), 'utf8')).toMatch(
      /stand-in server: refused a request/,
    );
    const r = await call('kubectl', ['--context=minikube-indri', 'get', 'nodes']);
    expect(r.code).toBe(0);
    expect(r.record.via).toBe('controller');
  });

  it('when the controller died (its socket left behind), the calls run as their own processes; `sandbox up` serves again', async () => {
    const pid = controllerStatus(sb.dir).pid!;
    process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const r = await call('kubectl', [
      '--context=minikube-indri',
      '-n',
      'immich',
      'get',
      'deployments',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^immich-server /m);
    expect(r.record.via).toBe('process');
    await sandboxUp({ dir: sb.dir, repoRoot: sb.dir, size: 'tiny' });
    const again = await call('kubectl', ['--context=minikube-indri', 'get', 'nodes']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.record.via).toBe('controller');
  }, 120_000);
});

describe('stand-in requests', () => {
  const str = (s: string) => {
    const b = Buffer.from(s);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(b.length);
    return Buffer.concat([head, b]);
  };
  const request = (...parts: string[]) => Buffer.concat(parts.map(str));

  it('parses the tool, working directory, pid, arguments and environment', () => {
    expect(
      parseRequest(
        request('mikado-stand-in 1', 'kubectl', '/w', '12', '2', 'get', 'a b', '2', 'A=1', 'B=x=y'),
      ),
    ).toEqual({
      tool: 'kubectl',
      cwd: '/w',
      pid: 12,
      argv: ['get', 'a b'],
      env: { A: '1', B: 'x=y' },
    });
  });

  it('refuses a wrong version, a truncated request, bad counts and trailing bytes', () => {
    expect(() => parseRequest(request('mikado-stand-in 2', 'kubectl'))).toThrow(/not a/);
    const whole = request('mikado-stand-in 1', 'kubectl', '/w', '12', '1', 'get', '0');
    expect(() => parseRequest(whole.subarray(0, whole.length - 2))).toThrow(/truncated/);
    expect(() => parseRequest(request('mikado-stand-in 1', 'kubectl', '/w', '-1'))).toThrow(
      /bad count/,
    );
    expect(() => parseRequest(Buffer.concat([whole, Buffer.from('x')]))).toThrow(/trailing/);
  });
});
