import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Principal } from '../auth/auth-service.ts';
import type { ThingwireSettings } from '../platform-services.ts';

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
  };
}

/** A node or tab of Node-RED flow JSON; everything beyond these fields is the node type's own config. */
export interface FlowNode {
  id: string;
  type: string;
  z?: string;
  wires?: string[][];
  [key: string]: unknown;
}

/** Where the palette shim lives: a tiny Node-RED node package that calls `settings.thingwire.registerNodes`. */
const paletteDir = fileURLToPath(new URL('./palette', import.meta.url));

// Node-RED log levels (see @node-red/util log.js) → pino methods.
const levels: Record<number, 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'> = {
  10: 'fatal', 20: 'error', 30: 'warn', 40: 'info', 50: 'debug', 60: 'trace',
};

export interface FlowRuntimeOptions {
  server: http.Server;
  dataDir: string;
  logger: Logger;
  thingwire: ThingwireSettings;
  /** Resolves our bearer tokens for Node-RED's admin API (`/red`). */
  resolveToken(token: string): Principal | undefined;
}

/**
 * Starts the embedded Node-RED runtime: editor UI off, admin API at `/red` behind our tokens, flow HTTP endpoints at
 * `/nodes`, flows and encrypted credentials in `<dataDir>/node-red`, its log bridged into ours.
 */
export async function startFlowRuntime(options: FlowRuntimeOptions): Promise<{ red: NodeRed; app: http.RequestListener }> {
  const red = require('node-red') as NodeRed;
  const userDir = path.join(options.dataDir, 'node-red');
  fs.mkdirSync(userDir, { recursive: true });
  const log = options.logger.child({ subsystem: 'node-red' });
  const settings = {
    userDir,
    flowFile: 'flows.json',
    flowFilePretty: true,
    credentialSecret: credentialSecret(path.join(options.dataDir, 'keys', 'node-red-credentials.key')),
    httpAdminRoot: '/red',
    httpNodeRoot: '/nodes',
    disableEditor: true,
    nodesDir: [paletteDir],
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
      tokens: (token: string) => {
        const p = options.resolveToken(token);
        if (!p) return Promise.resolve(null);
        // Engineers and admins deploy; operators may only look.
        return Promise.resolve({ username: p.username, permissions: p.role === 'operator' ? 'read' : '*' });
      },
    },
    logging: {
      console: { level: 'off' },
      thingwire: {
        level: 'info', metrics: false, audit: false,
        handler: () => (msg: { level: number; msg: unknown; type?: string; id?: string; name?: string }) => {
          const method = levels[msg.level];
          if (!method) return;
          const text = msg.msg instanceof Error ? msg.msg.message : typeof msg.msg === 'string' ? msg.msg : JSON.stringify(msg.msg);
          log[method](msg.type ? { node: { type: msg.type, id: msg.id, name: msg.name } } : {}, text);
        },
      },
    },
    thingwire: options.thingwire,
  };
  red.init(options.server, settings);
  await red.start();

  // Node-RED's HTTP apps stay on its bundled Express 4 (FACTS.md): one app, reached by path prefix.
  const express4 = createRequire(require.resolve('node-red'))('express') as () => http.RequestListener & {
    use(path: string, handler: unknown): void;
    disable(name: string): void;
  };
  const app = express4();
  app.disable('x-powered-by');
  app.use('/red', (req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => {
    // Node-RED 4.1's admin API always answers `Access-Control-Allow-Origin: *`; we allow no cross-origin callers.
    const setHeader = res.setHeader.bind(res);
    res.setHeader = (name, value) => (/^access-control-/i.test(name) ? res : setHeader(name, value));
    next();
  });
  app.use('/red', red.httpAdmin);
  app.use('/nodes', red.httpNode);
  return { red, app };
}

function credentialSecret(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  return fs.readFileSync(file, 'utf8').trim();
}
