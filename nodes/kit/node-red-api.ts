/**
 * The part of Node-RED's node API the kit and the nodes use, typed (Node-RED ships no types). Only what is used is
 * declared, so a mismatch with Node-RED shows up here and nowhere else.
 */
import type { ThingwireSettings } from '../../domain/platform-services.ts';

/** A flow message. Node-RED deep-clones it on fan-out, so it must stay plain data. */
export interface NodeMessage {
  _msgid?: string;
  payload?: unknown;
  topic?: string;
  [property: string]: unknown;
}

/** Sends one message per output (an array slot per output; `null` skips an output, an array sends several). */
export type SendFunction = (message: NodeMessage | null | (NodeMessage | NodeMessage[] | null)[]) => void;

/** Ends the handling of one input message; an error reaches Catch nodes with the message. */
export type DoneFunction = (error?: Error) => void;

/** The coloured dot or ring and text under a node on the canvas; `{}` clears it. */
export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

/** A node instance as Node-RED builds it from `RED.nodes.createNode(this, config)`. */
export interface NodeRedNode {
  readonly id: string;
  readonly type: string;
  readonly name?: string;
  credentials?: Record<string, unknown>;
  status(status: NodeStatus): void;
  /** Logs; with a message, also hands the error to the flow's Catch nodes. */
  error(error: unknown, message?: NodeMessage): void;
  warn(message: unknown): void;
  log(message: unknown): void;
  send: SendFunction;
  on(event: 'input', listener: (message: NodeMessage, send: SendFunction, done: DoneFunction) => void): void;
  /** With two parameters Node-RED waits for `done` (up to its close timeout) before the flow counts as stopped. */
  on(event: 'close', listener: (removed: boolean, done: () => void) => void): void;
}

/** Node-RED's credentials declaration for a type. */
export type CredentialTypes = Record<string, { type: 'text' | 'password' }>;

/** The `RED` object a node module's exported function receives. */
export interface NodeRedApi {
  nodes: {
    createNode(node: object, config: Record<string, unknown>): void;
    registerType(
      type: string,
      constructor: (this: NodeRedNode, config: Record<string, unknown>) => void,
      options?: { credentials?: CredentialTypes },
    ): void;
  };
  /** The runtime settings; the composition root puts {@link ThingwireSettings} under `thingwire`. */
  settings: { thingwire?: Partial<ThingwireSettings>; [setting: string]: unknown };
  log: {
    info(message: unknown): void;
    warn(message: unknown): void;
    error(message: unknown): void;
  };
}
