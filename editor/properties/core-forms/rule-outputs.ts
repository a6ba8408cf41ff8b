/**
 * A switch node has one output per rule. When its rules are added, removed or reordered, the outputs follow and
 * each wire stays with its rule, as Node-RED's editor moves them (its `outputMap`). Browser-safe, no React.
 */

/**
 * The wires after a rule list change: `order[i]` is the old index of new rule `i` (`-1` for an added rule, which
 * starts unwired); wires of removed rules go.
 */
export function wiresFollowingRules(wires: unknown, order: readonly number[]): unknown[][] {
  const old = Array.isArray(wires) ? (wires as unknown[]) : [];
  return order.map((from) => (from >= 0 && Array.isArray(old[from]) ? [...(old[from] as unknown[])] : []));
}

/** Whether a rule list change is more than edits in place: rules added, removed or moved. */
export function rulesRestructured(previousCount: number, order: readonly number[]): boolean {
  return order.length !== previousCount || order.some((from, i) => from !== i);
}
