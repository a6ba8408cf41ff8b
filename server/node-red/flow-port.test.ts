import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.ts';
import { closeWebSocket, echoed, openWebSocket as open } from '../testing/websockets.ts';

// A server an operator opened up on purpose: flow endpoints on their own port, host nodes installed, engineers trusted
// with code, and `template` counted as a code node too.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-opened-'));
let tw: TestServer;
beforeAll(async () => {
  tw = await startTestServer({ dataDir, config: { flowHttpPort: 0, hostNodes: true, engineersDeployCode: true, codeNodeTypes: ['template'] } });
});
afterAll(async () => {
  await tw?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const page = [
  { id: 'tabp', type: 'tab', label: 'Pages' },
  { id: 'pin', type: 'http in', z: 'tabp', x: 100, y: 100, url: '/page', method: 'get', public: true, wires: [['ptpl']] },
  { id: 'ptpl', type: 'template', z: 'tabp', x: 250, y: 100, field: 'payload', fieldType: 'msg', format: 'html', syntax: 'mustache', template: '<script>document.title = "live"</script>', output: 'str', wires: [['pout']] },
  { id: 'pout', type: 'http response', z: 'tabp', x: 400, y: 100, statusCode: '', headers: { 'Content-Security-Policy': "script-src 'unsafe-inline'" }, wires: [] },
  { id: 'sin', type: 'http in', z: 'tabp', x: 100, y: 200, url: '/secret', method: 'get', wires: [['sout']] },
  { id: 'sout', type: 'http response', z: 'tabp', x: 400, y: 200, statusCode: '', headers: {}, wires: [] },
  // An echo over WebSocket (`/nodes/ws/echo`), for signed-in callers only.
  { id: 'wsl', type: 'websocket-listener', path: '/ws/echo', wholemsg: 'false' },
  { id: 'wsin', type: 'websocket in', z: 'tabp', x: 100, y: 400, server: 'wsl', client: '', wires: [['wsout']] },
  { id: 'wsout', type: 'websocket out', z: 'tabp', x: 300, y: 400, server: 'wsl', client: '', wires: [] },
  { id: 'fn', type: 'function', z: 'tabp', x: 250, y: 300, func: 'return msg;', outputs: 1, wires: [] },
  { id: 'ex', type: 'exec', z: 'tabp', x: 250, y: 350, command: 'true', addpay: '', append: '', useSpawn: 'false', timer: '', winHide: false, oldrc: false, wires: [[], [], []] },
];

describe('an opened-up server', () => {
  it('lets engineers deploy code and host nodes when --engineers-deploy-code and --host-nodes say so', async () => {
    const engineer = await tw.tokenFor('engineer');
    expect((await tw.request('GET', '/api/v1/auth/me', { token: engineer })).body.permissions).toContain('flows:code');
    const types = (await tw.request('GET', '/api/v1/node-types', { token: engineer })).body;
    expect(types.installedTypes).toEqual(expect.arrayContaining(['exec', 'file', 'file in', 'watch']));
    expect(types.codeTypes).toContain('template');
    const { rev } = (await tw.request('GET', '/api/v1/flows', { token: engineer })).body;
    const res = await tw.request('POST', '/api/v1/flows', { token: engineer, body: { flows: page, rev } });
    expect(res.status).toBe(200);
  });

  it('serves flow endpoints on their own port only, where pages may run scripts but still need sign-in unless public', async () => {
    const moved = await fetch(`${tw.url}/nodes/page`);
    expect(moved.status).toBe(404);
    expect(((await moved.json()) as { error: { message: string } }).error.message).toContain(new URL(tw.app.flowEndpointsUrl).port);

    const pageRes = await fetch(`${tw.app.flowEndpointsUrl}/page`);
    expect(pageRes.status).toBe(200);
    expect(await pageRes.text()).toContain('<script>');
    expect(pageRes.headers.get('content-security-policy')).toBe("script-src 'unsafe-inline'");
    expect(pageRes.headers.get('x-content-type-options')).toBe('nosniff');

    expect((await fetch(`${tw.app.flowEndpointsUrl}/secret`)).status).toBe(401);
    expect((await fetch(`${tw.app.flowEndpointsUrl}/secret`, { headers: { authorization: `Bearer ${tw.adminToken}` } })).status).toBe(200);
    // The API is not served there.
    expect((await fetch(`${new URL(tw.app.flowEndpointsUrl).origin}/api/v1/flows`, { headers: { authorization: `Bearer ${tw.adminToken}` } })).status).toBe(404);
  });

  it('serves WebSocket endpoints of flows on their own port, to signed-in callers, and refuses the rest with a status', async () => {
    const wsUrl = tw.app.flowEndpointsUrl.replace(/^http/, 'ws');
    const bearer = { authorization: `Bearer ${tw.adminToken}` };
    await expect(open(`${wsUrl}/ws/echo`)).rejects.toThrow('HTTP 401');
    const ws = await open(`${wsUrl}/ws/echo`, bearer);
    expect(await echoed(ws, 'over the flow port')).toBe('over the flow port');
    await closeWebSocket(ws);
    // A path no flow listens on is answered at once, not left hanging until Node-RED drops it.
    await expect(open(`${wsUrl}/ws/nowhere`, bearer)).rejects.toThrow('HTTP 404');
    await expect(open(`${new URL(tw.app.flowEndpointsUrl).origin.replace(/^http/, 'ws')}/elsewhere`, bearer)).rejects.toThrow('HTTP 404');
    // Not on the UI's port, where the flow endpoints are not.
    await expect(open(`${tw.url.replace(/^http/, 'ws')}/nodes/ws/echo`, bearer)).rejects.toThrow('HTTP 404');
  });

  it('starts at once without --host-nodes on flows that use them, keeps those flows, and takes a deploy without them', async () => {
    await tw.close();
    tw = await startTestServer({ dataDir });
    const { flows, rev } = (await tw.request('GET', '/api/v1/flows', { token: tw.adminToken })).body as { flows: { id: string; type: string }[]; rev: string };
    expect(flows.map((n) => n.type)).toContain('exec');
    const without = flows.filter((n) => n.type !== 'exec');
    expect((await tw.request('POST', '/api/v1/flows', { token: tw.adminToken, body: { flows: without, rev } })).status).toBe(200);
    expect((await fetch(`${tw.url}/nodes/page`)).status).toBe(200);
    // Node-RED outlives a restart in the same process (it is a singleton): its WebSocket endpoints still answer.
    const ws = await open(`${tw.url.replace(/^http/, 'ws')}/nodes/ws/echo`, { authorization: `Bearer ${tw.adminToken}` });
    expect(await echoed(ws, 'after a restart')).toBe('after a restart');
    await closeWebSocket(ws);
  });
});
