// The nvidia-smi stand-in (dist/sandbox-nvidia-smi.js), on PATH inside pods of the nvidia runtime class.
import { nvidiaSmi } from './nvidia-smi.ts';
import { runStandIn } from './run-stand-in.ts';

await runStandIn('nvidia-smi', nvidiaSmi);
