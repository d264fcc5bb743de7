import remarkFrontmatter from 'remark-frontmatter';
import type { Preset } from 'unified';
import { remarkMikadoBlocks } from './remark-mikado-blocks.ts';
import { remarkMikadoFrontmatter } from './remark-mikado-frontmatter.ts';
import { remarkMikadoLinks } from './remark-mikado-links.ts';
import { remarkWikiLink } from './remark-wiki-link.ts';

/**
 * Everything Mikado reads from a card, as one unified preset for a remark-parse pipeline (a
 * Quartz or Astro site can reuse it): YAML frontmatter (`file.data.mikado`), wikilinks
 * (`wikiLink` nodes, `file.data.wikiLinks`), headings (`file.data.headings`) and ```ts run
 * blocks (`file.data.runBlocks`), with findings as vfile messages.
 */
export const remarkMikado: Preset = {
  plugins: [
    [remarkFrontmatter, ['yaml']],
    remarkWikiLink,
    remarkMikadoFrontmatter,
    remarkMikadoLinks,
    remarkMikadoBlocks,
  ],
};
