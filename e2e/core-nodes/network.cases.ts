/**
 * The browser test cases of Node-RED's "network" core nodes (see `../core-node-check.ts`). Each node talks to a
 * real peer (`network-peers.ts`): an MQTT broker, HTTP and WebSocket servers, TCP and UDP sockets; the config nodes
 * (mqtt-broker, http proxy, tls-config, websocket-listener, websocket-client) are added and filled in place from
 * the form of a node that uses them, as a Node-RED user does.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Locator } from 'playwright-core';
import { expect } from 'vitest';
import type WebSocket from 'ws';
import type { TestServer } from '../../server/testing/test-server.ts';
import { openWebSocket } from '../../server/testing/websockets.ts';
import { rigIds, type CoreNodeCase, type DebugMessage } from '../core-node-check.ts';
import { MQTT_PASSWORD, MQTT_USER, startedPeers, startPeers } from './network-peers.ts';

/** The form of config node `type` edited in place below the field that uses it: unfolds it and returns it. */
async function configForm(form: Locator, type: string): Promise<Locator> {
  const selector = `form[data-core-form="${type}"]`;
  const inner = form.locator(selector);
  const details = form.locator('details', { has: form.page().locator(selector) }).last();
  if ((await details.getAttribute('open')) === null) await details.locator('> summary').click();
  await inner.waitFor();
  return inner;
}

/** Picks "Add new <type>…" in a config node select, and returns the new config node's form. */
async function addConfig(form: Locator, label: string, type: string): Promise<Locator> {
  await form.getByLabel(label, { exact: true }).first().selectOption({ label: `Add new ${type}…` });
  return configForm(form, type);
}

const exact = { exact: true } as const;

/** Presses a case's inject node again (a node that was still connecting when the first message came). */
async function injectAgain(server: TestServer, nodeId: string): Promise<void> {
  const res = await server.request('POST', `/api/v1/flows/inject/${encodeURIComponent(rigIds(nodeId).inject)}`, { token: server.adminToken });
  if (res.status !== 204) throw new Error(`inject: ${res.status}`);
}

/** Waits for a condition without a fixed sleep: polls every 50 ms, at most 15 s. */
async function until(what: string, ok: () => boolean): Promise<void> {
  const end = Date.now() + 15_000;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`still waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const payloads = (messages: DebugMessage[] | undefined) => (messages ?? []).map((m) => m['payload']);

let httpInCall: AbortController | undefined;
let udpSender: dgram.Socket | undefined;
let tcpClient: net.Socket | undefined;
let wsClient: WebSocket | undefined;
let listenerClient: WebSocket | undefined;
const listenerMessages: string[] = [];
let responseAnswer: { status: number; contentType: string | null; trace: string | null; body: string } | undefined;

export const cases: CoreNodeCase[] = [
  {
    name: 'mqtt-in-json',
    type: 'mqtt in',
    async fill(form) {
      const peers = await startPeers();
      await form.getByLabel('Topic', exact).fill('tw/e2e/in/+');
      await form.getByLabel('QoS', exact).selectOption({ label: '1' });
      await form.getByLabel('Output', exact).selectOption({ label: 'a parsed JSON object' });
      await form.getByLabel('Name', exact).fill('e2e in');
      const broker = await addConfig(form, 'Server', 'mqtt-broker');
      await broker.getByLabel('Name', exact).fill('e2e broker');
      await broker.getByLabel('Server', exact).fill('127.0.0.1');
      await broker.getByLabel('Port', exact).fill(String(peers.mqttPort));
      await broker.getByRole('tab', { name: 'Security' }).click();
      await broker.getByLabel('Username', exact).fill(MQTT_USER);
      await broker.getByLabel('Password', exact).fill(MQTT_PASSWORD);
      await broker.getByRole('tab', { name: 'Messages' }).click();
      await broker.getByLabel('Topic', exact).first().fill('tw/e2e/birth');
      await broker.getByLabel('Payload', exact).first().fill('online');
    },
    vars: () => ({ MQTT_PORT: String(startedPeers().mqttPort) }),
    run: {
      async trigger({ server }) {
        const peers = startedPeers();
        const flows = await server.request('GET', '/api/v1/flows', { token: server.adminToken });
        expect(JSON.stringify(flows.body), 'the broker password stays out of the flows').not.toContain(MQTT_PASSWORD);
        // Retained: the node gets it whether it subscribed before or after this publish.
        const { default: mqtt } = await import('mqtt');
        const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${peers.mqttPort}`, { username: MQTT_USER, password: MQTT_PASSWORD });
        await client.publishAsync('tw/e2e/in/t1', '{"t":21}', { retain: true, qos: 1 });
        await client.endAsync();
      },
      expect([out]) {
        expect(out?.[0]).toMatchObject({ topic: 'tw/e2e/in/t1', payload: { t: 21 } });
        // The broker's birth message went out when the node connected with the user and password of the Security tab.
        expect(startedPeers().log.mqtt).toContainEqual({ topic: 'tw/e2e/birth', payload: 'online' });
      },
    },
  },
  {
    name: 'mqtt-out',
    type: 'mqtt out',
    async fill(form) {
      await form.getByLabel('Topic', exact).fill('tw/e2e/out');
      await form.getByLabel('QoS', exact).selectOption({ label: '1' });
      await form.getByLabel('Retain', exact).selectOption({ label: 'false' });
      await form.getByLabel('Name', exact).fill('e2e out');
      const select = form.getByLabel('Server', exact);
      const value = await select.locator('option', { hasText: 'e2e broker' }).getAttribute('value');
      await select.selectOption(value!);
    },
    vars: () => ({ MQTT_PORT: String(startedPeers().mqttPort) }),
    run: {
      input: { payload: 'hello mqtt' },
      async trigger({ server, node }) {
        const peers = startedPeers();
        if (peers.log.mqtt.some((m) => m.topic === 'tw/e2e/out')) return;
        // The node may still have been connecting when the first message came: once it is, send again.
        await until('the mqtt nodes connected', () => peers.mqttClients() >= 2);
        if (!peers.log.mqtt.some((m) => m.topic === 'tw/e2e/out')) await injectAgain(server, node.id as string);
      },
      expect() {
        expect(startedPeers().log.mqtt).toContainEqual({ topic: 'tw/e2e/out', payload: 'hello mqtt' });
      },
    },
  },
  {
    name: 'mqtt-in-dynamic',
    type: 'mqtt in',
    async fill(form, page) {
      await form.getByLabel('Action', exact).selectOption({ label: 'Dynamic subscription' });
      // A dynamic subscription takes its topics from messages: the node now has an input.
      await page.locator('.react-flow__node.selected .react-flow__handle.target').waitFor();
      await form.getByLabel('Output', exact).selectOption({ label: 'a String' });
      await form.getByLabel('Name', exact).fill('e2e dynamic');
      const select = form.getByLabel('Server', exact);
      await select.selectOption((await select.locator('option', { hasText: 'e2e broker' }).getAttribute('value'))!);
    },
    vars: () => ({ MQTT_PORT: String(startedPeers().mqttPort) }),
    run: {
      input: { action: 'subscribe', topic: 'tw/e2e/dynamic' },
      async trigger() {
        const { default: mqtt } = await import('mqtt');
        const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${startedPeers().mqttPort}`, { username: MQTT_USER, password: MQTT_PASSWORD });
        await client.publishAsync('tw/e2e/dynamic', 'subscribed by a message', { retain: true, qos: 1 });
        await client.endAsync();
      },
      expect([out]) {
        expect(out?.[0]).toMatchObject({ topic: 'tw/e2e/dynamic', payload: 'subscribed by a message' });
      },
    },
  },
  {
    name: 'http-in-post-public',
    type: 'http in',
    async fill(form) {
      await form.getByLabel('Method', exact).selectOption({ label: 'POST' });
      await form.getByLabel('URL', exact).fill('/tw-e2e/hello');
      await form.getByLabel('Public (no sign-in)').check();
      await form.getByLabel('Name', exact).fill('e2e hello');
    },
    run: {
      async trigger({ server }) {
        // Public: no token. The flow does not answer (no http response here): the call is dropped once seen.
        httpInCall = new AbortController();
        void fetch(`${server.url}/nodes/tw-e2e/hello`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"t":1}', signal: httpInCall.signal,
        }).catch(() => undefined);
      },
      expect([out]) {
        expect(out?.[0]?.['payload']).toEqual({ t: 1 });
        httpInCall?.abort();
      },
    },
  },
  {
    name: 'http-request-get-auth',
    type: 'http request',
    async fill(form) {
      const peers = await startPeers();
      await form.getByLabel('URL', exact).fill(`http://127.0.0.1:${peers.httpPort}/echo`);
      await form.getByLabel('Payload', exact).selectOption({ label: 'Append to query-string parameters' });
      await form.getByLabel('Use authentication').check();
      await form.getByLabel('Username', exact).fill('e2e');
      await form.getByLabel('Password', exact).fill('s3cret');
      await form.getByLabel('Return', exact).selectOption({ label: 'a parsed JSON object' });
      const headers = form.getByRole('group', { name: 'Headers' });
      await headers.getByRole('button', { name: 'add' }).click();
      await headers.getByLabel('Header 1 name type').selectOption('Accept');
      await headers.getByLabel('Header 1 value type').selectOption('application/json');
      await headers.getByRole('button', { name: 'add' }).click();
      await headers.getByLabel('Header 2 name', exact).fill('X-Trace');
      await headers.getByLabel('Header 2 value', exact).fill('abc');
      await form.getByLabel('Name', exact).fill('e2e request');
    },
    vars: () => ({ HTTP_PORT: String(startedPeers().httpPort) }),
    run: {
      input: { payload: { room: 'lab' } },
      expect([out]) {
        expect(out?.[0]).toMatchObject({
          statusCode: 200,
          payload: { via: 'server', method: 'GET', url: '/echo?room=lab', authorization: `Basic ${Buffer.from('e2e:s3cret').toString('base64')}`, trace: 'abc' },
        });
        expect(startedPeers().log.http.find((r) => r.url === '/echo?room=lab')?.headers.accept).toBe('application/json');
      },
      async trigger({ server }) {
        // The password reached the node, but never the flows anyone can read back.
        const flows = await server.request('GET', '/api/v1/flows', { token: server.adminToken });
        expect(JSON.stringify(flows.body)).not.toContain('s3cret');
      },
    },
  },
  {
    name: 'http-request-proxy',
    type: 'http request',
    async fill(form) {
      const peers = await startPeers();
      await form.getByLabel('Method', exact).selectOption({ label: 'POST' });
      await form.getByLabel('URL', exact).fill('http://devices.example/readings');
      await form.getByLabel('Return', exact).selectOption({ label: 'a parsed JSON object' });
      await form.getByLabel('Name', exact).fill('via proxy');
      await form.getByLabel('Use proxy').check();
      const proxy = await addConfig(form, 'Proxy Configuration', 'http proxy');
      await proxy.getByLabel('Name', exact).fill('e2e proxy');
      await proxy.getByLabel('URL', exact).fill(`http://127.0.0.1:${peers.proxyPort}`);
      await proxy.getByRole('textbox', { name: 'Ignore hosts 1', exact: true }).fill('localhost');
      await proxy.getByRole('button', { name: 'add' }).click();
      await proxy.getByRole('textbox', { name: 'Ignore hosts 2', exact: true }).fill('10.0.0.1');
    },
    vars: () => ({ PROXY_PORT: String(startedPeers().proxyPort) }),
    run: {
      input: { payload: 'reading=7' },
      expect([out]) {
        // The request to devices.example went through the proxy's tunnel.
        expect(out?.[0]?.['payload']).toMatchObject({ via: 'proxy', method: 'POST', url: '/readings' });
        expect(startedPeers().log.tunnels).toContain('devices.example:80');
        expect(startedPeers().log.http.find((r) => r.via === 'proxy')?.body).toBe('reading=7');
      },
    },
  },
  {
    name: 'http-request-tls-ca',
    type: 'http request',
    async fill(form) {
      const peers = await startPeers();
      await form.getByLabel('Method', exact).selectOption({ label: 'PUT' });
      await form.getByLabel('URL', exact).fill(`https://localhost:${peers.httpsPort}/secure`);
      await form.getByLabel('Return', exact).selectOption({ label: 'a parsed JSON object' });
      await form.getByLabel('Name', exact).fill('over tls');
      await form.getByLabel('Use custom SSL/TLS configuration').check();
      const tls = await addConfig(form, 'TLS Configuration', 'tls-config');
      // The server's certificate, uploaded as the CA the node trusts (kept in the credentials, its file name in caname).
      await tls.getByLabel('CA Certificate', exact).setInputFiles({ name: 'e2e-ca.pem', mimeType: 'application/x-pem-file', buffer: Buffer.from(peers.certificate) });
      await tls.getByText('e2e-ca.pem').waitFor();
      await tls.getByLabel('Server Name', exact).fill('localhost');
    },
    vars: () => ({ HTTPS_PORT: String(startedPeers().httpsPort) }),
    run: {
      input: { payload: 'secret reading' },
      expect([out]) {
        // Verified against the uploaded CA: without it Node-RED would refuse the self-signed certificate.
        expect(out?.[0]).toMatchObject({ statusCode: 200, payload: { via: 'tls', method: 'PUT', url: '/secure' } });
      },
    },
  },
  {
    name: 'websocket-in-listener',
    type: 'websocket in',
    async fill(form) {
      await form.getByLabel('Name', exact).fill('e2e ws in');
      const listener = await addConfig(form, 'Path', 'websocket-listener');
      await listener.getByLabel('Path', exact).fill('/tw-e2e/ws-in');
    },
    run: {
      async trigger({ server }) {
        wsClient = await openWebSocket(`${server.url.replace(/^http/, 'ws')}/nodes/tw-e2e/ws-in`, { authorization: `Bearer ${server.adminToken}` });
        wsClient.send('hello flow');
      },
      expect([out]) {
        expect(payloads(out)).toContain('hello flow');
        wsClient?.close();
      },
    },
  },
  {
    name: 'websocket-out-listener-whole',
    type: 'websocket out',
    async fill(form) {
      await form.getByLabel('Name', exact).fill('to clients');
      const listener = await addConfig(form, 'Path', 'websocket-listener');
      await listener.getByLabel('Path', exact).fill('/tw-e2e/ws-out');
      await listener.getByLabel('Send/Receive', exact).selectOption({ label: 'entire message' });
    },
    run: {
      input: { payload: 'to every client', topic: 'news' },
      async trigger({ server, node }) {
        const client = await openWebSocket(`${server.url.replace(/^http/, 'ws')}/nodes/tw-e2e/ws-out`, { authorization: `Bearer ${server.adminToken}` });
        client.on('message', (data: Buffer) => listenerMessages.push(data.toString()));
        listenerClient = client;
        // The first message may have gone out before this client connected: send it again now.
        await injectAgain(server, node.id as string);
      },
      expect() {
        expect(listenerMessages.map((m) => JSON.parse(m) as Record<string, unknown>)).toContainEqual(expect.objectContaining({ payload: 'to every client', topic: 'news' }));
        listenerClient?.close();
      },
    },
  },
  {
    name: 'websocket-out-client',
    type: 'websocket out',
    async fill(form) {
      const peers = await startPeers();
      await form.getByLabel('Name', exact).fill('to peer');
      await form.getByLabel('Type', exact).selectOption({ label: 'Connect to' });
      const client = await addConfig(form, 'URL', 'websocket-client');
      await client.getByLabel('URL', exact).fill(`ws://127.0.0.1:${peers.wsPort}/peer`);
      await client.getByLabel('Send heartbeat').check();
      await client.getByLabel('Every', exact).fill('30');
      const headers = client.getByRole('group', { name: 'Headers' });
      await headers.getByRole('button', { name: 'add' }).click();
      await headers.getByLabel('Header 1 name type').selectOption('Authorization');
      await headers.getByLabel('Header 1 value', exact).fill('Bearer peer-token');
    },
    vars: () => ({ WS_PORT: String(startedPeers().wsPort) }),
    run: {
      input: { payload: 'to the peer' },
      async trigger({ server, node }) {
        const peers = startedPeers();
        if (peers.log.ws.length > 0) return;
        await until('the websocket client connected', () => peers.wsConnections() > 0);
        if (peers.log.ws.length === 0) await injectAgain(server, node.id as string);
      },
      expect() {
        expect(startedPeers().log.ws).toContainEqual({ data: 'to the peer', authorization: 'Bearer peer-token' });
      },
    },
  },
  {
    name: 'tcp-in-lines',
    type: 'tcp in',
    async fill(form) {
      const peers = await startPeers();
      await form.getByLabel('port', exact).fill(String(peers.tcpInPort));
      await form.getByLabel('payload(s)', exact).selectOption({ label: 'String' });
      await form.getByLabel('delimited by', exact).fill('\\n');
      await form.getByLabel('Topic', exact).fill('e2e/tcp');
      await form.getByLabel('Name', exact).fill('e2e tcp in');
    },
    vars: () => ({ TCP_IN_PORT: String(startedPeers().tcpInPort) }),
    run: {
      expect([out]) {
        if (!tcpClient) {
          // The node listens once the flows started: connect again after a refusal until it does.
          const client = net.connect(startedPeers().tcpInPort, '127.0.0.1', () => client.end('first\nsecond\n'));
          client.on('error', () => {
            if (tcpClient === client) tcpClient = undefined;
          });
          tcpClient = client;
        }
        expect(payloads(out).slice(0, 2)).toEqual(['first', 'second']);
        expect(out?.[0]?.['topic']).toBe('e2e/tcp');
      },
    },
  },
  {
    name: 'tcp-out-client',
    type: 'tcp out',
    async fill(form) {
      const peers = await startPeers();
      await form.getByLabel('port', exact).fill(String(peers.tcpOutPort));
      await form.getByLabel('at host', exact).fill('127.0.0.1');
      await form.getByLabel('Name', exact).fill('e2e tcp out');
    },
    vars: () => ({ TCP_OUT_PORT: String(startedPeers().tcpOutPort) }),
    run: {
      input: { payload: 'to tcp' },
      async trigger({ server, node }) {
        const peers = startedPeers();
        if (peers.log.tcp.join('').includes('to tcp')) return;
        await until('the tcp out node connected', () => peers.tcpConnections() > 0);
        if (!peers.log.tcp.join('').includes('to tcp')) await injectAgain(server, node.id as string);
      },
      expect() {
        expect(startedPeers().log.tcp.join('')).toContain('to tcp');
      },
    },
  },
  {
    name: 'tcp-request-line',
    type: 'tcp request',
    async fill(form) {
      const peers = await startPeers();
      await form.getByLabel('Server', exact).fill('127.0.0.1');
      await form.getByLabel('port', exact).fill(String(peers.tcpRequestPort));
      await form.getByLabel('Return', exact).selectOption({ label: 'String' });
      await form.getByLabel('Close', exact).selectOption({ label: 'when character received is' });
      await form.getByLabel('Name', exact).fill('e2e tcp request');
    },
    vars: () => ({ TCP_REQUEST_PORT: String(startedPeers().tcpRequestPort) }),
    run: {
      input: { payload: 'ping' },
      expect([out]) {
        expect(payloads(out)).toContain('pong:ping\n');
      },
    },
  },
  {
    name: 'udp-in-string',
    type: 'udp in',
    async fill(form) {
      const peers = await startPeers();
      await form.getByLabel('on Port', exact).fill(String(peers.udpInPort));
      await form.getByLabel('Output', exact).selectOption({ label: 'a String' });
      await form.getByLabel('Name', exact).fill('e2e udp in');
    },
    vars: () => ({ UDP_IN_PORT: String(startedPeers().udpInPort) }),
    run: {
      expect([out]) {
        // The node binds once the flows started: send until a datagram arrives.
        if ((out ?? []).length === 0) {
          udpSender ??= dgram.createSocket('udp4');
          udpSender.send('hello udp', startedPeers().udpInPort, '127.0.0.1');
        }
        expect(out?.[0]).toMatchObject({ payload: 'hello udp', ip: '127.0.0.1' });
        udpSender?.close();
        udpSender = undefined;
      },
    },
  },
  {
    name: 'udp-out',
    type: 'udp out',
    async fill(form) {
      const peers = await startPeers();
      await form.getByLabel('to port', exact).fill(String(peers.udpOutPort));
      await form.getByLabel('Address', exact).fill('127.0.0.1');
      await form.getByLabel('Name', exact).fill('e2e udp out');
    },
    vars: () => ({ UDP_OUT_PORT: String(startedPeers().udpOutPort) }),
    run: {
      input: { payload: 'to udp' },
      expect() {
        expect(startedPeers().log.udp).toContain('to udp');
      },
    },
  },
  {
    // Last of this file: its run adds an http in node in front of it, which redeploys the flows.
    name: 'http-response-201',
    type: 'http response',
    async fill(form) {
      await form.getByLabel('Status code', exact).fill('201');
      const headers = form.getByRole('group', { name: 'Headers' });
      await headers.getByRole('button', { name: 'add' }).click();
      await headers.getByLabel('Header 1 name type').selectOption('content-type');
      await headers.getByLabel('Header 1 value type').selectOption('text/plain');
      await headers.getByRole('button', { name: 'add' }).click();
      await headers.getByLabel('Header 2 name', exact).fill('x-trace');
      await headers.getByLabel('Header 2 value', exact).fill('e2e');
      await form.getByLabel('Name', exact).fill('e2e answer');
    },
    run: {
      async trigger({ server, node }) {
        const { flows, rev } = (await server.request('GET', '/api/v1/flows', { token: server.adminToken })).body as { flows: Record<string, unknown>[]; rev: string };
        const endpoint = { id: 'rig-http-in-response', type: 'http in', z: 'rig-tab', name: '', url: '/tw-e2e/answer', method: 'get', upload: false, skipBodyParsing: false, public: false, x: 100, y: 400, wires: [[node.id]] };
        const res = await server.request('POST', '/api/v1/flows', { token: server.adminToken, body: { flows: [...flows.filter((n) => n['id'] !== endpoint.id), endpoint], rev } });
        if (res.status !== 200) throw new Error(`deploy: ${res.status} ${JSON.stringify(res.body)}`);
        const answer = await fetch(`${server.url}/nodes/tw-e2e/answer?hello=1`, { headers: { authorization: `Bearer ${server.adminToken}` } });
        responseAnswer = { status: answer.status, contentType: answer.headers.get('content-type'), trace: answer.headers.get('x-trace'), body: await answer.text() };
      },
      expect() {
        expect(responseAnswer).toEqual({ status: 201, contentType: expect.stringContaining('text/plain'), trace: 'e2e', body: '{"hello":"1"}' });
      },
    },
  },
];

