import type { Literal } from 'mdast';
import type {
  CompileContext,
  Extension as FromMarkdownExtension,
  Token,
} from 'mdast-util-from-markdown';
import { markdownLineEnding } from 'micromark-util-character';
import type { Code, Construct, Extension, State, TokenizeContext } from 'micromark-util-types';

declare module 'micromark-util-types' {
  interface TokenTypeMap {
    wikiLink: 'wikiLink';
    wikiLinkEmbedMarker: 'wikiLinkEmbedMarker';
    wikiLinkMarker: 'wikiLinkMarker';
    wikiLinkData: 'wikiLinkData';
  }
}

/** An Obsidian-style wikilink in mdast: `[[target#heading|alias]]`, or `![[...]]` for embeds. */
export interface WikiLinkNode extends Literal {
  type: 'wikiLink';
  /** The text between the brackets, as written. */
  value: string;
  /** Target stem or path (empty for `[[#Heading]]`, a link into the same card). */
  target: string;
  heading?: string;
  alias?: string;
  embed: boolean;
}

declare module 'mdast' {
  interface PhrasingContentMap {
    wikiLink: WikiLinkNode;
  }
  interface RootContentMap {
    wikiLink: WikiLinkNode;
  }
}

const LEFT = 91; // [
const RIGHT = 93; // ]
const BANG = 33; // !

const wikiLinkConstruct: Construct = { name: 'wikiLink', tokenize: tokenizeWikiLink };

/**
 * A micromark syntax extension for wikilinks: `[[t]]`, `[[t#H]]`, `[[t|a]]`, `[[t#H|a]]` and
 * `![[t]]`. The link is one token, so emphasis markers inside it (`[[my_card_name]]`) do not
 * break it, and, being a text construct, it never matches inside code.
 * @returns the extension for micromark's `extensions` option
 */
export function wikiLinkSyntax(): Extension {
  return { text: { [LEFT]: wikiLinkConstruct, [BANG]: wikiLinkConstruct } };
}

function tokenizeWikiLink(
  this: TokenizeContext,
  effects: Parameters<Construct['tokenize']>[0],
  ok: State,
  nok: State,
): State {
  let size = 0;
  return start;

  function start(code: Code): State | undefined {
    effects.enter('wikiLink');
    if (code === BANG) {
      effects.enter('wikiLinkEmbedMarker');
      effects.consume(code);
      effects.exit('wikiLinkEmbedMarker');
      return openFirst;
    }
    return openFirst(code);
  }

  function openFirst(code: Code): State | undefined {
    if (code !== LEFT) return nok(code);
    effects.enter('wikiLinkMarker');
    effects.consume(code);
    return openSecond;
  }

  function openSecond(code: Code): State | undefined {
    if (code !== LEFT) return nok(code);
    effects.consume(code);
    effects.exit('wikiLinkMarker');
    effects.enter('wikiLinkData');
    return data;
  }

  function data(code: Code): State | undefined {
    // No line endings (null is the end).
    if (code === null || code === LEFT || markdownLineEnding(code)) return nok(code);
    if (code === RIGHT) {
      if (size === 0) return nok(code);
      effects.exit('wikiLinkData');
      effects.enter('wikiLinkMarker');
      effects.consume(code);
      return closeSecond;
    }
    size++;
    effects.consume(code);
    return data;
  }

  function closeSecond(code: Code): State | undefined {
    if (code !== RIGHT) return nok(code);
    effects.consume(code);
    effects.exit('wikiLinkMarker');
    effects.exit('wikiLink');
    return ok;
  }
}

/**
 * Splits the inside of a wikilink into target, heading and alias.
 * @param value the text between `[[` and `]]`
 * @returns its parts, trimmed
 */
export function splitWikiLink(value: string): { target: string; heading?: string; alias?: string } {
  const bar = value.indexOf('|');
  const ref = bar < 0 ? value : value.slice(0, bar);
  const alias = bar < 0 ? undefined : value.slice(bar + 1).trim();
  const hash = ref.indexOf('#');
  const target = (hash < 0 ? ref : ref.slice(0, hash)).trim();
  const heading = hash < 0 ? undefined : ref.slice(hash + 1).trim();
  return {
    target,
    ...(heading ? { heading } : {}),
    ...(alias ? { alias } : {}),
  };
}

/**
 * The mdast-util-from-markdown extension that turns wikilink tokens into {@link WikiLinkNode}s.
 * @returns the extension for fromMarkdown's `mdastExtensions` option
 */
export function wikiLinkFromMarkdown(): FromMarkdownExtension {
  return {
    enter: {
      wikiLink(this: CompileContext, token: Token) {
        const node: WikiLinkNode = { type: 'wikiLink', value: '', target: '', embed: false };
        this.enter(node, token);
      },
    },
    exit: {
      wikiLinkEmbedMarker(this: CompileContext) {
        (this.stack[this.stack.length - 1] as WikiLinkNode).embed = true;
      },
      wikiLinkData(this: CompileContext, token: Token) {
        const node = this.stack[this.stack.length - 1] as WikiLinkNode;
        node.value = this.sliceSerialize(token);
        Object.assign(node, splitWikiLink(node.value));
      },
      wikiLink(this: CompileContext, token: Token) {
        this.exit(token);
      },
    },
  };
}
