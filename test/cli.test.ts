import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../src/cli/context.ts';
import { buildProgram, COMMAND_NAMES, commandGroupsFor, main } from '../src/cli/main.ts';

const ctx = (): CliContext => ({
  cwd: process.cwd(),
  env: {},
  stdout: new PassThrough(),
  stderr: new PassThrough(),
  stdin: new PassThrough(),
});

describe('command groups', () => {
  it('names every top-level command with the group that registers it', () => {
    const all = buildProgram(ctx()).commands.map((c) => c.name());
    expect([...COMMAND_NAMES.keys()].sort()).toEqual(all.sort());
    for (const [name, define] of COMMAND_NAMES) {
      expect(buildProgram(ctx(), [define]).commands.map((c) => c.name())).toContain(name);
    }
  });

  it('registers only the named command after global options, every command otherwise', () => {
    const one = (argv: string[]) => commandGroupsFor(argv);
    const all = commandGroupsFor([]);
    expect(all.length).toBeGreaterThan(1);
    expect(one(['view'])).toEqual([COMMAND_NAMES.get('view')]);
    expect(one(['--root', 'view', '--no-color', 'status'])).toEqual([COMMAND_NAMES.get('run')]);
    expect(one(['--cards=x', 'hook', 'commit-msg'])).toEqual([COMMAND_NAMES.get('hook')]);
    for (const argv of [['--help', 'view'], ['-V'], ['help', 'view'], ['nope'], ['--root']]) {
      expect([argv, one(argv)]).toEqual([argv, all]);
    }
  });

  it('still suggests a close command name for a typo', async () => {
    const c = ctx();
    let err = '';
    c.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    expect(await main(['veiw'], c)).toBe(2);
    expect(err).toMatch(/Did you mean view\?/);
  });
});
