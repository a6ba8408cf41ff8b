/**
 * Registers node implementations with a Node-RED runtime. Each node instance validates its config, gets the platform
 * services from `RED.settings.thingwire`, and runs its handlers with every failure turned into `done(err)`, a red
 * status or a log line: a bad node or a bad message never takes the process down.
 */
import {
  describeProblems,
  validateNodeConfig,
  validateNodeCredentials,
  type ConfigProblem,
} from './config-validator.ts';
import type { NodeHandlers, NodeImplementation } from './implement-node.ts';
import type { DoneFunction, NodeMessage, NodeRedApi, NodeRedNode, SendFunction } from './node-red-api.ts';
import { credentialTypes } from './schema-fields.ts';

/**
 * Registers every implementation's type with `RED`, the API object Node-RED hands a node module (typed `unknown`
 * where it crosses from the untyped runtime, as in `ThingwireSettings.registerNodes`).
 */
export function registerNodes(RED: unknown, implementations: readonly NodeImplementation[]): void {
  if (typeof (RED as Partial<NodeRedApi> | undefined)?.nodes?.registerType !== 'function') {
    throw new TypeError('registerNodes needs the RED object Node-RED passes to a node module');
  }
  const red = RED as NodeRedApi;
  for (const implementation of implementations) {
    const { definition } = implementation;
    red.nodes.registerType(
      definition.type,
      nodeConstructor(red, implementation),
      definition.credentials ? { credentials: credentialTypes(definition.credentials) } : undefined,
    );
  }
}

function nodeConstructor(RED: NodeRedApi, implementation: NodeImplementation) {
  const { definition } = implementation;
  /** Checks the config and starts the implementation on a node that Node-RED has just created. */
  const start = (node: NodeRedNode, rawConfig: Record<string, unknown>): void => {
    const config = validateNodeConfig(definition, rawConfig);
    const credentials = validateNodeCredentials(definition, node.credentials);
    const problems: ConfigProblem[] = [
      ...(config.ok ? [] : config.problems),
      ...(credentials.ok ? [] : credentials.problems),
    ];
    if (!config.ok || !credentials.ok) {
      makeInert(node, `invalid config: ${problems[0]?.message ?? 'unknown problem'}`, `invalid config: ${describeProblems(problems)}`);
      return;
    }
    const services = RED.settings.thingwire?.services;
    if (!services) {
      makeInert(
        node,
        'Thingwire services not available',
        'Thingwire services not available: the Node-RED settings have no thingwire.services',
      );
      return;
    }
    let handlers: NodeHandlers;
    try {
      handlers = implementation.create({
        config: config.config,
        credentials: credentials.config,
        node,
        services,
        RED,
      });
    } catch (err) {
      makeInert(node, `failed to start: ${errorMessage(err)}`);
      return;
    }

    const { onInput, onClose } = handlers;
    if (onInput) {
      node.on('input', (message, send, done) => {
        const finish = doneOnce(node, message, done);
        guard(() => onInput.call(handlers, message, send, finish), finish);
      });
    }
    node.on('close', (removed, done) => {
      if (!onClose) return done();
      guard(
        () => onClose.call(handlers, removed),
        (err) => {
          if (err) node.error(`close failed: ${errorMessage(err)}`);
          done();
        },
        true,
      );
    });
  };
  // Node-RED calls this with `new` and has made it inherit from its Node class in registerType.
  return function ThingwireNode(this: NodeRedNode, rawConfig: Record<string, unknown>): void {
    RED.nodes.createNode(this, rawConfig);
    start(this, rawConfig);
  };
}

/**
 * Leaves the node on the canvas, doing nothing but saying why: a red status, one error in the log, and every input
 * message failed with the reason so Catch nodes see each one.
 */
function makeInert(node: NodeRedNode, statusText: string, reason = statusText): void {
  node.status({ fill: 'red', shape: 'ring', text: statusText });
  node.error(reason);
  node.on('input', (_message: NodeMessage, _send: SendFunction, done: DoneFunction) => done(new Error(reason)));
}

/**
 * Runs `work`, routing a throw or a rejection to `finish(err)`. With `finishOnSuccess`, a normal return (or
 * resolution) calls `finish()` too; input handlers call `done` themselves, because some finish only later.
 */
function guard(work: () => void | Promise<void>, finish: (err?: Error) => void, finishOnSuccess = false): void {
  try {
    const result = work();
    if (result && typeof result.then === 'function') {
      result.then(() => finishOnSuccess && finish(), (err: unknown) => finish(asError(err)));
    } else if (finishOnSuccess) {
      finish();
    }
  } catch (err) {
    finish(asError(err));
  }
}

/** `done` that counts once; a failure after the message was already finished is reported, not lost. */
function doneOnce(node: NodeRedNode, message: NodeMessage, done: DoneFunction): DoneFunction {
  let finished = false;
  return (err) => {
    if (!finished) {
      finished = true;
      done(err);
    } else if (err) {
      node.error(err, message);
    }
  };
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
