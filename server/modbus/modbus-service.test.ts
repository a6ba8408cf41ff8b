import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { startTestDeviceHub, type TestDeviceHub } from '../testing/test-device-hub.ts';
import { until } from '../testing/until.ts';
import { ModbusService } from './modbus-service.ts';
import { SqliteSql } from '../db/sql.ts';
import { ModbusStore } from './modbus-store.ts';
import type { ThingMessage } from '../../domain/devices/thing-message.ts';
import { DEFAULT_MODBUS_POLLER_CONFIG } from '../../domain/modbus/modbus-poller-config.ts';

/**
 * A Modbus TCP slave on loopback that answers function 3 with register n = n, after `delayMs`, or never (`silent`),
 * and records when each unit's requests arrive and how many of a unit's requests it held at once.
 */
class TimingSlave {
  delayMs = 0;
  silent = false;
  /** Answer every request with this exception instead (a gateway whose device behind it is gone: 11). */
  exceptionCode = 0;
  connections = 0;
  readonly arrivals = new Map<number, number[]>();
  readonly maxOpen = new Map<number, number>();
  readonly #open = new Map<number, number>();
  readonly server = net.createServer((socket) => {
    this.connections += 1;
    socket.on('error', () => {});
    let buffer = Buffer.alloc(0);
    socket.on('data', (data) => {
      buffer = Buffer.concat([buffer, data]);
      while (buffer.length >= 12) {
        const frame = Buffer.from(buffer.subarray(0, 12));
        buffer = buffer.subarray(12);
        this.#handle(socket, frame);
      }
    });
  });

  #handle(socket: net.Socket, frame: Buffer): void {
    const unit = frame[6]!;
    const quantity = frame.readUInt16BE(10);
    this.arrivals.set(unit, [...(this.arrivals.get(unit) ?? []), Date.now()]);
    const open = (this.#open.get(unit) ?? 0) + 1;
    this.#open.set(unit, open);
    this.maxOpen.set(unit, Math.max(this.maxOpen.get(unit) ?? 0, open));
    if (this.silent) return;
    setTimeout(() => {
      this.#open.set(unit, this.#open.get(unit)! - 1);
      if (this.exceptionCode) {
        const refusal = Buffer.from([0, 0, 0, 0, 0, 3, unit, 0x83, this.exceptionCode]);
        frame.copy(refusal, 0, 0, 2);
        return void socket.write(refusal);
      }
      const reply = Buffer.alloc(9 + quantity * 2);
      frame.copy(reply, 0, 0, 4);
      reply.writeUInt16BE(3 + quantity * 2, 4);
      reply[6] = unit;
      reply[7] = 3;
      reply[8] = quantity * 2;
      for (let i = 0; i < quantity; i++) reply.writeUInt16BE(frame.readUInt16BE(8) + i, 9 + i * 2);
      if (!socket.destroyed) socket.write(reply);
    }, this.delayMs);
  }

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return (this.server.address() as net.AddressInfo).port;
  }
}

const tsl = {
  properties: [{ identifier: 'level', name: 'Level', accessMode: 'r', required: false, dataType: { type: 'int', specs: {} } }],
  events: [], services: [],
};
const names = Array.from({ length: 20 }, (_, i) => `tank/t${i + 1}`);

let env: TestDeviceHub;
let store: ModbusStore;
let modbus: ModbusService;
let slave: TimingSlave;
let port: number;
const posts: ThingMessage[] = [];
const config = (over: Partial<typeof DEFAULT_MODBUS_POLLER_CONFIG> = {}) => ({ ...DEFAULT_MODBUS_POLLER_CONFIG, products: [], ...over });
const connect = (deviceName: string, over: object = {}) =>
  store.saveConnection('tank', deviceName, { transport: 'tcp', host: '127.0.0.1', port, unitId: Number(deviceName.slice(1)), intervalMs: 100, timeoutMs: 2000, ...over }, 'test');

beforeEach(async () => {
  env = await startTestDeviceHub([...names, 'other/o1']);
  for (const pk of ['tank', 'other']) {
    await env.registry.thingModels.saveDraft(pk, tsl, 'test');
    await env.registry.thingModels.publish(pk, 'test');
  }
  store = new ModbusStore(new SqliteSql(env.db), env.registry.products, env.registry.thingModels);
  await store.savePoints('tank', [{ property: 'level', function: 3, address: 40, type: 'uint16' }], 'test');
  modbus = new ModbusService({ store, hub: env.hub, registryEvents: env.registry.events, logger: createLogger('silent'), graceMs: 50 });
  env.hub.subscribe((m) => {
    posts.push(m);
    if (m.replyToken) env.hub.reply(m.replyToken, 200);
  });
  slave = new TimingSlave();
  port = await slave.listen();
  posts.length = 0;
});

afterEach(async () => {
  modbus.close();
  await env.close();
  await new Promise((r) => slave.server.close(r));
});

describe('Modbus pollers', () => {
  it('never lets a device\'s polls overlap, however slow its answers and however many requests its line carries', async () => {
    await modbus.acquire('node-1', config({ maxInFlightPerTcpBus: 8 }));
    slave.delayMs = 250;
    await connect('t1', { intervalMs: 100 });
    await until('four polls', () => slave.arrivals.get(1)?.length ?? 0, (n) => n >= 4);
    expect(slave.maxOpen.get(1)).toBe(1);
    expect(posts.filter((m) => m.kind === 'property.post').map((m) => m.params)).toContainEqual({ level: 40 });
  });

  it('starts a fleet\'s polls spread over their interval, not all at once, on one shared line', async () => {
    await modbus.acquire('node-1', config({ maxInFlightPerTcpBus: 32 }));
    for (const name of names) await connect(name.split('/')[1]!, { intervalMs: 1000 });
    await until('every device polled', () => slave.arrivals.size, (n) => n === names.length);
    const firsts = [...slave.arrivals.values()].map((a) => a[0]!);
    // Twenty starts drawn from a second land within 100 ms of each other about once in 10^18 runs.
    expect(Math.max(...firsts) - Math.min(...firsts)).toBeGreaterThan(100);
    expect(slave.connections).toBe(1);
    expect(env.hub.isOnline('tank', 't20')).toBe(true);
  });

  it('backs off from a device that stopped answering, doubling up to the cap, and marks it offline', async () => {
    await modbus.acquire('node-1', config({ failuresBeforeOffline: 1, backoffMaxMs: 400 }));
    await connect('t1', { intervalMs: 100, timeoutMs: 100 });
    await until('online', () => env.hub.isOnline('tank', 't1'), Boolean);
    slave.silent = true;
    const from = slave.arrivals.get(1)!.length;
    await until('four unanswered polls', () => slave.arrivals.get(1)!.length - from, (n) => n >= 4);
    const times = slave.arrivals.get(1)!.slice(from);
    // Each wait starts when a poll has timed out (100 ms): 200, then 400, then the cap.
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(400);
    expect(times[3]! - times[2]!).toBeGreaterThanOrEqual(400);
    expect(env.hub.isOnline('tank', 't1')).toBe(false);
    expect((await modbus.view('tank', 't1')).status).toMatchObject({ state: 'offline', lastError: 'timeout after 100 ms' });
  });

  it('takes a device offline when every request is refused, the exception as the reason', async () => {
    await modbus.acquire('node-1', config({ failuresBeforeOffline: 2 }));
    await connect('t1');
    await until('online', () => env.hub.isOnline('tank', 't1'), Boolean);
    slave.exceptionCode = 11;
    await until('offline', () => env.hub.isOnline('tank', 't1'), (online) => !online);
    const [closed] = (await env.hub.connections('tank', 't1', { limit: 1, offset: 0 })).items;
    expect(closed).toMatchObject({ event: 'disconnected', reason: 'connection-lost: 2 polls in a row failed: exception 11: gateway target device failed to respond' });
    slave.exceptionCode = 0;
    await until('online again', () => env.hub.isOnline('tank', 't1'), Boolean);
  });

  it('polls a device from the first poller that takes its product, and follows registry changes at once', async () => {
    await store.savePoints('other', [{ property: 'level', function: 3, address: 7, type: 'uint16' }], 'test');
    await store.saveConnection('other', 'o1', { transport: 'tcp', host: '127.0.0.1', port, unitId: 99, intervalMs: 100 }, 'test');
    await connect('t1');
    const onlyOther = await modbus.acquire('node-1', config({ products: ['other'] }));
    const all = await modbus.acquire('node-2', config());
    await until('both polled', () => [onlyOther.deviceCount, all.deviceCount], ([a, b]) => a === 1 && b === 1);
    expect((await modbus.view('other', 'o1')).status.state).not.toBe('not-polled');

    await env.registry.devices.update('tank', 't1', { enabled: false });
    await until('disabled device dropped', () => all.deviceCount, (n) => n === 0);
    expect((await modbus.view('tank', 't1')).status.state).toBe('not-polled');
    await env.registry.devices.update('tank', 't1', { enabled: true });
    await until('enabled again', () => all.deviceCount, (n) => n === 1);

    // The first node goes: after its grace period the other takes its product too.
    modbus.release('node-1');
    await until('taken over', () => all.deviceCount, (n) => n === 2);
    await store.savePoints('tank', [], 'test');
    await until('an empty table polls nothing', () => all.deviceCount, (n) => n === 1);
    await env.registry.devices.delete('other', 'o1');
    await until('a deleted device is dropped', () => all.deviceCount, (n) => n === 0);
  });
});
