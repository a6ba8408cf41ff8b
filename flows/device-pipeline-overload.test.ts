import path from 'node:path';
import Database from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TELEMETRY_DB_FILE } from '../server/telemetry/sqlite-telemetry.ts';
import type { TelemetryBackend } from '../server/telemetry/telemetry-store.ts';
import { connect, createDevices, deployListener, deviceOptions, type TestDevice } from '../server/testing/mqtt-devices.ts';
import { pipelineFlow } from '../server/testing/pipeline-flow.ts';
import { startTestServer, type TestServer } from '../server/testing/test-server.ts';
import { until } from '../server/testing/until.ts';

/**
 * Storage slower than the devices: the real SQLite backend made to take 50 ms per commit of at most 50 rows
 * (about 1,000 rows/s, as a slow disk or a distant TDengine would), against devices publishing as fast as they are let.
 */
const MAX_QUEUED = 400;
let tw: TestServer;
let port: number;
let devices: TestDevice[];
/** Sends only the QoS 0 flood: none of its publishes is ever held, so its socket is read while the gate is closed. */
let flooderDevice: TestDevice;
const clients: MqttClient[] = [];
const slow = (backend: TelemetryBackend): TelemetryBackend => ({
  ensureSchema: (...a) => backend.ensureSchema(...a),
  writeBatch: async (batch) => {
    await new Promise((r) => setTimeout(r, 50));
    return backend.writeBatch(batch);
  },
  latest: (...a) => backend.latest(...a),
  history: (q) => backend.history(q),
  historyBuckets: (q) => backend.historyBuckets(q),
  events: (q) => backend.events(q),
  deleteBefore: (...a) => backend.deleteBefore(...a),
  close: () => backend.close(),
});

beforeAll(async () => {
  tw = await startTestServer({
    telemetry: { writer: { maxQueuedRows: MAX_QUEUED, maxBatchRows: 50, lingerMs: 5 }, wrapBackend: slow },
    // Device messages waiting for the flow's answer: the gate also closes past this many, whatever the flow does.
    hub: { maxPendingReplies: 300 },
  });
  const created = await createDevices(tw, 'meters', ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'q0']);
  devices = created.slice(0, 8);
  flooderDevice = created[8];
  const flows = pipelineFlow();
  // No per-device rate limit: this test is about what storage can take. A reply timeout (the listener's) longer
  // than the slow storage needs to work off the burst: the test counts 200s, not 504s.
  Object.assign(flows.find((n) => n.id === 'tw-mqtt-listener')!, { ratePerDevice: 0, replyTimeoutMs: 30_000 });
  port = await deployListener(tw, flows);
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await tw?.close();
});

const QOS0_FIRST_ID = 900_000;

describe('overload', () => {
  it('holds back QoS 1 devices instead of queueing without bound, drops and counts QoS 0, and loses nothing acknowledged', async () => {
    const taken = new Map<string, Set<number>>();
    let closedClients = 0;
    const replyCodes = new Map<number, number>();
    let maxQueued = 0;
    let sawBackpressure = false;
    /** QoS 1 publishes neither acknowledged nor failed yet: the load loop moves on after 200 ms without waiting for them. */
    let inFlight = 0;
    // A QoS 0 flood the moment storage is behind (the gate closed): dropped and counted, not queued.
    const flooder = await connect(`mqtt://127.0.0.1:${port}`, deviceOptions(flooderDevice));
    clients.push(flooder);
    const qos0Sent = 3000;
    const sampler = setInterval(() => {
      maxQueued = Math.max(maxQueued, tw.app.telemetry.writer.queuedRows);
      if (tw.app.gate.open || sawBackpressure) return;
      sawBackpressure = true;
      for (let i = 0; i < qos0Sent; i++) {
        flooder.publish(`/sys/${flooderDevice.productKey}/${flooderDevice.deviceName}/thing/event/property/post`,
          JSON.stringify({ id: String(QOS0_FIRST_ID + i), version: '1.0', method: 'thing.event.property.post', params: { temperature: 99 } }), { qos: 0 });
      }
    }, 5);
    const heapBefore = process.memoryUsage().heapUsed;

    // Eight devices, each with up to 50 QoS 1 publishes in flight, for 1 s: many times what storage takes.
    const loadEnds = Date.now() + 1000;
    await Promise.all(devices.map(async (d) => {
      const c = await connect(`mqtt://127.0.0.1:${port}`, deviceOptions(d));
      c.on('close', () => closedClients++);
      clients.push(c);
      const ids = new Set<number>();
      taken.set(d.deviceName, ids);
      await c.subscribeAsync(`/sys/${d.productKey}/${d.deviceName}/thing/event/property/post_reply`);
      c.on('message', (_t, payload) => {
        const { code } = JSON.parse(payload.toString()) as { code: number };
        replyCodes.set(code, (replyCodes.get(code) ?? 0) + 1);
      });
      let n = 0;
      while (Date.now() < loadEnds && n < 20_000) {
        const batch: Promise<void>[] = [];
        for (let i = 0; i < 50; i++) {
          const id = ++n;
          inFlight++;
          batch.push(c.publishAsync(`/sys/${d.productKey}/${d.deviceName}/thing/event/property/post`,
            JSON.stringify({ id: String(id), version: '1.0', method: 'thing.event.property.post', sys: { ack: 1 }, params: { temperature: id / 1000 } }), { qos: 1 })
            .then(() => void ids.add(id))
            .finally(() => inFlight--));
        }
        await Promise.race([Promise.all(batch), new Promise((r) => setTimeout(r, 200))]);
      }
    }));

    // Let storage catch up: every PUBACKed message gets through.
    await until('storage caught up (writer idle, gate open, no reply pending)',
      () => tw.app.telemetry.writer.idle && tw.app.gate.open && tw.app.hub.stats().pendingReplies === 0, Boolean, 30_000);
    clearInterval(sampler);
    const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;

    // The last replies and acknowledgements on their way: a PUBACK follows its 200 reply.
    const countOf = () => [...taken.values()].reduce((a, s) => a + s.size, 0);
    // Every publish settled first: counts that merely agree while acknowledgements are still coming would be read early.
    await expect.poll(() => inFlight === 0 && countOf() > 0 && countOf() === replyCodes.get(200), { timeout: 10_000, message: `PUBACKed ${countOf()}, still in flight ${inFlight}, replies ${JSON.stringify(Object.fromEntries(replyCodes))}, closed ${closedClients}` }).toBe(true);
    const acknowledged = countOf();
    const metrics = await (await fetch(`${tw.url}/metrics`)).text();
    const dropped = Number(/^thingwire_ingress_dropped_total\{qos="0"\} (\d+)/m.exec(metrics)?.[1]);
    const held = Number(/^thingwire_ingress_held_total (\d+)/m.exec(metrics)?.[1]);
    console.log(`overload: ${acknowledged} QoS 1 messages offered in 1 s and all acknowledged, by storage taking ~1,000 rows/s; queue peaked at ${maxQueued} rows (limit ${MAX_QUEUED}); ${held} publishes held; ${dropped} of ${qos0Sent} QoS 0 dropped; heap +${heapGrowthMb.toFixed(0)} MB`);

    expect(sawBackpressure).toBe(true);
    expect(held).toBeGreaterThan(0);
    expect(maxQueued).toBeLessThanOrEqual(MAX_QUEUED);
    expect(dropped).toBeGreaterThan(0);
    // Every stored row's age at its commit is on /metrics (the benchmark's publish → stored latency).
    expect(Number(/^thingwire_telemetry_row_age_seconds_count (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(acknowledged);
    expect(heapGrowthMb).toBeLessThan(150);
    // Slowed down, never turned away: every message that asked was answered 200.
    expect(Object.fromEntries(replyCodes)).toEqual({ 200: acknowledged });

    const file = new Database(path.join(tw.dataDir, TELEMETRY_DB_FILE), { readonly: true });
    try {
      for (const [deviceName, ids] of taken) {
        const stored = new Set((file.prepare('SELECT p_temperature AS t FROM t_meters WHERE device = ?').all(deviceName) as { t: number }[]).map((r) => Math.round(r.t * 1000)));
        const lost = [...ids].filter((id) => !stored.has(id));
        expect(lost, `${deviceName}: acknowledged but not stored`).toEqual([]);
      }
    } finally {
      file.close();
    }
  }, 60_000);
});
