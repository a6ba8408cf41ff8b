/** The core nodes of Node-RED's "sequence" palette category. Browser-safe. */
import type { AnyNodeDefinition } from '../kit/define-node.ts';

/** This category's nodes, in Node-RED's palette order. */
export const sequenceNodes: readonly AnyNodeDefinition[] = [];
