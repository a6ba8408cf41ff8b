import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.ts';
import { codeNodeChanges } from '../../domain/flows/code-nodes.ts';
import type { FlowNode } from '../../domain/flows/flow-json.ts';

// The escape the review used: a function node reaches the server's `process` through the outer-realm `msg` object.
const ESCAPE = "msg.payload = { pid: msg.constructor.constructor('return process')().pid }; return msg;";

const tab = { id: 'tabc', type: 'tab', label: 'Code' };
const tab2 = { id: 'tabd', type: 'tab', label: 'Other' };
const endpoint = { id: 'inc', type: 'http in', z: 'tabc', x: 100, y: 100, url: '/pid', method: 'get', public: true, wires: [['fnc']] };
const fn = { id: 'fnc', type: 'function', z: 'tabc', x: 250, y: 100, name: 'pid', func: ESCAPE, outputs: 1, noerr: 0, initialize: '', finalize: '', libs: [], wires: [['outc']] };
const answer = { id: 'outc', type: 'http response', z: 'tabc', x: 400, y: 100, statusCode: '', headers: {}, wires: [] };
const debug = { id: 'dbgc', type: 'debug', z: 'tabc', x: 400, y: 160, active: true, tosidebar: true, complete: 'payload', wires: [] };
const codeFlow: FlowNode[] = [tab, tab2, endpoint, fn, answer, debug];

describe('which code nodes a deploy adds or changes', () => {
  const types = new Set(['function', 'exec']);
  it('counts a new code node, or a deployed node turned into one, as added', () => {
    expect(codeNodeChanges([fn], [], types)).toEqual([{ id: 'fnc', type: 'function', change: 'added' }]);
    expect(codeNodeChanges([fn], [{ ...debug, id: 'fnc' }], types)).toEqual([{ id: 'fnc', type: 'function', change: 'added' }]);
  });

  it('lets a code node move, change tab, join a group and be rewired; anything else is a change', () => {
    expect(codeNodeChanges([{ ...fn, x: 900, y: 20, z: 'tabd', g: 'grp1', wires: [['outc', 'dbgc']] }], [fn], types)).toEqual([]);
    // Key order is the client's business.
    expect(codeNodeChanges([Object.fromEntries(Object.entries(fn).reverse()) as FlowNode], [fn], types)).toEqual([]);
    for (const change of [{ func: 'return msg;' }, { name: 'renamed' }, { d: true }, { libs: [{ var: 'cp', module: 'child_process' }] }, { extra: 1 }]) {
      expect(codeNodeChanges([{ ...fn, ...change }], [fn], types), JSON.stringify(change)).toEqual([{ id: 'fnc', type: 'function', change: 'changed' }]);
    }
  });

  it('ignores nodes that run no code, and code nodes that were deleted', () => {
    expect(codeNodeChanges([{ ...debug, name: 'changed' }, endpoint], [fn], types)).toEqual([]);
  });
});

let tw: TestServer;
beforeAll(async () => {
  tw = await startTestServer();
});
afterAll(() => tw?.close());

const deployed = async () => (await tw.request('GET', '/api/v1/flows', { token: tw.adminToken })).body as { rev: string; flows: FlowNode[] };
const deploy = async (token: string, flows: object[]) =>
  tw.request('POST', '/api/v1/flows', { token, body: { flows, rev: (await deployed()).rev } });
const red = async (token: string, method: string, path: string, body: unknown) =>
  fetch(`${tw.url}/red${path}`, {
    method, body: JSON.stringify(body), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'Node-RED-API-Version': 'v2' },
  });

describe('deploying code takes flows:code', () => {
  it('refuses an engineer a new function node (it runs as the server) with the node ids, and deploys nothing', async () => {
    const engineer = await tw.tokenFor('engineer');
    const before = await deployed();
    const res = await deploy(engineer, codeFlow);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('function fnc (added)'),
      details: { permission: 'flows:code', nodes: [{ id: 'fnc', type: 'function', change: 'added' }] },
    });
    expect((await deployed()).rev).toBe(before.rev);
    expect((await fetch(`${tw.url}/nodes/pid`)).status).not.toBe(200);
  });

  it('lets an admin deploy it, and shows why it is host access: the code reaches the server process', async () => {
    const res = await deploy(tw.adminToken, codeFlow);
    expect(res.status).toBe(200);
    const answer = await fetch(`${tw.url}/nodes/pid`);
    expect(await answer.json()).toEqual({ pid: process.pid });
  });

  it('lets an engineer move, rewire and delete the admin\'s function node, but not change, copy or re-add it', async () => {
    const engineer = await tw.tokenFor('engineer');
    const moved = { ...fn, x: 500, y: 300, z: 'tabd', wires: [['outc', 'dbgc']] };
    expect((await deploy(engineer, [tab, tab2, endpoint, moved, answer, debug])).status).toBe(200);
    expect((await fetch(`${tw.url}/nodes/pid`)).status).toBe(200);

    const changed = await deploy(engineer, [tab, tab2, endpoint, { ...moved, func: 'msg.payload = "mine"; return msg;' }, answer, debug]);
    expect(changed.status).toBe(403);
    expect(changed.body.error.details.nodes).toEqual([{ id: 'fnc', type: 'function', change: 'changed' }]);
    const copied = await deploy(engineer, [tab, tab2, endpoint, moved, { ...moved, id: 'fnc-copy' }, answer, debug]);
    expect(copied.body.error.details.nodes).toEqual([{ id: 'fnc-copy', type: 'function', change: 'added' }]);

    expect((await deploy(engineer, [tab, tab2, endpoint, answer, debug])).status).toBe(200);
    const readded = await deploy(engineer, [tab, tab2, endpoint, moved, answer, debug]);
    expect(readded.status).toBe(403);
  });

  it('applies the same check to every deploy through Node-RED\'s admin API, however the path is spelled', async () => {
    const engineer = await tw.tokenFor('engineer');
    const flows = [tab, { ...fn, id: 'fnr' }];
    for (const [method, path, body] of [
      ['POST', '/flows', flows],
      ['POST', '/Flows', { flows }],
      ['POST', '/FLOWS/', flows],
      ['POST', '//flows', flows],
      ['POST', '/flow', { id: 'tabr', label: 'R', nodes: [{ ...fn, id: 'fnr', z: 'tabr' }] }],
      ['PUT', '/flow/tabc', { id: 'tabc', label: 'Code', nodes: [{ ...fn, id: 'fnr' }] }],
      ['PUT', '/Flow/tabc', { id: 'tabc', label: 'Code', nodes: [{ ...fn, id: 'fnr' }] }],
    ] as const) {
      const res = await red(engineer, method, path, body);
      expect(res.status, `${method} /red${path}`).toBe(403);
      expect(((await res.json()) as { error: { details: { permission: string } } }).error.details.permission).toBe('flows:code');
    }
  });

  it('refuses an uninstalled type sent to /red/Flows (capital F) instead of stopping every flow', async () => {
    const before = await deployed();
    const res = await red(tw.adminToken, 'POST', '/Flows', [...before.flows, { id: 'ghost', type: 'ui_gauge', z: 'tabc', x: 1, y: 1, wires: [] }]);
    expect(res.status).toBe(422);
    expect((await deployed()).rev).toBe(before.rev);
  });

  it('keeps node sets, settings and context writes through /red to admins', async () => {
    const engineer = await tw.tokenFor('engineer');
    for (const [method, path] of [['PUT', '/nodes/node-red'], ['PUT', '/NODES/node-red/inject'], ['POST', '/nodes'], ['DELETE', '/context/global/x'], ['POST', '/settings/user']] as const) {
      const res = await red(engineer, method, path, { enabled: false });
      expect(res.status, `${method} /red${path}`).toBe(403);
    }
    // The inject node is still installed: nothing got through.
    expect((await tw.request('GET', '/api/v1/node-types', { token: engineer })).body.installedTypes).toContain('inject');
  });

  it('has no host nodes unless the server is started with --host-nodes, and says so', async () => {
    for (const type of ['exec', 'file', 'file in', 'watch']) {
      const res = await deploy(tw.adminToken, [tab, { id: `h-${type}`, type, z: 'tabc', x: 1, y: 1, wires: [] }]);
      expect(res.status, type).toBe(422);
      expect(res.body.error.code).toBe('unknown_node_types');
      expect(res.body.error.details[0].message).toContain('--host-nodes');
    }
    const types = (await tw.request('GET', '/api/v1/node-types', { token: await tw.tokenFor('operator') })).body;
    expect(types.installedTypes).not.toContain('exec');
    // The palette does not offer what the runtime lacks.
    const offered = (types.items as { type: string }[]).map((item) => item.type);
    expect(offered).not.toContain('exec');
    expect(offered).toEqual(expect.arrayContaining(['function', 'switch', 'range', 'rbe']));
    expect(types.codeTypes).toEqual(['exec', 'file', 'file in', 'function', 'watch']);
  });

  it('audits deploys with what changed, /red writes and inject presses', async () => {
    const engineer = await tw.tokenFor('engineer');
    const flows = [tab, { id: 'inj', type: 'inject', z: 'tabc', x: 1, y: 1, props: [{ p: 'payload' }], payload: '', payloadType: 'date', repeat: '', once: false, wires: [] }];
    expect((await deploy(engineer, flows)).status).toBe(200);
    expect((await tw.request('POST', '/api/v1/flows/inject/inj', { token: engineer })).status).toBe(204);
    expect((await red(engineer, 'DELETE', '/flow/tabc', undefined)).status).toBe(204);
    const audit = (await tw.request('GET', '/api/v1/audit?limit=20', { token: tw.adminToken })).body.items as { actor: string; action: string; target: string; details: unknown }[];
    expect(audit.find((e) => e.action === 'red.write')).toMatchObject({ actor: 'engineer1', details: { via: '/red', method: 'DELETE', path: '/red/flow/tabc', status: 204 } });
    expect(audit.find((e) => e.action === 'flows.inject')).toMatchObject({ actor: 'engineer1', target: 'inj' });
    expect(audit.find((e) => e.action === 'flows.deploy' && e.actor === 'engineer1')).toMatchObject({
      details: { via: 'api', deploymentType: 'full', nodes: 2, added: 1 },
    });
    expect(audit.find((e) => e.action === 'flows.deploy' && e.actor === 'admin')).toMatchObject({
      details: { codeNodesChanged: ['fnc (function, added)'] },
    });
  });
});
