/** A line of a node's label. */
export interface LabelLine {
  text: string;
  bold?: boolean;
}

/** A node to lay out: its text lines decide its size. */
export interface LayoutNode {
  id: string;
  lines: LabelLine[];
}

/** A node placed on the picture (top-left corner and size, in picture units). */
export interface PlacedNode {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** The text lines: left end of the baseline, and the width Graphviz measured for them. */
  lines: { text: string; bold: boolean; x: number; y: number; width: number }[];
}

/** An edge routed around the nodes: an SVG path from the tail to the arrow's tip. */
export interface PlacedEdge {
  tail: string;
  head: string;
  /** SVG path data (cubic Béziers, then a line to the arrow's tip). */
  d: string;
}

/** The laid out picture. */
export interface GraphLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

/** The font the picture uses; Graphviz measures the labels with the same family and size. */
export const LAYOUT_FONT = { family: 'Helvetica', size: 14 } as const;

const PAD = 8;

interface GvDrawOp {
  op: string;
  pt?: [number, number];
  align?: 'l' | 'c' | 'r';
  width?: number;
  text?: string;
  fontchar?: number;
}

interface GvJson {
  bb: string;
  objects?: { name: string; pos: string; width: string; height: string; _ldraw_?: GvDrawOp[] }[];
  edges?: { tail: number; head: number; pos: string }[];
}

/**
 * Lays a directed graph out top-down with Graphviz (`dot`, compiled to WebAssembly): ranks,
 * crossing reduction, node sizes from the labels, and edges drawn as splines that go around the
 * nodes they do not connect.
 * @param nodes the nodes with their text lines
 * @param edges `[tail, head]` pairs of node ids
 * @returns positions in a picture of `width` × `height` units (y grows downwards)
 */
export async function layoutGraph(
  nodes: LayoutNode[],
  edges: [string, string][],
): Promise<GraphLayout> {
  const { Graphviz } = await import('@hpcc-js/wasm-graphviz');
  const gv = await Graphviz.load();
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const dot = [
    'digraph g {',
    'graph [rankdir=TB, nodesep=0.35, ranksep=0.55, splines=true];',
    `node [shape=box, fontname="${LAYOUT_FONT.family}", fontsize=${LAYOUT_FONT.size}, margin="0.16,0.09"];`,
    // Node names are indices and labels escaped XML: no card text reaches Graphviz's syntax.
    ...nodes.map((n, i) => `n${i} [label=<${htmlLabel(n.lines)}>];`),
    ...edges
      .filter(([a, b]) => index.has(a) && index.has(b))
      .map(([a, b]) => `n${index.get(a)} -> n${index.get(b)};`),
    '}',
  ].join('\n');
  const out = JSON.parse(gv.layout(dot, 'json', 'dot')) as GvJson;
  const [, , bbW, bbH] = out.bb.split(',').map(Number) as [number, number, number, number];
  const flip = (y: number) => bbH - y + PAD;
  const placed: PlacedNode[] = (out.objects ?? []).map((o, i) => {
    const [cx, cy] = o.pos.split(',').map(Number) as [number, number];
    const width = Number(o.width) * 72;
    const height = Number(o.height) * 72;
    const lines: PlacedNode['lines'] = [];
    let bold = false;
    for (const op of o._ldraw_ ?? []) {
      if (op.op === 't') bold = ((op.fontchar ?? 0) & 1) === 1;
      if (op.op !== 'T' || !op.pt || op.text === undefined) continue;
      const w = op.width ?? 0;
      const left = op.align === 'c' ? op.pt[0] - w / 2 : op.align === 'r' ? op.pt[0] - w : op.pt[0];
      lines.push({ text: op.text, bold, x: left + PAD, y: flip(op.pt[1]), width: w });
    }
    return {
      id: nodes[i]!.id,
      x: cx - width / 2 + PAD,
      y: flip(cy) - height / 2,
      width,
      height,
      lines,
    };
  });
  const placedEdges: PlacedEdge[] = (out.edges ?? []).map((e) => ({
    tail: nodes[e.tail]!.id,
    head: nodes[e.head]!.id,
    d: splinePath(e.pos, (x) => x + PAD, flip),
  }));
  return { width: bbW + 2 * PAD, height: bbH + 2 * PAD, nodes: placed, edges: placedEdges };
}

/** Graphviz's `pos` of an edge (`e,x,y p0 p1 ... p3n`) as SVG path data. */
function splinePath(pos: string, fx: (x: number) => number, fy: (y: number) => number): string {
  let tip: [number, number] | undefined;
  const points: [number, number][] = [];
  for (const part of pos.split(' ')) {
    const fields = part.split(',');
    if (fields[0] === 'e') tip = [Number(fields[1]), Number(fields[2])];
    else if (fields[0] !== 's') points.push([Number(fields[0]), Number(fields[1])]);
  }
  const p = (q: [number, number]) => `${round(fx(q[0]))},${round(fy(q[1]))}`;
  let d = `M${p(points[0]!)}`;
  for (let i = 1; i + 2 < points.length; i += 3) {
    d += ` C${p(points[i]!)} ${p(points[i + 1]!)} ${p(points[i + 2]!)}`;
  }
  if (tip) d += ` L${p(tip)}`;
  return d;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** A Graphviz HTML-like label: lines joined by `<BR/>`, bold ones in `<B>`, text as XML. */
function htmlLabel(lines: LabelLine[]): string {
  const label = lines
    .map((l) => {
      const text = xmlText(l.text) || '&#160;';
      return l.bold ? `<B>${text}</B>` : text;
    })
    .join('<BR/>');
  return label || '&#160;';
}

/** Text as XML character data: markup escaped, characters XML does not allow dropped. */
function xmlText(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/[\t\n\r]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
