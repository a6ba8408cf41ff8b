import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type TestJson, type TestServer } from '../testing/test-server.ts';

let tw: TestServer;
beforeAll(async () => {
  tw = await startTestServer();
});
afterAll(() => tw?.close());

// Nodes carry x/y as editor exports do: Node-RED treats a node without them as a config node.
/**
 * A public HTTP endpoint flow: GET /nodes/sum?a=..&b=.. answers {sum} from a function node. Function nodes run code
 * on the server: admins deploy them (engineers may move them, see code-nodes.test.ts).
 */
const sumFlow = [
  { id: 'tab1', type: 'tab', label: 'API' },
  { id: 'in1', type: 'http in', z: 'tab1', x: 100, y: 100, url: '/sum', method: 'get', public: true, wires: [['fn1']] },
  { id: 'fn1', type: 'function', z: 'tab1', x: 200, y: 100, func: 'msg.payload = { sum: Number(msg.req.query.a) + Number(msg.req.query.b) };\nreturn msg;', outputs: 1, wires: [['out1', 'dbg1']] },
  { id: 'out1', type: 'http response', z: 'tab1', x: 300, y: 100, statusCode: '', headers: {}, wires: [] },
  { id: 'dbg1', type: 'debug', z: 'tab1', x: 300, y: 150, active: true, tosidebar: true, complete: 'payload', wires: [] },
];

describe('flows API over the embedded Node-RED runtime', () => {
  it('deploys a flow that then runs: its HTTP endpoint answers on /nodes', async () => {
    const engineer = tw.adminToken;
    const current = await tw.request('GET', '/api/v1/flows', { token: engineer });
    expect(current.status).toBe(200);
    const deployed = await tw.request('POST', '/api/v1/flows', { token: engineer, body: { flows: sumFlow, rev: current.body.rev } });
    expect(deployed.status).toBe(200);
    expect(deployed.body.rev).toMatch(/^[0-9a-f]+$/);
    const res = await fetch(`${tw.url}/nodes/sum?a=2&b=40`);
    expect(await res.json()).toEqual({ sum: 42 });

    const after = await tw.request('GET', '/api/v1/flows', { token: await tw.tokenFor('operator') });
    expect(after.body.rev).toBe(deployed.body.rev);
    expect(after.body.flows.map((n: { id: string }) => n.id)).toEqual(sumFlow.map((n) => n.id));
  });

  it('refuses a deploy with a stale rev and keeps what is deployed', async () => {
    const engineer = await tw.tokenFor('engineer');
    // The function node is deployed as is: engineers may deploy flows that keep code nodes unchanged.
    const { rev } = (await tw.request('GET', '/api/v1/flows', { token: engineer })).body;
    const changed = [...sumFlow, { id: 'note1', type: 'comment', z: 'tab1', name: 'changed by someone else', wires: [] }];
    const first = await tw.request('POST', '/api/v1/flows', { token: engineer, body: { flows: changed, rev } });
    expect(first.status).toBe(200);
    const stale = await tw.request('POST', '/api/v1/flows', { token: engineer, body: { flows: [{ id: 'tab9', type: 'tab' }], rev } });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'flows_changed', details: { rev: first.body.rev } });
    const now = (await tw.request('GET', '/api/v1/flows', { token: engineer })).body;
    expect(now.flows.map((n: { id: string }) => n.id)).toContain('note1');
  });

  it('refuses flows using node types that are not installed, listing them, and deploys nothing', async () => {
    const engineer = await tw.tokenFor('engineer');
    const before = (await tw.request('GET', '/api/v1/flows', { token: engineer })).body;
    const res = await tw.request('POST', '/api/v1/flows', {
      token: engineer,
      body: {
        flows: [
          { id: 't', type: 'tab' },
          { id: 'a', type: 'ui_gauge', z: 't', wires: [] },
          { id: 'b', type: 'ui_gauge', z: 't', wires: [] },
          { id: 'c', type: 'node-red-contrib-nothing', z: 't', wires: [] },
        ],
      },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('unknown_node_types');
    expect(res.body.error.message).toContain('ui_gauge');
    expect(res.body.error.details.map((d: { type: string }) => d.type)).toEqual(['ui_gauge', 'node-red-contrib-nothing']);
    expect((await tw.request('GET', '/api/v1/flows', { token: engineer })).body.rev).toBe(before.rev);
    expect((await fetch(`${tw.url}/nodes/sum?a=1&b=1`)).status).toBe(200);
  });

  it('refuses JSON that is not a flow with every problem listed', async () => {
    const res = await tw.request('POST', '/api/v1/flows', {
      token: await tw.tokenFor('engineer'),
      body: { flows: [{ id: 'x', type: 'tab' }, { id: 'x', type: 'comment' }, { type: 'debug' }, { id: 'w', type: 'debug', wires: 'no' }] },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { message: string }) => d.message)).toEqual([
      'duplicate node id "x"',
      'item 2 is not a node: it needs string "id" and "type"',
      'wires must be an array of arrays of node ids',
    ]);
  });

  it('warns about a wired node without a position, which Node-RED would run as a config node', async () => {
    const res = await tw.request('POST', '/api/v1/flows/check', {
      token: await tw.tokenFor('operator'),
      body: { flows: [{ id: 't', type: 'tab' }, { id: 'd', type: 'debug', z: 't', wires: [] }, { id: 'b', type: 'mqtt-broker', broker: 'localhost' }] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ errors: [], warnings: [{ nodeId: 'd', type: 'debug', message: expect.stringContaining('no x/y position') }] });
  });

  it('restarts only the changed nodes on a "nodes" deploy, every node on a full one', async () => {
    const engineer = tw.adminToken;
    // The counter node counts its own starts in global context (which outlives deploys); the endpoint reads it.
    const counted = (note: string) => [
      { id: 'tabc', type: 'tab', label: 'Starts' },
      { id: 'inc', type: 'http in', z: 'tabc', x: 100, y: 100, url: '/starts', method: 'get', public: true, wires: [['counter']] },
      {
        id: 'counter', type: 'function', z: 'tabc', x: 250, y: 100, outputs: 1, wires: [['outc']],
        initialize: "global.set('starts', (global.get('starts') || 0) + 1);",
        func: "msg.payload = { starts: global.get('starts') };\nreturn msg;",
      },
      { id: 'outc', type: 'http response', z: 'tabc', x: 400, y: 100, statusCode: '', headers: {}, wires: [] },
      { id: 'notec', type: 'comment', z: 'tabc', x: 100, y: 200, name: note, wires: [] },
    ];
    const starts = async () => ((await (await fetch(`${tw.url}/nodes/starts`)).json()) as { starts: number }).starts;
    const deploy = async (flows: object[], deploymentType?: string) => {
      const { rev } = (await tw.request('GET', '/api/v1/flows', { token: engineer })).body;
      const res = await tw.request('POST', '/api/v1/flows', { token: engineer, body: { flows, rev, deploymentType } });
      expect(res.status).toBe(200);
    };
    await deploy(counted('first'), 'full');
    const first = await starts();
    await deploy(counted('second'), 'nodes');
    expect(await starts()).toBe(first);
    await deploy(counted('third'), 'full');
    expect(await starts()).toBe(first + 1);

    const bad = await tw.request('POST', '/api/v1/flows', { token: engineer, body: { flows: counted('x'), deploymentType: 'everything' } });
    expect(bad.status).toBe(422);
  });

  it('lists every node type the runtime has installed next to the palette, core nodes we do not curate included', async () => {
    const res = await tw.request('GET', '/api/v1/node-types', { token: await tw.tokenFor('operator') });
    expect(res.status).toBe(200);
    expect(res.body.installedTypes).toEqual(expect.arrayContaining(['split', 'join', 'http in', 'link call', 'debug', 'thing-validate', 'device-in']));
    expect(res.body.installedTypes).not.toContain('ui_gauge');
  });

  it('fires a deployed inject node on request, as its button in the editor does', async () => {
    const engineer = await tw.tokenFor('engineer');
    const admin = tw.adminToken;
    // inject → function remembers the payload; GET /nodes/pressed reads it back.
    const flows = [
      { id: 'tabi', type: 'tab', label: 'Inject' },
      { id: 'inj', type: 'inject', z: 'tabi', x: 100, y: 100, props: [{ p: 'payload' }], payload: 'pressed', payloadType: 'str', repeat: '', once: false, wires: [['keep']] },
      { id: 'keep', type: 'function', z: 'tabi', x: 250, y: 100, outputs: 1, wires: [[]], func: "global.set('pressed', msg.payload); return msg;" },
      { id: 'readi', type: 'http in', z: 'tabi', x: 100, y: 200, url: '/pressed', method: 'get', public: true, wires: [['echo']] },
      { id: 'echo', type: 'function', z: 'tabi', x: 250, y: 200, outputs: 1, wires: [['outi']], func: "msg.payload = { pressed: global.get('pressed') ?? null }; return msg;" },
      { id: 'outi', type: 'http response', z: 'tabi', x: 400, y: 200, statusCode: '', headers: {}, wires: [] },
    ];
    const { rev } = (await tw.request('GET', '/api/v1/flows', { token: admin })).body;
    expect((await tw.request('POST', '/api/v1/flows', { token: admin, body: { flows, rev } })).status).toBe(200);
    const pressed = async () => ((await (await fetch(`${tw.url}/nodes/pressed`)).json()) as { pressed: string | null }).pressed;
    expect(await pressed()).toBeNull();
    expect((await tw.request('POST', '/api/v1/flows/inject/inj', { token: engineer })).status).toBe(204);
    await expect.poll(pressed).toBe('pressed');
    // Only inject nodes, only running ones; operators may not.
    expect((await tw.request('POST', '/api/v1/flows/inject/keep', { token: engineer })).status).toBe(404);
    expect((await tw.request('POST', '/api/v1/flows/inject/nope', { token: engineer })).status).toBe(404);
    expect((await tw.request('POST', '/api/v1/flows/inject/inj', { token: await tw.tokenFor('operator') })).status).toBe(403);
  });

  it('lets operators read flows but not deploy them', async () => {
    const operator = await tw.tokenFor('operator');
    expect((await tw.request('GET', '/api/v1/flows', { token: operator })).status).toBe(200);
    const res = await tw.request('POST', '/api/v1/flows', { token: operator, body: { flows: [] } });
    expect(res.status).toBe(403);
  });

  it('keeps Node-RED\'s admin API at /red behind our tokens, without a wildcard CORS header', async () => {
    expect((await fetch(`${tw.url}/red/flows`)).status).toBe(401);
    expect((await fetch(`${tw.url}/red/flows`, { headers: { authorization: 'Bearer tws_forged' } })).status).toBe(401);
    const ok = await fetch(`${tw.url}/red/flows`, { headers: { authorization: `Bearer ${await tw.tokenFor('operator')}`, 'Node-RED-API-Version': 'v2', origin: 'https://evil.example' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBeNull();
    expect(((await ok.json()) as { rev: string }).rev).toBeTruthy();
    const write = await fetch(`${tw.url}/red/flows`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tw.tokenFor('operator')}`, 'content-type': 'application/json' },
      body: '[]',
    });
    expect(write.status).toBe(403);
    expect(((await write.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    const anonymous = await fetch(`${tw.url}/red/flows`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('checks deploys through /red as through /api/v1/flows: an uninstalled type is refused and the flows keep running', async () => {
    const engineer = await tw.tokenFor('engineer');
    const red = (method: string, path: string, body: unknown) => fetch(`${tw.url}/red${path}`, {
      method, body: JSON.stringify(body),
      headers: { authorization: `Bearer ${engineer}`, 'content-type': 'application/json', 'Node-RED-API-Version': 'v2' },
    });
    const ping = (url: string) => [
      { id: 'tabr', type: 'tab', label: 'Ping' },
      { id: 'inr', type: 'http in', z: 'tabr', x: 100, y: 100, url, method: 'get', public: true, wires: [['outr']] },
      { id: 'outr', type: 'http response', z: 'tabr', x: 300, y: 100, statusCode: '', headers: {}, wires: [] },
    ];
    const { rev } = (await tw.request('GET', '/api/v1/flows', { token: engineer })).body;
    const ok = await red('POST', '/flows', { flows: ping('/red-ping'), rev });
    expect(ok.status).toBe(200);
    await expect.poll(async () => (await fetch(`${tw.url}/nodes/red-ping`)).status).toBe(200);

    const broken = [...ping('/red-ping'), { id: 'ghost', type: 'ui_gauge', z: 'tabr', x: 100, y: 200, wires: [] }];
    const refused = await red('POST', '/flows', broken);
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'unknown_node_types', message: expect.stringContaining('ui_gauge'),
    });
    const oneFlow = await red('PUT', '/flow/tabr', { id: 'tabr', label: 'Ping', nodes: broken.slice(1) });
    expect(oneFlow.status).toBe(422);
    const malformed = await fetch(`${tw.url}/red/flows`, { method: 'POST', headers: { authorization: `Bearer ${engineer}`, 'content-type': 'application/json' }, body: '[{' });
    expect(malformed.status).toBe(400);
    // Nothing of that reached the runtime: the deployed flow still answers.
    expect((await fetch(`${tw.url}/nodes/red-ping`)).status).toBe(200);
  });
});

describe('live WebSocket', () => {
  function connect(query: string): Promise<{ ws: WebSocket; messages: TestJson[] }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${tw.url.replace('http', 'ws')}/api/v1/live${query}`);
      const messages: TestJson[] = [];
      ws.on('message', (data) => messages.push(JSON.parse(String(data))));
      ws.once('open', () => resolve({ ws, messages }));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }
  const until = async (messages: TestJson[], pred: (m: TestJson) => boolean, ms = 5000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const m = messages.find(pred);
      if (m) return m;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no such message in ${JSON.stringify(messages.map((m) => m.type === "debug" ? m.messages.filter((d: TestJson) => d.id !== "dbg1") : m)).slice(0, 1500)}`);
  };

  it('refuses a socket without credentials', async () => {
    await expect(connect('')).rejects.toThrow('HTTP 401');
  });

  it('forwards debug messages and node status, throttled into batches', async () => {
    const { ws, messages } = await connect(`?access_token=${await tw.tokenFor('operator')}`);
    try {
      const engineer = tw.adminToken;
      const { rev } = (await tw.request('GET', '/api/v1/flows', { token: engineer })).body;
      // A copy of the fixture with fn1 also wired to st1 (the fixture itself stays as the other tests know it).
      const flows: Record<string, unknown>[] = [
        ...sumFlow.map((n) => (n.id === 'fn1' ? { ...n, wires: [['out1', 'dbg1', 'st1']] } : n)),
        { id: 'st1', type: 'function', z: 'tab1', x: 300, y: 200, func: 'node.status({fill:"green",shape:"dot",text:"seen " + msg.payload.sum}); return msg;', outputs: 1, wires: [] },
        // One request that makes 200 debug messages at once: far more than one flush may carry, however busy the machine.
        { id: 'in2', type: 'http in', z: 'tab1', x: 100, y: 300, url: '/burst', method: 'get', public: true, wires: [['burst1']] },
        {
          id: 'burst1', type: 'function', z: 'tab1', x: 200, y: 300, outputs: 2, wires: [['dbg1'], ['out1']],
          func: 'for (let i = 0; i < 200; i++) node.send([{ payload: { sum: i } }, null]);\nreturn [null, msg];',
        },
      ];
      expect((await tw.request('POST', '/api/v1/flows', { token: engineer, body: { flows, rev } })).status).toBe(200);
      // The burst: the socket gets it in a few batches, capped, with the overflow counted.
      expect((await fetch(`${tw.url}/nodes/burst`)).status).toBe(200);
      const debug = await until(messages, (m) => m.type === 'debug');
      expect(debug.messages[0]).toMatchObject({ id: 'dbg1' });
      // One request after the burst: its status comes in a later flush than everything the burst caused.
      await fetch(`${tw.url}/nodes/sum?a=1000&b=0`).then((r) => r.text());
      await until(messages, (m) => m.type === 'status' && m.id === 'st1' && m.status?.text === 'seen 1000');
      const batches = messages.filter((m) => m.type === 'debug');
      const delivered = batches.reduce((n, b) => n + b.messages.length, 0);
      const dropped = messages.filter((m) => m.type === 'debug-dropped').reduce((n, m) => n + m.count, 0);
      // Every message of the burst is either delivered or counted as dropped (an earlier test's may add one).
      expect(delivered + dropped).toBeGreaterThanOrEqual(200);
      expect(dropped).toBeGreaterThan(0);
      expect(Math.max(...batches.map((b) => b.messages.length))).toBeLessThanOrEqual(50);
      expect(batches.length).toBeLessThan(20);
      expect(messages.filter((m) => m.type === 'status' && m.id === 'st1').length).toBeLessThan(20);
    } finally {
      ws.close();
    }
  });

  it('gives a socket that opens later every node\'s current status, with Node-RED message keys in words', async () => {
    const { rev, flows: deployed } = (await tw.request('GET', '/api/v1/flows', { token: tw.adminToken })).body;
    const flows = [
      ...deployed.filter((n: TestJson) => n.z !== 'tab-status' && n.id !== 'tab-status'),
      { id: 'tab-status', type: 'tab', label: 'Status' },
      { id: 'in-status', type: 'http in', z: 'tab-status', x: 100, y: 100, url: '/set-status', method: 'get', public: true, wires: [['st-key']] },
      {
        id: 'st-key', type: 'function', z: 'tab-status', x: 200, y: 100, outputs: 1, wires: [['out-status']],
        func: 'node.status({fill:"red",shape:"ring",text:"common.status.disconnected"}); return msg;',
      },
      { id: 'out-status', type: 'http response', z: 'tab-status', x: 300, y: 100, statusCode: '', headers: {}, wires: [] },
    ];
    expect((await tw.request('POST', '/api/v1/flows', { token: tw.adminToken, body: { flows, rev } })).status).toBe(200);
    const token = `?access_token=${await tw.tokenFor('operator')}`;
    const first = await connect(token);
    const later: { ws?: WebSocket } = {};
    try {
      expect((await fetch(`${tw.url}/nodes/set-status`)).status).toBe(200);
      const isKeyStatus = (m: TestJson) => m.type === 'status' && m.id === 'st-key';
      expect((await until(first.messages, isKeyStatus)).status).toEqual({ fill: 'red', shape: 'ring', text: 'disconnected' });
      // Sent to the first socket and never set again: a socket that opens now gets it all the same.
      const second = await connect(token);
      later.ws = second.ws;
      expect((await until(second.messages, isKeyStatus)).status).toEqual({ fill: 'red', shape: 'ring', text: 'disconnected' });
    } finally {
      first.ws.close();
      later.ws?.close();
    }
  });
});
