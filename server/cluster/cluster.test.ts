/**
 * Three Thingwire nodes as `npm start --cluster` runs them, on a real PostgreSQL and Redis (Debian's servers on
 * loopback, data in temp dirs), with devices spread over them: a command through one node reaches a device on another
 * and its reply comes back; a deploy on one node runs on all three; an alert with a `for` duration fires once; and
 * `kill -9` of the node that leads and holds a third of the devices loses nothing that was acknowledged, while a new
 * leader takes over the alert's wait and the webhook outbox.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSql } from '../db/sql.ts';
import { alinkSignature } from '../device-auth/alink-sign.ts';
import { connect, deviceOptions, request, testTsl, type TestDevice } from '../testing/mqtt-devices.ts';
import type { TestJson } from '../testing/test-server.ts';
import { startWebhookReceiver, type WebhookTestReceiver } from '../notify/webhook-test-receiver.ts';
import { killLeftovers, start, stop, type MainProcess } from '../testing/main-process.ts';
import { pipelineFlow } from '../testing/pipeline-flow.ts';
import { openWebSocket } from '../testing/websockets.ts';
import { startPostgres, type PostgresServer } from '../testing/postgres-server.ts';
import { startRedis, type RedisServer } from '../testing/redis-server.ts';
import { until } from '../testing/until.ts';

const PASSWORD = 'cluster-admin-password';
const PK = 'clusterpk';
const NODES = ['n1', 'n2', 'n3'] as const;
type NodeId = (typeof NODES)[number];

let postgres: PostgresServer;
let redis: RedisServer;
let receiver: WebhookTestReceiver;
/** The cluster's database, to look at what the API does not show. */
let sql: PostgresSql;
const nodes = new Map<NodeId, MainProcess>();
const dirs: string[] = [];
const clients: MqttClient[] = [];

beforeAll(async () => {
  [postgres, redis, receiver] = await Promise.all([startPostgres(), startRedis(), startWebhookReceiver()]);
  const databaseUrl = await postgres.createDatabase('cluster');
  sql = PostgresSql.connect(databaseUrl, { max: 2 });
  // Every node of a cluster has the keys the cluster was made with: here one folder, linked into each data dir.
  const keys = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-cluster-keys-'));
  dirs.push(keys);
  await Promise.all(NODES.map(async (id) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `thingwire-cluster-${id}-`));
    dirs.push(dir);
    fs.symlinkSync(keys, path.join(dir, 'keys'));
    nodes.set(id, await start(dir, { THINGWIRE_ADMIN_PASSWORD: PASSWORD }, [
      '--cluster', '--node-id', id, '--postgres-url', databaseUrl, '--redis-url', redis.url, '--telemetry', 'postgres',
      '--allow-private-webhooks',
    ]));
  }));
}, 120_000);

afterAll(async () => {
  for (const client of clients) client.end(true);
  await Promise.all([...nodes.values()].filter((node) => running(node)).map((node) => stop(node.proc)));
  killLeftovers();
  await sql?.close();
  await Promise.all([receiver?.close(), redis?.stop(), postgres?.stop()]);
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
}, 120_000);

const running = (node: MainProcess) => node.proc.exitCode === null && node.proc.signalCode === null;

/** A session of the admin on one node. */
async function tokenOn(id: NodeId): Promise<string> {
  const login = await fetch(`${nodes.get(id)!.url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  return ((await login.json()) as { token: string }).token;
}

/** One node's API as the admin. */
async function api(id: NodeId) {
  const url = nodes.get(id)!.url;
  const token = await tokenOn(id);
  return async (method: string, route: string, body?: unknown): Promise<{ status: number; body: TestJson }> => {
    const res = await fetch(`${url}/api/v1${route}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

/** The MQTT address of a node's listener, as the node itself says (each node binds its own). */
async function mqttUrlOf(id: NodeId, device: TestDevice): Promise<string> {
  const call = await api(id);
  return until(`node ${id}'s MQTT listener`, async () => {
    const info = await call('GET', `/devices/${device.productKey}/${device.deviceName}/connection-info`);
    return (info.body?.endpoints as { transport: string; url: string }[] | undefined)?.find((e) => e.transport === 'mqtt')?.url;
  }, Boolean, 30_000) as Promise<string>;
}

/** Connects the device to a node, answering every property set with 200 and what was set. */
async function online(device: TestDevice, id: NodeId): Promise<MqttClient> {
  const client = await connect(await mqttUrlOf(id, device), deviceOptions(device));
  clients.push(client);
  const set = `/sys/${device.productKey}/${device.deviceName}/thing/service/property/set`;
  await client.subscribeAsync([set, `/sys/${device.productKey}/${device.deviceName}/thing/event/property/post_reply`], { qos: 1 });
  client.on('message', (topic, payload) => {
    if (topic !== set) return;
    const { id: msgId, params } = JSON.parse(payload.toString()) as { id: string; params: unknown };
    void client.publishAsync(`${set}_reply`, JSON.stringify({ id: msgId, code: 200, data: params }));
  });
  return client;
}

let nextId = 1;
/** Posts a temperature (with the next id, or this one: sent again) and resolves the platform's reply: 200 once stored. */
function post(client: MqttClient, device: TestDevice, temperature: number, id = String(nextId++)) {
  return request(client, `/sys/${device.productKey}/${device.deviceName}/thing/event/property/post`, {
    id, version: '1.0', params: { temperature }, method: 'thing.event.property.post',
  });
}

/** An HTTP listener on each node's own port (`/device`), limiting each device to 2 posts a second (bursts of 4). */
const httpListener = {
  id: 'test-http-listener', type: 'thing-http-listener', port: 0, host: '127.0.0.1', path: '/device', maxBodyBytes: 262144,
  tokenTtlSeconds: 3600, onlineWindowSeconds: 300, ratePerDevice: 2, replyTimeoutMs: 5000,
};

/** Whether a node leads now, by the last of what it logged about it. */
function leads(id: NodeId): boolean {
  const node = nodes.get(id)!;
  const said = [...node.stdout().matchAll(/"msg":"(became the leader|no longer the leader)"/g)].at(-1)?.[1];
  return running(node) && said === 'became the leader';
}

/** The node that leads: exactly one, once a change of leader (a busy machine) has settled. */
async function leaderOf(among: readonly NodeId[] = NODES): Promise<NodeId> {
  const leading = await until('exactly one leader', () => among.filter(leads), (l) => l.length === 1, 20_000);
  return leading[0]!;
}

describe('a cluster of three nodes', () => {
  it('serves one fleet from every node and loses nothing acknowledged when the leader is killed', async () => {
    const n1 = await api('n1');
    // One admin for the cluster, whichever node made it; the same data behind every node.
    expect((await n1('POST', '/products', { productKey: PK, name: 'Cluster sensors', dialect: 'alink' })).status).toBe(201);
    expect((await n1('PUT', `/products/${PK}/thing-model/draft`, testTsl)).status).toBe(200);
    expect((await n1('POST', `/products/${PK}/thing-model/publish`)).status).toBe(201);
    const devices: TestDevice[] = [];
    for (let i = 1; i <= 6; i++) {
      const created = await n1('POST', '/devices', { productKey: PK, deviceName: `d${i}` });
      expect(created.status).toBe(201);
      devices.push({ productKey: PK, deviceName: `d${i}`, deviceSecret: created.body.deviceSecret });
    }

    // A deploy on node 3 (the shipped pipeline, its alert after 3 s, a webhook after it) runs on all three, same rev.
    const n3 = await api('n3');
    const flows = [...pipelineFlow({ alertForSeconds: 3, webhook: { url: receiver.url, secret: 'cluster-webhook-secret' } }), httpListener];
    const deployed = await n3('POST', '/flows', { flows });
    expect(deployed.status).toBe(200);
    for (const id of NODES) {
      const call = await api(id);
      await until(`node ${id} runs the deploy`, async () => (await call('GET', '/flows')).body.rev, (rev) => rev === deployed.body.rev, 30_000);
    }

    // Two devices on each node.
    const holder = (i: number): NodeId => NODES[Math.floor(i / 2)]!;
    const connected = await Promise.all(devices.map((d, i) => online(d, holder(i))));
    const n2 = await api('n2');
    await until('every device online', async () => (await n2('GET', `/devices?productKey=${PK}&status=online`)).body.total, (n) => n === 6, 20_000);

    // A command through node 2's API to a device on node 1: sent there, and the device's reply comes back through 2.
    const command = await n2('POST', `/devices/${PK}/d1/commands`, { kind: 'property.set', params: { target: 21 } });
    expect(command.status).toBe(200);
    expect(command.body).toMatchObject({ code: 200, data: { target: 21 } });

    // The editor's live debug on node 1 shows node 3's messages, labelled with their node.
    const live = await openWebSocket(`${nodes.get('n1')!.url.replace('http', 'ws')}/api/v1/live?access_token=${await tokenOn('n1')}`);
    const debugFrom = new Set<string>();
    live.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; messages?: { clusterNode?: string }[] };
      if (message.type === 'debug') for (const m of message.messages ?? []) if (m.clusterNode) debugFrom.add(m.clusterNode);
    });

    // An alert with a for duration: raised once, by whichever node holds the device, and notified once.
    expect(await post(connected[4]!, devices[4]!, 41)).toMatchObject({ code: 200 });
    const raised = await until('the alert on d5', async () => (await n1('GET', `/alerts?deviceName=d5`)).body, (page) => page.total >= 1, 20_000);
    expect(raised.items).toMatchObject([{ deviceName: 'd5', state: 'active', value: 41 }]);
    await receiver.request(0, 20_000);
    // The alert node's debug node ran on node 3, which holds d5.
    await until('node 3\'s debug message on node 1\'s live socket', () => debugFrom.has('n3'), Boolean, 10_000);
    live.close();

    // What each device was told is stored, before the kill.
    const acknowledged = new Map<string, number[]>();
    for (const [i, device] of devices.entries()) {
      for (const t of [20 + i, 21 + i]) {
        expect(await post(connected[i]!, device, t)).toMatchObject({ code: 200 });
        acknowledged.set(device.deviceName, [...(acknowledged.get(device.deviceName) ?? []), t]);
      }
    }

    // The leader's device starts a for wait and the leader dies before it falls due: kill -9, no goodbye.
    const leader = await leaderOf();
    const victims = devices.map((d, i) => ({ d, i })).filter(({ i }) => holder(i) === leader);
    const lastWord = String(nextId++);
    expect(await post(connected[victims[0]!.i]!, victims[0]!.d, 45, lastWord)).toMatchObject({ code: 200 });
    acknowledged.get(victims[0]!.d.deviceName)!.push(45);
    // The alert node records the wait after the device was answered (the reply is sent once the value is stored).
    await until('the wait recorded', async () => (await sql.get<{ n: number }>('SELECT count(*) AS n FROM alert_waits WHERE device_name = ?', [victims[0]!.d.deviceName]))!.n, (n) => n === 1, 10_000);
    nodes.get(leader)!.proc.kill('SIGKILL');
    await new Promise<void>((resolve) => nodes.get(leader)!.proc.once('exit', () => resolve()));
    const survivors = NODES.filter((id) => id !== leader);

    // A new leader takes over within seconds, raises the dead node's wait and delivers its webhook.
    const other = await api(await leaderOf(survivors));
    const takenOver = await until(`the alert on ${victims[0]!.d.deviceName}`, async () => (await other('GET', `/alerts?state=open&deviceName=${victims[0]!.d.deviceName}`)).body, (page) => page.total >= 1, 20_000);
    expect(takenOver.items).toMatchObject([{ state: 'active', value: 45 }]);
    await until('its webhook', () => receiver.requests.some((r) => r.body.includes(`"deviceName":"${victims[0]!.d.deviceName}"`)), Boolean, 20_000);

    // The dead node's devices reconnect to the others and go on.
    for (const { d, i } of victims) {
      connected[i] = await online(d, survivors[i % 2]!);
      expect(await post(connected[i]!, d, 30)).toMatchObject({ code: 200 });
      acknowledged.get(d.deviceName)!.push(30);
    }
    await until('the reconnected devices online', async () => (await other('GET', `/devices?productKey=${PK}&status=online`)).body.total, (n) => n === 6, 20_000);
    // The message the dead node answered 200 just before it died, sent again through another node (its PUBACK was
    // lost, say): answered with the first verdict from the shared receipts, and not stored a second time.
    const again = await post(connected[victims[0]!.i]!, victims[0]!.d, 45, lastWord);
    expect(again).toMatchObject({ code: 200 });
    expect(JSON.stringify(again)).toContain('repeat of a message already received');

    // Nothing acknowledged is lost: every value each device was answered 200 for is stored.
    for (const device of devices) {
      const history = await other('GET', `/devices/${PK}/${device.deviceName}/properties/temperature/history?limit=100`);
      expect(history.status).toBe(200);
      const stored = (history.body.items as { value: number }[]).map((p) => p.value).sort((a, b) => a - b);
      expect(stored, device.deviceName).toEqual(expect.arrayContaining(acknowledged.get(device.deviceName)!));
      if (device === victims[0]!.d) expect(stored.filter((v) => v === 45), 'the repeat stored once').toHaveLength(1);
    }
    // One connection per device in the cluster: connecting on another node closes the older connection (the brokers
    // are joined through Redis).
    const { d: moved, i: movedIndex } = victims[0]!;
    const closed = new Promise<void>((resolve) => connected[movedIndex]!.once('close', () => resolve()));
    connected[movedIndex] = await online(moved, survivors[(movedIndex + 1) % 2]!);
    await closed;
    expect(await post(connected[movedIndex]!, moved, 31)).toMatchObject({ code: 200 });

    // Exactly once: d5's alert (cleared since by its cooler posts) and the dead node's device's, one webhook per change.
    const alerts = (await other('GET', '/alerts')).body.items as { deviceName: string; state: string }[];
    expect(alerts.map((a) => [a.deviceName, a.state]).sort()).toEqual([['d5', 'cleared'], [victims[0]!.d.deviceName, 'active']].sort());
    const webhooks = receiver.requests.map((r) => JSON.parse(r.body) as { transition: string; alert: { deviceName: string } });
    expect(webhooks.map((w) => `${w.alert.deviceName} ${w.transition}`).sort()).toEqual(['d5 cleared', 'd5 raised', `${victims[0]!.d.deviceName} raised`].sort());

    // HTTP devices whose posts a balancer spreads over the nodes: a token from one node is good on the others.
    const httpDevice = async (deviceName: string) => {
      const created = await other('POST', '/devices', { productKey: PK, deviceName });
      expect(created.status).toBe(201);
      const timestamp = String(Date.now());
      const sign = alinkSignature('hmacsha256', created.body.deviceSecret, { clientId: deviceName, deviceName, productKey: PK, timestamp });
      const signIn = await fetch(`${nodes.get(survivors[0]!)!.url}/device/auth`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ productKey: PK, deviceName, clientId: deviceName, timestamp, signmethod: 'hmacsha256', sign }),
      });
      expect(signIn.status).toBe(200);
      const { token } = ((await signIn.json()) as { info: { token: string } }).info;
      return (node: NodeId, id: string) => fetch(`${nodes.get(node)!.url}/device/topic/sys/${PK}/${deviceName}/thing/event/property/post`, {
        method: 'POST', headers: { 'content-type': 'application/json', password: token },
        body: JSON.stringify({ id, version: '1.0', params: { temperature: 22 }, method: 'thing.event.property.post' }),
      });
    };
    // A post answered by one node and sent again through the other (its answer was lost), which the device had posted
    // to before: answered as a repeat.
    const h2 = await httpDevice('h2');
    expect((await h2(survivors[1]!, '6')).status).toBe(200);
    expect((await h2(survivors[0]!, '7')).status).toBe(200);
    const resent = await h2(survivors[1]!, '7');
    expect(resent.status).toBe(200);
    expect(await resent.text()).toContain('repeat of a message already received');

    // One rate limit in the cluster, not one per node: 2 a second with bursts of 4, counted in Redis. (Each node
    // counting its own would take the first eight.)
    const h1 = await httpDevice('h1');
    const began = Date.now();
    const codes = await Promise.all(Array.from({ length: 10 }, async (_, i) => (await h1(survivors[i % 2]!, String(100 + i))).status));
    const seconds = (Date.now() - began) / 1000;
    expect(codes.filter((c) => c === 200).length, `${codes.join(' ')} in ${seconds} s`).toBeLessThanOrEqual(4 + 2 * Math.ceil(seconds));
    expect(codes, 'the posts over the limit are refused').toContain(429);

    // A command queued through one node for an offline device reaches it when it connects to another node, and its
    // outcome is what the device answered there.
    const q1 = await other('POST', '/devices', { productKey: PK, deviceName: 'q1' });
    expect(q1.status).toBe(201);
    const through = await api(survivors[0]!);
    const queued = await through('POST', `/devices/${PK}/q1/commands`, { kind: 'property.set', params: { target: 19 }, whenOffline: 'queue', ttlMs: 60_000 });
    expect(queued.status).toBe(202);
    await online({ productKey: PK, deviceName: 'q1', deviceSecret: q1.body.deviceSecret }, survivors[1]!);
    const outcome = await until('the queued command answered', async () => {
      const down = await through('GET', `/devices/${PK}/q1/messages?direction=down`);
      return (down.body.items as { msgId: string; code: number | null }[]).find((m) => m.msgId === queued.body.id);
    }, (m) => m?.code === 200, 20_000);
    expect(outcome).toMatchObject({ code: 200 });
    expect(codes.filter((c) => c !== 200 && c !== 429), codes.join(' ')).toEqual([]);
  }, 180_000);
});
