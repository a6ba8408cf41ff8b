/**
 * How a node's behaviour is written: a factory that receives the validated config and the platform services and
 * returns the node's handlers. The kit ({@link registerNodes} in `register-nodes.ts`) does the Node-RED plumbing.
 */
import type { Static, TObject } from '@sinclair/typebox';
import type { ThingwireServices } from '../../domain/platform-services.ts';
import type { NodeDefinition } from './define-node.ts';
import type { DoneFunction, NodeMessage, NodeRedApi, NodeRedNode, SendFunction } from './node-red-api.ts';

/** What a node's factory receives, once per node instance (per deploy). */
export interface NodeContext<C extends TObject, K extends TObject> {
  /** The node's config: migrated, validated, defaults filled and types coerced. */
  config: Static<C>;
  /** The node's credentials, validated against the definition's credentials schema. */
  credentials: Partial<Static<K>>;
  /** The Node-RED node: `status`, `error`, `warn`, `log`, `send`. */
  node: NodeRedNode;
  services: ThingwireServices;
  RED: NodeRedApi;
}

/** A node's behaviour. Everything is optional: a node with no input just sends from timers or connections. */
export interface NodeHandlers {
  /**
   * Handles one message. Call `done()` when finished (or `done(err)`); an exception or a rejected promise is passed
   * to `done(err)` by the kit, so Catch nodes see it and the process keeps running.
   */
  onInput?(message: NodeMessage, send: SendFunction, done: DoneFunction): void | Promise<void>;
  /** Releases what the node holds; awaited before the flow counts as stopped. */
  onClose?(removed: boolean): void | Promise<void>;
}

/** A node definition with its behaviour; what the node index lists and {@link registerNodes} registers. */
export interface NodeImplementation<C extends TObject = TObject, K extends TObject = TObject> {
  readonly definition: NodeDefinition<C, K>;
  /** Builds one node instance's handlers; may throw (the node then shows a red status and stays inert). */
  create(context: NodeContext<C, K>): NodeHandlers;
}

/** Pairs a definition with its behaviour, typing the factory's config by the definition's schema. */
export function implementNode<C extends TObject, K extends TObject>(
  definition: NodeDefinition<C, K>,
  create: (context: NodeContext<C, K>) => NodeHandlers,
): NodeImplementation<C, K> {
  return { definition, create };
}
