// The shipped Immich chain as documentation: `mikado check` passes on it, `mikado view` shows the
// seven cards (and not the rollback runbook), the HTML picture renders in Chromium, and the homelab
// plan is reviewable with `mikado run --dry-run`. Runs on a copy of the project's own cards.
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT } from './chain-helpers.ts';
import { cleanup, mikado, tempDir } from './check-helpers.ts';

const CHAIN = [
  'migrate-immich-to-ringtail',
  'cnpg-on-ringtail',
  'immich-pg-on-ringtail',
  'immich-pg-data-migration',
  'sifaka-nfs-from-ringtail',
  'immich-app-on-ringtail',
  'immich-cutover-and-decommission',
];
const CHROMIUM = '/usr/bin/chromium';
let root: string;
let browser: Browser | undefined;

beforeAll(() => {
  root = tempDir();
  cpSync(path.join(PROJECT, 'docs/cards/immich'), path.join(root, 'docs/cards/immich'), {
    recursive: true,
  });
  cpSync(path.join(PROJECT, 'mikado.config.yaml'), path.join(root, 'mikado.config.yaml'));
});

afterAll(async () => {
  await browser?.close();
  cleanup();
});

describe('the shipped Immich chain', () => {
  it('passes mikado check, blocks and manifests included', () => {
    const [code, out, err] = mikado(['check'], { cwd: root });
    expect([code, err]).toEqual([0, '']);
    expect(out).toMatch(/no problems in 8 cards/);
  });

  it('is shown by mikado view, every card of the seed and not the rollback runbook', () => {
    const [code, out, err] = mikado(['view', 'migrate-immich-to-ringtail'], { cwd: root });
    expect([code, err]).toEqual([0, '']);
    for (const stem of CHAIN) expect(out).toContain(stem);
    expect(out).toContain('6 of 6 prerequisites open');
    const [, json] = mikado(['view', 'migrate-immich-to-ringtail', '--format', 'json'], {
      cwd: root,
    });
    const data = JSON.parse(json);
    expect([...data.chains['migrate-immich-to-ringtail'].order].sort()).toEqual([...CHAIN].sort());
    expect(data.cards['immich-cutover-rollback']).toBeUndefined();
    // Complete (no `status: active`), so not a goal of its own either.
    const [, table] = mikado(['view'], { cwd: root });
    expect(table.split('\n').filter((l) => l.includes('immich'))).toEqual([
      expect.stringMatching(/^migrate-immich-to-ringtail /),
    ]);
    const blocks = data.cards['immich-cutover-and-decommission'].blocks;
    const destructive = blocks.filter((b: { confirm: boolean }) => b.confirm);
    expect(destructive.map((b: { name: string }) => b.name)).toEqual([
      'quiesce',
      'final-sync',
      'free-tailnet-name',
      'switch-to-ringtail',
      'route-to-ringtail',
      'settle-ringtail-cluster',
      'backup-from-ringtail',
      'decommission-minikube',
      'rename-app',
    ]);
  });

  it('renders as an HTML picture in Chromium with one node per card and no errors', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
    const [code, html, err] = mikado(['view', 'migrate-immich-to-ringtail', '--format', 'html'], {
      cwd: root,
    });
    expect([code, err]).toEqual([0, '']);
    const file = path.join(root, 'chain.html');
    writeFileSync(file, html);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(`file://${file}`);
    expect(problems).toEqual([]);
    expect(await page.locator('svg a.node').count()).toBe(7);
    const stems = await page.locator('svg a.node').evaluateAll(
      // (an expression over attributes only, so the test needs no DOM typings)
      (nodes) => nodes.map((n) => n.getAttribute('data-stem')),
    );
    expect([...stems].sort()).toEqual([...CHAIN].sort());
    // the card's Markdown rendered: its `ts run` blocks as code, its headings as headings
    const body = page.locator('section#card-immich-cutover-and-decommission .body');
    expect(await body.locator('pre code.language-ts').count()).toBeGreaterThan(5);
    expect(await body.locator('h1, h2').count()).toBeGreaterThan(1);
    await page.close();
  });

  it('plans the homelab run for review without executing anything', () => {
    // A git repository, so the plan can say whether each card is clean.
    const [code, out] = mikado(
      ['run', 'migrate-immich-to-ringtail', '--dry-run', '--profile', 'homelab', '--allow-dirty'],
      { cwd: root },
    );
    expect(code).toBe(0);
    expect(out).toContain('Plan for migrate-immich-to-ringtail (profile homelab)');
    expect(out).toMatch(/quiesce .*confirm/);
    expect(out).toMatch(/31 would run \(10 need confirmation\)/);
    // The read-only preflight comes first.
    expect(out.indexOf('preflight')).toBeLessThan(out.indexOf('install-operator'));
    expect(existsSync(path.join(root, '.mikado/journal'))).toBe(false);
  });
});
