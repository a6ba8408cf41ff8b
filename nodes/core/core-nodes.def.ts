/**
 * The Node-RED core nodes our palette offers, declared like our own nodes so our editor renders, validates and
 * round-trips them. Node-RED ships their runtime; our editor draws and edits them from these definitions (one file
 * per palette category) and the forms in `editor/properties/core-forms/`. Browser-safe.
 */
import type { AnyNodeDefinition } from '../kit/define-node.ts';
import { commonNodes } from './common.def.ts';
import { coreNodeHelp } from './core-help.def.ts';
import { functionNodes } from './function.def.ts';
import { networkNodes } from './network.def.ts';
import { parserNodes } from './parsers.def.ts';
import { sequenceNodes } from './sequence.def.ts';
import { storageNodes } from './storage.def.ts';

export { catchNode, comment, complete, debug, inject, linkCall, linkIn, linkOut, status } from './common.def.ts';
export { change, delay, exec, functionNode, range, rbe, switchNode, template, trigger } from './function.def.ts';
export {
  httpIn, httpProxy, httpRequest, httpResponse, isPublicEndpoint, mqttBroker, mqttIn, mqttOut, tcpIn, tcpOut, tcpRequest, tlsConfig, udpIn, udpOut,
  websocketClient, websocketIn, websocketListener, websocketOut,
} from './network.def.ts';
export { csv, html, json, xml, yaml } from './parsers.def.ts';
export { batch, join, sort, split } from './sequence.def.ts';
export { file, fileIn, watch } from './storage.def.ts';

/** Every curated core node, in Node-RED's palette order (category by category), each with its help. */
export const coreNodeDefinitions: readonly AnyNodeDefinition[] = [
  ...commonNodes,
  ...functionNodes,
  ...networkNodes,
  ...sequenceNodes,
  ...parserNodes,
  ...storageNodes,
].map((d) => (coreNodeHelp[d.type] ? { ...d, help: coreNodeHelp[d.type]! } : d));
