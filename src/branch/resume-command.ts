import type { MikadoConfig } from '../config/types.ts';
import type { Paint } from '../render/paint.ts';
import { renderResume, renderResumeJson } from './render-resume.ts';
import { resume } from './resume.ts';

/** What `mikado view --resume` needs from the CLI. */
export interface ResumeCommandOptions {
  config: MikadoConfig;
  /** The chain named on the command line, if any. */
  chain?: string;
  json: boolean;
  paint?: Paint;
  env: NodeJS.ProcessEnv;
  /** Where the output goes. */
  stdout: NodeJS.WritableStream;
}

/**
 * Runs `mikado view --resume [CHAIN] [--json]`: prints the report (errors such as a branch/goal
 * mismatch are thrown as `MikadoError`s for the CLI to print).
 * @param options config, chain, output format and stream
 * @returns nothing; the output is written
 */
export async function resumeCommand(options: ResumeCommandOptions): Promise<void> {
  const report = await resume({ config: options.config, chain: options.chain, env: options.env });
  options.stdout.write(
    options.json ? renderResumeJson(report) : renderResume(report, options.paint),
  );
}
