/**
 * One load-generating process of the benchmark (forked by bench.ts, driven over IPC): real mqtt.js clients that sign
 * in like devices (Thingwire) or connect anonymously (Mosquitto), publish at a set rate and time what comes back.
 * Every loop is bounded by a count and a deadline; clients connect to loopback only.
 */
import dgram from 'node:dgram';
import http from 'node:http';
import mqtt, { type MqttClient } from 'mqtt';
import { alinkSignature } from '../server/device-auth/alink-sign.ts';
import { signAlink } from '../server/device-auth/alink-sign.ts';
import { coapAck, coapPost, coapResponse } from './coap-wire.ts';
import { RawMqttClient } from './raw-mqtt.ts';
import { OtaFleet, type OtaDeviceRecord } from './ota-device.ts';

export interface BenchDevice {
  productKey: string;
  deviceName: string;
  deviceSecret: string;
}

export type WorkerCommand =
  | { cmd: 'connect'; url: string; mode: 'thingwire' | 'mosquitto'; devices: BenchDevice[]; listen: boolean; localAddress?: string; concurrency: number }
  | { cmd: 'subscribe-all'; url: string; topic: string }
  /**
   * Devices that post over HTTP (`base`: the listener's `…/device`): each signs in for a token; `run` then posts with
   * it over at most `maxSockets` keep-alive connections of this process, the response being the reply.
   */
  | { cmd: 'connect-http'; base: string; devices: BenchDevice[]; concurrency: number; maxSockets: number }
  /** Devices that post over CoAP (non-confirmable requests from one UDP socket of this process), each with its token. */
  | { cmd: 'connect-coap'; host: string; port: number; devices: BenchDevice[]; concurrency: number }
  | { cmd: 'run'; rate: number; durationMs: number; qos: 0 | 1; drainMs: number; payload: 'meter' | 'wide'; maxBacklog: number }
  /** What the subscriber got since the last collect, once `expect` messages are in or `withinMs` passed. */
  | { cmd: 'collect'; expect: number; withinMs: number }
  /**
   * OTA campaign devices (bench/ota-device.ts): sign in, listen on the upgrade topic, and download with at most
   * `maxSockets` downloads of this process at once. `fail` names the devices that report a verification failure.
   */
  | { cmd: 'ota-connect'; url: string; devices: BenchDevice[]; fail: string[]; concurrency: number; maxSockets: number }
  /** Every OTA device reports `version` of `module`. */
  | { cmd: 'ota-inform'; version: string; module: string; timeoutMs: number }
  /** What each OTA device saw and did. */
  | { cmd: 'ota-records' }
  /** Lets go of the devices `run` posts as (their MQTT connections end), so the process can post as others. */
  | { cmd: 'drop-targets' }
  | { cmd: 'close' };

export interface RunReport {
  sent: number;
  /** PUBACKs (QoS 1). */
  acked: number;
  publishErrors: number;
  /** Reply codes (Thingwire) or deliveries to the subscriber (Mosquitto, as code 200). */
  codes: Record<string, number>;
  /** Milliseconds, publish → reply (Thingwire) or publish → delivered (Mosquitto subscriber). */
  latencies: number[];
  /** Messages still unanswered when the drain time ran out. */
  backlog: number;
  /** True if publishing paused because too many were unanswered. */
  throttled: boolean;
}

/** mqtt.js clients (OTA devices, whose firmware flow mqtt.js drives). */
const clients: MqttClient[] = [];
/** The benchmark's own cheap clients: publishing, idle and subscribing devices. */
const rawClients: RawMqttClient[] = [];

/** A device `run` posts as: over its MQTT client, or by a request whose response is the reply. */
interface Target {
  topic: string;
  /** Posts `body` (message `id`); `done` says whether it was taken (PUBACK, HTTP response). */
  post(id: number, body: string, qos: 0 | 1, done: (ok: boolean) => void): void;
  /** False for Mosquitto's relay: nobody replies, its subscriber counts deliveries. */
  replies: boolean;
}
const active: Target[] = [];
let httpAgent: http.Agent | undefined;
let coapSocket: dgram.Socket | undefined;
let sentAt = new Float64Array(0);
let answered = new Uint8Array(0);
let replies = 0;
let codes: Record<string, number> = {};
let latencies: number[] = [];
let subscriberLatencies: number[] = [];
let subscriberCount = 0;

let fleet: OtaFleet | undefined;

const send = (message: unknown) => process.send!(message);
const now = () => performance.timeOrigin + performance.now();

process.on('message', (command: WorkerCommand) => {
  void handle(command).then(
    (result) => send({ ok: true, result }),
    (err: Error) => send({ ok: false, error: err.stack ?? String(err) }),
  );
});

async function handle(command: WorkerCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'connect':
      return connectAll(command);
    case 'subscribe-all':
      return subscribeAll(command.url, command.topic);
    case 'connect-http':
      return connectHttp(command);
    case 'connect-coap':
      return connectCoap(command);
    case 'run':
      return run(command);
    case 'collect': {
      const until = performance.now() + command.withinMs;
      while (subscriberCount < command.expect && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
      const result = { count: subscriberCount, latencies: subscriberLatencies };
      subscriberCount = 0;
      subscriberLatencies = [];
      return result;
    }
    case 'ota-connect':
      return otaConnect(command);
    case 'ota-inform':
      return fleet!.informAll(command.version, command.module, 200, command.timeoutMs);
    case 'ota-records':
      return fleet?.records() ?? ([] satisfies OtaDeviceRecord[]);
    case 'drop-targets':
      active.length = 0;
      for (const c of clients.splice(0)) c.end(true);
      for (const c of rawClients.splice(0)) c.end();
      return null;
    case 'close':
      fleet?.close();
      for (const c of clients) c.end(true);
      for (const c of rawClients) c.end();
      httpAgent?.destroy();
      coapSocket?.close();
      setTimeout(() => process.exit(0), 50);
      return null;
  }
}

/** What connecting a worker's share of devices came to. */
type ConnectOutcome = { connected: number; failed: number; firstError?: string };

/** Runs `setUp` for each device, `concurrency` at a time; a device whose set-up throws counts as failed. */
async function eachDevice(devices: readonly BenchDevice[], concurrency: number, setUp: (device: BenchDevice) => Promise<void>): Promise<ConnectOutcome> {
  let connected = 0;
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  const one = async () => {
    while (next < devices.length) {
      const device = devices[next++]!;
      try {
        await setUp(device);
        connected++;
      } catch (err) {
        failed++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, one));
  return { connected, failed, firstError };
}

function connectAll(command: Extract<WorkerCommand, { cmd: 'connect' }>): Promise<ConnectOutcome> {
  return eachDevice(command.devices, command.concurrency, async (device) => {
    const client = await connectRaw(command.url, command.mode, device, command.localAddress);
    rawClients.push(client);
    if (!command.listen) return;
    const topic = command.mode === 'thingwire'
      ? `/sys/${device.productKey}/${device.deviceName}/thing/event/property/post`
      : `bench/${device.deviceName}`;
    if (command.mode === 'thingwire') {
      client.onPublish = onReply;
      await client.subscribe(`${topic}_reply`, 0);
    }
    // What each QoS 1 publish waits for, by its packet id.
    const acks = new Map<number, (ok: boolean) => void>();
    client.onPuback = (packetId) => {
      const done = acks.get(packetId);
      acks.delete(packetId);
      done?.(true);
    };
    active.push({
      topic, replies: command.mode === 'thingwire',
      post: (_id, body, qos, done) => {
        const packetId = client.publish(topic, body, qos);
        if (packetId) acks.set(packetId, done);
        else done(true);
      },
    });
  });
}

/** A device's connection by the benchmark's own client: signed in (Thingwire) or anonymous (Mosquitto). */
function connectRaw(url: string, mode: 'thingwire' | 'mosquitto', device: BenchDevice, localAddress?: string): Promise<RawMqttClient> {
  const { hostname, port } = new URL(url);
  const auth = credentials(mode, device);
  return RawMqttClient.connect({
    host: hostname, port: Number(port), clientId: auth.clientId, username: auth.username, password: auth.password, keepalive: 600, localAddress,
  });
}

/** The JSON of an alink `/auth` (HTTP and CoAP), signed now. */
function signInBody(device: BenchDevice): string {
  const timestamp = String(Date.now());
  const sign = alinkSignature('hmacsha256', device.deviceSecret, { clientId: device.deviceName, deviceName: device.deviceName, productKey: device.productKey, timestamp });
  return JSON.stringify({ productKey: device.productKey, deviceName: device.deviceName, clientId: device.deviceName, timestamp, signmethod: 'hmacsha256', sign });
}

/** The token in an `/auth` answer, or the error that it was not one. */
function tokenIn(code: number, body: string): string {
  const token = /"token":"([^"]+)"/.exec(body)?.[1];
  if (!token) throw new Error(`sign-in answered ${code} ${body}`);
  return token;
}

const propertyPath = (device: BenchDevice) => `/topic/sys/${device.productKey}/${device.deviceName}/thing/event/property/post`;

/** Signs each device in at the HTTP listener, `concurrency` at a time; its posts then go with its token. */
function connectHttp(command: Extract<WorkerCommand, { cmd: 'connect-http' }>): Promise<ConnectOutcome> {
  const agent = (httpAgent ??= new http.Agent({ keepAlive: true, maxSockets: command.maxSockets }));
  return signInEach(command.devices, command.concurrency, async (device) => {
    const answer = await httpPost(agent, `${command.base}/auth`, signInBody(device));
    const token = tokenIn(answer.status, answer.body);
    const url = `${command.base}${propertyPath(device)}`;
    return {
      topic: url, replies: true,
      post: (_id, payload, _qos, done) => {
        httpPost(agent, url, payload, token).then((res) => {
          done(true);
          onReply('', Buffer.from(res.body, 'latin1'));
        }, () => done(false));
      },
    };
  });
}

/** CoAP requests waiting for their response, by token: sign-ins only (posts are matched by the reply's id). */
const coapWaiting = new Map<number, (payload: Buffer, code: number) => void>();
let coapMessageId = 0;
/** Tokens of sign-ins; posts use their message number, below this. */
let coapSignInToken = 0x7fffffff;

/** Signs each device in at the CoAP listener; its posts then go non-confirmable from this process's one socket. */
async function connectCoap(command: Extract<WorkerCommand, { cmd: 'connect-coap' }>): Promise<ConnectOutcome> {
  const socket = (coapSocket ??= await openCoapSocket());
  const send = (datagram: Buffer) => socket.send(datagram, command.port, command.host);
  return signInEach(command.devices, command.concurrency, async (device) => {
    const token = ++coapSignInToken >>> 0;
    const answer = await new Promise<{ code: number; body: string }>((resolve, reject) => {
      const timer = setTimeout(() => {
        coapWaiting.delete(token);
        reject(new Error('no answer to a CoAP sign-in in 10 s'));
      }, 10_000);
      coapWaiting.set(token, (payload, code) => {
        clearTimeout(timer);
        resolve({ code, body: payload.toString('utf8') });
      });
      send(coapPost(++coapMessageId, token, '/auth', signInBody(device)));
    });
    const deviceToken = tokenIn(answer.code, answer.body);
    const path = propertyPath(device);
    return {
      topic: path, replies: true,
      post: (id, payload, _qos, done) => socket.send(coapPost(++coapMessageId, id, path, payload, deviceToken), command.port, command.host, (err) => done(!err)),
    };
  });
}

function openCoapSocket(): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024, sendBufferSize: 8 * 1024 * 1024 });
    socket.on('message', (datagram, from) => {
      const response = coapResponse(datagram);
      if (!response) return;
      // A separate confirmable response (the answer took longer than a piggybacked one may) wants its ACK.
      if (response.type === 0) socket.send(coapAck(response.messageId), from.port, from.address);
      const waiting = coapWaiting.get(response.token);
      if (waiting) {
        coapWaiting.delete(response.token);
        return waiting(response.payload, response.code);
      }
      onReply('', response.payload);
    });
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve(socket));
  });
}

/** Signs `devices` in, `concurrency` at a time, each becoming a {@link Target} `run` posts as. */
function signInEach(devices: readonly BenchDevice[], concurrency: number, signIn: (device: BenchDevice) => Promise<Target>): Promise<ConnectOutcome> {
  return eachDevice(devices, concurrency, async (device) => {
    active.push(await signIn(device));
  });
}

function httpPost(agent: http.Agent, url: string, body: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(token ? { password: token } : {}) },
    }, (res) => {
      let text = '';
      res.setEncoding('latin1');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function otaConnect(command: Extract<WorkerCommand, { cmd: 'ota-connect' }>): Promise<ConnectOutcome> {
  const ota = (fleet ??= new OtaFleet(command.maxSockets));
  const failing = new Set(command.fail);
  return eachDevice(command.devices, command.concurrency, async (device) => {
    const client = await connectMqttJs(command.url, device);
    clients.push(client);
    await ota.add(client, device, failing.has(device.deviceName));
  });
}

/** The CONNECT credentials of a device: signed now (Thingwire) or anonymous (Mosquitto). */
function credentials(mode: 'thingwire' | 'mosquitto', device: BenchDevice): { clientId: string; username?: string; password?: string } {
  return mode === 'thingwire'
    ? signAlink({ productKey: device.productKey, deviceName: device.deviceName, deviceSecret: device.deviceSecret, clientId: device.deviceName, timestamp: Date.now() })
    : { clientId: `bench-${device.deviceName}` };
}

/** A signed-in OTA device's mqtt.js client. */
function connectMqttJs(url: string, device: BenchDevice): Promise<MqttClient> {
  const auth = credentials('thingwire', device);
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, {
      clientId: auth.clientId, username: auth.username, password: auth.password, protocolVersion: 4, keepalive: 600,
      reconnectPeriod: 0, connectTimeout: 30_000,
    });
    client.once('connect', () => {
      noDelay(client);
      resolve(client);
    });
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
  });
}

/** mqtt.js leaves Nagle on; small publishes would then wait for ACKs (20–30 ms p50 at moderate rates, measured). */
function noDelay(client: MqttClient): void {
  (client.stream as unknown as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
}

function onReply(_topic: string, payload: Buffer): void {
  const at = now();
  // {"id":"123","code":200,...}: read the two fields without a full parse per reply.
  const text = payload.toString('latin1');
  const id = Number(/"id":"(\d+)"/.exec(text)?.[1]);
  const code = /"code":(\d+)/.exec(text)?.[1] ?? '?';
  codes[code] = (codes[code] ?? 0) + 1;
  if (id >= 0 && id < sentAt.length && answered[id] === 0) {
    answered[id] = 1;
    replies++;
    latencies.push(at - sentAt[id]!);
  }
}

async function subscribeAll(url: string, topic: string): Promise<null> {
  const { hostname, port } = new URL(url);
  const client = await RawMqttClient.connect({ host: hostname, port: Number(port), clientId: `bench-subscriber-${process.pid}`, keepalive: 600 });
  rawClients.push(client);
  client.onPublish = (_t, payload) => {
    const at = now();
    // {"id":"…","t":1733…,…}: the send time, read without a parse per delivery.
    const from = payload.indexOf('"t":');
    const t = from < 0 ? 0 : Number.parseFloat(payload.toString('latin1', from + 4, from + 30));
    subscriberCount++;
    if (t > 0) subscriberLatencies.push(at - t);
  };
  await client.subscribe(topic, 1);
  return null;
}

async function run(command: Extract<WorkerCommand, { cmd: 'run' }>): Promise<RunReport> {
  const total = Math.ceil((command.rate * command.durationMs) / 1000);
  sentAt = new Float64Array(total + 1);
  answered = new Uint8Array(total + 1);
  replies = 0;
  codes = {};
  latencies = [];
  let sent = 0;
  let acked = 0;
  let publishErrors = 0;
  let throttled = false;
  const thingwire = active.some((a) => a.replies);
  const started = performance.now();
  let device = 0;

  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - started;
      const due = Math.min(total, Math.floor((command.rate * elapsed) / 1000));
      while (sent < due) {
        const outstanding = thingwire ? sent - replies : 0;
        if (outstanding > command.maxBacklog) {
          throttled = true;
          break;
        }
        const id = ++sent;
        const target = active[device++ % active.length]!;
        const t = now();
        sentAt[id] = t;
        // Mosquitto relays the same bytes, plus the send time its subscriber measures latency by.
        const body = alinkPost(id, Math.floor(t), command.payload, thingwire ? undefined : t);
        target.post(id, body, command.qos, (ok) => {
          if (ok) acked++;
          else publishErrors++;
        });
      }
      if (elapsed >= command.durationMs || sent >= total) return resolve();
      setTimeout(tick, 5);
    };
    tick();
  });

  // Drain: wait for the replies still on their way, bounded by drainMs.
  const drainUntil = performance.now() + command.drainMs;
  while (thingwire && replies < sent && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 20));
  if (command.qos === 1) while (acked + publishErrors < sent && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 20));
  return { sent, acked, publishErrors, codes, latencies, backlog: thingwire ? sent - replies : 0, throttled };
}

/** A signed device's property post asking for a reply (ack=1): the reply comes once the post is stored. */
function alinkPost(id: number, time: number, payload: 'meter' | 'wide', sentAt?: number): string {
  const v = 220 + (id % 20);
  const params = payload === 'meter'
    ? `{"voltage":{"value":${v}.5,"time":${time}},"current":{"value":${(id % 50) / 10},"time":${time}},"power":{"value":${v * 3},"time":${time}}}`
    : `{${Array.from({ length: 10 }, (_, i) => `"p${i}":{"value":${(id + i) % 100},"time":${time}}`).join(',')}}`;
  return `{"id":"${id}",${sentAt === undefined ? '' : `"t":${sentAt},`}"version":"1.0","sys":{"ack":1},"method":"thing.event.property.post","params":${params}}`;
}
