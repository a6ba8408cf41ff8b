/**
 * Every Thingwire node's runtime, for registration with Node-RED (Node-side: runtimes may import Node packages).
 *
 * A new node: its folder, one line here and one line in `definitions.ts`.
 */
import type { NodeImplementation } from './kit/implement-node.ts';
import { thingValidateNode } from './thing-validate/thing-validate.runtime.ts';

/** The runtime of every Thingwire node type, registered by `registerNodes(RED, implementations)`. */
export const implementations: readonly NodeImplementation[] = [thingValidateNode];
