/**
 * The help of each Node-RED core node our palette offers, in our words: what the node does, its inputs and outputs
 * and every option, written from Node-RED 4.1's behaviour. Markdown, keyed by node type. Browser-safe.
 */
export const coreNodeHelp: Readonly<Record<string, string>> = {};
