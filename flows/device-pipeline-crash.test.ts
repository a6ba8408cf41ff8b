import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { signAlink } from '../server/device-auth/alink-sign.ts';
import { TELEMETRY_DB_FILE } from '../server/telemetry/sqlite-telemetry.ts';
import { connect, freePort, testTsl, type TestDevice } from '../server/testing/mqtt-devices.ts';
import { until } from '../server/testing/until.ts';

/**
 * The default pipeline's promise under load, across crashes and a stop: every message the platform acknowledged
 * (PUBACK or a 200 reply) is stored, once, however the process ends. Thingwire runs as `npm start` runs it, in a
 * process of its own that the tests kill.
 */
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
const topic = (d: TestDevice, suffix: string) => `/sys/${d.productKey}/${d.deviceName}/${suffix}`;

describe('one data dir under load: killed three times, then stopped', () => {
  // One server process and data dir for both tests, as an installation lives through crashes and a stop: the second
  // test's load runs on the server the first restarted. Four starts instead of six.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-crash-'));
  dirs.push(dataDir);
  let httpPort = 0;
  let mqttPort = 0;
  let server: ReturnType<typeof startProcess> | undefined;
  afterAll(() => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
  });
  const started = () => {
    if (!server || server.child.exitCode !== null) throw new Error('the server the test before left running is gone');
    return server;
  };

  it('stores every PUBACKed message exactly once, across three SIGKILLs and the devices sending again what got no PUBACK', async () => {
    [httpPort, mqttPort] = [await freePort(), await freePort()];
    server = startProcess(dataDir, httpPort, mqttPort);
    await server.ready;
    const devices = await provisionMeters(httpPort, 'k', 10);
    // Per device: every message sent (id → payload) and the ids PUBACKed. Ids never repeat across runs.
    const sent = new Map(devices.map((d) => [d.deviceName, new Map<number, string>()]));
    const acked = new Map(devices.map((d) => [d.deviceName, new Set<number>()]));
    const payloadOf = (id: number) => JSON.stringify({ id: String(id), version: '1.0', method: 'thing.event.property.post', params: { temperature: id / 1000 } });
    let nextId = 0;
    let killedAtAcks = 0;
    for (let run = 0; run < 3; run++) {
      // Ten devices stream QoS 1 at 90 messages/s each; the server is killed once 300 more are PUBACKed.
      let stop = false;
      const before = [...acked.values()].reduce((n, s) => n + s.size, 0);
      const loops = devices.map(async (d) => {
        const client = await connectMeter(d, mqttPort);
        while (!stop && client.connected) {
          for (let burst = 0; burst < 9; burst++) {
            const id = ++nextId;
            sent.get(d.deviceName)!.set(id, payloadOf(id));
            client.publish(`/sys/meters/${d.deviceName}/thing/event/property/post`, payloadOf(id), { qos: 1 }, (err) => {
              if (!err) acked.get(d.deviceName)!.add(id);
            });
          }
          await pace(100);
        }
        return client;
      });
      const ackedNow = () => [...acked.values()].reduce((n, s) => n + s.size, 0);
      await expect.poll(ackedNow, { timeout: 20_000, interval: 5 }).toBeGreaterThan(before + 300);
      killedAtAcks = ackedNow();
      server.child.kill('SIGKILL');
      await server.exited;
      stop = true;
      for (const client of await Promise.all(loops)) client.end(true);

      // Started again on the same data dir, each device sends again what it got no PUBACK for, as it would.
      server = startProcess(dataDir, httpPort, mqttPort);
      await server.ready;
      await Promise.all(devices.map(async (d) => {
        const unacked = [...sent.get(d.deviceName)!].filter(([id]) => !acked.get(d.deviceName)!.has(id));
        if (unacked.length === 0) return;
        const client = await connectMeter(d, mqttPort);
        await Promise.all(unacked.map(([id, payload]) => client.publishAsync(`/sys/meters/${d.deviceName}/thing/event/property/post`, payload, { qos: 1, dup: true })
          .then(() => void acked.get(d.deviceName)!.add(id))));
        client.end(true);
      }));
    }

    // Read beside the running server: a PUBACK is given once the rows are committed.
    const file = new Database(path.join(dataDir, TELEMETRY_DB_FILE), { readonly: true });
    try {
      let total = 0;
      for (const d of devices) {
        const rows = (file.prepare('SELECT p_temperature AS t FROM t_meters WHERE device = ?').all(d.deviceName) as { t: number }[]).map((r) => Math.round(r.t * 1000));
        const counts = new Map<number, number>();
        for (const id of rows) counts.set(id, (counts.get(id) ?? 0) + 1);
        const ids = acked.get(d.deviceName)!;
        expect(ids.size, `${d.deviceName}: everything sent was PUBACKed in the end`).toBe(sent.get(d.deviceName)!.size);
        const wrong = [...ids].filter((id) => counts.get(id) !== 1).map((id) => `${id}: stored ${counts.get(id) ?? 0} times`);
        expect(wrong, `${d.deviceName}: PUBACKed but not stored exactly once`).toEqual([]);
        expect(rows.length).toBe(ids.size);
        total += ids.size;
      }
      const registry = new Database(path.join(dataDir, 'thingwire.db'), { readonly: true });
      const repeats = registry.prepare("SELECT count(*) FROM device_messages WHERE reason LIKE 'repeat of a message%'").pluck().get();
      registry.close();
      console.log(`SIGKILL x3: ${total} messages PUBACKed, each stored once (last kill after ${killedAtAcks} PUBACKs); ${repeats} resends were stored before the crash and answered from their receipt`);
    } finally {
      file.close();
    }
  }, 120_000);

  it('SIGTERM during load: every message the platform acknowledged is in the database, none answered with an error', async () => {
    const running = started();
    const devices = await provisionMeters(httpPort, 'm', 20);

    // Twenty devices publish QoS 1 at 90 messages/s each (under the default flow's per-device limit of 100/s):
    // 1,800 messages/s. A PUBACK or a 200 reply means "taken".
    const acknowledged = new Map<string, Set<number>>();
    const refused = new Map<string, Set<number>>();
    let stop = false;
    const loops = devices.map(async (d) => {
      const taken = new Set<number>();
      const answeredError = new Set<number>();
      acknowledged.set(d.deviceName, taken);
      refused.set(d.deviceName, answeredError);
      const client = await connectMeter(d, mqttPort);
      await client.subscribeAsync(topic(d, 'thing/event/property/post_reply'));
      client.on('message', (_t, payload) => {
        const reply = JSON.parse(payload.toString()) as { id: string; code: number };
        (reply.code === 200 ? taken : answeredError).add(Number(reply.id));
      });
      let n = 0;
      // Bounded: at most 20,000 messages or until the server stops.
      while (!stop && client.connected && n < 20_000) {
        for (let burst = 0; burst < 9; burst++) {
          const id = ++n;
          client.publish(topic(d, 'thing/event/property/post'), JSON.stringify({ id: String(id), version: '1.0', method: 'thing.event.property.post', sys: { ack: 1 }, params: { temperature: id / 1000 } }), { qos: 1 }, (err) => {
            if (!err) taken.add(id);
          });
        }
        await pace(100);
      }
      return client;
    });
    // Stopped mid-stream, once a thousand messages were taken.
    const takenSoFar = () => [...acknowledged.values()].reduce((a, s) => a + s.size, 0);
    await expect.poll(takenSoFar, { timeout: 20_000, interval: 20 }).toBeGreaterThan(1000);
    running.child.kill('SIGTERM');
    const code = await running.exited;
    stop = true;
    for (const client of await Promise.all(loops)) client.end(true);
    expect(code).toBe(0);

    // The file as the stopped process left it (that a server starts again on it, the test before shows three times).
    const file = new Database(path.join(dataDir, TELEMETRY_DB_FILE), { readonly: true });
    try {
      for (const [deviceName, taken] of acknowledged) {
        const stored = new Set((file.prepare('SELECT p_temperature AS t FROM t_meters WHERE device = ?').all(deviceName) as { t: number }[]).map((r) => Math.round(r.t * 1000)));
        const lost = [...taken].filter((id) => !stored.has(id));
        expect(lost, `${deviceName}: acknowledged but not stored`).toEqual([]);
        // Stopping answers nothing with an error: what came in before the stop was stored, what came after is
        // left unacknowledged for the device to send again.
        expect([...refused.get(deviceName)!], `${deviceName}: answered with an error`).toEqual([]);
      }
    } finally {
      file.close();
    }
  }, 60_000);
});

/** The devices' own pace: a burst, then this long before the next (a rate, not a wait for anything). */
const pace = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A meter's MQTT connection, signed as the device signs; resolves once the CONNACK accepted it. */
async function connectMeter(d: TestDevice, port: number): Promise<MqttClient> {
  const signed = signAlink({ productKey: d.productKey, deviceName: d.deviceName, deviceSecret: d.deviceSecret, clientId: d.deviceName, timestamp: Date.now() });
  const client = await connect(`mqtt://127.0.0.1:${port}`, { clientId: signed.clientId, username: signed.username, password: signed.password, reconnectPeriod: 0, protocolVersion: 4 });
  // A stopped or killed server resets the connection: the loops see `connected` turn false, the error says no more.
  client.on('error', () => {});
  return client;
}

/** `npm start` as a user runs it (node server/start.mjs), ready once it serves /healthz and MQTT. */
function startProcess(dataDir: string, httpPort: number, mqttPort: number): { child: ChildProcess; ready: Promise<void>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['server/start.mjs', '--port', String(httpPort), '--host', '127.0.0.1', '--mqtt-port', String(mqttPort), '--data-dir', dataDir, '--log-level', process.env.THINGWIRE_TEST_LOG ?? 'warn'], {
    cwd: path.resolve(import.meta.dirname, '..'),
    env: { ...process.env, THINGWIRE_ADMIN_PASSWORD: 'restart-test-password' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    if (process.env.THINGWIRE_TEST_LOG) process.stderr.write(output);
    resolve(code);
  }));
  // Ready when the API answers and the MQTT listener (started with the flows, just after the API) accepts.
  const ready = until('Thingwire serving /healthz and MQTT', async () => {
    if (child.exitCode !== null) throw new Error(`thingwire exited with ${child.exitCode}: ${output}`);
    return (await fetch(`http://127.0.0.1:${httpPort}/healthz`).then((r) => r.ok, () => false)) && (await accepts(mqttPort));
  }, Boolean, 30_000).then(() => undefined, (err: Error) => {
    throw new Error(`${err.message}: ${output}`);
  });
  return { child, ready, exited };
}

/** Through the API of a server started by startProcess: the meters product with its thing model (once), and `count` devices. */
async function provisionMeters(httpPort: number, prefix: string, count: number): Promise<TestDevice[]> {
  const base = `http://127.0.0.1:${httpPort}/api/v1`;
  const token = await login(base);
  const api = (method: string, p: string, body?: unknown) =>
    fetch(base + p, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if ((await api('GET', '/products/meters')).status === 404) {
    await api('POST', '/products', { productKey: 'meters', name: 'Meters' });
    await api('PUT', '/products/meters/thing-model/draft', testTsl);
    await api('POST', '/products/meters/thing-model/publish');
  }
  const devices: TestDevice[] = [];
  for (let i = 0; i < count; i++) {
    const res = await api('POST', '/devices', { productKey: 'meters', deviceName: `${prefix}${i}` });
    devices.push({ productKey: 'meters', deviceName: `${prefix}${i}`, deviceSecret: ((await res.json()) as { deviceSecret: string }).deviceSecret });
  }
  return devices;
}

async function login(base: string): Promise<string> {
  const res = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'restart-test-password' }) });
  return ((await res.json()) as { token: string }).token;
}

/** Whether a TCP connection to `port` on loopback is accepted. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
