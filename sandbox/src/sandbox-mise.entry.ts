// The mise stand-in (dist/sandbox-mise.cjs): only `mise run provision-indri -- --tags caddy|borgmatic`.
import { mise } from './provision.ts';
import { runStandIn } from './run-stand-in.ts';

void runStandIn('mise', mise);
