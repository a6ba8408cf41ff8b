/**
 * The palette shim (`server/node-red/palette/`) as the embedded runtime loads it: `nodesDir` pointing at that folder
 * (a package with a `"node-red"` section), no editor, the registration handed over in `settings.thingwire`.
 * The test lives here because the shim's package is CommonJS: a TypeScript file beside it would be compiled as such.
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { implementations } from '../index.ts';
import { registerNodes } from './register-nodes.ts';
import { testServices } from './node-test-harness.ts';

const require = createRequire(import.meta.url);
const paletteDir = fileURLToPath(new URL('../../server/node-red/palette', import.meta.url));
const shim = require(path.join(paletteDir, 'thingwire-nodes.cjs')) as (RED: unknown) => unknown;

interface EmbeddedNodeRed {
  init(server: http.Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  nodes: { getType(type: string): unknown; getNodeList(): { module: string; types: string[]; err?: unknown }[] };
}

describe('palette shim', () => {
  let tmp: string;
  let RED: EmbeddedNodeRed;
  const registerCalls: unknown[] = [];

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'thingwire-palette-'));
    RED = require('node-red') as EmbeddedNodeRed;
    RED.init(http.createServer(), {
      userDir: tmp,
      nodesDir: [paletteDir],
      disableEditor: true,
      credentialSecret: 'test-only',
      logging: { console: { level: 'off' } },
      diagnostics: { enabled: false },
      telemetry: { enabled: false, updateNotification: false },
      thingwire: {
        services: testServices(),
        registerNodes: (red: unknown) => {
          registerCalls.push(red);
          registerNodes(red, implementations);
        },
      },
    });
    await RED.start();
  }, 60_000);

  afterAll(async () => {
    await RED?.stop();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('is found through nodesDir and registers every Thingwire node type', () => {
    expect(registerCalls).toHaveLength(1);
    for (const { definition } of implementations) expect(RED.nodes.getType(definition.type)).toBeTypeOf('function');
    const set = RED.nodes.getNodeList().find((s) => s.module === 'thingwire-palette');
    expect(set?.types).toEqual(implementations.map((i) => i.definition.type));
    expect(set?.err).toBeUndefined();
  });

  it('registers nothing and says why when the settings carry no registration', () => {
    const warn = vi.fn();
    shim({ settings: {}, log: { warn } });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('settings.thingwire.registerNodes is not set'));
  });
});
