/**
 * The built package loads in stock Node-RED with its editor: the editor API lists the node set and serves the
 * generated `.html`, and a deployed node runs from the bundle with the services of the settings.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileThingModel } from '../../server/thing-model/tsl-compiler.ts';
import { buildNodePackage, NODE_PACKAGE_NAME } from './build-node-package.ts';
import { thingwireNodeDefinitions } from '../definitions.ts';
import type { NodeStatus } from './node-red-api.ts';
import { testServices } from './node-test-harness.ts';

const require = createRequire(import.meta.url);

/** The parts of the `node-red` module this test drives. */
interface StockNodeRed {
  init(server: http.Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  httpAdmin: http.RequestListener;
  events: {
    on(event: 'node-status', listener: (event: { id: string; status: NodeStatus }) => void): void;
    once(event: 'flows:started', listener: () => void): void;
  };
  runtime: { flows: { setFlows(options: object): Promise<unknown> } };
  nodes: { getNode(id: string): { receive(message: object): void } | null };
}

describe('build:nodes', () => {
  let tmp: string;
  let outDir: string;
  let RED: StockNodeRed;
  let server: http.Server;
  let adminUrl: string;

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'thingwire-node-package-'));
    ({ outDir } = await buildNodePackage(path.join(tmp, NODE_PACKAGE_NAME)));

    RED = require('node-red') as StockNodeRed;
    // Node-RED's own Express 4, as any stock embedding would use (not our Express 5: docs/architecture.md "How Node-RED is embedded").
    const express = createRequire(require.resolve('node-red'))('express') as () => http.RequestListener & {
      use(path: string, handler: http.RequestListener): void;
    };
    const app = express();
    server = http.createServer(app);
    const userDir = path.join(tmp, 'user');
    await fs.mkdir(userDir);
    RED.init(server, {
      userDir,
      nodesDir: [outDir],
      httpAdminRoot: '/red',
      httpNodeRoot: '/api',
      credentialSecret: 'test-only',
      logging: { console: { level: process.env.NODE_RED_LOG ?? 'off' } },
      diagnostics: { enabled: false },
      telemetry: { enabled: false, updateNotification: false },
      externalModules: { autoInstall: false, palette: { allowInstall: false } },
      thingwire: {
        services: testServices({
          thermo: compileThingModel('thermo', 1, {
            properties: [{ identifier: 'temperature', name: 'T', accessMode: 'r', dataType: { type: 'float', specs: {} } }],
          }),
        }),
      },
    });
    app.use('/red', RED.httpAdmin);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    adminUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/red`;
    await RED.start();
  }, 60_000);

  afterAll(async () => {
    await RED?.stop();
    await new Promise((resolve) => server?.close(resolve));
    server?.closeAllConnections();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('writes a Node-RED package', async () => {
    const pkg = JSON.parse(await fs.readFile(path.join(outDir, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ name: NODE_PACKAGE_NAME, type: 'commonjs', 'node-red': { nodes: { thingwire: 'thingwire.js' } } });
  });

  it('is listed by the editor API with its node types', async () => {
    const res = await fetch(`${adminUrl}/nodes`, { headers: { Accept: 'application/json' } });
    expect(res.status).toBe(200);
    const sets = (await res.json()) as { module: string; types: string[]; enabled: boolean; loaded: boolean; err?: string }[];
    const ours = sets.find((set) => set.module === NODE_PACKAGE_NAME);
    expect(ours).toMatchObject({ enabled: true, types: thingwireNodeDefinitions.map((d) => d.type) });
    expect(ours?.err).toBeUndefined();
  });

  it('serves the generated editor html', async () => {
    const res = await fetch(`${adminUrl}/nodes`, { headers: { Accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("registerType('thing-validate'");
    expect(html).toContain('data-template-name="thing-validate"');
  });

  it('runs a deployed node from the bundle with the services from the settings', async () => {
    // setFlows resolves once the flows are saved; they start a moment later.
    const started = new Promise<void>((resolve) => RED.events.once('flows:started', resolve));
    await RED.runtime.flows.setFlows({
      flows: {
        flows: [
          { id: 'tab', type: 'tab', label: 'test' },
          { id: 'tv', type: 'thing-validate', z: 'tab', x: 100, y: 100, product: '', unknownProperties: 'reject', wires: [[], []] },
        ],
      },
      deploymentType: 'full',
    });
    await started;
    const status = new Promise<NodeStatus>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no status from the deployed node')), 5000);
      RED.events.on('node-status', (event) => {
        if (event.id !== 'tv') return;
        clearTimeout(timer);
        resolve(event.status);
      });
    });
    RED.nodes.getNode('tv')!.receive({
      payload: { temperature: 21 },
      thing: { id: '1', productKey: 'thermo', deviceName: 'd', kind: 'property.post', receivedAt: 1, protocol: 'mqtt', dialect: 'alink', ack: null },
    });
    expect(await status).toEqual({ fill: 'green', shape: 'dot', text: '1 valid, 0 invalid' });
  });
});
