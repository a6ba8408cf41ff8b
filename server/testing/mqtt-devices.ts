import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import dgram from 'node:dgram';
import net from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { signAlink } from '../device-auth/alink-sign.ts';
import { signThings } from '../device-auth/things-sign.ts';
import type { TestJson, TestServer } from './test-server.ts';
import { until } from './until.ts';

/** A thing model small enough to reason about in tests: one rw float, one r int, an event, a service. */
export const testTsl = {
  properties: [
    { identifier: 'temperature', name: 'Temperature', accessMode: 'r', required: false, dataType: { type: 'float', specs: { min: '-40', max: '125' } } },
    { identifier: 'target', name: 'Target', accessMode: 'rw', required: false, dataType: { type: 'int', specs: { min: '5', max: '30' } } },
  ],
  events: [
    { identifier: 'overheat', name: 'Overheat', type: 'alert', outputData: [{ identifier: 'temp', name: 'Temp', dataType: { type: 'float', specs: { min: '0', max: '500' } } }] },
  ],
  services: [
    { identifier: 'reboot', name: 'Reboot', callType: 'async', inputData: [{ identifier: 'delay', name: 'Delay', dataType: { type: 'int', specs: { min: '0', max: '60' } } }], outputData: [] },
  ],
};

export interface TestDevice {
  productKey: string;
  deviceName: string;
  deviceSecret: string;
}

/** A free loopback port (for listeners that need a fixed one, like TLS). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** A free loopback UDP port (a CoAP or UDP listener, a flow's udp in node). */
export async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

/** Creates a product with the test thing model published and the named devices; returns their secrets. */
export async function createDevices<const N extends readonly string[]>(
  tw: TestServer, productKey: string, deviceNames: N, dialect: 'alink' | 'things' = 'alink',
): Promise<{ [K in keyof N]: TestDevice }> {
  const token = tw.adminToken;
  const p = await tw.request('POST', '/api/v1/products', { token, body: { productKey, name: productKey, dialect } });
  if (p.status !== 201) throw new Error(`product: ${JSON.stringify(p.body)}`);
  await tw.request('PUT', `/api/v1/products/${productKey}/thing-model/draft`, { token, body: testTsl });
  await tw.request('POST', `/api/v1/products/${productKey}/thing-model/publish`, { token });
  const devices: TestDevice[] = [];
  for (const deviceName of deviceNames) {
    const d = await tw.request('POST', '/api/v1/devices', { token, body: { productKey, deviceName } });
    if (d.status !== 201) throw new Error(`device: ${JSON.stringify(d.body)}`);
    devices.push({ productKey, deviceName, deviceSecret: d.body.deviceSecret });
  }
  return devices as { [K in keyof N]: TestDevice };
}

/**
 * The flow most connectivity tests deploy: a listener, and device in → thing validate → device reply (200) so
 * valid messages are accepted and invalid ones answered 422 by thing validate.
 */
export function listenerFlow(options: {
  port?: number; tlsPort?: number; tlsCert?: string; wsPath?: string; ratePerDevice?: number; maxPayloadBytes?: number; keepaliveMin?: number;
  signInTimeoutMs?: number; maxPendingSignIns?: number;
  /** Absent: the node's default fills in. */
  replyTimeoutMs?: number;
  /** An HTTP listener on the platform's port too, with these settings over the node's defaults. */
  http?: { path?: string; onlineWindowSeconds?: number; ratePerDevice?: number; replyTimeoutMs?: number; maxBodyBytes?: number };
  /** A CoAP listener on a free loopback UDP port too, with these settings over the node's defaults. */
  coap?: { onlineWindowSeconds?: number; ratePerDevice?: number; replyTimeoutMs?: number; maxBodyBytes?: number };
} = {}) {
  const http = options.http && {
    id: 'http-listener', type: 'thing-http-listener', port: 0, host: '127.0.0.1', path: '/device', maxBodyBytes: 262144, tokenTtlSeconds: 3600,
    onlineWindowSeconds: 300, ratePerDevice: 0, replyTimeoutMs: 5000, ...options.http,
  };
  const coap = options.coap && {
    id: 'coap-listener', type: 'thing-coap-listener', port: 0, host: '127.0.0.1', maxBodyBytes: 262144, tokenTtlSeconds: 3600,
    onlineWindowSeconds: 300, ratePerDevice: 0, replyTimeoutMs: 5000, ...options.coap,
  };
  return [
    ...(http ? [http] : []),
    ...(coap ? [coap] : []),
    { id: 'tab', type: 'tab', label: 'devices' },
    {
      id: 'listener', type: 'thing-mqtt-listener', port: options.port ?? 0, host: '127.0.0.1', tlsPort: options.tlsPort ?? 0,
      tlsCert: options.tlsCert ?? '', wsPath: options.wsPath ?? '/mqtt', maxPayloadBytes: options.maxPayloadBytes ?? 262144,
      ratePerDevice: options.ratePerDevice ?? 0, keepaliveMin: options.keepaliveMin ?? 0, keepaliveMax: 1200,
      ...(options.replyTimeoutMs === undefined ? {} : { replyTimeoutMs: options.replyTimeoutMs }),
      ...(options.signInTimeoutMs === undefined ? {} : { signInTimeoutMs: options.signInTimeoutMs }),
      ...(options.maxPendingSignIns === undefined ? {} : { maxPendingSignIns: options.maxPendingSignIns }),
    },
    { id: 'in', type: 'device-in', z: 'tab', x: 100, y: 100, product: '', device: '', kinds: ['property.post', 'event.post'], dialect: 'any', wires: [['validate']] },
    { id: 'validate', type: 'thing-validate', z: 'tab', x: 250, y: 100, product: '', unknownProperties: 'reject', wires: [['accept'], []] },
    { id: 'accept', type: 'device-reply', z: 'tab', x: 400, y: 100, code: 200, message: 'success', sendPayload: false, wires: [[]] },
    // Takes firmware requests and never answers them: what a flow that drops messages looks like (504 after the timeout).
    { id: 'silent', type: 'device-in', z: 'tab', x: 100, y: 200, product: '', device: '', kinds: ['ota.get'], dialect: 'any', wires: [[]] },
  ];
}

/** Deploys flows (a node's `credentials` travel inside it, as in Node-RED) and resolves the listener's TCP port. */
export async function deployListener(tw: TestServer, flows: object[]): Promise<number> {
  const res = await tw.request('POST', '/api/v1/flows', { token: tw.adminToken, body: { flows } });
  if (res.status !== 200) throw new Error(`deploy: ${JSON.stringify(res.body)}`);
  const port = (await until('the MQTT listener started', () => tw.app.mqttListeners.listeners()[0]?.ports.tcp, Boolean, 15_000))!;
  if (flows.some((n) => (n as { type?: string }).type === 'thing-http-listener')) {
    await until('the HTTP listener started', () => tw.app.httpListeners.listeners().length, Boolean, 15_000);
  }
  if (flows.some((n) => (n as { type?: string }).type === 'thing-coap-listener')) {
    await until('the CoAP listener started', () => tw.app.coapListeners.listeners()[0]?.port, Boolean, 15_000);
  }
  // TCP and UDP listeners of enabled tabs (the shipped TCP example is in a disabled one).
  const nodes = flows as { type?: string; id?: string; z?: string; disabled?: boolean }[];
  const disabledTabs = new Set(nodes.filter((n) => n.type === 'tab' && n.disabled).map((n) => n.id));
  const running = (type: string) => nodes.filter((n) => n.type === type && !(n.z && disabledTabs.has(n.z))).length;
  for (const [type, pool] of [['thing-tcp-listener', tw.app.tcpListeners], ['thing-udp-listener', tw.app.udpListeners]] as const) {
    const count = running(type);
    if (count > 0) await until(`the ${type}s started`, () => pool.listeners().filter((l) => l.port).length, (n) => n >= count, 15_000);
  }
  return port;
}

/** Connection options of a device, signed with its secret in its dialect. */
export function deviceOptions(device: TestDevice, dialect: 'alink' | 'things' = 'alink', extra: Partial<IClientOptions> = {}): IClientOptions {
  const signed = dialect === 'alink'
    ? signAlink({ productKey: device.productKey, deviceName: device.deviceName, deviceSecret: device.deviceSecret, clientId: `${device.deviceName}-c`, timestamp: Date.now() })
    : signThings({ productKey: device.productKey, deviceName: device.deviceName, deviceSecret: device.deviceSecret });
  return { clientId: signed.clientId, username: signed.username, password: signed.password, reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4, keepalive: 60, ...extra };
}

/** Connects and resolves once CONNACK accepted; rejects with the refusal. */
export function connect(url: string, options: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, options);
    client.once('connect', () => resolve(client));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
  });
}

/** The next message on a topic (JSON-parsed), or a rejection after the timeout. */
export function nextMessage(client: MqttClient, topic: string, timeoutMs = 15_000): Promise<TestJson> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error(`nothing on ${topic} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (t: string, payload: Buffer) => {
      if (t !== topic) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      try {
        resolve(JSON.parse(payload.toString()));
      } catch {
        resolve(payload);
      }
    };
    client.on('message', onMessage);
  });
}

/** Subscribes and waits for the SUBACK; returns the granted QoS per filter (128 = refused). */
export async function subscribe(client: MqttClient, filter: string): Promise<number> {
  try {
    const granted = await client.subscribeAsync(filter, { qos: 0 });
    return granted[0]!.qos;
  } catch (err) {
    // mqtt.js rejects a SUBACK that refuses every filter; the code is what the test wants to see.
    const granted = (err as { packet?: { granted?: number[] } }).packet?.granted;
    if (granted) return granted[0]!;
    throw err;
  }
}

/** Publishes a request and resolves its reply from `{topic}_reply`. */
export async function request(client: MqttClient, topic: string, body: object): Promise<TestJson> {
  const reply = nextMessage(client, `${topic}_reply`);
  await client.publishAsync(topic, JSON.stringify(body));
  return reply;
}

/** A self-signed certificate for 127.0.0.1 made with openssl, for TLS tests. */
export function selfSignedCert(dir: string): { cert: string; key: string } {
  const keyFile = `${dir}/key.pem`;
  const certFile = `${dir}/cert.pem`;
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  return { cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8') };
}
