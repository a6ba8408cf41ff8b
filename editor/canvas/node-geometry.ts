/**
 * Node-RED's node geometry, so flows look as they do there and positions mean the same: nodes are at least 100 px
 * wide and 30 px high, growing 13 px per output port beyond two; ports are 10 px squares on the edges.
 */

/** Height of a node with `ports` ports on its busiest side. */
export function nodeHeight(ports: number): number {
  return Math.max(30, ports * 13 + 4);
}

/** Where port `index` of `count` sits, as a CSS `top` within the node. */
export function portTop(index: number, count: number): string {
  return `${((index + 1) * 100) / (count + 1)}%`;
}
