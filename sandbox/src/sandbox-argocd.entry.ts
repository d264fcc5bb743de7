// The argocd stand-in (dist/sandbox-argocd.cjs), exec'd by the `<sandbox>/bin/argocd` shim.
import { argocd } from './argocd.ts';
import { runStandIn } from './run-stand-in.ts';

void runStandIn('argocd', argocd);
