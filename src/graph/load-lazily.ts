import { createRequire } from 'node:module';
import type { DirectedGraph } from 'graphology';

const requireCjs = createRequire(import.meta.url);

/**
 * Makes an empty graphology `DirectedGraph`, loading graphology on first use only: the chain list
 * and the commit hook never touch the graphology object, and loading it costs start-up time.
 * @returns a new directed graph
 */
export function newDirectedGraph(): DirectedGraph {
  const graphology = requireCjs('graphology') as typeof import('graphology');
  return new graphology.DirectedGraph();
}
