/**
 * The Modbus screens in the real app: a point table edited on the product page (a problem under its row as it is
 * typed, saved, exported and imported as CSV, a CSV's problems by line), a device's connection on its page (checked
 * at its fields, saved, switched to RTU), and "read now" on the product page with the table as edited, from a real
 * Modbus slave (pymodbus).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pointTableToCsv } from '../domain/modbus/point-table-csv.ts';
import { ModbusSlave } from '../server/testing/modbus-slave.ts';
import { deployListener } from '../server/testing/mqtt-devices.ts';
import { pipelineFlow } from '../server/testing/pipeline-flow.ts';
import { startTestServer, type TestServer } from '../server/testing/test-server.ts';
import { AppPages, downloadedText, launchBrowser, screenshot } from './browser.ts';

const PRODUCT = 'e2eModbus';
const DEVICE = 'plc-1';

let server: TestServer;
let browser: Browser;
/** One signed-in page per user for the file's tests (see AppPages). */
const pages = new AppPages(() => browser, () => server);
let tempDir: string;
let slave: ModbusSlave;

beforeAll(async () => {
  // A real slave (pymodbus): 230.5 as a float32 with its low word first, 42, and a coil that is on.
  [server, browser, slave] = await Promise.all([
    startTestServer(), launchBrowser(),
    ModbusSlave.start({ mode: 'tcp', units: { 1: { holding: { 0: 0x8000, 1: 0x4366, 2: 42 }, coils: { 2: 1 } } } }),
  ]);
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-modbus-e2e-'));
  const token = server.adminToken;
  await server.request('POST', '/api/v1/products', { token, body: { productKey: PRODUCT, name: 'Boiler PLC' } });
  await server.request('PUT', `/api/v1/products/${PRODUCT}/thing-model/draft`, {
    token,
    body: {
      properties: [
        { identifier: 'temperature', name: 'Temperature', accessMode: 'r', dataType: { type: 'float' } },
        { identifier: 'setpoint', name: 'Setpoint', accessMode: 'rw', dataType: { type: 'int', specs: { min: '0', max: '100' } } },
        { identifier: 'pump', name: 'Pump', accessMode: 'rw', dataType: { type: 'bool', specs: { 0: 'off', 1: 'on' } } },
      ],
    },
  });
  expect((await server.request('POST', `/api/v1/products/${PRODUCT}/thing-model/publish`, { token })).status).toBe(201);
  expect((await server.request('POST', '/api/v1/devices', { token, body: { productKey: PRODUCT, deviceName: DEVICE } })).status).toBe(201);
  // The shipped pipeline and a Modbus poller, so the device page shows polling as it goes.
  await deployListener(server, [...pipelineFlow(), { id: 'modbus', type: 'thing-modbus-poller', products: [] }]);
});

afterAll(async () => {
  await slave?.stop();
  await pages.close();
  await browser?.close();
  await server?.close();
  if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
});

describe('Modbus screens', () => {
  it('edits a point table with its problems under the row, saves it, and exports and imports it as CSV', async () => {
    const { page, errors, close } = await pages.open(`/products/${PRODUCT}?tab=modbus`, { width: 1280, height: 900 });
    page.setDefaultTimeout(24_000);
    await page.getByText('No points yet').waitFor();
    await page.getByRole('button', { name: 'Add point' }).click();
    // The first property not mapped yet, at the first free holding register.
    expect(await page.getByLabel('Property of point 1').inputValue()).toBe('temperature');
    await page.getByLabel('Type of point 1').selectOption('float32');
    await page.getByLabel('Word order of point 1').selectOption('little');
    await page.getByLabel('Scale of point 1').fill('0.5');
    await page.getByRole('button', { name: 'Add point' }).click();
    expect(await page.getByLabel('Property of point 2').inputValue()).toBe('setpoint');
    expect(await page.getByLabel('Address of point 2').inputValue()).toBe('2');
    // Typed onto the float's second register: the server's own check says so under the row, at the address.
    await page.getByLabel('Address of point 2').fill('1');
    await page.getByTestId('point-problems-2').getByText('point 2 (setpoint): address 1 of function 3 overlaps point 1 (temperature) at addresses 0..1').waitFor();
    expect(await page.getByLabel('Address of point 2').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true);
    await page.getByLabel('Writable point 2').check();
    await page.getByRole('button', { name: 'Add point' }).click();
    await page.getByLabel('Function of point 3').selectOption('1');
    expect(await page.getByLabel('Type of point 3').inputValue()).toBe('bool');
    await page.getByLabel('Writable point 3').check();
    await screenshot(page, 'modbus-point-table-problem');
    await page.getByLabel('Address of point 2').fill('2');
    await page.getByTestId('point-problems-2').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Point table saved: 3 points.').waitFor();
    const saved = (await server.request('GET', `/api/v1/products/${PRODUCT}/modbus/points`, { token: server.adminToken })).body;
    expect(saved.points).toEqual([
      { property: 'temperature', function: 3, address: 0, count: 2, type: 'float32', byteOrder: 'big', wordOrder: 'little', scale: 0.5, offset: 0, writable: false },
      { property: 'setpoint', function: 3, address: 2, count: 1, type: 'uint16', byteOrder: 'big', wordOrder: 'big', scale: 1, offset: 0, writable: true },
      { property: 'pump', function: 1, address: 2, count: 1, type: 'bool', byteOrder: 'big', wordOrder: 'big', scale: 1, offset: 0, writable: true },
    ]);

    // What only the server knows (the property's type in the thing model) comes back under the row too.
    await page.getByLabel('Type of point 1').selectOption('string');
    await page.getByLabel('Count of point 1').fill('2');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('point-problems-1').getByText(/a string point cannot hold "temperature"/).waitFor();
    expect(await page.getByLabel('Type of point 1').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Type of point 1').selectOption('float32');
    await page.getByTestId('point-problems-1').waitFor({ state: 'detached' });
    expect(await page.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true);

    // Export writes every column; the same file imports back.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe(`${PRODUCT}-modbus-points.csv`);
    const csv = await downloadedText(download);
    expect(csv).toBe(pointTableToCsv(saved.points));

    // A vendor's map with a mistake: nothing changes, and the problem names its line.
    const bad = path.join(tempDir, 'bad.csv');
    fs.writeFileSync(bad, 'property,function,address,type\ntemperature,4,0,float32\nsetpoint,3,abc,int16\n');
    await page.getByLabel('Import a point table CSV').setInputFiles(bad);
    await page.getByTestId('csv-problems').getByText('line 3: address must be a number, not "abc"').waitFor();
    expect(await page.getByLabel('Address of point 2').inputValue()).toBe('2');
    const good = path.join(tempDir, 'good.csv');
    fs.writeFileSync(good, 'property,function,address,type,scale\ntemperature,4,10,int16,0.1\nsetpoint,3,20,uint16,\n');
    await page.getByLabel('Import a point table CSV').setInputFiles(good);
    await page.getByText('Imported 2 points from good.csv').waitFor();
    expect(await page.getByLabel('Function of point 1').inputValue()).toBe('4');
    expect(await page.getByLabel('Scale of point 1').inputValue()).toBe('0.1');
    expect(await page.getByLabel('Property of point 3').count()).toBe(0);
    await page.getByRole('button', { name: 'Undo import' }).click();
    expect(await page.getByLabel('Property of point 3').inputValue()).toBe('pump');
    expect(errors).toEqual([]);
    await close();
  });

  it('saves a device’s connection with its problems at their fields, then reads the device with the table as edited', async () => {
    const { page, errors, close } = await pages.open(`/devices/${PRODUCT}/${DEVICE}?tab=modbus`, { width: 1280, height: 900 });
    page.setDefaultTimeout(24_000);
    // The product has a point table: the device page has a Modbus section, with no connection yet.
    await page.getByRole('region', { name: 'Modbus connection' }).waitFor();
    await page.getByTestId('modbus-poll-status').getByText('not-polled').waitFor();
    await page.getByLabel('Port', { exact: true }).fill('70000');
    await page.getByRole('button', { name: 'Add connection' }).click();
    await page.getByText('Host is needed for Modbus TCP').waitFor();
    await page.getByText('Port must be a whole number from 1 to 65,535').waitFor();
    expect(await page.getByLabel('Port', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    // RTU asks for a serial port instead of a host.
    await page.getByLabel(/^RTU \(serial\)/).check();
    await page.getByLabel('Serial port', { exact: true }).fill('ttyUSB0');
    expect(await page.getByLabel('Host', { exact: true }).count()).toBe(0);
    await page.getByLabel('Port', { exact: true }).waitFor({ state: 'detached' });
    // The server's refusal lands at its field.
    await page.getByRole('button', { name: 'Add connection' }).click();
    await page.getByText('Serial port must be an absolute path to a serial device').waitFor();
    expect(await page.getByLabel('Serial port', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel(/^Modbus TCP/).check();
    await page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await page.getByLabel('Port', { exact: true }).fill(String(slave.port));
    await page.getByLabel('Poll interval (ms)').fill('1000');
    await page.getByLabel('Timeout (ms)').fill('2000');
    await page.getByRole('button', { name: 'Add connection' }).click();
    await page.getByText('Connection saved.').waitFor();
    const view = (await server.request('GET', `/api/v1/devices/${PRODUCT}/${DEVICE}/modbus`, { token: server.adminToken })).body;
    expect(view.connection).toEqual({ transport: 'tcp', host: '127.0.0.1', port: slave.port, unitId: 1, intervalMs: 1000, timeoutMs: 2000 });
    // The poller takes it up: the section says so (it reloads every 5 s).
    const pollStatus = page.getByTestId('modbus-poll-status');
    await pollStatus.getByText('polling', { exact: true }).waitFor();
    await pollStatus.getByText('its last read answered').waitFor();
    expect(await pollStatus.getByText('never').count()).toBe(0);
    await screenshot(page, 'modbus-device-connection');

    // Read now on the product page: the slave's registers raw, and each point's value.
    await page.getByRole('link', { name: 'Boiler PLC' }).click();
    await page.getByRole('tab', { name: 'Modbus' }).click();
    const readNow = page.getByRole('region', { name: 'Read now' });
    await readNow.getByRole('combobox', { name: 'Device' }).locator('option', { hasText: DEVICE }).waitFor({ state: 'attached' });
    await readNow.getByRole('button', { name: 'Read now' }).click();
    const result = page.getByTestId('read-now-result');
    const values = result.getByRole('table', { name: 'Values' });
    await values.getByRole('row', { name: /temperature/ }).getByText('115.25').waitFor();
    expect(await values.getByRole('row', { name: /setpoint/ }).textContent()).toContain('42');
    expect(await values.getByRole('row', { name: /pump/ }).textContent()).toBe('pumpbool1');
    const requests = await result.getByRole('table', { name: 'Requests' }).textContent();
    expect(requests).toContain('32768 0x8000');
    expect(requests).toContain('17254 0x4366');
    await screenshot(page, 'modbus-read-now');

    // The table as edited, unsaved: an address the slave does not hold answers its exception, the others still read.
    await page.getByLabel('Address of point 2').fill('7');
    await readNow.getByRole('button', { name: 'Read now' }).click();
    await values.getByRole('row', { name: /setpoint/ }).getByText(/exception 2|illegal data address/i).waitFor();
    expect(await values.getByRole('row', { name: /temperature/ }).textContent()).toContain('115.25');
    await screenshot(page, 'modbus-read-now-exception');
    expect((await server.request('GET', `/api/v1/products/${PRODUCT}/modbus/points`, { token: server.adminToken })).body.points[1].address).toBe(2);

    // Removing the connection stops polling the device.
    await page.getByLabel('Address of point 2').fill('2');
    await page.getByRole('tab', { name: 'Devices (1)' }).click();
    await page.getByRole('link', { name: DEVICE }).click();
    await page.getByRole('tab', { name: 'Modbus' }).click();
    await page.getByRole('button', { name: 'Remove connection' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Remove connection' }).click();
    await page.getByText('Connection removed: the device is no longer polled.').waitFor();
    expect((await server.request('GET', `/api/v1/devices/${PRODUCT}/${DEVICE}/modbus`, { token: server.adminToken })).body.connection).toBeNull();
    expect(errors).toEqual([]);
    await close();
  });

  it('shows an operator the point table and the connection without a control that would change them', async () => {
    await server.tokenFor('operator');
    const { page, errors, close } = await pages.open(`/devices/${PRODUCT}/${DEVICE}?tab=modbus`, undefined, ['operator1', 'operator-password-1']);
    page.setDefaultTimeout(24_000);
    await page.getByTestId('modbus-poll-status').waitFor();
    expect(await page.getByLabel('Host', { exact: true }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: /connection/ }).count()).toBe(0);
    await page.getByRole('link', { name: 'Boiler PLC' }).click();
    await page.getByRole('tab', { name: 'Modbus' }).click();
    expect(await page.getByLabel('Address of point 1').isDisabled()).toBe(true);
    for (const name of ['Save', 'Import CSV', 'Add point', 'Remove point 1']) expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    // Reading is not changing: an operator is offered read now too (here with no device left to read).
    await page.getByRole('region', { name: 'Read now' }).getByText('None of this product’s devices has a Modbus connection yet').waitFor();
    expect(errors).toEqual([]);
    await close();
  });
});
