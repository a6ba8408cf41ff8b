/**
 * The device simulator's gateway mode (`npm run device -- --gateway --sub-devices N`, docs/protocol.md "Gateways and
 * sub-devices"): signs in as the gateway, adds its sub-devices to its topology with their own signatures, logs them
 * in, posts their properties in packs, and answers commands addressed to them, all over its one connection.
 */
import mqtt from 'mqtt';
import { signAlink } from '../server/device-auth/alink-sign.ts';
import { signThings } from '../server/device-auth/things-sign.ts';
import type { TslDocument } from '../domain/thing-model/tsl-types.ts';
import { resignOnReconnect, signDevice } from './device-ota.ts';
import { valueGenerator } from './tsl-values.ts';

/** Entries per topo/add and batch login: the platform takes at most 50. */
const BATCH = 50;

export interface GatewaySimulation {
  mqttUrl: string;
  dialect: 'alink' | 'things';
  gateway: { productKey: string; deviceName: string; deviceSecret: string };
  subDevices: { productKey: string; deviceName: string; deviceSecret: string }[];
  /** The sub-devices' product's published thing model (their values and services). */
  tsl: TslDocument;
  /** Packs per second. */
  rate: number;
  /** Stop after this many packs. */
  count: number;
  log(line: string): void;
  fail(message: string): never;
}

/** Runs until SIGINT (or `count` packs): then logs the sub-devices out, disconnects and exits the process. */
export function runGateway(sim: GatewaySimulation): Promise<never> {
  const { gateway, subDevices, dialect, tsl, log } = sim;
  const alink = dialect === 'alink';
  const own = alink ? `/sys/${gateway.productKey}/${gateway.deviceName}` : `${gateway.productKey}/${gateway.deviceName}`;
  const session = alink ? `/ext/session/${gateway.productKey}/${gateway.deviceName}/combine` : `${own}/combine`;
  const generate = valueGenerator();
  const sign = () => signDevice(dialect, gateway);
  const client = mqtt.connect(sim.mqttUrl, { ...sign(), keepalive: 60, reconnectPeriod: 2000, protocolVersion: 4 });
  resignOnReconnect(client, sign);

  let nextId = 1;
  const waiting = new Map<string, (reply: { code: number; message?: string; data?: unknown }) => void>();
  const replies = new Map<number, number>();
  let packs = 0;
  let timer: NodeJS.Timeout | undefined;

  /** A sub-device's signature fields, signed now, as its own sign-in would be. */
  const signed = (d: GatewaySimulation['subDevices'][number]) => {
    if (!alink) return { productKey: d.productKey, deviceName: d.deviceName, password: signThings(d).password };
    const timestamp = Date.now();
    const clientId = `${d.productKey}.${d.deviceName}`;
    const { password } = signAlink({ ...d, clientId, timestamp });
    return { productKey: d.productKey, deviceName: d.deviceName, clientId, timestamp: String(timestamp), signmethod: 'hmacsha256', sign: password };
  };
  const request = (topic: string, method: string, params: unknown) => new Promise<{ code: number; message?: string; data?: unknown }>((resolve) => {
    const id = String(nextId++);
    waiting.set(id, resolve);
    client.publish(topic, JSON.stringify(alink ? { id, version: '1.0', method, params } : { id, params }), { qos: 1 });
  });

  async function start(): Promise<void> {
    for (let i = 0; i < subDevices.length; i += BATCH) {
      const batch = subDevices.slice(i, i + BATCH);
      const added = await request(`${own}/thing/topo/add`, 'thing.topo.add', batch.map(signed));
      if (added.code !== 200) sim.fail(`thing.topo.add refused (${added.code}): ${added.message} ${JSON.stringify(added.data)}`);
      const login = await request(`${session}/batch_login`, 'combine.batch_login', batch.map(signed));
      if (login.code !== 200) sim.fail(`combine.batch_login refused (${login.code}): ${login.message} ${JSON.stringify(login.data)}`);
    }
    log(`gateway ${gateway.productKey}/${gateway.deviceName}: ${subDevices.length} sub-devices added and logged in; posting ${sim.rate} packs/s`);
    clearInterval(timer);
    timer = setInterval(postPack, 1000 / sim.rate);
  }

  function postPack(): void {
    if (!client.connected) return;
    const now = Date.now();
    const subs = subDevices.map((d) => ({
      identity: { productKey: d.productKey, deviceName: d.deviceName },
      properties: Object.fromEntries((tsl.properties ?? [])
        .map((p) => [p.identifier, { value: generate(p.dataType, `${d.deviceName}.${p.identifier}`), time: now }])),
    }));
    void request(`${own}/thing/event/property/pack/post`, 'thing.event.property.pack.post', { properties: {}, subDevices: subs }).then((reply) => {
      replies.set(reply.code, (replies.get(reply.code) ?? 0) + 1);
      if (reply.code !== 200) log(`pack ${reply.code}: ${reply.message ?? ''} ${JSON.stringify(reply.data)}`);
    });
    packs++;
    if (packs % Math.max(1, Math.round(sim.rate * 10)) === 0) log(`${packs} packs; replies ${JSON.stringify(Object.fromEntries(replies))}`);
    if (packs >= sim.count) void stop();
  }

  client.on('connect', () => {
    log(`connected to ${sim.mqttUrl} as gateway ${gateway.productKey}/${gateway.deviceName} (${dialect})`);
    client.subscribe([`${own}/#`, ...(alink ? [`/ext/session/${gateway.productKey}/${gateway.deviceName}/#`] : [])], { qos: 1 }, (err) => {
      if (!err) void start();
    });
  });
  client.on('error', (err) => {
    const code = (err as { code?: number }).code;
    if (code === 4 || code === 5) sim.fail(`${err.message}: the platform refused the gateway's sign-in; its connection history has the reason.`);
    log(`gateway: ${err.message}`);
  });
  client.on('close', () => log('disconnected'));
  client.on('message', (topic, payload) => {
    let body: { id?: string; code?: number; message?: string; data?: unknown; params?: Record<string, unknown> };
    try {
      body = JSON.parse(payload.toString()) as typeof body;
    } catch {
      return;
    }
    if (topic.endsWith('_reply')) {
      const resolve = body.id === undefined ? undefined : waiting.get(body.id);
      if (resolve && typeof body.code === 'number') {
        waiting.delete(body.id!);
        resolve(body as { code: number });
      }
      return;
    }
    // A command to one of its sub-devices: `{sub}/thing/service/{property/set | serviceId}`, answered as firmware would.
    const levels = topic.split('/');
    const at = alink ? 4 : 2;
    if (levels[at] !== 'thing' || levels[at + 1] !== 'service' || body.id === undefined) return;
    const device = alink ? `${levels[2]}/${levels[3]}` : `${levels[0]}/${levels[1]}`;
    const service = levels.slice(at + 2).join('/');
    let data: object = {};
    if (service === 'property/set') {
      log(`set ${device} ${JSON.stringify(body.params)}`);
    } else {
      const def = tsl.services?.find((s) => s.identifier === service);
      data = Object.fromEntries((def?.outputData ?? []).map((o) => [o.identifier, generate(o.dataType, `${device}.${service}.${o.identifier}`)]));
      log(`invoked ${device} ${service}(${JSON.stringify(body.params)})`);
    }
    client.publish(`${topic}_reply`, JSON.stringify({ id: body.id, code: 200, data, message: 'success' }));
  });

  let stopping = false;
  async function stop(): Promise<void> {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    log(`${packs} packs; replies ${JSON.stringify(Object.fromEntries(replies))}`);
    if (client.connected) {
      const out = subDevices.map(({ productKey, deviceName }) => ({ productKey, deviceName }));
      const give = setTimeout(() => process.exit(0), 2000);
      for (let i = 0; i < out.length; i += BATCH) await request(`${session}/batch_logout`, 'combine.batch_logout', out.slice(i, i + BATCH));
      clearTimeout(give);
    }
    client.end(false, () => process.exit(0));
  }
  process.on('SIGINT', () => void stop());
  return new Promise<never>(() => undefined);
}
