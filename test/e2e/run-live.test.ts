// The live view of `mikado run` on a real pseudo-terminal (util-linux `script`), read back as a
// terminal would show it (@xterm/headless), to check what the operator actually sees.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import xterm from '@xterm/headless';
import { describe, expect, it } from 'vitest';
import { BIN, testEnv } from '../helpers/binary.ts';
import { useTempRepos, waitFor } from './run-helpers.ts';

const repo = useTempRepos();

/**
 * Runs the binary on a 100×30 pseudo-terminal, its bytes kept in a typescript file.
 * @param dir the repository
 * @param args arguments after `mikado`
 * @returns the `script` process and the file
 */
function onTerminal(dir: string, args: string[]): { child: ChildProcess; file: string } {
  const file = path.join(dir, '.typescript');
  const command = `stty cols 100 rows 30; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ${args.join(' ')}`;
  const child = spawn('script', ['-qfec', command, file], {
    cwd: dir,
    // A live view needs a terminal and no CI variable.
    env: testEnv({ CI: undefined, GITHUB_ACTIONS: undefined, TERM: 'xterm-256color' }),
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  return { child, file };
}

/**
 * The screen the bytes written so far leave on a 100×30 terminal (scrollback included).
 * @param file the typescript file
 * @returns the screen's lines, trailing blank lines dropped
 */
async function screen(file: string): Promise<string> {
  if (!existsSync(file)) return '';
  const term = new xterm.Terminal({ cols: 100, rows: 30, allowProposedApi: true });
  await new Promise<void>((r) => term.write(readFileSync(file), r));
  const b = term.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < b.length; i++) lines.push(b.getLine(i)?.translateToString(true) ?? '');
  term.dispose();
  return lines.join('\n').replace(/\n+$/, '');
}

/** The pid of the `mikado` process `script` started (its child, `exec`ed by the shell). */
function mikadoPid(scriptPid: number): number | undefined {
  const children = readFileSync(`/proc/${scriptPid}/task/${scriptPid}/children`, 'utf8').trim();
  return children ? Number(children.split(' ')[0]) : undefined;
}

describe('mikado run: the live view on a terminal', () => {
  it('shows the elapsed time while a block runs, and after Ctrl-C the frame once and the notice', async () => {
    const r = repo();
    r.card('slow', {
      blocks: [
        {
          meta: 'name=waits',
          code: "console.log('started'); await new Promise((res) => setTimeout(res, 120_000));",
        },
      ],
    });
    r.commit();
    const { child, file } = onTerminal(r.dir, ['run', 'slow', '--yes']);
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    try {
      // The block's line carries a growing elapsed time before the block ends.
      let shown = '';
      const poll = setInterval(async () => {
        shown = await screen(file);
      }, 100);
      await waitFor(
        'the elapsed time on the running block',
        () => /waits [1-9]\d*\.\ds/.test(shown),
        60_000,
      ).finally(() => clearInterval(poll));
      expect(shown).toMatch(/started/);
      // Ctrl-C: the terminal sends SIGINT to the foreground process group.
      const pid = mikadoPid(child.pid!);
      expect(pid).toBeGreaterThan(0);
      process.kill(-pid!, 'SIGINT');
      expect(await exited).toBe(130);
      const end = await screen(file);
      expect(end.match(/slow docs\/cards\/slow\.md/g)).toHaveLength(1);
      expect(end.match(/waits/g)?.length).toBeGreaterThan(0);
      expect(end).toMatch(/✖ waits: interrupted by SIGINT/);
      expect(end.match(/mikado: SIGINT: stopping the running block/g)).toHaveLength(1);
      expect(end).toMatch(
        /interrupted: block `waits` of docs\/cards\/slow\.md:\d+ interrupted by SIGINT/,
      );
      expect(end).toMatch(/Run `mikado run slow --yes` again: it resumes at this block/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
