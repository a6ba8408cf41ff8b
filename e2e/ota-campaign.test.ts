/**
 * A firmware campaign over 50 simulated devices (scripts/device-ota.ts, real MQTT connections, real downloads) on the
 * shipped device pipeline, watched through the API and on the campaign page in Chromium:
 * - three waves (10 %, 50 %, 100 %: 5, 25, 50 devices);
 * - 5 devices of the second wave fail verification, which stops the campaign at its 20 % threshold (5 of 20);
 * - their failure is cleared (they restart with a good build) and the campaign resumes, retrying them;
 * - one device drops its download half way and resumes it with Range;
 * - 5 devices are offline when the campaign starts and upgrade when they connect;
 * and every device ends succeeded.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { startOtaDevice, type OtaDevice, type OtaDeviceOptions, type OtaSimEvent } from '../scripts/device-ota.ts';
import { deployListener, type TestDevice } from '../server/testing/mqtt-devices.ts';
import { pipelineFlow } from '../server/testing/pipeline-flow.ts';
import { startTestServer, type TestJson, type TestServer } from '../server/testing/test-server.ts';
import { until } from '../server/testing/until.ts';
import { launchBrowser, openApp, screenshot } from './browser.ts';

const PK = 'fleet50';
const names = Array.from({ length: 50 }, (_, i) => `dev-${String(i + 1).padStart(2, '0')}`);
/** Second wave (positions 6..25): 5 of its 20 devices fail verification. */
const FAILING = ['dev-10', 'dev-11', 'dev-12', 'dev-13', 'dev-14'];
/** Third wave: drops its download at 50 % and resumes. */
const DROPPING = 'dev-30';
/** Third wave: offline when the campaign starts. */
const OFFLINE = ['dev-46', 'dev-47', 'dev-48', 'dev-49', 'dev-50'];

let tw: TestServer;
let browser: Browser;
let mqttUrl: string;
const secrets = new Map<string, TestDevice>();
const running = new Map<string, OtaDevice>();
const events = new Map<string, OtaSimEvent[]>();

async function startDevice(name: string, options: Partial<OtaDeviceOptions> = {}): Promise<OtaDevice> {
  const seen: OtaSimEvent[] = events.get(name) ?? [];
  events.set(name, seen);
  const device = await startOtaDevice({
    device: secrets.get(name)!, mqttUrl, dialect: 'alink', versions: { default: '1.0.0' }, onEvent: (e) => seen.push(e), ...options,
  });
  running.set(name, device);
  return device;
}

async function stopDevice(name: string): Promise<void> {
  await running.get(name)?.close();
  running.delete(name);
}

const api = async (path: string): Promise<TestJson> => (await tw.request('GET', path, { token: tw.adminToken })).body;
const states = async (id: number): Promise<Record<string, string>> =>
  Object.fromEntries((await api(`/api/v1/ota/campaigns/${id}/devices?limit=100`)).items.map((u: TestJson) => [u.deviceName, u.state]));

beforeAll(async () => {
  [tw, browser] = await Promise.all([startTestServer({ ota: { tickMs: 100 } }), launchBrowser()]);
  mqttUrl = `mqtt://127.0.0.1:${await deployListener(tw, pipelineFlow())}`;
  const token = tw.adminToken;
  await tw.request('POST', '/api/v1/products', { token, body: { productKey: PK, name: 'Fleet of 50', dialect: 'alink' } });
  const created = await tw.request('POST', '/api/v1/devices/bulk', { token, body: { devices: names.map((deviceName) => ({ productKey: PK, deviceName })) } });
  for (const d of created.body.items) secrets.set(d.deviceName, { productKey: PK, deviceName: d.deviceName, deviceSecret: d.deviceSecret });
  // Every device reports 1.0.0 once; the offline ones then go away.
  await Promise.all(names.map((name) => startDevice(name, FAILING.includes(name) ? { fail: 'verify' } : name === DROPPING ? { dropAtPercent: 50 } : {})));
  await Promise.all(OFFLINE.map(stopDevice));
}, 120_000);

afterAll(async () => {
  await Promise.all([...running.keys()].map(stopDevice));
  await browser?.close();
  await tw?.close();
});

describe('a campaign over 50 devices', () => {
  it('stops at the failure threshold, resumes once the failure is cleared, and ends with every device upgraded', async () => {
    const upload = await fetch(`${tw.url}/api/v1/firmware?productKey=${PK}&version=2.0.0&releaseNotes=Fifty`, {
      method: 'POST', headers: { authorization: `Bearer ${tw.adminToken}`, 'content-type': 'application/octet-stream' }, body: randomBytes(120_000),
    });
    const firmware = (await upload.json()) as TestJson;
    const preview = async () => (await tw.request('POST', '/api/v1/ota/campaigns/preview', { token: tw.adminToken, body: { firmwareId: firmware.id, target: { type: 'all' } } })).body;
    expect(await until('every device reported 1.0.0', preview, (p) => p.matched === 50)).toMatchObject({ targeted: 50, matched: 50, excluded: [] });

    const created = (await tw.request('POST', '/api/v1/ota/campaigns', {
      token: tw.adminToken,
      body: { name: 'Fifty to 2.0.0', firmwareId: firmware.id, target: { type: 'all' }, strategy: { waves: [10, 50, 100], failureThreshold: 0.2, maxConcurrentDownloads: 10 } },
    })).body;
    expect(created).toMatchObject({ total: 50, waveSizes: [5, 25, 50], state: 'running' });
    const id: number = created.id;

    // The second wave's 5 failures stop the campaign; its other 15 devices carry on and succeed.
    const stopped = await until('stopped by the failure ratio', () => api(`/api/v1/ota/campaigns/${id}`), (c) => c.state === 'stopped');
    expect(stopped.stateReason).toBe('failure ratio: 5 of 20 devices in wave 2 failed or timed out (25 %), above the 20 % threshold');
    const afterStop = await until('the second wave settled', () => states(id),
      (s) => names.slice(5, 25).every((n) => s[n] === 'succeeded' || s[n] === 'failed'));
    for (const n of FAILING) expect(afterStop[n], n).toBe('failed');
    const failure = (await api(`/api/v1/ota/campaigns/${id}/devices?state=failed`)).items[0];
    expect(failure).toMatchObject({ step: -3, reason: expect.stringMatching(/^verification failed/) });
    // Nobody of the third wave was told.
    for (const n of names.slice(25)) expect(afterStop[n], n).toBe('queued');

    // The page shows where it stopped and why.
    const { page } = await openApp(browser, tw, `/ota/campaigns/${id}`, undefined, { signedIn: true });
    await page.getByText('failure ratio: 5 of 20 devices in wave 2').waitFor();
    await screenshot(page, 'ota-campaign-stopped');

    // The failure is cleared: the 5 restart with a build that verifies. Resumed from the page, retrying them.
    for (const n of FAILING) {
      await stopDevice(n);
      await startDevice(n);
    }
    await resumeOnPage(page);
    await until('the online devices succeeded', () => states(id), (s) => names.filter((n) => !OFFLINE.includes(n)).every((n) => s[n] === 'succeeded'));
    expect((await api(`/api/v1/ota/campaigns/${id}`)).state).toBe('running');

    // The dropped download was resumed where it stopped.
    const httpOfDropping = events.get(DROPPING)!.filter((e): e is Extract<OtaSimEvent, { type: 'http' }> => e.type === 'http');
    expect(httpOfDropping.some((e) => e.status === 206 && e.range?.startsWith('bytes=') && e.range !== 'bytes=0-')).toBe(true);

    // The offline devices connect and are upgraded.
    for (const n of OFFLINE) await startDevice(n);
    const done = await until('completed', () => api(`/api/v1/ota/campaigns/${id}`), (c) => c.state === 'completed', 60_000);
    expect(done.counts).toMatchObject({ succeeded: 50, failed: 0, timed_out: 0, queued: 0 });
    expect(Object.values(await states(id)).every((s) => s === 'succeeded')).toBe(true);
    for (const n of names) expect(running.get(n)!.ota.versions().default, n).toBe('2.0.0');

    await page.getByText('Completed', { exact: false }).first().waitFor();
    await screenshot(page, 'ota-campaign-completed');
  }, 180_000);
});

/** Resume, retrying the failed devices, as a person does on the campaign page. */
async function resumeOnPage(page: Page): Promise<void> {
  await page.getByLabel(/retry failed/i).check();
  await page.getByRole('button', { name: /^Resume/ }).click();
  await page.getByText(/running/i).first().waitFor();
}
