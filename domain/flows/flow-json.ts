/** Node-RED flow JSON as the editor, the API and the runtime exchange it. */

/** A node or tab of Node-RED flow JSON; everything beyond these fields is the node type's own config. */
export interface FlowNode {
  id: string;
  type: string;
  z?: string;
  wires?: string[][];
  [key: string]: unknown;
}

/** A problem with one node of a flow, placed so the editor can show it on that node. */
export interface FlowProblem {
  nodeId?: string;
  type?: string;
  /** JSON pointer into the node's config, when the problem is one field. */
  path?: string;
  message: string;
}

/**
 * What a deploy replaces, as Node-RED's Admin API `Node-RED-Deployment-Type` header names it: `full` restarts every
 * flow; `flows` only the flows that changed; `nodes` only the nodes that changed (the editor's "modified nodes").
 */
export type DeploymentType = 'full' | 'flows' | 'nodes';

/** The deployed flows and their rev (`GET /api/v1/flows`); a deploy must name the rev it was made from. */
export interface FlowSet<Node = FlowNode> {
  flows: Node[];
  rev: string;
}

/** What a deploy answers: the new rev, and the problems that did not block it (invalid node configs). */
export interface DeployResult {
  rev: string;
  warnings: FlowProblem[];
}
