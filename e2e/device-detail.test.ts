/**
 * The device page in the real app with the shipped pipeline deployed: an admin reveals the secret and starts the
 * device simulator with the command the page shows; the page goes online, values update, the chart draws; a property
 * set from the generated form gets the simulator's reply; a signed password connects a real mqtt.js client; a service
 * nobody answers times out (504) and an offline device gets 503 with queueing offered. An operator sees no command
 * form, no password signing and no secret.
 */
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorProcess } from '../server/testing/device-simulator.ts';
import { connect, deployListener, nextMessage, request, subscribe } from '../server/testing/mqtt-devices.ts';
import { pipelineFlow } from '../server/testing/pipeline-flow.ts';
import { startTestServer, type TestServer } from '../server/testing/test-server.ts';
import { AppPages, launchBrowser, openApp, screenshot } from './browser.ts';

const PRODUCT = 'a1RoomSensor';
const DEVICE = 'room-101';
const PAGE_PATH = `/devices/${PRODUCT}/${DEVICE}`;

/** A room sensor: readings, writable settings of every kind of control, two services and an event. */
const TSL = {
  properties: [
    { identifier: 'temperature', name: 'Temperature', accessMode: 'r', dataType: { type: 'float', specs: { min: '-20', max: '60', unit: '°C' } } },
    { identifier: 'humidity', name: 'Humidity', accessMode: 'r', dataType: { type: 'int', specs: { min: '0', max: '100', unit: '%' } } },
    { identifier: 'power', name: 'Power', accessMode: 'rw', dataType: { type: 'bool', specs: { '0': 'off', '1': 'on' } } },
    { identifier: 'mode', name: 'Mode', accessMode: 'rw', dataType: { type: 'enum', specs: { '0': 'auto', '1': 'cool', '2': 'heat' } } },
    { identifier: 'targetTemperature', name: 'Target temperature', accessMode: 'rw', dataType: { type: 'float', specs: { min: '10', max: '30', step: '0.5', unit: '°C' } } },
    { identifier: 'label', name: 'Label', accessMode: 'rw', dataType: { type: 'text', specs: { length: '32' } } },
    {
      identifier: 'location', name: 'Location', accessMode: 'r', dataType: {
        type: 'struct', specs: [
          { identifier: 'lat', name: 'Latitude', dataType: { type: 'double', specs: { min: '-90', max: '90' } } },
          { identifier: 'lng', name: 'Longitude', dataType: { type: 'double', specs: { min: '-180', max: '180' } } },
        ],
      },
    },
  ],
  services: [
    { identifier: 'reboot', name: 'Reboot', callType: 'async', inputData: [{ identifier: 'delay', name: 'Delay', dataType: { type: 'int', specs: { min: '0', max: '60', unit: 's' } } }], outputData: [] },
    { identifier: 'calibrate', name: 'Calibrate', callType: 'sync', inputData: [{ identifier: 'offset', name: 'Offset', dataType: { type: 'float', specs: { min: '-5', max: '5' } } }], outputData: [{ identifier: 'applied', name: 'Applied', dataType: { type: 'float' } }] },
  ],
  events: [
    { identifier: 'overheat', name: 'Overheat', type: 'alert', outputData: [{ identifier: 'temp', name: 'Temp', dataType: { type: 'float' } }] },
  ],
};

let server: TestServer;
let browser: Browser;
/** One signed-in page per user for the file's tests (see AppPages). */
const pages = new AppPages(() => browser, () => server);
let simulator: SimulatorProcess | undefined;
const clients: MqttClient[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  const token = server.adminToken;
  await server.request('POST', '/api/v1/products', { token, body: { productKey: PRODUCT, name: 'Room sensor' } });
  await server.request('PUT', `/api/v1/products/${PRODUCT}/thing-model/draft`, { token, body: TSL });
  await server.request('POST', `/api/v1/products/${PRODUCT}/thing-model/publish`, { token });
  const created = await server.request('POST', '/api/v1/devices', { token, body: { productKey: PRODUCT, deviceName: DEVICE, tags: { room: '101', floor: '1' } } });
  expect(created.status).toBe(201);
  await deployListener(server, pipelineFlow());
  await server.tokenFor('operator');
}, 120_000);

afterAll(async () => {
  await simulator?.stop();
  for (const c of clients) c.end(true);
  await pages.close();
  await browser?.close();
  await server?.close();
});

async function openDevicePage(user?: [string, string], viewport?: { width: number; height: number }, options?: { clock?: boolean }) {
  // A window on Playwright's clock needs a context of its own; the others take turns on one page per user.
  const app = options?.clock ? await openApp(browser, server, PAGE_PATH, viewport, { ...options, signedIn: user ?? true }) : await pages.open(PAGE_PATH, viewport, user ?? true);
  app.page.setDefaultTimeout(30_000);
  await app.page.getByRole('heading', { level: 1, name: DEVICE }).waitFor();
  return app;
}

const tab = (page: Page, name: string) => page.getByRole('tablist', { name: 'Device sections' }).getByRole('tab', { name });
const text = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent())!.trim();

/** The value of `--name` in a copied shell command line (quoted or not). */
function argument(command: string, name: string): string {
  const match = new RegExp(`--${name} (?:'([^']*)'|(\\S+))`).exec(command);
  if (!match) throw new Error(`the command has no --${name}:\n${command}`);
  return match[1] ?? match[2]!;
}

describe('the device page', () => {
  it('takes an admin from the secret to a running simulator, live values, a chart, a reply, signed credentials and a timeout', async () => {
    const { page, errors, close } = await openDevicePage();
    // Never connected: offline, and every property "—".
    await page.getByTestId('device-online').getByText('offline').waitFor();
    expect(await text(page, 'live-value-temperature-value')).toBe('—');

    // Connection: reveal the secret and read the simulator command the page shows.
    await tab(page, 'Connection').click();
    expect(await page.getByLabel('Simulator command').textContent()).toContain("THINGWIRE_TOKEN='<admin API token>'");
    await page.getByRole('button', { name: 'Reveal secret' }).click();
    const secret = await text(page, 'device-secret');
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const command = (await page.getByLabel('Simulator command').textContent())!;
    expect(argument(command, 'secret')).toBe(secret);
    const mqttUrl = argument(command, 'mqtt');
    expect(mqttUrl).toBe(`mqtt://127.0.0.1:${server.app.mqttListeners.listeners()[0]!.ports.tcp}`);
    expect(argument(command, 'api')).toBe(server.url);
    await page.getByLabel('Simulator command').scrollIntoViewIfNeeded();
    await screenshot(page, 'device-detail-simulator');
    simulator = startSimulator(
      server,
      { productKey: argument(command, 'product'), deviceName: argument(command, 'device'), deviceSecret: secret },
      { mqttUrl, rate: 2 },
    );
    await simulator.waitFor(/^connected to/, 15_000);

    // Online, with its connection's facts and values that keep changing.
    await page.getByTestId('device-online').getByText('online').waitFor();
    await tab(page, 'Overview').click();
    const status = page.getByRole('region', { name: 'Status' });
    await status.getByText('mqtt', { exact: true }).waitFor();
    expect(await status.textContent()).toContain(`${PRODUCT}.${DEVICE}`);
    const temperature = page.getByTestId('live-value-temperature-value');
    await temperature.filter({ hasText: /^-?\d+(\.\d+)? °C$/ }).waitFor();
    const firstValue = await temperature.textContent();
    await expect.poll(() => temperature.textContent(), { timeout: 45_000 }).not.toBe(firstValue);
    expect(await text(page, 'live-value-mode-value')).toMatch(/^(auto|cool|heat) \(\d\)$/);
    await page.getByRole('table', { name: 'Connection history' }).getByText('connected', { exact: true }).first().waitFor();
    await screenshot(page, 'device-detail');

    // History, in a second window: a chart per numeric property, its point count growing as the simulator posts. The
    // charts reload every 5 s; that window's clock is moved on to each next reload instead of waiting for it. (This
    // window keeps real time: it weighs the live feed's server times against its own clock.)
    {
      const { page: history, errors: historyErrors, close: closeHistory } = await openDevicePage(undefined, undefined, { clock: true });
      await tab(history, 'History').click();
      const points = history.getByTestId('chart-points-temperature');
      const count = async () => Number((await points.textContent())!.replace(/\D/g, ''));
      const afterReload = async () => {
        await history.clock.fastForward(5000);
        return count();
      };
      await expect.poll(afterReload, { timeout: 45_000, interval: 500 }).toBeGreaterThan(0);
      const before = await count();
      await expect.poll(afterReload, { timeout: 60_000, interval: 500 }).toBeGreaterThan(before);
      const chart = history.getByRole('figure', { name: 'Temperature over time', exact: true });
      expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(0);
      expect(await chart.locator('canvas').count()).toBe(1);
      expect(await history.getByRole('figure').count()).toBe(3); // temperature, humidity, target temperature
      await history.getByRole('button', { name: '15 min' }).click();
      await expect.poll(async () => (await history.getByRole('button', { name: '15 min' }).getAttribute('aria-pressed'))).toBe('true');
      const csv = await history.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
      expect(csv).toMatch(new RegExp(`^/api/v1/devices/${PRODUCT}/${DEVICE}/telemetry\\.csv\\?from=`));
      await points.filter({ hasText: /[1-9]/ }).waitFor();
      await screenshot(history, 'device-detail-history');
      expect(historyErrors).toEqual([]);
      await closeHistory();
    }

    // Commands: a wrong value is caught under its field; a right one reaches the simulator, which answers 200.
    await tab(page, 'Commands').click();
    const setForm = page.getByRole('form', { name: 'Set properties' });
    await setForm.getByLabel('Target temperature').fill('99');
    await setForm.getByRole('button', { name: 'Send Target temperature' }).click();
    await setForm.getByText('Must be ≤ 30').waitFor();
    expect(await setForm.getByTestId('command-reply').count()).toBe(0);
    await setForm.getByLabel('Target temperature').fill('21.5');
    await setForm.getByRole('button', { name: 'Send Target temperature' }).click();
    const reply = setForm.getByTestId('command-reply');
    await reply.filter({ hasText: '200' }).waitFor({ timeout: 45_000 });
    expect(await reply.textContent()).toContain('Device replied');
    // In the thing model's words: the unit with the value.
    expect(await reply.textContent()).toContain('Target temperature = 21.5 °C');
    await simulator.waitFor(/^set \{"targetTemperature":21\.5\}/);
    await reply.scrollIntoViewIfNeeded();
    await screenshot(page, 'device-detail-command-reply');

    // Sign a password and connect exactly as the page says (the simulator stops first: one connection per device).
    await simulator.stop();
    simulator = undefined;
    await tab(page, 'Connection').click();
    await page.getByRole('button', { name: 'Sign a password' }).click();
    await page.getByTestId('credential-valid-for').waitFor();
    const shown = {
      clientId: await text(page, 'credential-client-id'),
      username: await text(page, 'credential-username'),
      password: await text(page, 'credential-password'),
      url: await text(page, 'endpoint-url-mqtt'),
    };
    expect(shown.username).toBe(`${DEVICE}&${PRODUCT}`);
    expect(shown.password).toMatch(/^[0-9a-f]{64}$/);
    expect(await page.getByLabel('mosquitto_pub command').textContent()).toContain(`-P ${shown.password}`);
    const client = await connect(shown.url, { clientId: shown.clientId, username: shown.username, password: shown.password, reconnectPeriod: 0, protocolVersion: 4, keepalive: 60 });
    clients.push(client);
    const topic = `/sys/${PRODUCT}/${DEVICE}/thing/event/property/post`;
    await subscribe(client, `${topic}_reply`);
    expect(await request(client, topic, { id: '7', version: '1.0', sys: { ack: 1 }, params: { temperature: 22.5 }, method: 'thing.event.property.post' }))
      .toMatchObject({ id: '7', code: 200 });
    await page.getByTestId('device-online').getByText('online').waitFor();
    await screenshot(page, 'device-detail-connection');

    // An event the device reports is listed with its data in the thing model's words.
    const overheat = `/sys/${PRODUCT}/${DEVICE}/thing/event/overheat/post`;
    await subscribe(client, `${overheat}_reply`);
    expect(await request(client, overheat, { id: '8', version: '1.0', sys: { ack: 1 }, params: { value: { temp: 71.5 } }, method: 'thing.event.overheat.post' }))
      .toMatchObject({ id: '8', code: 200 });
    await tab(page, 'Events & messages').click();
    const event = page.getByRole('table', { name: 'Events' }).getByRole('row').filter({ hasText: 'Overheat' });
    await event.getByText('Temp = 71.5').waitFor();
    await screenshot(page, 'device-detail-events');

    // A service this client does not answer: the page waits, then shows the timeout.
    await subscribe(client, `/sys/${PRODUCT}/${DEVICE}/thing/service/+`);
    const received = nextMessage(client, `/sys/${PRODUCT}/${DEVICE}/thing/service/reboot`, 10_000);
    await tab(page, 'Commands').click();
    const serviceForm = page.getByRole('form', { name: 'Invoke service' });
    await serviceForm.getByLabel('Service').selectOption('reboot');
    await serviceForm.getByLabel('Delay').fill('3');
    await serviceForm.getByLabel('Wait for the reply').selectOption('5');
    await serviceForm.getByRole('button', { name: 'Invoke reboot' }).click();
    await serviceForm.getByTestId('command-waiting').waitFor();
    expect((await received).params).toEqual({ delay: 3 });
    const timedOut = serviceForm.getByTestId('command-reply');
    await timedOut.filter({ hasText: '504' }).waitFor({ timeout: 30_000 });
    expect(await timedOut.textContent()).toContain('no reply in time');
    await timedOut.scrollIntoViewIfNeeded();
    await screenshot(page, 'device-detail-command-timeout');

    // Offline: said so, a command fails at once with 503, and queueing is offered and works.
    await client.endAsync();
    await page.getByTestId('command-offline-note').waitFor();
    await serviceForm.getByRole('button', { name: 'Invoke reboot' }).click();
    await timedOut.filter({ hasText: '503' }).waitFor();
    await serviceForm.getByRole('button', { name: 'Queue it for when the device connects' }).click();
    await timedOut.filter({ hasText: 'Queued' }).waitFor();
    expect(await timedOut.textContent()).toContain('202');
    const log = await server.request('GET', `/api/v1/devices/${PRODUCT}/${DEVICE}/messages?direction=down`, { token: server.adminToken });
    expect(log.body.items[0]).toMatchObject({ kind: 'service.invoke', identifier: 'reboot', code: null });

    // The message log shows both directions with their codes.
    await tab(page, 'Events & messages').click();
    const messages = page.getByRole('table', { name: 'Message log' });
    await messages.getByText('504', { exact: true }).first().waitFor();
    await messages.getByText('200', { exact: true }).first().waitFor();
    await screenshot(page, 'device-detail-messages');
    expect(errors).toEqual([]);
    await close();
  }, 150_000);

  it('edits the description and tags of the device, refuses a bad tag at its field, and audits the change', async () => {
    const { page, errors, close } = await openDevicePage();
    await page.getByRole('button', { name: 'Edit' }).click();
    const form = page.getByRole('form', { name: 'Edit device' });
    expect([await form.getByLabel('Tag 1 key').inputValue(), await form.getByLabel('Tag 2 key').inputValue()]).toEqual(['floor', 'room']);
    await form.getByLabel('Description').fill('Meeting room, north wall');
    await form.getByRole('button', { name: 'Add tag' }).click();
    await form.getByLabel('Tag 3 key').fill('wing');
    await form.getByLabel('Tag 3 value').fill('north;side');
    await form.getByRole('button', { name: 'Save' }).click();
    // A tag value may not hold ";": said under the tags, and nothing is saved.
    await form.getByText('The value of "wing" may not contain ";"', { exact: false }).waitFor();
    await screenshot(page, 'device-edit-refused');
    expect((await server.request('GET', `/api/v1/devices/${PRODUCT}/${DEVICE}`, { token: server.adminToken })).body.description ?? '').toBe('');
    await form.getByLabel('Tag 3 value').fill('north');
    await form.getByRole('button', { name: 'Remove tag 1' }).click();
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });
    const status = page.getByRole('region', { name: 'Status' });
    await status.getByText('Meeting room, north wall').waitFor();
    expect(await status.getByText('wing: north').isVisible()).toBe(true);
    expect(await status.getByText(/^floor/).count()).toBe(0);
    await screenshot(page, 'device-detail-edited');
    const audit = await server.request('GET', '/api/v1/audit?limit=5', { token: server.adminToken });
    expect(audit.body.items[0]).toMatchObject({ actor: 'admin', action: 'device.update', target: `${PRODUCT}/${DEVICE}`, details: { description: 'Meeting room, north wall', tags: { room: '101', wing: 'north' } } });
    expect(errors).toEqual([]);
    await close();
  });

  it('shows an operator where and as whom the device connects, but no command form, password signing or secret', async () => {
    const { page, errors, close } = await openDevicePage(['operator1', 'operator-password-1']);
    expect(await tab(page, 'Commands').count()).toBe(0);
    for (const name of ['Disable', 'Delete']) expect(await page.getByRole('button', { name }).count()).toBe(0);
    await tab(page, 'Connection').click();
    expect(await text(page, 'credential-username')).toBe(`${DEVICE}&${PRODUCT}`);
    expect(await text(page, 'credential-client-id')).toContain('timestamp={unix ms}');
    await page.getByTestId('endpoint-url-mqtt').waitFor();
    expect(await page.getByRole('button', { name: 'Sign a password' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Reveal secret' }).count()).toBe(0);
    expect(await page.getByTestId('device-secret').count()).toBe(0);
    expect(await page.getByLabel('Simulator command').textContent()).toContain("THINGWIRE_TOKEN='<admin API token>'");
    await screenshot(page, 'device-detail-operator');
    // Going to the commands tab by URL opens the overview instead.
    await page.goto(`${PAGE_PATH}?tab=commands`);
    await tab(page, 'Overview').and(page.locator('[aria-selected="true"]')).waitFor();
    const token = await server.tokenFor('operator');
    expect((await server.request('POST', `/api/v1/devices/${PRODUCT}/${DEVICE}/credentials`, { token })).status).toBe(403);
    expect(errors).toEqual([]);
    await close();
  });

  it('fits a tablet in portrait', async () => {
    const { page, errors, close } = await openDevicePage(undefined, { width: 820, height: 1180 });
    await page.getByTestId('live-value-temperature-value').filter({ hasText: /°C/ }).waitFor();
    // The page scrolls down, never sideways (wide tables scroll inside their own box).
    const overflow = await page.locator('main > div').first().evaluate((el: { scrollWidth: number; clientWidth: number }) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'device-detail-tablet');
    expect(errors).toEqual([]);
    await close();
  });
});
