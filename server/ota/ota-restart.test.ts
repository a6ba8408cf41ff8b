import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, createDevices, deployListener, deviceOptions, nextMessage, subscribe, type TestDevice } from '../testing/mqtt-devices.ts';
import { pipelineFlow } from '../testing/pipeline-flow.ts';
import { startTestServer, type TestJson, type TestServer } from '../testing/test-server.ts';
import { until } from '../testing/until.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-ota-restart-'));
const clients: MqttClient[] = [];
afterAll(() => {
  for (const c of clients) c.end(true);
  fs.rmSync(dataDir, { recursive: true, force: true });
});


async function online(tw: TestServer, d: TestDevice, version: string): Promise<{ client: MqttClient; push: Promise<TestJson> }> {
  const port = await until('listener', () => tw.app.mqttListeners.listeners()[0]?.ports.tcp, Boolean);
  const client = await connect(`mqtt://127.0.0.1:${port}`, deviceOptions(d));
  clients.push(client);
  await subscribe(client, `/ota/device/upgrade/${d.productKey}/${d.deviceName}`);
  const push = nextMessage(client, `/ota/device/upgrade/${d.productKey}/${d.deviceName}`);
  // Not every test waits for it.
  push.catch(() => {});
  await client.publishAsync(`/ota/device/inform/${d.productKey}/${d.deviceName}`, JSON.stringify({ id: '1', params: { version } }));
  return { client, push };
}

describe('OTA across a restart', () => {
  it('keeps campaigns, device states and download tokens; limits downloads at once; shows it all on the live feed', async () => {
    let tw = await startTestServer({ dataDir, ota: { tickMs: 50 } });
    await deployListener(tw, pipelineFlow());
    const [d1, d2] = await createDevices(tw, 'restartpk', ['d1', 'd2']);
    const a = await online(tw, d1!, '1.0.0');
    const b = await online(tw, d2!, '1.0.0');
    await until('versions', async () => (await tw.app.ota.deviceOta('restartpk', 'd2')).modules.length, (n) => n === 1);
    const image = randomBytes(300_000);
    const fw = (await (await fetch(`${tw.url}/api/v1/firmware?productKey=restartpk&version=2.0.0`, {
      method: 'POST', headers: { authorization: `Bearer ${tw.adminToken}`, 'content-type': 'application/octet-stream' }, body: image,
    })).json()) as TestJson;

    // Someone watches the live feed.
    const ws = new WebSocket(`${tw.url.replace('http', 'ws')}/api/v1/live/devices?access_token=${tw.adminToken}`);
    const seen: TestJson[] = [];
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.type === 'ota') seen.push(...m.events);
    });
    await new Promise((resolve) => ws.once('open', resolve));

    const created = (await tw.request('POST', '/api/v1/ota/campaigns', {
      token: tw.adminToken, body: { name: 'restart', firmwareId: fw.id, target: { type: 'all' }, strategy: { maxConcurrentDownloads: 1 } },
    })).body;
    const url1: string = (await a.push).data.url;
    const url2: string = (await b.push).data.url;
    // d1 downloads, slowly: its download holds the campaign's one slot, so d2 is asked to come back.
    const slow = await fetch(url1);
    expect(slow.status).toBe(200);
    const reader = slow.body!.getReader();
    await reader.read();
    const busy = await fetch(url2);
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('5');
    await reader.cancel();
    // d2 comes back and starts its download.
    await until('the slot is free', async () => (await fetch(url2, { headers: { range: 'bytes=0-0' } })).status, (s) => s === 206);

    const events = await until('live OTA events', () => seen, (s) => s.some((e) => e.type === 'ota.campaign' && e.change === 'started')
      && s.some((e) => e.type === 'ota.device' && e.upgrade.deviceName === 'd1' && e.upgrade.state === 'downloading')
      && s.some((e) => e.type === 'ota.campaign' && e.change === 'progress'));
    expect(events.find((e) => e.change === 'progress').campaign).toMatchObject({ id: created.id, total: 2 });
    ws.close();

    for (const c of clients.splice(0)) c.end(true);
    const before = tw.url;
    await tw.close();

    tw = await startTestServer({ dataDir, ota: { tickMs: 50 } });
    try {
      const after = (await tw.request('GET', `/api/v1/ota/campaigns/${created.id}`, { token: tw.adminToken })).body;
      expect(after).toMatchObject({ state: 'running', total: 2, counts: { downloading: 2 } });
      // The token issued before the restart still works: d1 resumes where it was (at the new test port).
      const resumed = await fetch(url1.replace(before, tw.url), { headers: { range: 'bytes=150000-' } });
      expect(resumed.status).toBe(206);
      expect(Buffer.from(await resumed.arrayBuffer()).equals(image.subarray(150_000))).toBe(true);

      // Both restarted and report in with the message they sent at their first start, byte for byte: d1 upgraded,
      // d2 restarted mid-download without upgrading, a failure with the reason.
      const a2 = await online(tw, d1!, '2.0.0');
      const b2 = await online(tw, d2!, '1.0.0');
      const done = await until('done', async () => (await tw.request('GET', `/api/v1/ota/campaigns/${created.id}/devices`, { token: tw.adminToken })).body.items,
        (items: TestJson[]) => items.every((u) => u.state === 'succeeded' || u.state === 'failed'));
      expect(done.map((u: TestJson) => [u.deviceName, u.state, u.reason])).toEqual([
        ['d1', 'succeeded', ''], ['d2', 'failed', 'restarted with 1.0.0 instead of 2.0.0'],
      ]);
      a2.client.end(true);
      b2.client.end(true);
    } finally {
      await tw.close();
    }
  });
});

describe('a firmware image missing from the data dir', () => {
  it('is a 404 that says so, not a broken download', async () => {
    const tw = await startTestServer({ ota: { tickMs: 50 } });
    try {
      await deployListener(tw, pipelineFlow());
      const [d] = await createDevices(tw, 'lostpk', ['d1']);
      const a = await online(tw, d!, '1.0.0');
      await until('version', async () => (await tw.app.ota.deviceOta('lostpk', 'd1')).modules.length, (n) => n === 1);
      const fw = (await (await fetch(`${tw.url}/api/v1/firmware?productKey=lostpk&version=2.0.0`, {
        method: 'POST', headers: { authorization: `Bearer ${tw.adminToken}`, 'content-type': 'application/octet-stream' }, body: randomBytes(1000),
      })).json()) as TestJson;
      await tw.request('POST', '/api/v1/ota/campaigns', { token: tw.adminToken, body: { name: 'lost', firmwareId: fw.id, target: { type: 'all' } } });
      const url: string = (await a.push).data.url;
      fs.rmSync(path.join(tw.dataDir, 'firmware', `${fw.id}.bin`));
      const res = await fetch(url);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'The firmware image is missing on the server.' } });
      a.client.end(true);
    } finally {
      await tw.close();
    }
  });
});
