// The tailscale stand-in (dist/sandbox-tailscale.cjs), exec'd by the `<sandbox>/bin/tailscale` shim.
import { runStandIn } from './run-stand-in.ts';
import { tailscale } from './tailscale.ts';

void runStandIn('tailscale', tailscale);
