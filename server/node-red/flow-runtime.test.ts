import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startThingwire, type Thingwire } from '../app.ts';
import { TEST_HASH_PARAMS, testConfig, type TestJson } from '../testing/test-server.ts';
import { until } from '../testing/until.ts';

/** A real server whose JSON log lines are captured, to see Node-RED's log arrive in ours. */
const lines: Record<string, TestJson>[] = [];
const sink = new Writable({
  write(chunk, _enc, cb) {
    for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
    cb();
  },
});
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-runtime-'));
let tw: Thingwire;
let token: string;

const api = async (method: string, p: string, body?: unknown) => {
  const res = await fetch(tw.url + p, {
    method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as TestJson };
};

beforeAll(async () => {
  tw = await startThingwire(
    testConfig({ dataDir, adminPassword: 'runtime-test-password', logLevel: 'info' }),
    pino({ level: 'info' }, sink),
    { installDefaultFlows: false, auth: { hashParams: TEST_HASH_PARAMS } },
  );
  const login = await fetch(`${tw.url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'runtime-test-password' }),
  });
  token = ((await login.json()) as { token: string }).token;
});
afterAll(async () => {
  await tw?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('embedded runtime', () => {
  it('bridges Node-RED\'s log into the JSON log, tagged by subsystem and node', async () => {
    expect(lines.find((l) => l.subsystem === 'node-red' && /Node-RED version: v4\.1\./.test(l.msg))).toBeTruthy();
  });

  it('lists the palette: Thingwire nodes and the curated core nodes, each with its config schema', async () => {
    const res = await api('GET', '/api/v1/node-types');
    const types = res.body.items.map((n: { type: string }) => n.type);
    expect(types).toEqual(expect.arrayContaining([
      'thing-validate', 'inject', 'debug', 'function', 'change', 'switch', 'delay', 'trigger', 'template', 'json',
      'http request', 'mqtt in', 'mqtt out', 'catch', 'status', 'link in', 'link out', 'comment',
    ]));
    const validate = res.body.items.find((n: { type: string }) => n.type === 'thing-validate');
    expect(validate).toMatchObject({ outputs: 2, outputLabels: ['valid', 'invalid'], core: false });
    expect(validate.configSchema.properties.unknownProperties.default).toBe('reject');
  });

  it('runs a deployed thing-validate node against the product\'s published thing model', async () => {
    await api('POST', '/api/v1/products', { productKey: 'thermo', name: 'Thermostat' });
    const tsl = {
      properties: [{ identifier: 'temperature', name: 'Temperature', accessMode: 'r', required: false, dataType: { type: 'float', specs: { min: '-40', max: '125', unit: '°C' } } }],
      services: [], events: [],
    };
    expect((await api('PUT', '/api/v1/products/thermo/thing-model/draft', tsl)).status).toBe(200);
    expect((await api('POST', '/api/v1/products/thermo/thing-model/publish')).status).toBeLessThan(300);

    // GET /nodes/post?temperature=… → a property post from device d1 → validate → 200 {payload} or 422 {error}.
    const flows = [
      { id: 't1', type: 'tab', label: 'validate' },
      { id: 'in', type: 'http in', z: 't1', x: 100, y: 100, url: '/post', method: 'get', wires: [['mk']] },
      {
        id: 'mk', type: 'function', z: 't1', x: 200, y: 100, outputs: 1, wires: [['tv']],
        func: `const t = msg.req.query.temperature;
msg.payload = { temperature: isNaN(Number(t)) ? t : Number(t) };
msg.thing = { id: '1', productKey: 'thermo', deviceName: 'd1', kind: 'property.post', receivedAt: Date.now(), protocol: 'http', dialect: 'alink', ack: true };
return msg;`,
      },
      { id: 'tv', type: 'thing-validate', z: 't1', x: 300, y: 100, product: '', unknownProperties: 'reject', wires: [['ok'], ['bad']] },
      { id: 'ok', type: 'http response', z: 't1', x: 400, y: 80, statusCode: '200', headers: {}, wires: [] },
      { id: 'bad', type: 'function', z: 't1', x: 400, y: 120, outputs: 1, func: 'msg.statusCode = msg.error.code; msg.payload = msg.error; return msg;', wires: [['badout']] },
      { id: 'badout', type: 'http response', z: 't1', x: 500, y: 120, statusCode: '', headers: {}, wires: [] },
      // A node with an invalid config deploys inert and is reported at its place, without stopping the others.
      { id: 'broken', type: 'thing-validate', z: 't1', x: 300, y: 200, product: '', unknownProperties: 'explode', wires: [[], []] },
    ];
    const deployed = await api('POST', '/api/v1/flows', { flows });
    expect(deployed.status).toBe(200);
    expect(deployed.body.warnings).toEqual([expect.objectContaining({ nodeId: 'broken', type: 'thing-validate', path: '/unknownProperties' })]);

    // Flow endpoints take a session or API token unless marked public.
    const signedIn = { headers: { authorization: `Bearer ${token}` } };
    const good = await fetch(`${tw.url}/nodes/post?temperature=21.5`, signedIn);
    expect(good.status).toBe(200);
    expect(await good.json()).toEqual({ temperature: 21.5 });
    const bad = await fetch(`${tw.url}/nodes/post?temperature=300`, signedIn);
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as TestJson).details).toEqual([{ field: 'temperature', reason: expect.stringContaining('125') }]);

    const brokenLog = lines.find((l) => l.subsystem === 'node-red' && l.node?.id === 'broken');
    expect(brokenLog?.level).toBeGreaterThanOrEqual(50);
    expect(brokenLog?.msg).toMatch(/invalid config: Unknown properties/);
  });

  it('builds no metric events while metrics are off (Node-RED builds three per node per message otherwise)', async () => {
    const fromNodeRed = createRequire(createRequire(import.meta.url).resolve('node-red'));
    const redLog = (createRequire(fromNodeRed.resolve('@node-red/runtime'))('@node-red/util') as { log: { log(msg: { level: number }): void; METRIC: number } }).log;
    const logged = vi.spyOn(redLog, 'log');
    try {
      const res = await fetch(`${tw.url}/nodes/post?temperature=20`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(logged.mock.calls.filter(([msg]) => msg.level === redLog.METRIC)).toEqual([]);
    } finally {
      logged.mockRestore();
    }
  });

  it('logs the error a function node throws with its message, stack and node, not as "{}"', async () => {
    const { rev } = (await api('GET', '/api/v1/flows')).body;
    const flows = [
      { id: 't2', type: 'tab', label: 'failing' },
      { id: 'go', type: 'inject', z: 't2', x: 100, y: 100, once: true, onceDelay: 0.1, repeat: '', topic: '', payload: '', payloadType: 'date', props: [{ p: 'payload' }], wires: [['boom']] },
      { id: 'boom', type: 'function', z: 't2', name: 'exploder', x: 300, y: 100, outputs: 1, func: "throw new Error('boom');", wires: [[]] },
    ];
    expect((await api('POST', '/api/v1/flows', { flows, rev })).status).toBe(200);
    const line = await until('the function node\'s error in the log', () => lines.find((l) => l.subsystem === 'node-red' && l.node?.id === 'boom'), Boolean);
    expect(line).toMatchObject({ level: 50, node: { id: 'boom', type: 'function', name: 'exploder' } });
    expect(line!.msg).toMatch(/^Error: boom/);
    expect(line!.err).toMatchObject({ type: 'Error', message: expect.stringContaining('boom') });
    expect(line!.err.stack).toContain('boom');
  });
});
