import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firmwareImage, startFirmwareServer, type FirmwareImage, type FirmwareServer } from '../server/testing/firmware-http.ts';
import { createDevices, deployListener, listenerFlow, type TestDevice } from '../server/testing/mqtt-devices.ts';
import { startTestServer, type TestJson, type TestServer } from '../server/testing/test-server.ts';
import { until } from '../server/testing/until.ts';
import { startOtaDevice, type OtaDevice, type OtaDeviceOptions, type OtaSimEvent } from './device-ota.ts';

let tw: TestServer;
let fw: FirmwareServer;
let mqttUrl: string;
let alink: readonly TestDevice[];
let things: readonly TestDevice[];
const image: FirmwareImage = firmwareImage(400 * 1024);
const running: OtaDevice[] = [];

/** Answers `thing/ota/firmware/get` with an upgrade to 2.0.0 of the image at `/get.bin`, as the ota node will. */
const getAnswerFlow = (url: string) => [
  { id: 'get-in', type: 'device-in', z: 'tab', x: 100, y: 300, product: '', device: '', kinds: ['ota.get'], dialect: 'any', wires: [['get-data']] },
  {
    id: 'get-data', type: 'function', z: 'tab', x: 250, y: 300, outputs: 1, noerr: 0, initialize: '', finalize: '', libs: [],
    func: `msg.payload = ${JSON.stringify({ size: image.bytes.length, version: '2.0.0', url, sign: image.sha256, signMethod: 'SHA256', md5: image.md5, module: 'mcu', extData: {} })}; return msg;`,
    wires: [['get-reply']],
  },
  { id: 'get-reply', type: 'device-reply', z: 'tab', x: 400, y: 300, code: 200, message: 'success', sendPayload: true, wires: [[]] },
];

beforeAll(async () => {
  [tw, fw] = await Promise.all([startTestServer(), startFirmwareServer()]);
  alink = await createDevices(tw, 'a1ota', ['ok', 'drop', 'fail-download', 'fail-verify', 'fail-flash', 'bad-sign', 'cancel', 'get']);
  things = await createDevices(tw, 't1ota', ['busy'], 'things');
  // The test flow, without its firmware/get node that never answers: this one does.
  const flows = [...listenerFlow().filter((n) => n.id !== 'silent'), ...getAnswerFlow(fw.serve('get.bin', image))];
  mqttUrl = `mqtt://127.0.0.1:${await deployListener(tw, flows)}`;
});

afterAll(async () => {
  await Promise.all(running.map((d) => d.close()));
  await fw?.close();
  await tw?.close();
});

/** A simulated device with its events recorded. */
async function device(d: TestDevice, options: Partial<OtaDeviceOptions> = {}) {
  const events: OtaSimEvent[] = [];
  const lines: string[] = [];
  const dev = await startOtaDevice({
    device: d, mqttUrl, dialect: 'alink', versions: { mcu: '1.0.0' }, ...options,
    onEvent: (e) => events.push(e), log: (line) => lines.push(line),
  });
  running.push(dev);
  const ended = () => until(`${d.deviceName} finished its upgrade`, () => events.find((e) => e.type === 'upgraded' || e.type === 'failed'), Boolean);
  return { dev, events, lines, ended };
}

/** Pushes an upgrade on the device's upgrade topic, as the platform does (through the listener devices are on). */
function push(d: TestDevice, payload: unknown, dialect: 'alink' | 'things' = 'alink') {
  const topic = dialect === 'alink' ? `/ota/device/upgrade/${d.productKey}/${d.deviceName}` : `${d.productKey}/${d.deviceName}/ota/upgrade`;
  tw.app.mqttListeners.listeners()[0]!.publishTo(topic, Buffer.from(JSON.stringify(payload)), 1);
}

const alinkPush = (url: string, img: FirmwareImage = image, data: object = {}) => ({
  code: '1000', id: Date.now(), message: 'success',
  data: { size: img.bytes.length, version: '2.0.0', url, sign: img.sha256, signMethod: 'SHA256', md5: img.md5, module: 'mcu', extData: {}, ...data },
});

/** The device's OTA uplinks as the platform's message log shows them, oldest first, once `ok` holds for them. */
async function otaLog(d: TestDevice, ok: (items: TestJson[]) => boolean): Promise<TestJson[]> {
  return until(`${d.deviceName}'s OTA reports`, async () => {
    const res = await tw.request('GET', `/api/v1/devices/${d.productKey}/${d.deviceName}/messages?direction=up&limit=100`, { token: tw.adminToken });
    return (res.body.items as TestJson[]).filter((i) => i.kind?.startsWith('ota.')).reverse();
  }, ok);
}
const steps = (items: TestJson[]) => items.filter((i) => i.kind === 'ota.progress').map((i) => JSON.parse(i.payload));
const informs = (items: TestJson[]) => items.filter((i) => i.kind === 'ota.inform').map((i) => JSON.parse(i.payload));

describe('the simulated device takes firmware updates (docs/ota.md)', () => {
  it('informs its version, downloads the pushed image, verifies it, reports its steps, restarts and informs the new version', async () => {
    const d = alink[0]!;
    const { dev, ended } = await device(d);
    const url = fw.serve('ok.bin', image);
    push(d, alinkPush(`${url}?token=t1`));
    expect(await ended()).toMatchObject({ type: 'upgraded', module: 'mcu', from: '1.0.0', to: '2.0.0' });

    const log = await otaLog(d, (items) => informs(items).length === 2);
    expect(informs(log)).toEqual([{ version: '1.0.0', module: 'mcu' }, { version: '2.0.0', module: 'mcu' }]);
    expect(steps(log)).toEqual([
      ...['0', '20', '40', '60', '80'].map((step) => ({ step, desc: 'downloading', module: 'mcu' })),
      { step: '100', desc: 'burning', module: 'mcu' },
    ]);
    // It restarted: a clean disconnect, then a new connection that informed 2.0.0.
    const connections = await tw.request('GET', `/api/v1/devices/${d.productKey}/${d.deviceName}/connections`, { token: tw.adminToken });
    expect(connections.body.items.slice(0, 3).map((c: TestJson) => [c.event, c.reason ?? ''])).toEqual([
      ['connected', expect.anything()], ['disconnected', 'disconnect'], ['connected', expect.anything()],
    ]);
    expect(fw.requests.filter((r) => r.path === '/ok.bin')).toEqual([expect.objectContaining({ status: 200, finished: true, sent: image.bytes.length })]);
    expect(fw.requests.find((r) => r.path === '/ok.bin')!.range).toBeUndefined();
    expect(dev.ota.versions()).toEqual({ mcu: '2.0.0' });
  });

  it('drops the download at --ota-drop-at percent and resumes it with Range, keeping the bytes it had', async () => {
    const d = alink[1]!;
    const { ended, lines } = await device(d, { dropAtPercent: 50 });
    push(d, alinkPush(fw.serve('drop.bin', image)));
    // Success means the hash over both pieces matched the sign.
    expect(await ended()).toMatchObject({ type: 'upgraded', to: '2.0.0' });
    const [first, second, ...more] = fw.requests.filter((r) => r.path === '/drop.bin');
    expect(more).toEqual([]);
    // (The server may have written the whole first answer into the socket before the device dropped it: loopback buffers.)
    expect(first).toMatchObject({ status: 200 });
    expect(first!.range).toBeUndefined();
    const size = image.bytes.length;
    const from = Number(/^bytes=(\d+)-$/.exec(second!.range ?? '')?.[1]);
    expect(from).toBeGreaterThanOrEqual(size / 2);
    expect(from).toBeLessThan(size);
    expect(second).toMatchObject({ status: 206, finished: true, sent: size - from, ifRange: `"${image.sha256}"` });
    expect(lines).toContain(`ota: mcu: resumed: 206, Content-Range bytes ${from}-${size - 1}/${size}`);
    const log = await otaLog(d, (items) => informs(items).length === 2);
    expect(steps(log).map((s) => s.step)).toEqual(['0', '20', '40', '60', '80', '100']);
  });

  it('with --ota-fail reports -2, -3 or -4 where it fails, and keeps its version', async () => {
    const url = fw.serve('fail.bin', image);
    const cases = [['download', -2, alink[2]!], ['verify', -3, alink[3]!], ['flash', -4, alink[4]!]] as const;
    const devices = await Promise.all(cases.map(([fail, , d]) => device(d, { fail })));
    cases.forEach(([, , d]) => push(d, alinkPush(url)));
    for (const [i, [fail, step, d]] of cases.entries()) {
      const { ended, dev } = devices[i]!;
      expect(await ended()).toMatchObject({ type: 'failed', module: 'mcu', step });
      const log = await otaLog(d, (items) => steps(items).some((s) => Number(s.step) < 0));
      const reported = steps(log);
      expect(reported.at(-1)).toEqual({ step: String(step), desc: expect.stringContaining(`simulated by --ota-fail ${fail}`), module: 'mcu' });
      // Where it failed: halfway through the download; after it (at 80 %, before burning); while burning.
      expect(reported.map((s) => s.step)).toEqual({
        download: ['0', '20', '40', '-2'], verify: ['0', '20', '40', '60', '80', '-3'], flash: ['0', '20', '40', '60', '80', '100', '-4'],
      }[fail]);
      expect(informs(log)).toEqual([{ version: '1.0.0', module: 'mcu' }]);
      expect(dev.ota.versions()).toEqual({ mcu: '1.0.0' });
    }
  });

  it('reports -3 when the image does not match the sign', async () => {
    const d = alink[5]!;
    const { ended } = await device(d);
    push(d, alinkPush(fw.serve('bad-sign.bin', image), image, { sign: 'ab'.repeat(32) }));
    expect(await ended()).toMatchObject({ type: 'failed', step: -3, desc: expect.stringMatching(/^verification failed: SHA256 [0-9a-f]{16}… is not the sign abab/) });
  });

  it('stops downloading when the platform cancels the upgrade (a code other than 1000)', async () => {
    const d = alink[6]!;
    const { events, lines, dev } = await device(d);
    const url = fw.serve('cancel.bin', image, { holdAfter: image.bytes.length / 4 });
    push(d, alinkPush(url));
    await until('the download is under way', () => events.some((e) => e.type === 'progress' && e.step === 20), Boolean);
    push(d, { code: '9001', id: Date.now(), message: 'upgrade cancelled', data: { module: 'mcu', version: '2.0.0' } });
    expect(await until('the cancel', () => events.find((e) => e.type === 'cancelled'), Boolean)).toEqual({ type: 'cancelled', module: 'mcu', version: '2.0.0' });
    // The download's connection is closed; nothing more is reported, and the device keeps its version.
    await until('the download closed', () => fw.requests.find((r) => r.path === '/cancel.bin')?.finished, (f) => f === 'closed');
    expect(lines).toContain('ota: mcu: upgrade to 2.0.0 cancelled by the platform (upgrade cancelled)');
    expect(dev.ota.upgrading()).toEqual([]);
    expect(events.filter((e) => e.type === 'progress').map((e) => e.type === 'progress' && e.step)).toEqual([0, 20]);
    expect(dev.ota.versions()).toEqual({ mcu: '1.0.0' });
  });

  it('asks for a pending upgrade with thing/ota/firmware/get and acts on the answer', async () => {
    const d = alink[7]!;
    const { ended, lines } = await device(d, { askForUpgrade: true });
    expect(await ended()).toMatchObject({ type: 'upgraded', module: 'mcu', to: '2.0.0' });
    expect(lines).toContain('ota: asked for a pending upgrade of mcu');
    const log = await tw.request('GET', `/api/v1/devices/${d.productKey}/${d.deviceName}/messages?direction=up`, { token: tw.adminToken });
    expect(log.body.items.find((i: TestJson) => i.kind === 'ota.get')).toMatchObject({ code: 200, payload: JSON.stringify({ module: 'mcu' }) });
  });

  it('speaks the things dialect: integer versions, MD5, modules, and waits out 503 Retry-After', async () => {
    const d = things[0]!;
    const { ended, events, dev } = await device(d, { dialect: 'things', versions: { default: '1.0.0', modem: '2.1.0' } });
    const url = fw.serve('busy.bin', image, { busy: 2, retryAfter: '0' });
    push(d, [{ key: 'modem', version: 203004, version_name: '2.3.4', file_url: url, sign: image.md5, sign_method: 'MD5', md5: image.md5, size: image.bytes.length }], 'things');
    expect(await ended()).toMatchObject({ type: 'upgraded', module: 'modem', from: '2.1.0', to: '2.3.4' });
    expect(events.filter((e) => e.type === 'http').map((e) => e.type === 'http' && e.status)).toEqual([503, 503, 200]);
    const log = await otaLog(d, (items) => informs(items).length === 2);
    expect(informs(log)).toEqual([
      [{ key: 'default', version: 100000 }, { key: 'modem', version: 201000 }],
      [{ key: 'default', version: 100000 }, { key: 'modem', version: 203004 }],
    ]);
    expect(steps(log).map((s) => [s.key, s.step, s.desc]).at(-1)).toEqual(['modem', 100, 'burning']);
    expect(dev.ota.versions()).toEqual({ default: '1.0.0', modem: '2.3.4' });
  });
});
