import { unsupported } from './stand-in-error.ts';
import type { StandInIo } from './stand-in-io.ts';

/**
 * The `nvidia-smi` stand-in inside pods of the `nvidia` runtime class: prints the GPU the device
 * plugin gave the pod (the ringtail RTX 4080), or "No devices were found" when the pod got no
 * slice. Supports the plain table, `-L` and `--query-gpu=... --format=csv[,noheader]`.
 * @param io the call
 * @returns the exit code
 */
export async function nvidiaSmi(io: StandInIo): Promise<number> {
  const gpus = Number(io.env['MIKADO_SANDBOX_GPU'] ?? 0);
  const model = io.env['MIKADO_SANDBOX_GPU_MODEL'] || 'NVIDIA GeForce RTX 4080';
  const args = io.argv;
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(
      'nvidia-smi: the mikado sandbox stand-in (NOT the real nvidia-smi). Supports: (no args), -L, --query-gpu=name,memory.total,driver_version --format=csv[,noheader]\n',
    );
    return 0;
  }
  io.recorder.add({ notes: [`gpus ${gpus}`] });
  if (gpus <= 0) {
    io.stdout.write('No devices were found\n');
    return 6;
  }
  const uuid = 'GPU-5f0c3d2e-9a41-4b7e-8c1d-40800000beef';
  if (args.length === 0) {
    io.stdout.write(
      [
        `${new Date().toUTCString()}`,
        '+-----------------------------------------------------------------------------------------+',
        '| NVIDIA-SMI 570.144                Driver Version: 570.144        CUDA Version: 12.8     |',
        '|-----------------------------------------+------------------------+----------------------+',
        '| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |',
        '| Fan  Temp   Perf          Pwr:Usage/Cap |           Memory-Usage | GPU-Util  Compute M. |',
        '|=========================================+========================+======================|',
        `|   0  ${model.padEnd(26).slice(0, 26)}     Off |   00000000:01:00.0 Off |                  N/A |`,
        '|  0%   41C    P8             11W /  320W |    1843MiB /  16376MiB |      3%      Default |',
        '+-----------------------------------------+------------------------+----------------------+',
        '',
      ].join('\n'),
    );
    return 0;
  }
  if (args.length === 1 && args[0] === '-L') {
    io.stdout.write(`GPU 0: ${model} (UUID: ${uuid})\n`);
    return 0;
  }
  const query = args.find((a) => a.startsWith('--query-gpu='));
  const format = args.find((a) => a.startsWith('--format='));
  if (query && format && args.length === 2) {
    const fields = query.slice('--query-gpu='.length).split(',');
    const values: Record<string, string> = {
      name: model,
      'memory.total': '16376 MiB',
      driver_version: '570.144',
      uuid,
      'memory.used': '1843 MiB',
      count: '1',
    };
    const unknown = fields.find((f) => values[f] === undefined);
    if (unknown) throw unsupported(`nvidia-smi --query-gpu field \`${unknown}\``);
    if (!format.includes('noheader')) io.stdout.write(`${fields.join(', ')}\n`);
    io.stdout.write(`${fields.map((f) => values[f]).join(', ')}\n`);
    return 0;
  }
  throw unsupported(
    `\`nvidia-smi ${args.join(' ')}\``,
    'supported: no arguments, -L, --query-gpu=... --format=csv',
  );
}
