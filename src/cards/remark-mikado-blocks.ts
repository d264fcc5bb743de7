import type { Code, Root } from 'mdast';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import { isRunBlock, parseBlockMeta } from './parse-block-meta.ts';
import { report } from './report.ts';
import type { Block } from './types.ts';

declare module 'vfile' {
  interface DataMap {
    /** The document's ```` ```ts run ```` blocks, in order (set by remarkMikadoBlocks). */
    runBlocks: Block[];
  }
}

const OPEN_FENCE = /^[ \t>]*(`{3,}|~{3,})/;
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

/**
 * A remark plugin that collects fenced ```` ```ts run ```` blocks into `file.data.runBlocks`
 * (name, line, code, attributes) and reports bad attributes, repeated names, unclosed fences and
 * near misses such as ```` ```typescript run ```` (which would never run).
 * @returns the transformer
 */
export function remarkMikadoBlocks(): (tree: Root, file: VFile) => undefined {
  return (tree, file) => {
    const blocks: Block[] = [];
    const text = String(file.value);
    const stem = file.stem ?? 'card';
    const names = new Map<string, number>();
    visit(tree, 'code', (node: Code) => {
      const start = node.position?.start;
      const end = node.position?.end;
      if (!start || !end || start.offset === undefined || end.offset === undefined) return;
      const source = text.slice(start.offset, end.offset);
      const open = OPEN_FENCE.exec(source);
      if (!open) return; // indented code
      const run = isRunBlock(node.lang, node.meta);
      if (!isClosed(source, open[1]!)) {
        report(file, {
          message: `Unexpected end of ${end.offset >= text.length ? 'file' : 'container'} inside a code block, expected a closing \`${open[1]}\``,
          place: { line: start.line, column: start.column },
          rule: 'unclosed-fence',
          fix: `Close the block opened on line ${start.line} with a \`${open[1]}\` line.`,
        });
      }
      if (!run) {
        if (node.lang && NEAR_MISS.has(node.lang) && /^run(?:\s|$)/.test(node.meta ?? '')) {
          report(file, {
            message: `Unexpected \`${node.lang} run\` block, expected \`ts run\` (only \`ts run\` blocks run)`,
            place: { line: start.line, column: start.column },
            rule: 'block-language',
            severity: 'warning',
            fix: 'Write ```ts run to make the block executable, or drop `run` to mark it as illustration.',
          });
        }
        return;
      }
      const meta = parseBlockMeta(node.meta ?? '');
      const firstLine = source.slice(
        0,
        source.indexOf('\n') < 0 ? source.length : source.indexOf('\n'),
      );
      const metaColumn = start.column + firstLine.lastIndexOf(node.meta ?? '');
      for (const p of meta.problems) {
        report(file, {
          message: p.message,
          place: { line: start.line, column: metaColumn + p.offset },
          rule: 'block-attributes',
          fix: p.fix,
        });
      }
      const index = blocks.length;
      const name = meta.name ?? `${stem}#${index + 1}`;
      const seen = names.get(name);
      if (seen !== undefined) {
        report(file, {
          message: `Unexpected second block named \`${name}\`, expected unique block names (first on line ${seen})`,
          place: { line: start.line, column: metaColumn },
          rule: 'block-attributes',
          fix: 'Give each block its own `name=`.',
        });
      } else {
        names.set(name, start.line);
      }
      blocks.push({
        name,
        index,
        line: start.line,
        codeLine: start.line + 1,
        code: node.value,
        verify: meta.verify,
        confirm: meta.confirm,
        ...(meta.timeoutMs !== undefined ? { timeoutMs: meta.timeoutMs } : {}),
        attrs: meta.attrs,
      });
    });
    file.data.runBlocks = blocks;
    return undefined;
  };
}

function isClosed(source: string, fence: string): boolean {
  const lines = source.split('\n');
  if (lines.length < 2) return false;
  let last = lines[lines.length - 1]!;
  if (last.endsWith('\r')) last = last.slice(0, -1);
  const m = /^[ \t>]*(`{3,}|~{3,})[ \t]*$/.exec(last);
  return m !== null && m[1]![0] === fence[0] && m[1]!.length >= fence.length;
}
