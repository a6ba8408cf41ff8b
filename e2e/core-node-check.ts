/**
 * How the browser test of the core node forms (`core-nodes.test.ts`) checks one node type, case by case: a user
 * drags it from the palette and fills its form; after one deploy of every case, the exported JSON of each node must
 * equal what Node-RED 4.1's own editor writes for the same settings (the hand-written files in
 * `core-nodes/expected/`); then each node runs for real with a message (an inject node wired in, a debug node on
 * every output) and its output is checked. The cases live in `core-nodes/<category>.cases.ts`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type WebSocket from 'ws';
import type { TestJson, TestServer } from '../server/testing/test-server.ts';
import { openWebSocket } from '../server/testing/websockets.ts';

/** A message as a debug node with "complete msg object" reports it (`_msgid` removed). */
export type DebugMessage = Record<string, TestJson>;

/** What a run can use: the server, the node as deployed, and the messages so far. */
export interface RunContext {
  server: TestServer;
  /** The node as deployed (its id, its settings). */
  node: Record<string, TestJson>;
  /** The nodes deployed with it that it refers to (config nodes), by id. */
  deployed: ReadonlyMap<string, Record<string, TestJson>>;
}

export interface CoreNodeRun {
  /** The message an inject node sends into the node: each property set as JSON. Omit for a node without input. */
  input?: Record<string, TestJson>;
  /** Sends more than one message: each is injected in turn (after the previous one's output arrived, if `expectEach`). */
  inputs?: Record<string, TestJson>[];
  /** Starts a node without input (an HTTP request to an `http in`, a publish for an `mqtt in`…), or acts after input. */
  trigger?(context: RunContext): Promise<void>;
  /**
   * Checks what came out: `outputs[port]` lists the messages of each output in order. Throws (an `expect`) while
   * not satisfied; the harness calls it again as messages arrive, for up to 15 s.
   */
  expect(outputs: DebugMessage[][], context: RunContext): void | Promise<void>;
}

export interface CoreNodeCase {
  /** Unique; the expected JSON is `core-nodes/expected/<name>.json`. */
  name: string;
  /** The palette type. */
  type: string;
  /** Fills the form as a user would; `form` is the Properties panel with this node selected. */
  fill(form: Locator, page: Page): Promise<void>;
  /** Runs the deployed node with a message; omit only when the node cannot run here (say why in `why`). */
  run?: CoreNodeRun;
  /** Why the case has no run, when it has none. */
  why?: string;
  /**
   * Values known only when the test runs (a free port, a peer's URL), written `{{NAME}}` inside strings of the
   * expected file; read after `fill`.
   */
  vars?(): Readonly<Record<string, string>>;
}

/** Where the expected files are. */
export const EXPECTED_DIR = path.join(import.meta.dirname, 'core-nodes', 'expected');

/**
 * The expected export of a case: an array whose first element is the node and the rest the config nodes it uses,
 * as Node-RED 4.1's editor exports them, without `id`, `x`, `y`, `z`, `wires` and `g`. A reference to a config node
 * is written `@<type>` (e.g. `"broker": "@mqtt-broker"`), and so is a node a list names (`"scope": ["@debug"]`).
 */
export function expectedExport(name: string, vars: Readonly<Record<string, string>> = {}): Record<string, TestJson>[] {
  const text = fs.readFileSync(path.join(EXPECTED_DIR, `${name}.json`), 'utf8');
  const filled = text.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => (key in vars ? JSON.stringify(vars[key]).slice(1, -1) : whole));
  return JSON.parse(filled) as Record<string, TestJson>[];
}

const PLACEMENT = ['id', 'x', 'y', 'z', 'wires', 'g'];

/**
 * The export of node `id` in the flows `flows`, in the form of {@link expectedExport}: the node and each config node
 * it refers to (directly or through another config node), ids replaced by `@<type>`.
 */
export function comparableExport(flows: readonly Record<string, TestJson>[], id: string): Record<string, TestJson>[] {
  const byId = new Map(flows.map((n) => [n.id as string, n]));
  const node = byId.get(id);
  if (!node) throw new Error(`node ${id} is not in the export`);
  const configs: Record<string, TestJson>[] = [];
  const visit = (n: Record<string, TestJson>) => {
    for (const value of Object.values(n)) {
      const target = typeof value === 'string' ? byId.get(value) : undefined;
      if (target && target !== node && !('x' in target) && target.type !== 'tab' && !configs.includes(target)) {
        configs.push(target);
        visit(target);
      }
    }
  };
  visit(node);
  const placeholders = new Map(configs.map((c) => [c.id as string, `@${c.type as string}`]));
  // Other nodes a list names (a catch node's scope, link targets) are written `@<type>` too.
  const listed = (item: TestJson) => (typeof item === 'string' && byId.has(item) && byId.get(item)!.type !== 'tab' ? `@${byId.get(item)!.type as string}` : item);
  const strip = (n: Record<string, TestJson>) =>
    Object.fromEntries(
      Object.entries(n)
        .filter(([k]) => !PLACEMENT.includes(k))
        .map(([k, v]) => [k, typeof v === 'string' && placeholders.has(v) ? placeholders.get(v) : Array.isArray(v) ? v.map(listed) : v]),
    );
  return [strip(node), ...configs.map(strip)];
}

/** Where the debug nodes of the run rig report: messages by debug node id. */
export class DebugCollector {
  readonly #ws: WebSocket;
  readonly byNode = new Map<string, DebugMessage[]>();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data) => {
      const event = JSON.parse(String(data)) as { type: string; messages?: { id: string; msg: string; format?: string }[] };
      if (event.type !== 'debug') return;
      for (const entry of event.messages ?? []) {
        const list = this.byNode.get(entry.id) ?? [];
        list.push(decodeDebug(entry.msg));
        this.byNode.set(entry.id, list);
      }
    });
  }

  /** Connects to the server's live socket as the admin. */
  static async open(server: TestServer): Promise<DebugCollector> {
    return new DebugCollector(await openWebSocket(`${server.url.replace(/^http/, 'ws')}/api/v1/live?access_token=${server.adminToken}`));
  }

  close(): void {
    this.#ws.close();
  }
}

/** A debug node's `msg` text back as an object (it encodes the whole message as JSON). */
function decodeDebug(text: string): DebugMessage {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const { _msgid: _ignored, ...rest } = value as Record<string, TestJson>;
      return rest;
    }
    return { value };
  } catch {
    return { text };
  }
}

/** The ids of the rig nodes around node `id`. */
export const rigIds = (id: string) => ({ inject: `rig-in-${id}`, debug: (port: number) => `rig-out-${id}-${port}` });

/**
 * The run rig: the deployed flows with, for each case node, an inject node wired into it (when it has an input and
 * the case sends one) and a debug node (complete message) on each of its outputs, on a tab of their own.
 */
export function rigFlows(flows: readonly Record<string, TestJson>[], nodes: readonly { id: string; run: CoreNodeRun }[]): Record<string, TestJson>[] {
  const rigTab = 'rig-tab';
  const ids = new Set(nodes.map((n) => n.id));
  const out: Record<string, TestJson>[] = [];
  for (const node of flows) {
    if (!ids.has(node.id as string)) {
      out.push(node);
      continue;
    }
    const wires = Array.isArray(node.wires) ? (node.wires as unknown[]) : [];
    out.push({ ...node, wires: wires.map((_, port) => [rigIds(node.id as string).debug(port)]) });
    wires.forEach((_, port) => {
      out.push({
        id: rigIds(node.id as string).debug(port), type: 'debug', z: rigTab, name: '', active: true, tosidebar: true, console: false,
        tostatus: false, complete: 'true', targetType: 'full', statusVal: '', statusType: 'auto', x: 600, y: 40 + port * 40, wires: [],
      });
    });
  }
  for (const { id, run } of nodes) {
    const messages = run.inputs ?? (run.input ? [run.input] : []);
    messages.forEach((message, i) => {
      out.push({
        id: `${rigIds(id).inject}${i === 0 ? '' : `-${i}`}`, type: 'inject', z: rigTab, name: '', topic: '', payload: '', payloadType: 'date',
        props: Object.entries(message).map(([p, v]) =>
          typeof v === 'string' ? { p, v, vt: 'str' } : { p, v: JSON.stringify(v), vt: 'json' }),
        repeat: '', crontab: '', once: false, onceDelay: 0.1, x: 100, y: 40 + i * 40, wires: [[id]],
      });
    });
  }
  out.push({ id: rigTab, type: 'tab', label: 'Test rig', disabled: false, info: '' });
  return out;
}

/** Presses the inject nodes of node `id`'s run, in turn. */
export async function injectInputs(server: TestServer, id: string, run: CoreNodeRun): Promise<void> {
  const count = (run.inputs ?? (run.input ? [run.input] : [])).length;
  for (let i = 0; i < count; i++) {
    const injectId = `${rigIds(id).inject}${i === 0 ? '' : `-${i}`}`;
    const res = await server.request('POST', `/api/v1/flows/inject/${encodeURIComponent(injectId)}`, { token: server.adminToken });
    if (res.status !== 204) throw new Error(`inject ${injectId}: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/** The messages of each output of node `id` so far. */
export function outputsOf(collector: DebugCollector, node: Record<string, TestJson>): DebugMessage[][] {
  const wires = Array.isArray(node.wires) ? (node.wires as unknown[]) : [];
  return wires.map((_, port) => collector.byNode.get(rigIds(node.id as string).debug(port)) ?? []);
}

/** Calls `check` until it stops throwing, for at most `ms`; then throws its last error. */
export async function eventually(check: () => void | Promise<void>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
