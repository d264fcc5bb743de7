// The nvidia-smi stand-in (dist/sandbox-nvidia-smi.cjs), on PATH inside pods of the nvidia runtime class.
import { nvidiaSmi } from './nvidia-smi.ts';
import { runStandIn } from './run-stand-in.ts';

void runStandIn('nvidia-smi', nvidiaSmi);
