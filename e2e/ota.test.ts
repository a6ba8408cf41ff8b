/**
 * The firmware update screens against the real OTA service, with real signed MQTT devices (mqtt.js) reporting their
 * versions: an engineer's upload through the dialog (progress, then the stored image's hashes) and edit of its notes
 * and source versions, a campaign made in the wizard from a CSV of device names, its page following devices live as
 * they connect, download and fail, pause, resume retrying the failure, and cancel; the device's Firmware tab; and an
 * operator who may look but not change. The ota node's part (OTA uplinks to the service, its verdict back) is played
 * by a hub subscriber, as in server/ota/ota-service.test.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createDevices, deployListener, deviceOptions, listenerFlow, subscribe, type TestDevice } from '../server/testing/mqtt-devices.ts';
import { startTestServer, type TestJson, type TestServer } from '../server/testing/test-server.ts';
import { until } from '../server/testing/until.ts';
import { AppPages, launchBrowser, screenshot } from './browser.ts';

const PK = 'a1Valve';
const NAMES = ['valve-1', 'valve-2', 'valve-3', 'valve-4', 'valve-5', 'valve-6'] as const;
const IMAGE = randomBytes(1_500_000);
const SHA256 = createHash('sha256').update(IMAGE).digest('hex');
/** Tall enough that a whole campaign page fits a screenshot (the page scrolls inside the shell, not the window). */
const TALL = { width: 1280, height: 1500 };

let server: TestServer;
let browser: Browser;
/** One signed-in page per user for the file's tests (see AppPages). */
const pages = new AppPages(() => browser, () => server);
let mqttUrl: string;
let devices: Record<string, TestDevice>;
const clients: MqttClient[] = [];

/** A connected device and the upgrade pushes it received, oldest first. */
interface OnlineDevice {
  client: MqttClient;
  pushes: TestJson[];
}

/**
 * Connects the device, subscribes to its upgrade pushes (recorded from then on: the service may tell it on connecting
 * and again on its version report), reports `version` of module mcu and waits until the service recorded it.
 */
async function online(device: TestDevice, version: string): Promise<OnlineDevice> {
  const client = await connect(mqttUrl, deviceOptions(device));
  clients.push(client);
  const topic = `/ota/device/upgrade/${PK}/${device.deviceName}`;
  const pushes: TestJson[] = [];
  client.on('message', (t, payload) => {
    if (t === topic) pushes.push(JSON.parse(payload.toString()));
  });
  await subscribe(client, topic);
  await client.publishAsync(`/ota/device/inform/${PK}/${device.deviceName}`, JSON.stringify({ id: '1', params: { version, module: 'mcu' } }));
  await until(`${device.deviceName} reported ${version}`, async () => (await server.app.ota.deviceOta(PK, device.deviceName)).modules[0]?.version, (v) => v === version);
  return { client, pushes };
}

/** The first push with this code (`1000` upgrade, `9001` cancel), once it arrived. */
const pushed = (device: OnlineDevice, code: string) => until(`a push with code ${code}`, () => device.pushes.find((p) => p.code === code), Boolean);

const progress = (client: MqttClient, device: TestDevice, step: number, desc: string) =>
  client.publishAsync(`/ota/device/progress/${PK}/${device.deviceName}`, JSON.stringify({ id: '2', params: { step: String(step), desc, module: 'mcu' } }));

const api = async (path: string): Promise<TestJson> => {
  const res = await server.request('GET', `/api/v1${path}`, { token: server.adminToken });
  expect(res.status).toBe(200);
  return res.body;
};

const count = (page: Page, state: string) => page.locator(`[data-count="${state}"] [data-value]`);

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer({ ota: { tickMs: 50 } }), launchBrowser()]);
  const port = await deployListener(server, listenerFlow().filter((n) => n.id !== 'silent'));
  mqttUrl = `mqtt://127.0.0.1:${port}`;
  const created = await createDevices(server, PK, NAMES);
  devices = Object.fromEntries(created.map((d) => [d.deviceName, d]));
  // The ota node's part.
  server.app.hub.subscribe((m) => {
    if (!m.kind.startsWith('ota.')) return false;
    void server.app.ota.handle(m).then((verdict) => server.app.hub.reply(m.replyToken!, verdict.code, verdict.data, verdict.text));
    return true;
  });
  // Four devices at 1.0.0 and one already at 2.0.0 report and go offline; valve-6 never reports.
  for (const name of ['valve-1', 'valve-2', 'valve-3', 'valve-4', 'valve-5']) {
    const { client } = await online(devices[name]!, name === 'valve-5' ? '2.0.0' : '1.0.0');
    await client.endAsync();
  }
  await until('every device offline', () => NAMES.filter((n) => server.app.hub.isOnline(PK, n)).length, (n) => n === 0);
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.end(true);
  await pages.close();
  await browser?.close();
  await server?.close();
});

describe('the firmware update screens', () => {
  it('upload a firmware image through the dialog, showing its progress and then its hashes', async () => {
    const { page, errors, close } = await pages.open('/ota/firmware');
    page.setDefaultTimeout(30_000);
    await page.getByText('No firmware yet').waitFor();
    await screenshot(page, 'ota-firmware-empty');

    await page.getByRole('button', { name: 'Upload firmware' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Upload firmware' });
    await dialog.getByRole('combobox', { name: 'Module' }).fill('mcu');
    const version = dialog.getByRole('textbox', { name: 'Version', exact: true });
    // Checked as typed, at the field.
    await version.fill('2.0');
    await dialog.getByText('Three numbers are needed: 2.0.0, for example.').waitFor();
    await version.fill('2.0.0');
    await dialog.getByText('Code 200000').waitFor();
    await dialog.getByLabel('Release notes').fill('Valve calibration; needs the 1.x bootloader.');
    await dialog.getByLabel('Firmware image').setInputFiles({ name: 'valve-2.0.0.bin', mimeType: 'application/octet-stream', buffer: IMAGE });

    // A slow uplink, so the progress bar is seen moving (Chromium's own throttling; the server is on loopback).
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 256 * 1024 });
    await dialog.getByRole('button', { name: 'Upload', exact: true }).click();
    const progressText = page.getByTestId('upload-progress');
    await progressText.filter({ hasText: /Uploading [\d.]+ [KM]iB of 1\.43 MiB \([1-9]\d%\)/ }).waitFor();
    const bar = dialog.getByRole('progressbar', { name: 'Upload progress' });
    expect(Number(await bar.getAttribute('aria-valuenow'))).toBeGreaterThan(0);
    await screenshot(page, 'ota-upload-progress');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

    const done = page.getByRole('dialog', { name: 'Firmware uploaded' });
    await done.waitFor();
    expect((await done.getByLabel('SHA-256').textContent())!.trim()).toBe(SHA256);
    expect((await done.getByLabel('MD5').textContent())!.trim()).toBe(createHash('md5').update(IMAGE).digest('hex'));
    await screenshot(page, 'ota-upload-done');
    await done.getByRole('button', { name: 'Done' }).click();

    const row = page.getByRole('row', { name: `${PK} mcu 2.0.0` });
    await row.getByText('code 200000').waitFor();
    expect(await row.locator('[data-hash="SHA-256"]').getAttribute('title')).toBe(SHA256);
    const stored = await api(`/firmware?productKey=${PK}`);
    expect(stored.items).toMatchObject([{ version: '2.0.0', module: 'mcu', size: IMAGE.length, sha256: SHA256, releaseNotes: 'Valve calibration; needs the 1.x bootloader.' }]);
    await screenshot(page, 'ota-firmware-list');
    expect(errors).toEqual([]);
    await close();
  });

  it('edit the uploaded firmware\'s release notes and source versions in a dialog, checked as the upload checks them', async () => {
    const { page, errors, close } = await pages.open('/ota/firmware');
    page.setDefaultTimeout(30_000);
    const row = page.getByRole('row', { name: `${PK} mcu 2.0.0` });
    await row.getByRole('button', { name: 'Edit mcu 2.0.0' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit mcu 2.0.0' });
    // Prefilled with what is stored.
    const notes = dialog.getByLabel('Release notes');
    expect(await notes.inputValue()).toBe('Valve calibration; needs the 1.x bootloader.');
    expect(await dialog.getByLabel('Lowest source version').inputValue()).toBe('');

    // A source version that is not older than the firmware is refused at its field, before anything is sent.
    await dialog.getByLabel('Lowest source version').fill('2.0.0');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.getByText('No device at 2.0.0 or above takes 2.0.0: it is not newer.').waitFor();
    expect(await dialog.getByLabel('Lowest source version').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'ota-firmware-edit-refused');
    await dialog.getByLabel('Lowest source version').fill('');
    await dialog.getByLabel('Highest source version').fill('1.9.999');
    await notes.fill('Valve calibration. Needs the 1.x bootloader; devices at 2.x keep theirs.');
    await dialog.getByTestId('edit-applies').getByText('campaigns started later').waitFor();
    await screenshot(page, 'ota-firmware-edit');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached' });

    // The row shows the new values, and so does the API.
    await row.getByText('up to 1.9.999').waitFor();
    await row.getByText('devices at 2.x keep theirs').waitFor();
    const [stored] = (await api(`/firmware?productKey=${PK}`)).items;
    expect(stored).toMatchObject({ version: '2.0.0', releaseNotes: 'Valve calibration. Needs the 1.x bootloader; devices at 2.x keep theirs.', extData: {} });
    expect(stored.constraint).toEqual({ maxVersion: '1.9.999' });
    expect(errors).toEqual([]);
    await close();
  });

  it('roll it out with the wizard to offline devices; the campaign page follows them live, pauses, resumes retrying the failed one, and cancels', async () => {
    const { page, errors, close } = await pages.open('/ota/firmware', TALL);
    page.setDefaultTimeout(30_000);

    // Step 1: "Roll out" chose the firmware.
    await page.getByRole('link', { name: 'Roll out mcu 2.0.0' }).click();
    await page.getByRole('heading', { name: 'Which firmware?' }).waitFor();
    await page.getByRole('region', { name: 'Chosen firmware' }).getByText('valve-2.0.0.bin').waitFor();
    expect(await page.getByRole('combobox', { name: 'Version' }).locator('option:checked').textContent()).toBe('2.0.0 (code 200000)');
    await page.getByRole('button', { name: 'Next: Devices' }).click();

    // Step 2: the names from a CSV file (the device import's columns).
    await page.getByText('A list of devices').click();
    const csv = ['productKey,deviceName,description', ...NAMES.map((n) => `${PK},${n},`), 'a1Other,pump-1,'].join('\n');
    await page.getByLabel('Or load a CSV file').setInputFiles({ name: 'valves.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByText('6 names from the deviceName column of "valves.csv"; 1 row of another product left out.').waitFor();
    expect(await page.getByLabel('Device names').inputValue()).toBe(NAMES.join('\n'));
    await page.getByRole('button', { name: 'Next: Preview' }).click();

    // Step 3: four would be upgraded; one already runs 2.0.0, one never reported.
    const matched = page.getByTestId('preview-matched');
    await matched.getByText('of 6 targeted devices').waitFor();
    expect(await matched.locator('span').first().textContent()).toBe('Would be upgraded');
    expect((await matched.textContent())!).toContain('4');
    const left = page.getByRole('table', { name: 'Devices left out' });
    await left.getByRole('row', { name: /already runs 2\.0\.0 1 valve-5/ }).waitFor();
    await left.getByRole('row', { name: /valve-6/ }).waitFor();
    await screenshot(page, 'ota-wizard-preview');
    await page.getByRole('button', { name: 'Next: Strategy' }).click();

    // Step 4: defaults shown; a name, a threshold that tolerates one failure of four.
    await page.getByRole('heading', { name: 'Strategy' }).waitFor();
    expect(await page.getByLabel('Devices upgrading at once').inputValue()).toBe('100');
    await page.getByLabel('Campaign name').fill('Valves to 2.0.0');
    await page.getByLabel('Stop when more than this fails (%)').fill('50');
    await page.getByLabel('Retries per device').fill('x');
    await page.getByRole('button', { name: 'Create and start' }).click();
    await page.getByText('Retries: a whole number from 0 to 10.').waitFor();
    await page.getByLabel('Retries per device').fill('0');
    await screenshot(page, 'ota-wizard-strategy');
    await page.getByRole('button', { name: 'Create and start' }).click();

    // The campaign page: every device offline, so all four wait in the queue.
    await page.waitForURL(/\/ota\/campaigns\/\d+$/);
    const id = Number(/(\d+)$/.exec(page.url())![1]);
    await page.getByTestId('campaign-title').getByText('Valves to 2.0.0').waitFor();
    await page.getByTestId('campaign-state').getByText('running').waitFor();
    await count(page, 'queued').filter({ hasText: /^4$/ }).waitFor();
    expect(await api(`/ota/campaigns/${id}`)).toMatchObject({ name: 'Valves to 2.0.0', total: 4, strategy: { failureThreshold: 0.5, retries: 0 } });

    // Devices come online: valve-1 downloads, valve-2 fails verification. The page follows without a reload.
    const one = await online(devices['valve-1']!, '1.0.0');
    expect(await pushed(one, '1000')).toMatchObject({ data: { version: '2.0.0', sign: SHA256, module: 'mcu' } });
    await progress(one.client, devices['valve-1']!, 45, 'downloading');
    const two = await online(devices['valve-2']!, '1.0.0');
    await pushed(two, '1000');
    await progress(two.client, devices['valve-2']!, -3, 'sha256 mismatch');

    const rowOf = (name: string) => page.locator(`tr[data-upgrade="${name}"]`);
    await rowOf('valve-1').getByText('downloading', { exact: true }).waitFor();
    expect(await rowOf('valve-1').getByRole('progressbar').getAttribute('aria-valuenow')).toBe('45');
    await rowOf('valve-2').getByText('failed', { exact: true }).waitFor();
    await rowOf('valve-2').getByText('verification failed: sha256 mismatch').waitFor();
    await count(page, 'downloading').filter({ hasText: /^1$/ }).waitFor();
    await count(page, 'failed').filter({ hasText: /^1$/ }).waitFor();
    await count(page, 'queued').filter({ hasText: /^2$/ }).waitFor();
    expect((await page.locator('[data-stage="notified"]').textContent())!).toContain('1');
    await screenshot(page, 'ota-campaign-live');

    // The failed ones alone, from their tile.
    await page.locator('[data-count="failed"]').click();
    await page.waitForURL(/state=failed/);
    await page.getByRole('table', { name: 'Device upgrades' }).locator('tbody tr').filter({ hasText: 'valve-2' }).waitFor();
    expect(await page.getByRole('table', { name: 'Device upgrades' }).locator('tbody tr').count()).toBe(1);
    await page.locator('[data-count="failed"]').click();

    // Pause; resume, retrying the failed device; then cancel.
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByTestId('campaign-state').getByText('paused').waitFor();
    expect((await api(`/ota/campaigns/${id}`)).state).toBe('paused');
    await page.getByLabel('Retry failed devices (1)').check();
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByTestId('campaign-state').getByText('running').waitFor();
    await count(page, 'failed').filter({ hasText: /^0$/ }).waitFor();
    await until('valve-2 told again', () => two.pushes.filter((p) => p.code === '1000').length, (n) => n >= 2);
    await page.getByRole('button', { name: 'Cancel campaign…' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Cancel Valves to 2.0.0?' });
    await confirm.getByRole('button', { name: 'Cancel campaign' }).click();
    await page.getByTestId('campaign-state').getByText('cancelled').waitFor();
    await count(page, 'cancelled').filter({ hasText: /^4$/ }).waitFor();
    // The devices that had been told to upgrade are told to stop.
    expect(await pushed(one, '9001')).toMatchObject({ data: { module: 'mcu', version: '2.0.0' } });
    await pushed(two, '9001');
    expect((await api(`/ota/campaigns/${id}`)).counts).toMatchObject({ cancelled: 4, failed: 0, queued: 0, downloading: 0 });
    expect(await page.getByRole('button', { name: 'Pause' }).count()).toBe(0);
    await rowOf('valve-3').getByText('cancelled', { exact: true }).waitFor();
    await screenshot(page, 'ota-campaign-cancelled');

    // The list has it, with its progress.
    await page.getByRole('link', { name: 'Campaigns', exact: true }).first().click();
    const listed = page.locator(`tr[data-campaign="${id}"]`);
    await listed.getByText('0 of 4 succeeded').waitFor();
    expect(await listed.getByText('failed').count()).toBe(0);
    await listed.getByText('cancelled', { exact: true }).waitFor();
    await screenshot(page, 'ota-campaign-list');

    // valve-1's Firmware tab: its version, the cancelled upgrade, and an upgrade offered again.
    await page.goto(`/devices/${PK}/valve-1?tab=firmware`);
    const versions = page.getByRole('table', { name: 'Module versions' });
    await versions.getByRole('row', { name: /mcu 1\.0\.0 100000/ }).waitFor();
    const history = page.getByRole('table', { name: 'OTA history' });
    await history.getByRole('link', { name: 'Valves to 2.0.0' }).waitFor();
    await history.getByText('cancelled', { exact: true }).waitFor();
    expect(await page.getByRole('combobox', { name: 'Firmware' }).locator('option:checked').textContent()).toBe('mcu 1.0.0 → 2.0.0');
    await screenshot(page, 'ota-device-firmware');

    // Upgrade this one device: a campaign of one, linked.
    await page.getByRole('button', { name: 'Upgrade this device' }).click();
    const status = page.getByRole('status').filter({ hasText: 'Upgrade to 2.0.0 started' });
    await status.waitFor();
    await status.getByRole('link').click();
    await page.waitForURL(/\/ota\/campaigns\/\d+$/);
    expect(Number(/(\d+)$/.exec(page.url())![1])).not.toBe(id);
    await count(page, 'notified').filter({ hasText: /^1$/ }).waitFor();
    expect(errors).toEqual([]);
    await close();
  });

  it('show an operator the firmware and campaigns, without upload, roll-out or campaign actions', async () => {
    const campaigns = await api('/ota/campaigns');
    const operator = 'op-ota';
    const created = await server.request('POST', '/api/v1/users', { token: server.adminToken, body: { username: operator, password: 'operator-password-1', role: 'operator' } });
    expect(created.status).toBe(201);
    const { page, errors, close } = await pages.open('/ota/firmware', undefined, [operator, 'operator-password-1']);
    page.setDefaultTimeout(30_000);
    await page.getByRole('row', { name: `${PK} mcu 2.0.0` }).waitFor();
    expect(await page.getByRole('button', { name: 'Upload firmware' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: /Roll out/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^(Edit|Delete) / }).count()).toBe(0);
    await page.goto(`/ota/campaigns/${campaigns.items[0].id}`);
    await page.getByTestId('campaign-state').waitFor();
    expect(await page.getByRole('button', { name: /Pause|Resume|Cancel campaign/ }).count()).toBe(0);
    await page.goto('/ota/campaigns/new');
    await page.getByText('Nothing at /ota/campaigns/new').waitFor();
    expect(errors).toEqual([]);
    await close();
  });
});
