import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, copyFixture, mikado } from './check-helpers.ts';

// Renders `mikado view --format html` in headless Chromium (Debian `chromium`; .ci/run installs
// it) and looks at the page the way a reader would.
const CHROMIUM = '/usr/bin/chromium';

let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
  cleanup();
});

async function open(fixture: string, args: string[]) {
  const root = copyFixture(fixture);
  const [code, html, err] = mikado(['view', ...args, '--format', 'html'], { cwd: root });
  expect([code, err]).toEqual([0, '']);
  const file = path.join(root, 'chain.html');
  writeFileSync(file, html);
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${file}`);
  return { page, problems, requests, html };
}

describe('mikado view --format html in Chromium', () => {
  it('renders the chain with no console errors, one node per card, states told apart', async () => {
    const { page, problems, requests } = await open('chain-immich', ['migrate-immich-to-ringtail']);
    expect(problems).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    const nodes = page.locator('svg a.node');
    expect(await nodes.count()).toBe(7);
    expect(await page.locator('svg a.node.ready').count()).toBe(2);
    expect(await page.locator('svg a.node.active').count()).toBe(5);
    expect(await page.locator('svg path.edge').count()).toBe(12);
    // Ready and active nodes are painted differently.
    // (an expression string, so the test needs no DOM typings)
    const fill = (sel: string) =>
      page.evaluate(`getComputedStyle(document.querySelector('${sel} rect')).fill`);
    expect(await fill('svg a.node.ready')).toMatch(/^rgb/);
    expect(await fill('svg a.node.ready')).not.toBe(await fill('svg a.node.active'));
    // Every node is visible and links to its card's text on the page.
    for (let i = 0; i < 7; i++) {
      const node = nodes.nth(i);
      expect(await node.isVisible()).toBe(true);
      const href = await node.getAttribute('href');
      const stem = await node.getAttribute('data-stem');
      expect(await page.locator(`section${href}`).count()).toBe(1);
      expect(await page.locator(`section${href} h2`).textContent()).toContain(stem);
    }
    await page.close();
  });

  it('follows a node to the card text', async () => {
    const { page } = await open('chain-immich', ['migrate-immich-to-ringtail']);
    await page.locator('svg a.node[data-stem="cnpg-on-ringtail"]').click();
    expect(new URL(page.url()).hash).toBe('#card-cnpg-on-ringtail');
    const text = await page.locator('section:target pre').textContent();
    expect(text).toContain('```ts run name=install-operator timeout=10m confirm');
    await page.close();
  });

  it('shows cycles first and marks missing and complete cards', async () => {
    const cyc = await open('cycle-below-goal', ['goal']);
    expect(cyc.problems).toEqual([]);
    expect(await cyc.page.locator('header .cycles').textContent()).toContain('cycle: p → q → p');
    expect(await cyc.page.locator('svg path.edge.cycle').count()).toBe(2);
    await cyc.page.close();
    const miss = await open('requires-unknown-stem', ['goal']);
    expect(await miss.page.locator('svg a.node.missing').count()).toBe(2);
    await miss.page.close();
    const shared = await open('chain-shared-prerequisite', ['goal']);
    expect(await shared.page.locator('svg a.node').count()).toBe(5);
    expect(await shared.page.locator('svg a.node.complete').count()).toBe(1);
    await shared.page.close();
  });

  it('escapes card text', async () => {
    const root = copyFixture('chain-shared-prerequisite');
    const f = path.join(root, 'docs/cards/left.md');
    writeFileSync(
      f,
      '---\ntitle: <script>alert(1)</script>\nmodified: 2026-01-01\nstatus: active\n---\n<img src=x onerror=alert(2)>\n',
    );
    const [code, html] = mikado(['view', 'left', '--format', 'html'], { cwd: root });
    expect(code).toBe(0);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
  });
});
