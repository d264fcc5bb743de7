import { createHash } from 'node:crypto';
import type { Block, Card } from '../cards/types.ts';
import { CardError } from '../errors.ts';

/** A block turned into JavaScript. */
export interface TranspiledBlock {
  /** ES module source with an inline source map pointing at the card. */
  code: string;
}

/** A syntax error found while transpiling, placed in the card. */
export interface BlockSyntaxError {
  /** `docs/cards/x.md:LINE:COL: message`. */
  message: string;
  path: string;
  line: number;
  column: number;
}

/**
 * Transpiles a block's TypeScript to an ES module with esbuild. The code is padded with blank
 * lines so that it sits at its own line in the card; the inline source map names the card's
 * absolute path, so stack traces (with `--enable-source-maps`) point at `docs/cards/x.md:LINE`.
 * @param card the card (for its paths)
 * @param block the block
 * @returns the module source
 * @throws CardError naming `path:line:col` on a syntax error
 */
export async function transpileBlock(card: Card, block: Block): Promise<TranspiledBlock> {
  const { transform } = await import('esbuild');
  const padded = '\n'.repeat(Math.max(0, block.codeLine - 1)) + block.code;
  try {
    const result = await transform(padded, {
      loader: 'ts',
      format: 'esm',
      target: 'node20',
      sourcemap: 'inline',
      sourcefile: card.absPath,
      logLevel: 'silent',
    });
    return { code: result.code };
  } catch (error) {
    const e = blockSyntaxError(card, block, error);
    throw new CardError(`${e.message} (block \`${block.name}\`)`, {
      fix: 'Fix the TypeScript syntax of the block (`mikado check` lists every such error).',
    });
  }
}

/**
 * Places an esbuild transform failure in the card.
 * @param card the card
 * @param block the block
 * @param error what esbuild threw
 * @returns the located error
 */
export function blockSyntaxError(card: Card, block: Block, error: unknown): BlockSyntaxError {
  const first = (
    error as { errors?: { text: string; location?: { line: number; column: number } }[] }
  ).errors?.[0];
  const line = first?.location?.line ?? block.codeLine;
  const column = (first?.location?.column ?? 0) + 1;
  const text = first?.text ?? String(error);
  return { message: `${card.path}:${line}:${column}: ${text}`, path: card.path, line, column };
}

/**
 * The content hash of a block: its code, its attributes and the profile it runs under. A block
 * whose hash changed since it succeeded runs again.
 * @param block the block
 * @param profile profile name
 * @returns 16 hex digits of SHA-256
 */
export function blockHash(block: Block, profile: string): string {
  const attrs = Object.entries(block.attrs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify({ profile, code: block.code, attrs }))
    .digest('hex')
    .slice(0, 16);
}
