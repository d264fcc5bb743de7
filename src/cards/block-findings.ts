import { isRunBlock, parseBlockMeta } from './parse-block-meta.ts';
import type { Block, Place, Severity } from './types.ts';

const NEAR_MISS = new Set([
  'typescript',
  'js',
  'javascript',
  'mjs',
  'tsx',
  'sh',
  'bash',
  'shell',
  'zx',
]);

/** A finding about a fenced code block. */
export interface BlockFinding {
  message: string;
  place: Place;
  rule: string;
  severity: Severity;
  fix?: string;
}

/** A fenced code block as both parsers see it. */
export interface FencedCode {
  lang: string | null;
  meta: string | null;
  /** Fence position (1-based). */
  line: number;
  column: number;
  /** 1-based column where the meta starts on the fence line. */
  metaColumn: number;
  /** The fence characters (```` ``` ````, `~~~~`). */
  fence: string;
  closed: boolean;
  /** Whether an unclosed block runs to the end of the file (else a list or quote ended it). */
  atEnd: boolean;
  value: string;
}

/**
 * Turns fenced code blocks into ```` ```ts run ```` {@link Block}s and findings (unclosed fences,
 * near-miss languages, bad attributes, repeated names). Shared by the remark plugin and the
 * fast scanner so both report exactly the same.
 * @param stem the card stem (for default block names)
 * @returns `add` for each fenced block in document order, and the results
 */
export function collectBlocks(stem: string): {
  add: (code: FencedCode) => void;
  blocks: Block[];
  findings: BlockFinding[];
} {
  const blocks: Block[] = [];
  const findings: BlockFinding[] = [];
  const names = new Map<string, number>();
  const add = (c: FencedCode): void => {
    const at = { line: c.line, column: c.column };
    if (!c.closed) {
      findings.push({
        message: `Unexpected end of ${c.atEnd ? 'file' : 'list or quote'} inside a code block, expected a closing ${c.fence} line`,
        place: at,
        rule: 'unclosed-fence',
        severity: 'error',
        fix: `Close the block opened on line ${c.line} with a ${c.fence} line.`,
      });
    }
    if (!isRunBlock(c.lang, c.meta)) {
      if (c.lang && NEAR_MISS.has(c.lang) && /^run(?:\s|$)/.test(c.meta ?? '')) {
        findings.push({
          message: `Unexpected \`${c.lang} run\` block, expected \`ts run\` (only \`ts run\` blocks run)`,
          place: at,
          rule: 'block-language',
          severity: 'warning',
          fix: 'Write ```ts run to make the block executable, or drop `run` to mark it as illustration.',
        });
      }
      return;
    }
    const meta = parseBlockMeta(c.meta ?? '');
    for (const p of meta.problems) {
      findings.push({
        message: p.message,
        place: { line: c.line, column: c.metaColumn + p.offset },
        rule: 'block-attributes',
        severity: 'error',
        fix: p.fix,
      });
    }
    const index = blocks.length;
    const name = meta.name ?? `${stem}#${index + 1}`;
    const seen = names.get(name);
    if (seen !== undefined) {
      findings.push({
        message: `Unexpected second block named \`${name}\`, expected unique block names (first on line ${seen})`,
        place: { line: c.line, column: c.metaColumn },
        rule: 'block-attributes',
        severity: 'error',
        fix: 'Give each block its own `name=`.',
      });
    } else {
      names.set(name, c.line);
    }
    blocks.push({
      name,
      index,
      line: c.line,
      codeLine: c.line + 1,
      code: c.value,
      verify: meta.verify,
      confirm: meta.confirm,
      ...(meta.timeoutMs !== undefined ? { timeoutMs: meta.timeoutMs } : {}),
      attrs: meta.attrs,
    });
  };
  return { add, blocks, findings };
}
