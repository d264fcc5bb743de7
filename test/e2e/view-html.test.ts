import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/readme.ts';
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

/** Opens the HTML view of a fixture's cards (or, with no fixture, of this repository's). */
async function open(fixture: string | undefined, args: string[]) {
  const root = fixture ? copyFixture(fixture) : REPO_ROOT;
  const [code, html, err] = mikado(['view', ...args, '--format', 'html'], { cwd: root });
  expect(code).toBe(0);
  // at most the one-line note pointing at `mikado check`
  expect(err).toMatch(
    /^(|mikado: at least \d+ problems? in the cards .*; run `mikado check` to list them all\n)$/,
  );
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'mikado-html-')), 'chain.html');
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
  return { page, problems, requests, html, err };
}

/**
 * Run in the page: node boxes that overlap, edge paths that pass through a box they do not
 * connect (sampled every 2 units, boxes shrunk by 1), node texts wider than their box, and
 * whether the picture takes at least 60 % of the page's width.
 */
const GEOMETRY = `(() => {
  const boxes = [...document.querySelectorAll('svg a.node')].map((a) => {
    const b = a.querySelector('rect').getBBox();
    return { stem: a.dataset.stem, x: b.x, y: b.y, w: b.width, h: b.height, a };
  });
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const p = boxes[i], q = boxes[j];
      if (p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h)
        overlaps.push(p.stem + ' / ' + q.stem);
    }
  const crossings = [];
  const edges = [...document.querySelectorAll('svg path.edge')];
  for (const e of edges) {
    const len = e.getTotalLength();
    for (const b of boxes) {
      if (b.stem === e.dataset.tail || b.stem === e.dataset.head) continue;
      for (let t = 0; t <= len; t += 2) {
        const p = e.getPointAtLength(t);
        if (p.x > b.x + 1 && p.x < b.x + b.w - 1 && p.y > b.y + 1 && p.y < b.y + b.h - 1) {
          crossings.push(e.dataset.tail + ' -> ' + e.dataset.head + ' crosses ' + b.stem);
          break;
        }
      }
    }
  }
  const overflowing = [];
  for (const b of boxes)
    for (const t of b.a.querySelectorAll('text')) {
      const r = t.getBBox();
      if (r.x < b.x || r.x + r.width > b.x + b.w + 0.5 || r.y < b.y || r.y + r.height > b.y + b.h + 0.5)
        overflowing.push(b.stem + ': ' + t.textContent);
    }
  const svg = document.querySelector('.figure svg').getBoundingClientRect();
  return { nodes: boxes.length, edges: edges.length, overlaps, crossings, overflowing,
    widthUsed: svg.width >= 0.6 * document.documentElement.clientWidth };
})()`;

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
      expect(await page.locator(`section${href} > h2`).textContent()).toContain(stem);
    }
    await page.close();
  });

  it('follows a node to the card text', async () => {
    const { page } = await open('chain-immich', ['migrate-immich-to-ringtail']);
    await page.locator('svg a.node[data-stem="cnpg-on-ringtail"]').click();
    expect(new URL(page.url()).hash).toBe('#card-cnpg-on-ringtail');
    // The body is rendered Markdown: headings, code blocks with their language, links.
    const code = page.locator('section:target pre code.language-ts').first();
    expect(await code.textContent()).toContain('kubectl');
    expect(
      await page.locator('section:target .body h1, section:target .body h2').count(),
    ).toBeGreaterThan(0);
    await page.close();
  });

  it('shows cycles first and marks missing and complete cards', async () => {
    const cyc = await open('cycle-below-goal', ['goal']);
    expect(cyc.problems).toEqual([]);
    expect(cyc.err).toContain('(first: a cycle p → q → p)');
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

  it('lays the shipped chain out with no overlapping boxes, no edge through a box, full labels', async () => {
    const { page } = await open(undefined, ['migrate-immich-to-ringtail']);
    await page.setViewportSize({ width: 1400, height: 1000 });
    const shot = await page.locator('.figure svg').screenshot();
    expect(shot.subarray(1, 4).toString()).toBe('PNG');
    if (process.env['MIKADO_UPDATE_PICTURE']) {
      writeFileSync(path.join(REPO_ROOT, 'docs/immich-chain.png'), shot);
    }
    expect(await page.evaluate(GEOMETRY)).toEqual({
      nodes: 7,
      edges: 12,
      overlaps: [],
      crossings: [],
      overflowing: [],
      widthUsed: true,
    });
    // Labels are whole: every title is there, wrapped, never cut.
    const lines = await page
      .locator('svg a.node[data-stem="immich-cutover-and-decommission"] text')
      .allTextContents();
    expect(lines).toEqual([
      '● immich-cutover-and-decommission',
      'Immich cutover and',
      'decommission',
    ]);
    await page.close();
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
