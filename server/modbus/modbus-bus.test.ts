import net from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../testing/until.ts';
import { ModbusBuses, type BusResult } from './modbus-bus.ts';

/**
 * A Modbus TCP slave on a loopback socket whose answers each test decides: a correct one (register n holds n), or what
 * a broken device or gateway sends instead. It counts connections and the requests it holds unanswered at once.
 */
class ScriptedSlave {
  readonly server: net.Server;
  connections = 0;
  /** Requests received and not answered yet, now and at most. */
  waiting = 0;
  maxWaiting = 0;
  /** What to do with the next requests: answer, answer after `holdMs`, or misbehave. */
  mode: 'answer' | 'garbage' | 'half' | 'reset' | 'huge-length' | 'wrong-unit' | 'hold' = 'answer';
  holdMs = 0;
  /** RTU frames on TCP (a serial gateway's transparent mode) instead of MBAP. */
  rtu = false;
  readonly #sockets = new Set<net.Socket>();

  constructor() {
    this.server = net.createServer((socket) => {
      this.connections += 1;
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => {});
      let buffer = Buffer.alloc(0);
      socket.on('data', (data) => {
        buffer = Buffer.concat([buffer, data]);
        const frameLength = this.rtu ? 8 : 12;
        while (buffer.length >= frameLength) {
          const frame = buffer.subarray(0, frameLength);
          buffer = buffer.subarray(frameLength);
          this.#handle(socket, Buffer.from(frame));
        }
      });
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }

  #handle(socket: net.Socket, frame: Buffer): void {
    const pdu = this.rtu ? frame.subarray(0, 6) : frame.subarray(6);
    const [unit, fn] = [pdu[0]!, pdu[1]!];
    const address = pdu.readUInt16BE(2);
    const quantity = pdu.readUInt16BE(4);
    const body = Buffer.alloc(3 + quantity * 2);
    body[0] = this.mode === 'wrong-unit' ? unit + 1 : unit;
    body[1] = fn;
    body[2] = quantity * 2;
    for (let i = 0; i < quantity; i++) body.writeUInt16BE(address + i, 3 + i * 2);
    const reply = this.rtu ? withCrc(body) : Buffer.concat([mbap(frame.readUInt16BE(0), body.length), body]);
    this.waiting += 1;
    this.maxWaiting = Math.max(this.maxWaiting, this.waiting);
    const send = () => {
      this.waiting -= 1;
      if (socket.destroyed) return;
      switch (this.mode) {
        case 'garbage': return void socket.write(Buffer.from('\x00\x01\x00\x00\x00\x03\xff\xff\xff not modbus at all'));
        case 'half': return void socket.write(reply.subarray(0, reply.length - 3));
        case 'reset': return void socket.resetAndDestroy();
        case 'huge-length': return void socket.write(Buffer.from([0, 1, 0, 0, 0xff, 0xff, unit, fn]));
        default: socket.write(reply);
      }
    };
    if (this.mode === 'hold') return;
    if (this.holdMs > 0) setTimeout(send, this.holdMs);
    else send();
  }
}

function mbap(transaction: number, length: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUInt16BE(transaction, 0);
  b.writeUInt16BE(length, 4);
  return b;
}

function withCrc(frame: Buffer): Buffer {
  let crc = 0xffff;
  for (const byte of frame) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >> 1) ^ 0xa001 : crc >> 1;
  }
  const out = Buffer.alloc(frame.length + 2);
  frame.copy(out);
  out.writeUInt16LE(crc, frame.length);
  return out;
}

const logger = pino({ level: 'silent' });
const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function setup(options: { rtu?: boolean } = {}) {
  const slave = new ScriptedSlave();
  slave.rtu = options.rtu ?? false;
  const port = await slave.listen();
  const buses = new ModbusBuses(logger);
  open.push(slave, { close: () => buses.closeAll() });
  const connection = { transport: options.rtu ? 'rtu-over-tcp' as const : 'tcp' as const, host: '127.0.0.1', port, unitId: 1, intervalMs: 1000 };
  return { slave, buses, connection, bus: buses.acquire(connection) };
}

const read = (quantity = 2, address = 0) => ({ unitId: 1, read: { function: 3 as const, address, quantity } });

describe('Modbus bus', () => {
  it('shares one connection among the devices of a line, and carries at most maxInFlight requests at once', async () => {
    const { slave, buses, connection, bus } = await setup();
    expect(buses.acquire({ ...connection, unitId: 2 })).toBe(bus);
    bus.maxInFlight = 3;
    slave.holdMs = 30;
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => bus.request(read(1, i), 5000)));
    expect(results.map((r) => (r.ok ? r.data[0] : r.failure.message))).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(slave.connections).toBe(1);
    expect(slave.maxWaiting).toBe(3);
  });

  it('carries one request at a time for RTU over TCP, whose frames have no transaction id', async () => {
    const { slave, bus } = await setup({ rtu: true });
    bus.maxInFlight = 8;
    slave.holdMs = 20;
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => bus.request(read(2, i * 10), 5000)));
    expect(results).toEqual(Array.from({ length: 5 }, (_, i) => ({ ok: true, data: [i * 10, i * 10 + 1] })));
    expect(slave.maxWaiting).toBe(1);
  });

  it.each([
    ['garbage', /^protocol$/],
    ['half', /^timeout$/],
    ['reset', /^connect$/],
    ['huge-length', /^timeout$/],
    ['wrong-unit', /^protocol$/],
  ] as const)('survives a slave that answers with %s, and reads again once it behaves', async (mode, kind) => {
    const { slave, bus } = await setup();
    slave.mode = mode;
    const bad: BusResult = await bus.request(read(), 300);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.failure.kind).toMatch(kind);
    slave.mode = 'answer';
    // Out of step after a half frame: the line is reconnected, and the next answers are right again.
    const good = await until('a good answer', () => bus.request(read(2, 7), 1000), (r) => r.ok);
    expect(good).toEqual({ ok: true, data: [7, 8] });
  });

  it('fails what waits when the line closes, and refuses a flood beyond its queue', async () => {
    const { slave, bus, buses } = await setup();
    slave.mode = 'hold';
    const waiting = Array.from({ length: 5 }, () => bus.request(read(), 60_000));
    await until('the first request reached the slave', () => slave.waiting, (n) => n === 1);
    buses.release(bus);
    for (const r of await Promise.all(waiting)) expect(r).toMatchObject({ ok: false, failure: { kind: 'connect' } });
    expect(await bus.request(read(), 1000)).toMatchObject({ ok: false, failure: { kind: 'connect', message: 'the Modbus line was closed' } });

    // A line that stopped answering holds a bounded queue: past it, requests fail at once instead of piling up.
    const stuck = buses.acquire({ transport: 'tcp', host: '127.0.0.1', port: (slave.server.address() as net.AddressInfo).port, unitId: 1, intervalMs: 1000 });
    const queued = Array.from({ length: 10_001 }, () => stuck.request(read(), 60_000));
    expect(await stuck.request(read(), 60_000)).toMatchObject({ ok: false, failure: { kind: 'connect', message: '10000 requests already wait for this line' } });
    buses.release(stuck);
    expect((await Promise.all(queued)).every((r) => !r.ok)).toBe(true);
  });
});
