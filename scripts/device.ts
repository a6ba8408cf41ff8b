/**
 * `npm run device -- --product P --device D [--secret S] [--rate N] [--dialect alink|things] [--firmware V] [--ota-…]`
 *
 * A simulated device: connects with a real signature, posts property values generated from the product's published
 * thing model, and answers property sets and service invocations like firmware would. With firmware versions it also
 * takes firmware updates (scripts/device-ota.ts, docs/ota.md). The thing model (and the secret, when --secret is not
 * given) are read from the API with THINGWIRE_TOKEN (an API token; revealing a secret needs an admin's).
 */
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { OTA_FAIL_MODES, OtaSimulator, parseModuleVersion, resignOnReconnect, restartClient, signDevice, type OtaFailMode } from './device-ota.ts';
import type { TslDocument } from '../domain/thing-model/tsl-types.ts';
import { valueGenerator } from './tsl-values.ts';
import { runGateway } from './device-gateway.ts';

const USAGE = `npm run device -- --product <productKey> --device <deviceName> [options]

A simulated device: signs in over MQTT, posts values generated from the product's published thing model, and
answers property sets and service calls. Reads the thing model (and, without --secret, the device secret) from the
API with THINGWIRE_TOKEN (an API token; revealing a secret needs an admin's).

Options
  --secret <hex>        the device secret (default: revealed through the API)
  --rate <n>            posts per second (default 1)
  --count <n>           stop after n posts and print how they were answered
  --dialect alink|things  (default alink)
  --mqtt <url>          the MQTT listener (default mqtt://localhost:1883)
  --api <url>           the HTTP API (default http://localhost:1880)
  --help

Firmware updates (docs/ota.md), on when any of these is given
  --firmware <version>  the version of the default module (default 1.0.0), informed at every start
  --module <name>=<version>  a module and its version, repeatable (--module mcu=1.0.0 --module modem=2.1.0)
  --ota-fail download|verify|flash  fail every upgrade there (step -2, -3 or -4) and keep the old version
  --ota-drop-at <percent>  drop the download's connection once at this percent and resume it with Range
  --ota-get             ask for a pending upgrade (thing/ota/firmware/get) after connecting
An upgrade push is downloaded (waiting out 503 Retry-After), its hash checked, progress reported (0..80
downloading, 100 burning); then the device reconnects and informs the new version.

Gateway (docs/protocol.md "Gateways and sub-devices"): --product and --device name the gateway
  --gateway             play a gateway: add its sub-devices (thing.topo.add, each signed with its own secret), log
                        them in, post their values in property packs (--rate packs per second) and answer commands
                        addressed to them, all over the gateway's one connection; Ctrl+C logs them out
  --sub-product <pk>    the sub-devices' product (node type sub-device; default: the only such product); its first N
                        devices are used, secrets revealed through the API (nothing is created)
  --sub-devices <n>     how many (default 10, at most 500)
`;

function fail(message: string): never {
  process.stderr.write(`device: ${message}\n`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      product: { type: 'string' }, device: { type: 'string' }, secret: { type: 'string' },
      rate: { type: 'string', default: '1' }, dialect: { type: 'string', default: 'alink' },
      mqtt: { type: 'string', default: 'mqtt://localhost:1883' }, api: { type: 'string', default: 'http://localhost:1880' },
      count: { type: 'string' }, help: { type: 'boolean' },
      firmware: { type: 'string' }, module: { type: 'string', multiple: true },
      'ota-fail': { type: 'string' }, 'ota-drop-at': { type: 'string' }, 'ota-get': { type: 'boolean' },
      gateway: { type: 'boolean' }, 'sub-devices': { type: 'string', default: '10' }, 'sub-product': { type: 'string' },
    },
  });
} catch (err) {
  fail(`${(err as Error).message}\n\n${USAGE}`);
}
const args = parsed.values;
if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const productKey = args.product ?? fail('--product is required');
const deviceName = args.device ?? fail('--device is required');
const dialect = args.dialect === 'things' ? 'things' : args.dialect === 'alink' ? 'alink' : fail('--dialect is alink or things');
const rate = Number(args.rate);
if (!(rate > 0 && rate <= 10_000)) fail('--rate is messages per second, 0 < rate ≤ 10000');
const token = process.env.THINGWIRE_TOKEN;

/** Module versions, when the device takes firmware updates; undefined when no OTA option was given. */
function otaVersions(): Record<string, string> | undefined {
  const given = args.firmware !== undefined || args.module !== undefined || args['ota-fail'] !== undefined ||
    args['ota-drop-at'] !== undefined || args['ota-get'] === true;
  if (!given) return undefined;
  try {
    const modules = (args.module ?? []).map((m) => (m.includes('=') ? parseModuleVersion(m) : fail(`--module is <name>=<version>, not "${m}"`)));
    const withDefault = args.firmware !== undefined || modules.length === 0;
    return Object.fromEntries(withDefault ? [parseModuleVersion(args.firmware ?? '1.0.0'), ...modules] : modules);
  } catch (err) {
    fail(`${(err as Error).message}`);
  }
}
const versions = otaVersions();
const otaFail = args['ota-fail'];
if (otaFail !== undefined && !OTA_FAIL_MODES.includes(otaFail as OtaFailMode)) fail(`--ota-fail is ${OTA_FAIL_MODES.join(', ')}`);
const dropAt = args['ota-drop-at'] === undefined ? undefined : Number(args['ota-drop-at']);
if (dropAt !== undefined && !(dropAt > 0 && dropAt < 100)) fail('--ota-drop-at is a percent of the download, 0 < percent < 100');

/** The API's JSON answer, taken to be a `T`; a refusal stops the simulator with the API's message. */
async function api<T>(method: string, path: string): Promise<T> {
  if (!token) fail('set THINGWIRE_TOKEN to an API token (POST /api/v1/auth/tokens) so the simulator can read the thing model');
  const res = await fetch(args.api + path, { method, headers: { authorization: `Bearer ${token}` } });
  const body: unknown = await res.json().catch(() => ({}));
  if (!res.ok) fail(`${method} ${path}: ${res.status} ${(body as { error?: { message?: string } } | null)?.error?.message ?? ''}`);
  return body as T;
}

/** Without --sub-product: the one product of node type sub-device, or what to pass when there is none or several. */
async function onlySubDeviceProduct(): Promise<string> {
  const products = await api<{ items: { productKey: string; nodeType?: string }[] }>('GET', '/api/v1/products');
  const subs = products.items.filter((p) => p.nodeType === 'sub-device').map((p) => p.productKey);
  if (subs.length === 1) return subs[0]!;
  return fail(subs.length === 0
    ? '--gateway needs sub-devices: create a product of node type sub-device and its devices first'
    : `--gateway: several sub-device products (${subs.join(', ')}); name one with --sub-product`);
}

const secret: string = args.secret ?? (await api<{ deviceSecret: string }>('POST', `/api/v1/devices/${productKey}/${deviceName}/secret/reveal`)).deviceSecret;

if (args.gateway) {
  const subProduct = args['sub-product'] ?? await onlySubDeviceProduct();
  const n = Number(args['sub-devices']);
  if (!(Number.isInteger(n) && n >= 1 && n <= 500)) fail('--sub-devices is 1 to 500');
  const listed = await api<{ items: { deviceName: string }[] }>('GET', `/api/v1/devices?productKey=${encodeURIComponent(subProduct)}&limit=${n}`);
  if (listed.items.length < n) {
    fail(`product ${subProduct} has ${listed.items.length} devices, not ${n}: create them first (POST /api/v1/devices/bulk, or the Devices screen's import)`);
  }
  const subDevices = [];
  for (const d of listed.items) {
    const { deviceSecret } = await api<{ deviceSecret: string }>('POST', `/api/v1/devices/${subProduct}/${d.deviceName}/secret/reveal`);
    subDevices.push({ productKey: subProduct, deviceName: d.deviceName, deviceSecret });
  }
  const subSummary = await api<{ published?: { version: number } | null }>('GET', `/api/v1/products/${subProduct}/thing-model`);
  if (!subSummary.published) fail(`product ${subProduct} has no published thing model`);
  const subTsl = await api<TslDocument>('GET', `/api/v1/products/${subProduct}/thing-model/versions/${subSummary.published.version}`);
  await runGateway({
    mqttUrl: args.mqtt, dialect, gateway: { productKey, deviceName, deviceSecret: secret }, subDevices, tsl: subTsl,
    rate, count: args.count ? Number(args.count) : Infinity, log: (line) => process.stdout.write(`${line}\n`), fail,
  });
}
const summary = await api<{ published?: { version: number } | null }>('GET', `/api/v1/products/${productKey}/thing-model`);
const version = summary.published?.version;
if (!version) fail(`product ${productKey} has no published thing model`);
const tsl = await api<TslDocument>('GET', `/api/v1/products/${productKey}/thing-model/versions/${version}`);

/** A plausible value for a data type: numbers drift inside their range, the rest is picked at random. */
const state = new Map<string, unknown>();
const generate = valueGenerator(state);

const sign = () => signDevice(dialect, { productKey, deviceName, deviceSecret: secret });
const base = dialect === 'alink' ? `/sys/${productKey}/${deviceName}/thing` : `${productKey}/${deviceName}/thing`;
const client = mqtt.connect(args.mqtt, { ...sign(), keepalive: 60, reconnectPeriod: 2000, protocolVersion: 4 });
// Every connect is signed afresh: a things nonce is accepted once, and an alink timestamp ages out.
resignOnReconnect(client, sign);
const ota = versions && new OtaSimulator({
  productKey, deviceName, dialect, versions,
  ...(otaFail ? { fail: otaFail as OtaFailMode } : {}),
  ...(dropAt !== undefined ? { dropAtPercent: dropAt } : {}),
  publish: (topic, payload) => client.publishAsync(topic, payload),
  restart: () => restartClient(client),
  log: (line) => process.stdout.write(`${line}\n`),
});
let firstConnect = true;

let nextId = 1;
let sent = 0;
/** The platform's replies to this device's posts, by code. */
const replies = new Map<number, number>();
let answered = 0;
let stopping = false;
let finished = false;
let giveUp: NodeJS.Timeout | undefined;
const limit = args.count ? Number(args.count) : Infinity;
const commands = `${base}/service/`;
const progress = () => `${sent} posts; replies ${JSON.stringify(Object.fromEntries(replies))}\n`;

client.on('connect', () => {
  process.stdout.write(`connected to ${args.mqtt} as ${productKey}/${deviceName} (${dialect}); posting ${rate}/s\n`);
  // Not `${base}/service/#`: it matches this device's own `…_reply` answers, which the broker hands back to it (MQTT
  // 3.1.1 has no "no local"), and they would be taken for the platform's replies.
  client.subscribe([`${commands}property/set`, `${commands}+`, `${base}/event/+/post_reply`, ...(ota?.topics ?? [])], (err) => {
    if (err || !ota) return;
    // At every start (the first connect, and after flashing) a device informs its versions.
    const askForUpgrade = firstConnect && args['ota-get'] === true;
    firstConnect = false;
    void ota.connected()
      .then(() => (askForUpgrade ? ota.requestFirmware() : undefined))
      .catch((e: Error) => process.stderr.write(`device: ota: ${e.message}\n`));
  });
});
client.on('error', (err) => {
  // A refused sign-in does not get better by retrying: say what to check and stop.
  const code = (err as { code?: number }).code;
  if (code === 4 || code === 5 || code === 134 || code === 135) {
    fail(`${err.message}: the platform refused the sign-in. Check --secret, that ${productKey}/${deviceName} exists and is enabled; ` +
      `its connection history (GET /api/v1/devices/${productKey}/${deviceName}/connections) has the reason.`);
  }
  process.stderr.write(`device: ${err.message}\n`);
});
client.on('close', () => process.stdout.write('disconnected\n'));
client.on('message', (topic, payload) => {
  if (ota?.handle(topic, payload)) return;
  // A reply to a post (`code`), or a command from the platform (`params`).
  let body: { id: string; code: number; message?: string; data?: unknown; params?: Record<string, unknown> };
  try {
    body = JSON.parse(payload.toString()) as typeof body;
  } catch {
    return;
  }
  if (!topic.startsWith(commands)) {
    replies.set(body.code, (replies.get(body.code) ?? 0) + 1);
    answered++;
    if (body.code !== 200) process.stdout.write(`reply ${body.code} to #${body.id}: ${body.message ?? ''} ${JSON.stringify(body.data ?? '')}\n`);
    if (stopping && answered >= sent) finish();
    return;
  }
  // `service/+` also matches this device's own `{serviceId}_reply` answers: only commands are handled.
  if (topic.endsWith('_reply')) return;
  // A command from the platform: set properties or invoke a service, and answer it as firmware would.
  const service = topic.slice(commands.length);
  let data: object = {};
  if (service === 'property/set') {
    for (const [k, v] of Object.entries(body.params ?? {})) state.set(k, v);
    process.stdout.write(`set ${JSON.stringify(body.params)}\n`);
  } else {
    const def = tsl.services?.find((s) => s.identifier === service);
    data = Object.fromEntries((def?.outputData ?? []).map((o) => [o.identifier, generate(o.dataType, `${service}.${o.identifier}`)]));
    process.stdout.write(`invoked ${service}(${JSON.stringify(body.params)})\n`);
  }
  client.publish(`${topic}_reply`, JSON.stringify({ id: body.id, code: 200, data, message: 'success' }));
});

const timer = setInterval(() => {
  if (!client.connected) return;
  const params = Object.fromEntries((tsl.properties ?? []).map((p) => [p.identifier, generate(p.dataType, p.identifier)]));
  const id = String(nextId++);
  const envelope = dialect === 'alink'
    ? { id, version: '1.0', sys: { ack: 1 }, method: 'thing.event.property.post', params }
    : { id, ack: 1, params };
  client.publish(`${base}/event/property/post`, JSON.stringify(envelope));
  sent++;
  if (sent % Math.max(1, Math.round(rate * 10)) === 0) process.stdout.write(progress());
  if (sent >= limit) stop();
}, 1000 / rate);

/** Stops posting; ends once the last posts are answered (or 2 s passed), with a summary that counts them. */
function stop(): void {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  giveUp = setTimeout(finish, 2000);
  if (answered >= sent) finish();
}

function finish(): void {
  if (finished) return;
  finished = true;
  clearTimeout(giveUp);
  ota?.stop();
  process.stdout.write(progress());
  client.end(false, () => process.exit(0));
}
process.on('SIGINT', stop);
