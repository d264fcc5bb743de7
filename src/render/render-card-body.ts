import type { Element, ElementContent } from 'hast';
import type { Handler } from 'mdast-util-to-hast';
import rehypeSanitize, { defaultSchema, type Options as SanitizeSchema } from 'rehype-sanitize';
import rehypeStringify from 'rehype-stringify';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import { remarkWikiLink } from '../cards/remark-wiki-link.ts';
import type { WikiLinkNode } from '../cards/wiki-link-syntax.ts';

/** Sanitising keeps GitHub's safe subset, plus the wikilinks' class. */
const SCHEMA: SanitizeSchema = {
  ...defaultSchema,
  attributes: {
    ...defaultSchema.attributes,
    a: [...(defaultSchema.attributes?.['a'] ?? []), ['className', 'wikilink']],
    span: [...(defaultSchema.attributes?.['span'] ?? []), ['className', 'wikilink']],
  },
};

/**
 * Renders a card's Markdown body as HTML: GitHub-flavoured Markdown through remark and rehype,
 * sanitised (no scripts, no event handlers, no raw HTML that could run), wikilinks as links to
 * the cards shown on the page.
 * @param markdown the card body (frontmatter, if present, is dropped)
 * @param href the page anchor of a card stem shown on the page, or undefined when it is not
 * @returns an HTML fragment
 */
export function renderCardBody(
  markdown: string,
  href: (stem: string) => string | undefined,
): string {
  const wikiLink: Handler = (_state, node: WikiLinkNode): Element => {
    const stem = node.target.split('/').pop() ?? node.target;
    const text = node.alias ?? (node.value || node.target);
    const children: ElementContent[] = [{ type: 'text', value: text }];
    const to = node.target ? href(stem) : undefined;
    return to
      ? {
          type: 'element',
          tagName: 'a',
          properties: { href: to, className: ['wikilink'] },
          children,
        }
      : { type: 'element', tagName: 'span', properties: { className: ['wikilink'] }, children };
  };
  const file = unified()
    .use(remarkParse)
    .use(remarkFrontmatter)
    .use(remarkGfm)
    .use(remarkWikiLink)
    .use(remarkRehype, { handlers: { wikiLink } })
    .use(rehypeSanitize, SCHEMA)
    .use(rehypeStringify)
    .processSync(markdown);
  return String(file);
}
