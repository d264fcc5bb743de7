// The tailscale stand-in (dist/sandbox-tailscale.js), exec'd by the `<sandbox>/bin/tailscale` shim.
import { runStandIn } from './run-stand-in.ts';
import { tailscale } from './tailscale.ts';

await runStandIn('tailscale', tailscale);
