// The kubectl stand-in (dist/sandbox-kubectl.cjs), exec'd by the `<sandbox>/bin/kubectl` shim.
import { kubectl } from './kubectl.ts';
import { runStandIn } from './run-stand-in.ts';

void runStandIn('kubectl', kubectl);
