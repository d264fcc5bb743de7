import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, parseDuration } from '../src/config/load-config.ts';
import { ConfigError } from '../src/errors.ts';
import { tempDir } from './helpers/temp-dir.ts';

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups) c();
});

function tempRoot(files: Record<string, string>): string {
  const { dir, cleanup } = tempDir('config');
  cleanups.push(cleanup);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '10', 'm', '10x', '10m junk'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('loadConfig', () => {
  it('defaults cards to docs/cards under the root', () => {
    const root = tempRoot({});
    const config = loadConfig({ root });
    expect(config.cardsDir).toBe(path.join(root, 'docs/cards'));
    expect(config.docsDir).toBe(path.join(root, 'docs'));
    expect(config.baseBranch).toBe('main');
    expect(config.configFile).toBeUndefined();
  });

  it('reads mikado.config.yaml and lets flags override it', () => {
    const root = tempRoot({
      'mikado.config.yaml': 'cards: docs\nexclude: ["changelog.d/**"]\nbaseBranch: trunk\n',
    });
    expect(loadConfig({ root }).cardsDir).toBe(path.join(root, 'docs'));
    expect(loadConfig({ root }).exclude).toEqual(['changelog.d/**']);
    expect(loadConfig({ root, cards: 'plans', cwd: root }).cardsDir).toBe(path.join(root, 'plans'));
  });

  it('reads the `mikado` key of package.json', () => {
    const root = tempRoot({ 'package.json': JSON.stringify({ mikado: { baseBranch: 'dev' } }) });
    expect(loadConfig({ root }).baseBranch).toBe('dev');
  });

  it('reads profiles with secret variables', () => {
    const root = tempRoot({
      'mikado.config.yaml':
        'profiles:\n  sandbox:\n    path: [sandbox/bin]\n    vars:\n      ctx: k3s\n      pw: {env: PGPASSWORD, secret: true}\n',
    });
    const p = loadConfig({ root }).profiles['sandbox'];
    expect(p?.path).toEqual(['sandbox/bin']);
    expect(p?.vars['ctx']).toEqual({ value: 'k3s' });
    expect(p?.vars['pw']).toEqual({ value: undefined, env: 'PGPASSWORD', secret: true });
  });

  it('names the line and column of a YAML error', () => {
    const root = tempRoot({ 'mikado.config.yaml': 'cards: docs\nexclude: [a\n' });
    expect(() => loadConfig({ root })).toThrow(ConfigError);
    expect(() => loadConfig({ root })).toThrow(/^mikado\.config\.yaml:\d+:\d+: /);
  });

  it('rejects a config that is not a mapping', () => {
    const root = tempRoot({ 'mikado.config.yaml': '- a\n- b\n' });
    expect(() => loadConfig({ root })).toThrow(/expected a mapping/);
  });
});
