/**
 * Every node type our palette offers: Thingwire's own nodes and the curated Node-RED core nodes. Browser-safe; the
 * editor, the deploy checks and the generated Node-RED `.html` read from here.
 *
 * A new node: its folder, one line here and one line in `index.ts`.
 */
import type { AnyNodeDefinition } from './kit/define-node.ts';
import type { ProblemParams } from './kit/problem-text.ts';
import { problemProperty, upgradeNode, validateNodeConfig, validateNodeCredentials, type ConfigProblem } from './kit/config-validator.ts';
import { coreNodeDefinitions } from './core/core-nodes.def.ts';
import { alert } from './alert/alert.def.ts';
import { deviceIn } from './device-in/device-in.def.ts';
import { notify } from './notify/notify.def.ts';
import { deviceOut } from './device-out/device-out.def.ts';
import { deviceReply } from './device-reply/device-reply.def.ts';
import { mqttListener } from './mqtt-listener/mqtt-listener.def.ts';
import { httpListener } from './http-listener/http-listener.def.ts';
import { coapListener } from './coap-listener/coap-listener.def.ts';
import { udpListener } from './udp-listener/udp-listener.def.ts';
import { tcpListener } from './tcp-listener/tcp-listener.def.ts';
import { modbusPoller } from './modbus-poller/modbus-poller.def.ts';
import { thingValidate } from './thing-validate/thing-validate.def.ts';
import { telemetryStore } from './telemetry-store/telemetry-store.def.ts';
import { ota } from './ota/ota.def.ts';
import { otaUpgrade } from './ota-upgrade/ota-upgrade.def.ts';

/** Thingwire's own node types, in palette order. */
export const thingwireNodeDefinitions: readonly AnyNodeDefinition[] = [
  mqttListener, httpListener, coapListener, udpListener, tcpListener, modbusPoller, deviceIn, deviceOut, deviceReply, thingValidate, telemetryStore, alert, notify, ota, otaUpgrade,
];

/** Every node type in the palette: ours, then Node-RED's core nodes. */
export const nodeDefinitions: readonly AnyNodeDefinition[] = [...thingwireNodeDefinitions, ...coreNodeDefinitions];

/** A node type as our editor and the REST API describe it: plain JSON, no TypeBox symbols. */
export interface NodeTypeEntry {
  type: string;
  version: number;
  label: string;
  paletteLabel?: string;
  category: string;
  color: string;
  icon: string;
  inputs: number;
  outputs: number;
  outputLabels?: string[];
  configSchema: Record<string, unknown>;
  credentialsSchema?: Record<string, unknown>;
  ui?: Record<string, unknown>;
  help: string;
  isConfigNode: boolean;
  core: boolean;
}

/** The palette as plain JSON, for the editor (`GET /api/v1/node-types`) and deploy checks. */
export function nodeTypeCatalog(definitions: readonly AnyNodeDefinition[] = nodeDefinitions): NodeTypeEntry[] {
  return definitions.map((d) => ({
    type: d.type,
    version: d.version,
    label: d.label,
    ...(d.paletteLabel ? { paletteLabel: d.paletteLabel } : {}),
    category: d.category,
    color: d.color,
    icon: d.icon,
    inputs: d.inputs,
    outputs: d.outputs,
    ...(d.outputLabels ? { outputLabels: [...d.outputLabels] } : {}),
    configSchema: plainJson(d.config),
    ...(d.credentials ? { credentialsSchema: plainJson(d.credentials) } : {}),
    ...(d.ui ? { ui: plainJson(d.ui) } : {}),
    help: d.help,
    isConfigNode: d.isConfigNode === true,
    core: d.core === true,
  }));
}

/** A TypeBox schema as plain JSON Schema (JSON drops TypeBox's symbol keys). */
function plainJson(value: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

/** A problem with one node of a flow, as the deploy check reports it. */
export interface FlowNodeProblem {
  nodeId: string;
  type: string;
  /** JSON pointer into the node. */
  path: string;
  /** In English. */
  message: string;
  /** The problem's code and parameters, for the editor's language (`nodes/i18n/problem-zh.def.ts`). */
  code?: string;
  params?: ProblemParams;
}

const byType = new Map(nodeDefinitions.map((definition) => [definition.type, definition]));
const ENV_VAR_REF = /^\$\{[^}]+\}$/;

/**
 * Checks one node of a flow against its definition before deploy: the same validation the runtime applies, so the
 * editor learns what the runtime would reject. `[]` for a valid node and for a type without a definition. A value
 * that is an `${ENV_VAR}` reference is not judged: Node-RED substitutes it when the flow starts.
 */
export function checkFlowNodeConfig(node: { id: string; type: string; [property: string]: unknown }): FlowNodeProblem[] {
  const definition = byType.get(node.type);
  if (!definition) return [];
  const result = validateNodeConfig(definition, node);
  const checked = [...(definition.check?.(node) ?? []), ...typedCredentialProblems(definition, node['credentials'])];
  if (result.ok && checked.length === 0) return [];
  // A check names what is wrong in Node-RED's words; the schema's message on the same property would repeat it.
  const checkedPaths = new Set(checked.map((problem) => problem.path));
  return [...(result.ok ? [] : result.problems.filter((problem) => !checkedPaths.has(problem.path))), ...checked]
    .filter((problem) => {
      const property = problemProperty(problem);
      const value = property === undefined ? undefined : node[property];
      return !(typeof value === 'string' && ENV_VAR_REF.test(value));
    })
    .map((problem) => ({ nodeId: node.id, type: node.type, ...problem }));
}

/**
 * Problems of the credentials typed in the editor and not deployed yet (a node's `credentials` in the editor holds only
 * those: an empty secret keeps the stored one, so what was not typed is not judged).
 */
function typedCredentialProblems(definition: AnyNodeDefinition, credentials: unknown): ConfigProblem[] {
  if (!definition.credentials || typeof credentials !== 'object' || credentials === null) return [];
  const typed = credentials as Record<string, unknown>;
  if (Object.keys(typed).length === 0) return [];
  let result: ReturnType<typeof validateNodeCredentials>;
  try {
    result = validateNodeCredentials(definition, typed);
  } catch {
    // No validator for this schema in this build (the browser cannot compile one): the runtime still checks it.
    return [];
  }
  return result.ok ? [] : result.problems.filter((p) => typed[p.path.split('/')[2] ?? ''] !== undefined);
}

/**
 * A node of ours saved at an older config version, brought to the current one by its definition's migrations (for
 * the deploy path, which stores flows at the current version); `undefined` for any other node.
 */
export function upgradeFlowNode<N extends { id: string; type: string }>(node: N): N | undefined {
  const definition = byType.get(node.type);
  return definition ? (upgradeNode(definition, node) as N | undefined) : undefined;
}
