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
 * A renderer of card bodies for one page: GitHub-flavoured Markdown through remark and rehype,
 * sanitised (no scripts, no event handlers, no raw HTML that could run), wikilinks as links to
 * the cards shown on the page. The pipeline is built once and used for every card.
 * @param href the page anchor of a card stem shown on the page, or undefined when it is not
 * @returns a function from a card body (frontmatter, if present, is dropped) to an HTML fragment
 */
export function renderCardBody(
  href: (stem: string) => string | undefined,
): (markdown: string) => string {
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
  const processor = unified()
    .use(remarkParse)
    .use(remarkFrontmatter)
    .use(remarkGfm)
    .use(remarkWikiLink)
    .use(remarkRehype, { handlers: { wikiLink } })
    .use(rehypeSanitize, SCHEMA)
    .use(rehypeStringify)
    .freeze();
  return (markdown) => String(processor.processSync(markdown));
}
