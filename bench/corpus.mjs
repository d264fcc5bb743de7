// Synthetic card trees for the benchmarks: chains of realistic cards (frontmatter, prose,
// headings, lists, a table, wikilinks with headings, ts run blocks, an illustration block),
// goals sharing prerequisites, and a docs tree that mixes a few cards among ordinary docs.
// (The `${...}` inside plain strings is TypeScript written into the cards, on purpose.)
/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: card text, not templates */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  'cluster operator database backup restore replica promote verify ringtail minikube volume snapshot namespace ingress certificate secret service pod deployment migration rollback library mount export tailnet latency embedding index vector storage network policy schedule window downtime cutover smoke test checksum rows schema owner role'.split(
    ' ',
  );

function sentence(r, n = 8 + Math.floor(r() * 10)) {
  const w = Array.from({ length: n }, () => WORDS[Math.floor(r() * WORDS.length)]);
  w[0] = w[0][0].toUpperCase() + w[0].slice(1);
  return `${w.join(' ')}.`;
}

function paragraph(r, n = 3 + Math.floor(r() * 3)) {
  return Array.from({ length: n }, () => sentence(r)).join(' ');
}

function cardText(r, stem, title, requires, active, links) {
  const fm = [
    '---',
    `title: ${title}`,
    'modified: 2026-05-13',
    'last-reviewed: 2026-05-13',
    'tags:',
    '  - mikado',
    '  - bench',
    ...(active ? ['status: active'] : []),
    ...(requires.length ? ['requires:', ...requires.map((q) => `  - ${q}`)] : []),
    '---',
  ];
  const link = () => {
    const t = links[Math.floor(r() * links.length)];
    return r() < 0.3 ? `[[${t}#What to do]]` : `[[${t}]]`;
  };
  const body = [
    '',
    `# ${title}`,
    '',
    `${paragraph(r)} See ${links.length ? link() : 'the goal'} for context.`,
    '',
    '## What to do',
    '',
    ...Array.from(
      { length: 4 },
      (_, i) => `${i + 1}. ${sentence(r)}${links.length && r() < 0.4 ? ` (${link()})` : ''}`,
    ),
    '',
    '```ts run name=apply timeout=10m',
    `const ns = 'ns-${stem}';`,
    'await $`kubectl --context k3s-ringtail get ns ${ns}`;',
    'await $`kubectl --context k3s-ringtail apply -f manifests/${ns}.yaml`;',
    '```',
    '',
    paragraph(r),
    '',
    '| Check | Expected |',
    '|---|---|',
    '| rows | equal on both sides |',
    '| schema | no diff |',
    '',
    '## Verification',
    '',
    `${paragraph(r, 2)} Only *read* here, **never** write.`,
    '',
    '```ts run verify',
    "const out = await $`kubectl --context k3s-ringtail get pods -n ${'ns'}`;",
    "if (!out.stdout.includes('Running')) throw new Error('not running');",
    '```',
    '',
    '## Rollback',
    '',
    paragraph(r),
    '',
    '```sh',
    `kubectl delete -f manifests/${stem}.yaml`,
    '```',
    '',
  ];
  return `${fm.join('\n')}\n${body.join('\n')}`;
}

/**
 * Writes a tree of `n` cards under `<dir>/docs/cards`, in chains of 5 to 25 cards; about one
 * card in five is complete; prerequisites are shared inside a chain.
 * @param {string} dir repository root to create
 * @param {number} n number of cards
 */
export function writeCardTree(dir, n, seed = 1) {
  if (existsSync(path.join(dir, '.done'))) return;
  rmSync(dir, { recursive: true, force: true });
  const r = rng(seed);
  let made = 0;
  let chain = 0;
  while (made < n) {
    const size = Math.min(n - made, 5 + Math.floor(r() * 21));
    const stems = Array.from({ length: size }, (_, i) => `c${chain}-card-${i}`);
    const folder = path.join(dir, 'docs/cards', `chain-${chain}`);
    mkdirSync(folder, { recursive: true });
    // Card i requires up to 3 cards with a higher index (a DAG with shared prerequisites), and
    // every card but the goal is required by some card before it.
    const requires = stems.map(() => []);
    stems.forEach((_, i) => {
      const later = stems.slice(i + 1);
      for (let k = 0; k < Math.min(3, later.length); k++) {
        const pick = later[Math.floor(r() * Math.min(later.length, 6))];
        if (!requires[i].includes(pick)) requires[i].push(pick);
      }
    });
    for (let i = 1; i < size; i++) {
      if (!requires.some((q) => q.includes(stems[i]))) requires[i - 1].push(stems[i]);
    }
    // About one card in five is complete, only ever after all its prerequisites.
    const active = stems.map(() => true);
    for (let i = size - 1; i > 0; i--) {
      const ready = requires[i].every((q) => !active[stems.indexOf(q)]);
      if (ready && r() < 0.35) active[i] = false;
    }
    stems.forEach((stem, i) => {
      const links = [...requires[i], ...stems.slice(Math.max(0, i - 2), i)];
      const title = `Step ${i} of chain ${chain} - ${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]}`;
      writeFileSync(
        path.join(folder, `${stem}.md`),
        cardText(r, stem, title, requires[i], active[i], links),
      );
    });
    made += size;
    chain++;
  }
  writeFileSync(path.join(dir, '.done'), '');
}

/**
 * Writes a docs tree of `docs` Markdown files where only `cards` are Mikado cards, plus a
 * `changelog.d` folder the config excludes (`cards: docs`).
 * @param {string} dir repository root to create
 * @param {number} docs total Markdown files
 * @param {number} cards how many of them are cards (one chain)
 */
export function writeDocsTree(dir, docs = 125, cards = 8, seed = 2) {
  if (existsSync(path.join(dir, '.done'))) return;
  rmSync(dir, { recursive: true, force: true });
  const r = rng(seed);
  mkdirSync(path.join(dir, 'docs/changelog.d'), { recursive: true });
  writeFileSync(path.join(dir, 'mikado.config.yaml'), 'cards: docs\nexclude: ["changelog.d/**"]\n');
  const sections = ['how-to', 'reference', 'explanation', 'tutorials', 'plans'];
  const stems = Array.from({ length: cards }, (_, i) => `plan-step-${i}`);
  for (let i = 0; i < docs - cards; i++) {
    const sec = sections[i % sections.length];
    mkdirSync(path.join(dir, 'docs', sec), { recursive: true });
    const text = `---\ntitle: ${sentence(r, 4).slice(0, -1)}\nmodified: 2025-0${1 + (i % 9)}-1${i % 9}\ntags: [${sec}]\n---\n\n# Doc ${i}\n\n${paragraph(r)}\n\n## Details\n\n${paragraph(r)}\n`;
    writeFileSync(path.join(dir, 'docs', sec, `doc-${i}.md`), text);
  }
  for (let i = 0; i < 20; i++)
    writeFileSync(path.join(dir, 'docs/changelog.d', `${i}.md`), `- ${sentence(r)}\n`);
  stems.forEach((stem, i) => {
    const requires = stems.slice(i + 1, i + 3);
    writeFileSync(
      path.join(dir, 'docs/plans', `${stem}.md`),
      cardText(r, stem, `Plan step ${i}`, requires, true, requires),
    );
  });
  writeFileSync(path.join(dir, '.done'), '');
}
