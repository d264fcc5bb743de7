// The kubectl stand-in (dist/sandbox-kubectl.js), exec'd by the `<sandbox>/bin/kubectl` shim.
import { kubectl } from './kubectl.ts';
import { runStandIn } from './run-stand-in.ts';

await runStandIn('kubectl', kubectl);
