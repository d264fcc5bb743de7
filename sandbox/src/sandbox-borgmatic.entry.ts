// The borgmatic stand-in (dist/sandbox-borgmatic.cjs), exec'd by the `<sandbox>/bin/borgmatic` shim.
import { borgmatic } from './borgmatic.ts';
import { runStandIn } from './run-stand-in.ts';

void runStandIn('borgmatic', borgmatic);
