import { keyFile } from '../secrets/key-file.ts';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import type http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { types } from 'node:util';
import type { Logger } from 'pino';
import type { Principal } from '../../domain/auth/permissions.ts';
import type { ThingwireSettings } from '../../domain/platform-services.ts';
import { HOST_NODE_FILES } from '../../domain/flows/code-nodes.ts';
import type { FlowNode } from '../../domain/flows/flow-json.ts';
import type { NodeRedStorage } from './sql-flow-storage.ts';

const require = createRequire(import.meta.url);

/** The parts of Node-RED's module API Thingwire uses. Node-RED is a process-wide singleton. */
export interface NodeRed {
  init(server: http.Server, settings: object): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  httpAdmin: http.RequestListener;
  httpNode: http.RequestListener;
  events: NodeJS.EventEmitter;
  runtime: {
    flows: {
      getFlows(opts: object): Promise<{ flows: FlowNode[]; rev: string }>;
      setFlows(opts: object): Promise<{ rev: string }>;
    };
  };
  nodes: {
    getType(type: string): unknown;
    getNodeList(): { types: string[]; enabled: boolean }[];
    /** A running node, by id. */
    getNode(id: string): { type: string; receive(msg?: object): void } | null;
    /** Reads the flows from storage again and restarts them all (`true`: even in safe mode). */
    loadFlows(forceStart: boolean): Promise<unknown>;
  };
}

/** Where the palette shim lives: a tiny Node-RED node package that calls `settings.thingwire.registerNodes`. */
const paletteDir = fileURLToPath(new URL('./palette', import.meta.url));

// Node-RED log levels (see @node-red/util log.js) → pino methods.
const levels: Record<number, 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'> = {
  10: 'fatal', 20: 'error', 30: 'warn', 40: 'info', 50: 'debug', 60: 'trace',
};

export interface FlowRuntimeOptions {
  dataDir: string;
  logger: Logger;
  thingwire: ThingwireSettings;
  /** Resolves our bearer tokens for Node-RED's admin API (`/red`). */
  resolveToken(token: string): Promise<Principal | undefined>;
  /** Install the host nodes (`exec`, `file`, `file in`, `watch`); otherwise they are not loaded at all. */
  hostNodes?: boolean;
  /** Environment variables flows may read besides `FLOW_*` (see {@link flowEnvExcludes}). */
  flowEnv?: readonly string[];
  /** Where flows, credentials and the runtime's settings are kept; Node-RED's files in `<dataDir>/node-red` by default. */
  storage?: NodeRedStorage;
}

/** The embedded runtime and the ways in to it. */
export interface FlowRuntime {
  red: NodeRed;
  /** Node-RED's admin API, for `/red` (behind our gate). */
  adminApp: http.RequestListener;
  /** The HTTP endpoints of flows (`http in`), for `/nodes` (behind our gate). */
  nodeApp: http.RequestListener;
  /**
   * Where Node-RED's WebSocket endpoints (`websocket in/out` listeners) take upgrades: Node-RED gets this emitter as
   * its "server", so an upgrade reaches a flow only when our gate passes it on (`emit('upgrade', req, socket, head)`).
   */
  upgrades: EventEmitter;
}

/**
 * The environment variables flows must not read: every one present but `FLOW_*` and those allowed by name. Node-RED
 * resolves `${VAR}` in node properties, `$env()` in JSONata and `env.get()` in functions from `process.env`, and
 * knows only a deny list (`envVarExcludes`), computed here at start from what is set.
 */
export function flowEnvExcludes(env: NodeJS.ProcessEnv, allowed: readonly string[] = []): string[] {
  const allow = new Set(allowed);
  return Object.keys(env).filter((name) => !name.startsWith('FLOW_') && !allow.has(name));
}

/**
 * Starts the embedded Node-RED runtime: editor UI off, admin API at `/red` behind our tokens, flow HTTP endpoints at
 * `/nodes`, flows and encrypted credentials in `<dataDir>/node-red`, its log bridged into ours, host nodes off unless
 * asked for, and the environment limited to what flows may read.
 */
export async function startFlowRuntime(options: FlowRuntimeOptions): Promise<FlowRuntime> {
  const red = require('node-red') as NodeRed;
  const userDir = path.join(options.dataDir, 'node-red');
  fs.mkdirSync(userDir, { recursive: true });
  // Node-RED's file storage makes the user dir's package.json, and its node registry reads it; with the flows in the
  // database nothing else would make it, and the registry would log an error on every start.
  const userPackage = path.join(userDir, 'package.json');
  if (options.storage && !fs.existsSync(userPackage)) {
    fs.writeFileSync(userPackage, `${JSON.stringify({ name: 'thingwire-flows', description: 'Thingwire flow runtime', version: '0.0.1', private: true }, null, 2)}\n`);
  }
  const log = options.logger.child({ subsystem: 'node-red' });
  const settings = {
    userDir,
    flowFile: 'flows.json',
    flowFilePretty: true,
    credentialSecret: keyFile(path.join(options.dataDir, 'keys', 'node-red-credentials.key')),
    ...(options.storage ? { storageModule: options.storage } : {}),
    httpAdminRoot: '/red',
    httpNodeRoot: '/nodes',
    disableEditor: true,
    nodesDir: [paletteDir],
    // Host nodes run commands and read and write the server's files: not installed unless the operator says so.
    nodesExcludes: options.hostNodes ? [] : [...new Set(Object.values(HOST_NODE_FILES))],
    envVarExcludes: flowEnvExcludes(process.env, options.flowEnv),
    // Our palette is curated: no installs from the network, no npm modules pulled into function nodes.
    externalModules: { autoInstall: false, palette: { allowInstall: false, allowUpload: false }, modules: { allowInstall: false } },
    functionExternalModules: false,
    diagnostics: { enabled: false },
    telemetry: { enabled: false, updateNotification: false },
    editorTheme: { projects: { enabled: false } },
    adminAuth: {
      type: 'credentials',
      // No Node-RED accounts: the only way in is one of our tokens.
      users: () => Promise.resolve(null),
      authenticate: () => Promise.resolve(null),
      default: () => Promise.resolve(null),
      tokenHeader: 'authorization',
      tokens: async (token: string) => {
        const p = await options.resolveToken(token);
        if (!p) return null;
        // Engineers and admins deploy; operators may only look.
        return { username: p.username, permissions: p.role === 'operator' ? 'read' : '*' };
      },
    },
    logging: {
      console: { level: 'off' },
      thingwire: {
        level: 'info', metrics: false, audit: false,
        handler: () => (msg: { level: number; msg: unknown; type?: string; id?: string; name?: string }) => {
          const method = levels[msg.level];
          if (!method) return;
          const fields: { node?: object; err?: object } = msg.type ? { node: { type: msg.type, id: msg.id, name: msg.name } } : {};
          const err = errorLike(msg.msg);
          if (err) fields.err = err;
          log[method](fields, err ? `${err.name || 'Error'}: ${err.message}` : typeof msg.msg === 'string' ? msg.msg : JSON.stringify(msg.msg));
        },
      },
    },
    thingwire: options.thingwire,
  };
  const upgrades = new EventEmitter();
  red.init(upgrades as unknown as http.Server, settings);
  skipMetricsWhenOff();
  // red.start() resolves before the stored flows have started; a deploy made before they did would be answered by
  // their `flows:started` instead of its own. Wait for it (Node-RED emits it for an empty flow file too).
  const loaded = new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      log.warn('the stored flows did not report started within 30 s; starting anyway');
      resolve();
    }, 30_000);
    const done = () => {
      clearTimeout(timer);
      red.events.off('flows:started', done);
      red.events.off('runtime-event', onRuntimeEvent);
      resolve();
    };
    // Stored flows using a type that is no longer installed (a contrib module removed, host nodes turned off) do not
    // start at all: say which types, rather than wait.
    const onRuntimeEvent = (event: { id?: string; payload?: { error?: string; types?: string[] } }) => {
      if (event.id !== 'runtime-state' || event.payload?.error !== 'missing-types') return;
      log.error({ types: event.payload.types }, 'the stored flows use node types that are not installed, so no flow runs: deploy flows without them (or install them, or start with --host-nodes for exec, file and watch)');
      done();
    };
    red.events.on('flows:started', done);
    red.events.on('runtime-event', onRuntimeEvent);
  });
  await red.start();
  await loaded;

  // Node-RED's HTTP apps stay on its bundled Express 4 (its http in node breaks under an Express 5 host: docs/architecture.md "How Node-RED is embedded"): one app, reached by path prefix.
  const express4 = createRequire(require.resolve('node-red'))('express') as () => http.RequestListener & {
    use(path: string, handler: unknown): void;
    disable(name: string): void;
  };
  const adminApp = express4();
  adminApp.disable('x-powered-by');
  adminApp.use('/red', (req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => {
    // Node-RED 4.1's admin API always answers `Access-Control-Allow-Origin: *`; we allow no cross-origin callers.
    const setHeader = res.setHeader.bind(res);
    res.setHeader = (name, value) => (/^access-control-/i.test(name) ? res : setHeader(name, value));
    next();
  });
  adminApp.use('/red', red.httpAdmin);
  const nodeApp = express4();
  nodeApp.disable('x-powered-by');
  nodeApp.use('/nodes', red.httpNode);
  return { red, adminApp, nodeApp, upgrades };
}

/**
 * An error Node-RED logs, as an error: also one thrown in a function node, whose sandbox has its own `Error` (not an
 * `instanceof Error` here, and `{}` to `JSON.stringify`). Pino's `err` serializer logs its type, message and stack.
 */
function errorLike(value: unknown): (Error & { name: string }) | undefined {
  if (types.isNativeError(value)) return value;
  const v = value as { message?: unknown; stack?: unknown } | null;
  return typeof v === 'object' && v !== null && typeof v.message === 'string' && typeof v.stack === 'string' ? (v as Error) : undefined;
}

/**
 * Node-RED builds a metric event (an object, a timestamp, a pass over the log handlers) three times per message per
 * node, whether metrics are on or not; every handler then drops it. With metrics off (our logging settings) the call
 * returns at once: the profile had it at 1.2 KB of garbage and about 2 % of the CPU per device message. Asked with no
 * arguments it still answers whether metrics are on, as Node-RED's own callers expect.
 */
function skipMetricsWhenOff(): void {
  const fromNodeRed = createRequire(require.resolve('node-red'));
  const runtimeRequire = createRequire(fromNodeRed.resolve('@node-red/runtime'));
  const NodeClass = runtimeRequire('./nodes/Node.js') as { prototype: { metric: (...args: unknown[]) => unknown; thingwireMetricGuard?: true } };
  const redLog = (runtimeRequire('@node-red/util') as { log: { metric(): boolean } }).log;
  const proto = NodeClass.prototype;
  if (proto.thingwireMetricGuard) return;
  const metric = proto.metric;
  proto.metric = function guardedMetric(this: unknown, ...args: unknown[]) {
    if (args.length > 0 && !redLog.metric()) return undefined;
    return metric.apply(this, args);
  };
  proto.thingwireMetricGuard = true;
}
