import { boolFlag, parseArgs } from './argv.ts';
import { ClusterView } from './cluster-view.ts';
import { shortHash } from './objects.ts';
import { TAILNET } from './paths.ts';
import { unsupported } from './stand-in-error.ts';
import type { StandInIo } from './stand-in-io.ts';
import { loadWorld } from './store.ts';

/**
 * The `tailscale` stand-in, run on indri: `status` (plain or `--json`) lists the tailnet's hosts
 * and the devices the Tailscale operators of both clusters registered for Tailscale Ingresses and
 * Services (with their assigned names: a taken name gets a `-1` suffix); `version`.
 * @param io the call
 * @returns the exit code
 */
export async function tailscale(io: StandInIo): Promise<number> {
  const [sub, ...rest] = io.argv;
  if (sub === 'version' || sub === '--version') {
    io.stdout.write(
      '1.84.3-mikado-sandbox\n  (mikado sandbox stand-in for tailscale, not the real client)\n',
    );
    return 0;
  }
  if (sub !== 'status')
    throw unsupported(
      `\`tailscale ${sub ?? ''}\``,
      'supported: tailscale status [--json], tailscale version',
    );
  const p = parseArgs(
    rest,
    [
      { name: 'json' },
      { name: 'self', optionalValue: 'true' },
      { name: 'peers', optionalValue: 'true' },
    ],
    'tailscale status',
  );
  const view = new ClusterView(loadWorld(io.dir));
  const devices = view.tailnetDevices();
  const self = devices.find((d) => d.name === 'indri')!;
  const peers = devices.filter((d) => d !== self);
  if (boolFlag(p, 'json')) {
    const node = (d: (typeof devices)[number]) => ({
      ID: shortHash(d.name, 12),
      HostName: d.owner ? d.owner.name : d.name,
      DNSName: `${d.dnsName}.`,
      OS: d.os,
      TailscaleIPs: [d.ip],
      Online: true,
      Tags: d.owner ? ['tag:k8s'] : undefined,
      ...(d.owner ? { mikadoOwner: d.owner } : {}),
    });
    const out = {
      Version: '1.84.3-mikado-sandbox',
      BackendState: 'Running',
      TailscaleIPs: [self.ip],
      Self: node(self),
      MagicDNSSuffix: TAILNET,
      CurrentTailnet: { Name: 'eblume@github', MagicDNSSuffix: TAILNET, MagicDNSEnabled: true },
      Peer: Object.fromEntries(peers.map((d) => [`nodekey:${shortHash(d.dnsName, 64)}`, node(d)])),
    };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const rows = [
    ...(boolFlag(p, 'self', true) ? [self] : []),
    ...(boolFlag(p, 'peers', true) ? peers : []),
  ].map(
    (d) =>
      `${d.ip.padEnd(16)}${d.name.padEnd(24)}${(d.owner ? 'tagged-devices' : 'eblume@').padEnd(16)}${d.os.padEnd(8)}${d === self ? '-' : 'active; direct'}`,
  );
  io.stdout.write(`${rows.join('\n')}\n`);
  return 0;
}
