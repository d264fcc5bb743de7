import type { Code, Root } from 'mdast';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import { collectBlocks } from './block-findings.ts';
import { report } from './report.ts';
import type { Block } from './types.ts';

declare module 'vfile' {
  interface DataMap {
    /** The document's ```` ```ts run ```` blocks, in order (set by remarkMikadoBlocks). */
    runBlocks: Block[];
  }
}

const OPEN_FENCE = /^[ \t>]*(`{3,}|~{3,})/;

/**
 * A remark plugin that collects fenced ```` ```ts run ```` blocks into `file.data.runBlocks`
 * (name, line, code, attributes) and reports bad attributes, repeated names, unclosed fences and
 * near misses such as ```` ```typescript run ```` (which would never run).
 * @returns the transformer
 */
export function remarkMikadoBlocks(): (tree: Root, file: VFile) => undefined {
  return (tree, file) => {
    const text = String(file.value);
    const collected = collectBlocks(file.stem ?? 'card');
    visit(tree, 'code', (node: Code) => {
      const start = node.position?.start;
      const end = node.position?.end;
      if (!start || !end || start.offset === undefined || end.offset === undefined) return;
      const source = text.slice(start.offset, end.offset);
      const open = OPEN_FENCE.exec(source);
      if (!open) return; // indented code
      const nl = source.indexOf('\n');
      const firstLine = nl < 0 ? source : source.slice(0, nl);
      collected.add({
        lang: node.lang ?? null,
        meta: node.meta ?? null,
        line: start.line,
        column: start.column,
        metaColumn: start.column + firstLine.lastIndexOf(node.meta ?? ''),
        fence: open[1]!,
        closed: isClosed(source, open[1]!, node.value),
        atEnd: end.offset >= text.replace(/\s+$/, '').length,
        value: node.value,
      });
    });
    for (const f of collected.findings) report(file, f);
    file.data.runBlocks = collected.blocks;
    return undefined;
  };
}

/** Closed when the node's last source line is a fence that is not part of the code. */
function isClosed(source: string, fence: string, value: string): boolean {
  const lines = source.split('\n');
  const valueLines = value === '' ? 0 : value.split('\n').length;
  if (lines.length < 2 || lines.length - 1 - valueLines < 1) return false;
  let last = lines[lines.length - 1]!;
  if (last.endsWith('\r')) last = last.slice(0, -1);
  const m = /^[ \t>]*(`{3,}|~{3,})[ \t]*$/.exec(last);
  return m !== null && m[1]![0] === fence[0] && m[1]!.length >= fence.length;
}
