import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../db/database.ts';
import { SqliteSql } from '../db/sql.ts';
import { createLogger } from '../logger.ts';
import { createRegistry, type Registry } from '../registry.ts';
import { SecretBox } from '../secrets/secret-box.ts';
import { DeviceHub } from './device-hub.ts';
import { FakeDeviceSession } from '../testing/fake-device-session.ts';
import type { Receipt, ThingMessage } from '../../domain/devices/thing-message.ts';
import { fingerprintOf, UplinkReceipts } from './uplink-receipts.ts';

let dir: string;
let file: string;
let db: Db;
let sql: SqliteSql;
let registry: Registry;
let hub: DeviceHub | undefined;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-verdicts-'));
  file = path.join(dir, 'thingwire.db');
  db = openDatabase(file);
  sql = new SqliteSql(db);
  registry = createRegistry(sql, new SecretBox(randomBytes(32)), createLogger('silent'));
  await registry.products.create({ productKey: 'pk', name: 'product' });
  await registry.devices.create({ productKey: 'pk', deviceName: 'dn' });
});
afterEach(async () => {
  await hub?.close();
  hub = undefined;
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// The message log commits every 10 s here unless something waits for it: a verdict that comes back quickly proves
// the wait asked for its own commit.
const makeHub = () => (hub = new DeviceHub(sql, registry.devices, registry.events, createLogger('silent'), { log: { flushMs: 10_000 } }));
const post = (id: string, params: object = { temperature: 20 }): Omit<ThingMessage, 'replyToken'> => ({
  id, productKey: 'pk', deviceName: 'dn', kind: 'property.post', params, receivedAt: Date.now(), protocol: 'mqtt', dialect: 'alink', ack: true,
  topic: '/sys/pk/dn/thing/event/property/post',
});
const bytes = (id: string, params: object = { temperature: 20 }) => fingerprintOf(Buffer.from(JSON.stringify({ id, params })));
const committedCode = (msgId: string) =>
  db.prepare("SELECT code FROM device_messages WHERE msg_id = ? AND direction = 'up' ORDER BY id").pluck().all(msgId) as (number | null)[];
/** What a transport sees: the verdicts it was handed, in order. */
const verdicts = () => {
  const got: { code: number; retry: boolean; committed: (number | null)[] }[] = [];
  return { got, onVerdict: (id: string) => (code: number, _text: string | null, retry: boolean) => got.push({ code, retry, committed: committedCode(id) }) };
};
/** A flow: takes every uplink and keeps its reply token. */
const flow = () => {
  const tokens: string[] = [];
  hub!.subscribe((m) => void (m.replyToken && tokens.push(m.replyToken)));
  return tokens;
};
/** A new hub with a device connected, a flow (unless `withFlow` is false), and what the transport is handed. */
const connected = (withFlow = true) => {
  makeHub();
  const tokens = withFlow ? flow() : [];
  const session = new FakeDeviceSession('pk', 'dn');
  hub!.opened(session);
  const { got, onVerdict } = verdicts();
  /** The device sends message `id` (with these params), as a transport hands it over. */
  const send = (id: string, params?: object, acknowledge = true) =>
    hub!.uplink(session, post(id, params), { fingerprint: bytes(id, params), onVerdict: acknowledge ? onVerdict(id) : undefined });
  return { tokens, session, got, send };
};

describe('a transport acknowledges an uplink once its verdict is on disk', () => {
  it('hands over a refusal only after the message log holding it is committed', async () => {
    const { tokens, got, send } = connected();
    send('1');
    expect(got).toEqual([]);
    hub!.reply(tokens[0]!, 422, {}, 'temperature: must be at most 100');
    await expect.poll(() => got.length).toBe(1);
    // The entry was written with its code before the transport heard of it.
    expect(got[0]).toEqual({ code: 422, retry: false, committed: [422] });
  });

  it('acknowledges at once when the store committed the receipt with the rows (durable), and asks a resend for a failed store', () => {
    const { tokens, got, send } = connected();
    send('1');
    send('2');
    hub!.reply(tokens[0]!, 200, {}, undefined, { durable: true });
    hub!.reply(tokens[1]!, 500, {}, 'storing failed: disk I/O error');
    expect(got.map(({ code, retry }) => ({ code, retry }))).toEqual([{ code: 200, retry: false }, { code: 500, retry: true }]);
  });

  it('in a cluster, acknowledges only once the other nodes can read the receipt: a resend through another node is a repeat', async () => {
    const { tokens, got, send } = connected();
    const written: Receipt[] = [];
    let written1!: () => void;
    hub!.shareReceiptsThrough({
      remember: (receipt) => {
        written.push(receipt);
        return new Promise<void>((resolve) => (written1 = resolve));
      },
      of: () => Promise.resolve([]),
      forget: () => undefined,
    });
    send('1');
    hub!.reply(tokens[0]!, 200, {}, undefined, { durable: true });
    expect(written).toMatchObject([{ msgId: '1', code: 200 }]);
    // Stored and committed here, but not yet where the other nodes look: the device is not told yet.
    await new Promise((resolve) => setImmediate(resolve));
    expect(got).toEqual([]);
    written1();
    await expect.poll(() => got.length).toBe(1);
    expect(got[0]).toMatchObject({ code: 200, retry: false });
  });

  it('does not ask a resend for what no flow takes (503) or answers in time (504)', async () => {
    const { got, send } = connected(false);
    send('1');
    await expect.poll(() => got.length).toBe(1);
    expect(got[0]).toMatchObject({ code: 503, retry: false });
    // A device in that filters the message out does not take it either.
    hub!.subscribe(() => false);
    send('2');
    await expect.poll(() => got.length).toBe(2);
    expect(got[1]).toMatchObject({ code: 503, retry: false });
  });
});

describe('a repeated uplink (same device, message id and bytes)', () => {
  it('is answered with the first verdict, logged as a repeat, and never reaches the flows again', async () => {
    const { tokens, session, got, send } = connected();
    send('7');
    // The resend arrives while the first is still with the flow: it waits for that verdict.
    send('7');
    expect(tokens).toHaveLength(1);
    hub!.reply(tokens[0]!, 200, {}, undefined, { durable: true });
    // And one after the verdict is answered from the receipt.
    send('7');
    await expect.poll(() => got.length).toBe(3);
    expect(tokens).toHaveLength(1);
    expect(got.map((v) => v.code)).toEqual([200, 200, 200]);
    expect(session.replies.map((r) => [r.code, r.text ?? ''])).toEqual([
      [200, ''],
      [200, 'repeat of a message already received; not processed again; first answered 200'],
      [200, 'repeat of a message already received; not processed again; first answered 200'],
    ]);
    expect(hub!.stats()).toMatchObject({ uplinks: 1, repeats: 2 });
  });

  it('is processed again when the bytes differ (a device that counts its ids from 1 after a reboot), or the first was 5xx', () => {
    const { tokens, send } = connected();
    send('1', { temperature: 20 }, false);
    hub!.reply(tokens[0]!, 200);
    send('1', { temperature: 21 }, false);
    expect(tokens).toHaveLength(2);
    hub!.reply(tokens[1]!, 503, {}, 'telemetry queue full');
    send('1', { temperature: 21 }, false);
    expect(tokens).toHaveLength(3);
  });

  it('is still recognised after a restart, from the receipts written with the verdicts', async () => {
    const { tokens, send } = connected();
    send('9', undefined, false);
    hub!.reply(tokens[0]!, 422, {}, 'temperature: must be a number');
    await hub!.close();
    hub = undefined;

    await makeHub().recover();
    const again = flow();
    const next = new FakeDeviceSession('pk', 'dn');
    hub!.opened(next);
    const { got, onVerdict } = verdicts();
    hub!.uplink(next, post('9'), { fingerprint: bytes('9'), onVerdict: onVerdict('9') });
    await expect.poll(() => got.length).toBe(1);
    expect(again).toEqual([]);
    expect(got[0]!.code).toBe(422);
    expect(next.replies[0]).toMatchObject({ code: 422, text: 'repeat of a message already received; not processed again; first answered 422: temperature: must be a number' });
  });
});

describe('UplinkReceipts', () => {
  it('keeps memory bounded: the oldest verdicts go first when the cap is reached, and none outlives the window', () => {
    const receipts = new UplinkReceipts({ windowMs: 60_000, maxEntries: 3 });
    for (let i = 1; i <= 5; i++) receipts.remember(`pk/dn#${i}`, 1, 200, null, 1000 + i);
    expect(receipts.stats(1010).receipts).toBe(3);
    expect(receipts.find('pk/dn#1', 1, 1010)).toBeUndefined();
    expect(receipts.find('pk/dn#5', 1, 1010)).toMatchObject({ code: 200 });
    expect(receipts.find('pk/dn#5', 1, 1005 + 60_001)).toBeUndefined();
    receipts.remember('pk/dn#6', 1, 504, null, 2000);
    expect(receipts.find('pk/dn#6', 1, 2000)).toBeUndefined();
  });
});
