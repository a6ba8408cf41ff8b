/**
 * Runs nodes in a real Node-RED runtime for tests, through node-red-node-test-helper: flows are arrays of Node-RED
 * flow JSON, messages are awaited (never slept for), statuses are read from what the node actually set.
 */
import { createRequire } from 'node:module';
import type { ThingwireServices } from '../../domain/platform-services.ts';
import type { CompiledThingModel } from '../../domain/thing-model/compiled-thing-model.ts';
import type { NodeMessage, NodeStatus } from './node-red-api.ts';

const require = createRequire(import.meta.url);

/** The parts of node-red-node-test-helper the tests use. */
export interface NodeTestHelper {
  init(runtimePath: string): void;
  settings(settings: Record<string, unknown>): void;
  /** `credentials` by node id, as Node-RED keeps them outside the flow. */
  load(register: (RED: unknown) => void, flow: object[], credentials?: Record<string, object>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): TestNode;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
}

/** A node of the loaded flow, with the helper's spies on its methods. */
export interface TestNode {
  id: string;
  receive(message: NodeMessage): void;
  on(event: 'input', listener: (message: NodeMessage) => void): void;
  status: { getCalls(): { thisValue: unknown; args: unknown[] }[] };
}

/** The test helper, bound to the project's Node-RED. */
export function nodeTestHelper(): NodeTestHelper {
  const helper = require('node-red-node-test-helper') as NodeTestHelper;
  helper.init(require.resolve('node-red'));
  return helper;
}

/**
 * Places nodes on one tab as flow nodes: Node-RED takes a node without `x` and `y` for a config node, and a
 * Catch node only sees errors of flow nodes on its tab.
 */
export function onTab(nodes: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return [{ id: 'tab', type: 'tab', label: 'test' }, ...nodes.map((node, i) => ({ ...node, z: 'tab', x: 100, y: 40 * (i + 1) }))];
}

/**
 * Platform services for tests: the given thing models by product key, and a device hub that
 * records replies (`replies`) and refuses commands; pass `overrides` to replace any service.
 */
export function testServices(
  models: Record<string, CompiledThingModel> = {},
  overrides: Partial<ThingwireServices> = {},
): ThingwireServices & { replies: { token: string; code: number; data?: unknown }[] } {
  const replies: { token: string; code: number; data?: unknown }[] = [];
  return {
    thingModels: { compiledFor: (productKey) => models[productKey] },
    deviceHub: {
      subscribe: () => () => {},
      reply: (token, code, data) => (replies.push({ token, code, data }), true),
      sendCommand: async () => ({ id: '0', code: 503, message: 'no devices in this test' }),
    },
    mqttListeners: { acquire: async () => undefined, release: () => {} },
    alerts: { startRule: () => { throw new Error('no alert service in this test'); } } as unknown as ThingwireServices['alerts'],
    replies,
    ...overrides,
  };
}

/** The next message that reaches node `id`, or a rejection after `timeoutMs`. */
export function nextMessage(helper: NodeTestHelper, id: string, timeoutMs = 2000): Promise<NodeMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message reached node ${id} within ${timeoutMs} ms`)), timeoutMs);
    helper.getNode(id).on('input', (message) => {
      clearTimeout(timer);
      resolve(message);
    });
  });
}

/**
 * Every message that reaches node `id` from now on. Node-RED delivers all outputs of one `send` in the same
 * `setImmediate` round, so after one output's message arrived, {@link settled} makes another output's list final.
 */
export function messagesTo(helper: NodeTestHelper, id: string): NodeMessage[] {
  const received: NodeMessage[] = [];
  helper.getNode(id).on('input', (message) => received.push(message));
  return received;
}

/** Lets every message already scheduled by Node-RED be delivered. */
export function settled(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Every status node `id` has set, oldest first. */
export function statusesOf(helper: NodeTestHelper, id: string): NodeStatus[] {
  const node = helper.getNode(id);
  return node.status
    .getCalls()
    .filter((call) => call.thisValue === node)
    .map((call) => call.args[0] as NodeStatus);
}
