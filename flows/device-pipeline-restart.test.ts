import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { closedPort, startWebhookReceiver } from '../server/notify/webhook-test-receiver.ts';
import { TELEMETRY_DB_FILE } from '../server/telemetry/sqlite-telemetry.ts';
import { connect, createDevices, deployListener, deviceOptions, request, subscribe, type TestDevice } from '../server/testing/mqtt-devices.ts';
import { pipelineFlow } from '../server/testing/pipeline-flow.ts';
import { startTestServer } from '../server/testing/test-server.ts';
import { until } from '../server/testing/until.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-restart-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
const topic = (d: TestDevice, suffix: string) => `/sys/${d.productKey}/${d.deviceName}/${suffix}`;

describe('across a restart', () => {
  it('retries a webhook whose receiver was down, after Thingwire restarted', async () => {
    const dataDir = tempDir();
    const port = await closedPort();
    const hookUrl = `http://127.0.0.1:${port}/hook`;
    // The webhook receiver is on loopback, which outbound requests may reach only when allowed. Retries come after
    // 0.1–1 s instead of the default 2.5 s and more: the test is about the retry surviving the restart, not its wait.
    const config = { webhookAllowCidrs: ['127.0.0.1/32'] };
    const notify = { backoff: { baseMs: 200, maxMs: 1000 } };
    let tw = await startTestServer({ dataDir, config, notify });
    const [sensor] = await createDevices(tw, 'thermo', ['hall']);
    const mqttPort = await deployListener(tw, pipelineFlow({ alertForSeconds: 0, webhook: { url: hookUrl, secret: 'restart-webhook-secret' } }));
    const c = await connect(`mqtt://127.0.0.1:${mqttPort}`, deviceOptions(sensor));
    await subscribe(c, topic(sensor, 'thing/event/property/post_reply'));
    expect(await request(c, topic(sensor, 'thing/event/property/post'), { id: '1', version: '1.0', method: 'thing.event.property.post', params: { temperature: 40 } })).toMatchObject({ code: 200 });
    c.end(true);

    // The alert's webhook fails (nothing listens) and waits for its retry.
    type Listed = { id: string; attempts: number; state: string };
    const notifications = async () => (await tw.request('GET', '/api/v1/notifications', { token: tw.adminToken })).body.items as Listed[];
    const pending = (await until('a failed webhook attempt', notifications, (items) => items.some((n) => n.attempts >= 1))).find((n) => n.attempts >= 1)!;
    expect(pending).toMatchObject({ state: 'pending' });
    await tw.close();

    // The receiver comes up; Thingwire starts again on the same data dir and delivers it.
    const receiver = await startWebhookReceiver(undefined, port);
    tw = await startTestServer({ dataDir, config, notify });
    try {
      const delivered = await receiver.request(0, 15_000);
      expect(JSON.parse(delivered.body)).toMatchObject({ transition: 'raised', alert: { deviceName: 'hall' } });
      // The outbox records the delivery once the receiver's answer is in: wait for that, bounded.
      await until('the delivery recorded', async () => (await tw.request('GET', `/api/v1/notifications/${pending.id}`, { token: tw.adminToken })).body.state, (state) => state === 'delivered', 5000);
    } finally {
      await tw.close();
      await receiver.close();
    }
  }, 30_000);
});

describe('a message resent after a restart', () => {
  it('is answered from the receipt committed with its rows, and not stored again', async () => {
    const dataDir = tempDir();
    let tw = await startTestServer({ dataDir });
    const [meter] = await createDevices(tw, 'meters', ['r1']);
    const body = { id: '4242', version: '1.0', method: 'thing.event.property.post', params: { temperature: 42.42 } };
    const send = async () => {
      const mqttPort = await deployListener(tw, pipelineFlow());
      const c = await connect(`mqtt://127.0.0.1:${mqttPort}`, deviceOptions(meter));
      await subscribe(c, topic(meter, 'thing/event/property/post_reply'));
      const reply = await request(c, topic(meter, 'thing/event/property/post'), body);
      c.end(true);
      return reply;
    };
    try {
      expect(await send()).toMatchObject({ id: '4242', code: 200, message: 'success' });
      await tw.close();
      tw = await startTestServer({ dataDir });
      expect(await send()).toMatchObject({ id: '4242', code: 200, message: expect.stringContaining('repeat of a message already received') });
    } finally {
      await tw.close();
    }
    const file = new Database(path.join(dataDir, TELEMETRY_DB_FILE), { readonly: true });
    try {
      expect(file.prepare('SELECT count(*) FROM t_meters WHERE device = ?').pluck().get('r1')).toBe(1);
    } finally {
      file.close();
    }
  }, 30_000);
});
