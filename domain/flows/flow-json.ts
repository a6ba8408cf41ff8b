/** Node-RED flow JSON as the editor, the API and the runtime exchange it. */

/** A node or tab of Node-RED flow JSON; everything beyond these fields is the node type's own config. */
export interface FlowNode {
  id: string;
  type: string;
  z?: string;
  wires?: string[][];
  [key: string]: unknown;
}
