import { randomBytes } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { TslDataType, TslDocument } from '../../domain/thing-model/tsl-types.ts';
import { runTelemetryContract } from './telemetry-contract.ts';
import type { PropertyRow } from '../../domain/telemetry/telemetry-rows.ts';
import { TdengineError, TdengineRest } from './tdengine-rest.ts';
import { asciiJson, identifier, insertStatements, jsonWidth, stringLiteral, subTable } from './tdengine-sql.ts';
import { FakeTdengine } from '../testing/fake-tdengine.ts';
import { openTdengineTelemetry, parseKeep, type TdengineTelemetry } from './tdengine-telemetry.ts';

// ---------------------------------------------------------------------------------------------------------------
// The contract, against a real TDengine when there is one.

const url = process.env.TDENGINE_URL;
const database = `thingwire_test_${randomBytes(4).toString('hex')}`;
const liveTitle = url
  ? `tdengine contract against ${url}`
  : 'tdengine contract (skipped: TDENGINE_URL not set; TDengine cannot run on this machine)';
describe.skipIf(!url)(liveTitle, () => {
  const connection = { url: url!, user: process.env.TDENGINE_USER, password: process.env.TDENGINE_PASSWORD };
  runTelemetryContract('tdengine', () => openTdengineTelemetry({ ...connection, database }));
  afterAll(async () => {
    await new TdengineRest(connection).query(`DROP DATABASE IF EXISTS ${database}`);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The same contract on the SQLite-backed emulator (server/testing/fake-tdengine.ts): not TDengine, but every run exercises this
// backend's own logic end to end (statement building, result parsing, merging, skipping).

runTelemetryContract('tdengine backend on the emulator', async () => {
  const fake = new FakeTdengine();
  const store = await openTdengineTelemetry({ url: 'http://emulator', fetch: fake.fetch, maxSqlBytes: 64 * 1024 });
  const close = store.close.bind(store);
  store.close = async () => (await close(), fake.close());
  return store;
});

// ---------------------------------------------------------------------------------------------------------------
// The exact SQL.

const ok = (columnMeta: Array<[string, string, number]>, data: unknown[][]) => ({ code: 0, column_meta: columnMeta, data, rows: data.length });

const T0 = Date.UTC(2026, 10, 21, 12);
const property = (identifier: string, dataType: TslDataType) => ({ identifier, name: identifier, accessMode: 'r' as const, dataType });
const TEXT: TslDataType = { type: 'text', specs: { length: '32' } };
const EVERY_TYPE: TslDocument = {
  properties: [
    property('count', { type: 'int' }),
    property('temp', { type: 'float' }),
    property('label', TEXT),
    property('on', { type: 'bool', specs: { '0': 'off', '1': 'on' } }),
    property('mode', { type: 'enum', specs: { '0': 'a', '1': 'b' } }),
    property('at', { type: 'date' }),
    property('pos', { type: 'struct', specs: [{ identifier: 'x', name: 'x', dataType: { type: 'int' } }] }),
  ],
  events: [{ identifier: 'alarm', name: 'alarm', type: 'alert', outputData: [{ identifier: 'why', name: 'why', dataType: TEXT }] }],
};

describe('tdengine SQL', () => {
  let fake: FakeTdengine;
  let store: TdengineTelemetry;
  beforeEach(async () => {
    fake = new FakeTdengine();
    store = await openTdengineTelemetry({ url: 'http://td.example:6041/', fetch: fake.fetch, now: () => T0 });
    fake.take();
  });

  it('creates the database in milliseconds and authenticates with Basic auth', async () => {
    const f = new FakeTdengine();
    await openTdengineTelemetry({ url: 'http://td.example:6041', database: 'plant_1', user: 'u', password: 'p:w', fetch: f.fetch });
    expect(f.take()).toEqual([
      "CREATE DATABASE IF NOT EXISTS plant_1 PRECISION 'ms'",
      "SELECT `precision`, `keep` FROM information_schema.ins_databases WHERE `name` = 'plant_1'",
    ]);
    expect(f.requests[0]).toEqual({
      url: 'http://td.example:6041/rest/sql',
      headers: { 'content-type': 'text/plain; charset=utf-8', authorization: `Basic ${Buffer.from('u:p:w').toString('base64')}` },
    });
  });

  it('refuses a database that does not count in milliseconds, and names it must be written bare', async () => {
    const f = new FakeTdengine();
    f.precision = 'us';
    await expect(openTdengineTelemetry({ url: 'http://x', fetch: f.fetch })).rejects.toThrow(/precision "us"/);
    await expect(openTdengineTelemetry({ url: 'http://x', database: 'a; DROP DATABASE b', fetch: f.fetch })).rejects.toThrow(
      /must match/,
    );
  });

  it('creates a product: a super table per product with a column per property, events beside it', async () => {
    await store.ensureSchema('pk-1', 1, EVERY_TYPE);
    const w = jsonWidth({ type: 'struct', specs: [{ identifier: 'x', name: 'x', dataType: { type: 'int' } }] });
    expect(w).toBe(2 + 1 + 3 + 11);
    expect(fake.take()).toEqual([
      'CREATE STABLE IF NOT EXISTS thingwire.`t_pk-1` (`ts` TIMESTAMP, `received_at` TIMESTAMP) TAGS (`device` NCHAR(64))',
      'CREATE STABLE IF NOT EXISTS thingwire.`e_pk-1` (`ts` TIMESTAMP, `received_at` TIMESTAMP, `event_id` VARCHAR(32), ' +
        '`type` VARCHAR(8), `data` VARCHAR(256)) TAGS (`device` NCHAR(64))',
      'DESCRIBE thingwire.`e_pk-1`',
      "SELECT `stable_name` FROM information_schema.ins_stables WHERE `db_name` = 'thingwire' AND `stable_name` = 't_pk-1'",
      'DESCRIBE thingwire.`t_pk-1`',
      'ALTER STABLE thingwire.`t_pk-1` ADD COLUMN `p_count` INT',
      'ALTER STABLE thingwire.`t_pk-1` ADD COLUMN `p_temp` DOUBLE',
      'ALTER STABLE thingwire.`t_pk-1` ADD COLUMN `p_label` NCHAR(32)',
      'ALTER STABLE thingwire.`t_pk-1` ADD COLUMN `p_on` BOOL',
      'ALTER STABLE thingwire.`t_pk-1` ADD COLUMN `p_mode` INT',
      'ALTER STABLE thingwire.`t_pk-1` ADD COLUMN `p_at` TIMESTAMP',
      `ALTER STABLE thingwire.\`t_pk-1\` ADD COLUMN \`p_pos\` VARCHAR(${w})`,
    ]);
  });

  it('changes a schema only by adding columns and widening text: never a DROP', async () => {
    await store.ensureSchema('pk', 1, EVERY_TYPE);
    fake.take();
    await store.ensureSchema('pk', 2, {
      properties: [
        property('count', { type: 'text', specs: { length: '10' } }), // int → text: a new column
        property('label', { type: 'text', specs: { length: '100' } }), // longer text: the column widens
        property('on', { type: 'bool', specs: { '0': 'off', '1': 'on' } }),
        property('Label', { type: 'text', specs: { length: '5000' } }), // case clash; width capped at 2048
      ],
      events: [{ identifier: 'alarm', name: 'alarm', type: 'alert', outputData: [{ identifier: 'why', name: 'why', dataType: { type: 'text', specs: { length: '100' } } }] }],
    });
    const sql = fake.take();
    expect(sql.filter((s) => s.startsWith('ALTER'))).toEqual([
      'ALTER STABLE thingwire.`e_pk` MODIFY COLUMN `data` VARCHAR(610)',
      'ALTER STABLE thingwire.`t_pk` ADD COLUMN `p_count@v2` NCHAR(10)',
      'ALTER STABLE thingwire.`t_pk` ADD COLUMN `p_Label@v2` NCHAR(2048)',
      'ALTER STABLE thingwire.`t_pk` MODIFY COLUMN `p_label` NCHAR(100)',
    ]);
    expect(sql.some((s) => /DROP/i.test(s))).toBe(false);
  });

  it('refuses a model whose declared row would not fit TDengine, before altering anything', async () => {
    const wide = Array.from({ length: 9 }, (_, i) => property(`t${i}`, { type: 'text' }));
    await expect(store.ensureSchema('pk', 1, { properties: wide })).rejects.toMatchObject({
      status: 422,
      code: 'telemetry_row_too_wide',
      message: expect.stringMatching(/t0 \(8194 bytes\)/),
    });
    expect(fake.take().filter((s) => s.startsWith('ALTER'))).toEqual([]);
  });

  it('writes a batch as multi-row INSERTs that create sub-tables, with every value escaped', async () => {
    await store.ensureSchema('pk', 1, EVERY_TYPE);
    fake.take();
    const device = "d.1:x@y-z_W";
    const rows: PropertyRow[] = [
      { productKey: 'pk', deviceName: device, ts: T0, receivedAt: T0 + 5, values: { count: 1, temp: 2.5, on: 1, at: '1524448722000' } },
      { productKey: 'pk', deviceName: device, ts: T0 + 1, receivedAt: T0 + 6, values: { temp: -0.125, count: 2, on: 0, at: 0 } },
      { productKey: 'pk', deviceName: device, ts: T0 + 2, receivedAt: T0 + 7, values: { label: "it's \\ 'x'\n😀", pos: { x: 1 }, mode: 1 } },
    ];
    const result = await store.writeBatch({
      properties: rows,
      events: [{ productKey: 'pk', deviceName: device, ts: T0, receivedAt: T0 + 1, eventId: 'alarm', data: { why: "über 'hot'" } }],
    });
    expect(result).toEqual({ propertyRows: 3, events: 1, skipped: [] });
    const dt = subTable('properties', 'pk', device);
    const de = subTable('events', 'pk', device);
    // One clause per sub-table: the union of the device's columns, NULL where a row lacks one.
    expect(fake.take()).toEqual([
      'INSERT INTO' +
        ` thingwire.\`${dt}\` USING thingwire.\`t_pk\` (\`device\`) TAGS ('${device}') ` +
        '(`ts`, `received_at`, `p_at`, `p_count`, `p_label`, `p_mode`, `p_on`, `p_pos`, `p_temp`) VALUES' +
        ` (${T0}, ${T0 + 5}, 1524448722000, 1, NULL, NULL, true, NULL, 2.5)` +
        ` (${T0 + 1}, ${T0 + 6}, 0, 2, NULL, NULL, false, NULL, -0.125)` +
        ` (${T0 + 2}, ${T0 + 7}, NULL, NULL, 'it\\'s \\\\ \\'x\\'\\n😀', 1, NULL, '{"x":1}', NULL)` +
        ` thingwire.\`${de}\` USING thingwire.\`e_pk\` (\`device\`) TAGS ('${device}') (\`ts\`, \`received_at\`, \`event_id\`, \`type\`, \`data\`) VALUES` +
        ` (${T0}, ${T0 + 1}, 'alarm', 'alert', '{"why":"\\\\u00fcber \\'hot\\'"}')`,
    ]);
    expect(dt).toMatch(/^dt_[0-9a-f]{32}$/);
  });

  it('cuts INSERTs at the configured size, repeating the sub-table clause', () => {
    const column = { name: 'p_v', kind: 'int' as const, property: 'v' };
    const rows = Array.from({ length: 5 }, (_, i) => ({ deviceName: 'd', ts: i, receivedAt: i, values: [i] }));
    const head = `db.\`${subTable('properties', 'pk', 'd')}\` USING db.\`t_pk\` (\`device\`) TAGS ('d') (\`ts\`, \`received_at\`, \`p_v\`) VALUES`;
    // Room for the clause and two rows.
    const maxBytes = Buffer.byteLength(`INSERT INTO ${head} (0, 0, 0) (1, 1, 1)`);
    const statements = insertStatements('db', [{ productKey: 'pk', columns: [column], rows }], [], maxBytes);
    expect(statements).toEqual([
      `INSERT INTO ${head} (0, 0, 0) (1, 1, 1)`,
      `INSERT INTO ${head} (2, 2, 2) (3, 3, 3)`,
      `INSERT INTO ${head} (4, 4, 4)`,
    ]);
    for (const s of statements) expect(Buffer.byteLength(s)).toBeLessThanOrEqual(maxBytes);
  });

  it('skips values TDengine cannot hold, instead of failing the batch', async () => {
    await store.ensureSchema('pk', 1, EVERY_TYPE);
    fake.take();
    const result = await store.writeBatch({
      properties: [
        { productKey: 'pk', deviceName: 'd', ts: T0, receivedAt: T0, values: { label: 'x'.repeat(33), count: 1 } },
        { productKey: 'pk', deviceName: 'd', ts: T0 + 1, receivedAt: T0, values: { label: 'nul\u0000' } },
        { productKey: 'pk', deviceName: 'd', ts: T0 - 3651 * 86_400_000, receivedAt: T0, values: { count: 1 } },
      ],
      events: [],
    });
    expect(result.skipped.map((s) => [s.identifier, s.reason])).toEqual([
      ['label', 'too-long'],
      ['label', 'unsupported-character'],
      ['count', 'out-of-range'],
    ]);
    expect(fake.take()).toEqual([
      `INSERT INTO thingwire.\`${subTable('properties', 'pk', 'd')}\` USING thingwire.\`t_pk\` (\`device\`) TAGS ('d') (\`ts\`, \`received_at\`, \`p_count\`) VALUES (${T0}, ${T0}, 1)`,
    ]);
  });

  it('reads history across the columns of a type change, and parses TDengine timestamps', async () => {
    await store.ensureSchema('pk', 1, EVERY_TYPE);
    await store.ensureSchema('pk', 2, { properties: [property('count', TEXT)] });
    fake.take();
    fake.answers.push([
      /^SELECT `ts`, `p_count`/,
      ok([['ts', 'TIMESTAMP', 8], ['p_count', 'INT', 4], ['p_count@v2', 'NCHAR', 32]], [
        ['2026-11-21T12:00:00.000Z', 5, null],
        ['2026-11-21T20:00:00.001+08:00', null, 'five'],
      ]),
    ]);
    const history = await store.history({ productKey: 'pk', deviceName: "o'brien", property: 'count', from: T0, to: T0 + 10, order: 'desc', limit: 7 });
    expect(fake.take()).toEqual([
      'SELECT `ts`, `p_count`, `p_count@v2` FROM thingwire.`t_pk` WHERE `device` = \'o\\\'brien\' AND `ts` >= ' +
        `${T0} AND \`ts\` < ${T0 + 10} AND (\`p_count\` IS NOT NULL OR \`p_count@v2\` IS NOT NULL) ORDER BY \`ts\` DESC LIMIT 7`,
    ]);
    expect(history).toEqual([
      { time: T0, value: 5 },
      { time: T0 + 1, value: 'five' },
    ]);
  });

  it('downsamples with INTERVAL aligned to the start of the range', async () => {
    await store.ensureSchema('pk', 1, EVERY_TYPE);
    fake.take();
    fake.answers.push([/INTERVAL/, ok([['_wstart', 'TIMESTAMP', 8]], [['2026-11-21T12:00:01.000Z', 1, 3, 2, 2]])]);
    const buckets = await store.historyBuckets({ productKey: 'pk', deviceName: 'd', property: 'temp', from: T0 + 1000, to: T0 + 61_000, buckets: 6 });
    expect(fake.take()).toEqual([
      'SELECT _wstart, MIN(`p_temp`), MAX(`p_temp`), AVG(`p_temp`), COUNT(`p_temp`) FROM thingwire.`t_pk` ' +
        `WHERE \`device\` = 'd' AND \`ts\` >= ${T0 + 1000} AND \`ts\` < ${T0 + 61_000} AND \`p_temp\` IS NOT NULL INTERVAL(10000a, 1000a)`,
    ]);
    expect(buckets).toEqual([{ time: T0 + 1000, min: 1, max: 3, avg: 2, count: 2 }]);
  });

  it('reads the latest values with LAST per column', async () => {
    await store.ensureSchema('pk', 1, { properties: [property('temp', { type: 'float' }), property('on', { type: 'bool', specs: { '0': 'a', '1': 'b' } })] });
    fake.take();
    fake.answers.push([/LAST\(`p_temp`\)/, ok([], [['2026-11-21T12:00:00.005Z', 21.5]])]);
    fake.answers.push([/LAST\(`p_on`\)/, ok([], [])]);
    expect(await store.latest('pk', 'd')).toEqual({ temp: { value: 21.5, time: T0 + 5 } });
    expect(fake.take().sort()).toEqual([
      "SELECT LAST(`ts`), LAST(`p_on`) FROM thingwire.`t_pk` WHERE `device` = 'd' AND `p_on` IS NOT NULL",
      "SELECT LAST(`ts`), LAST(`p_temp`) FROM thingwire.`t_pk` WHERE `device` = 'd' AND `p_temp` IS NOT NULL",
    ]);
  });

  it('queries events with filters, and deletes by time for retention', async () => {
    await store.ensureSchema('pk', 1, EVERY_TYPE);
    fake.take();
    fake.answers.push([/FROM thingwire\.`e_pk`/, ok([], [['2026-11-21T12:00:00.000Z', '2026-11-21T12:00:00.002Z', 'd', 'alarm', 'alert', '{"why":"\\u00fcber"}']])]);
    const events = await store.events({ productKey: 'pk', deviceName: 'd', eventId: 'alarm', type: 'alert', from: T0, to: T0 + 1, limit: 5 });
    expect(events).toEqual([{ deviceName: 'd', time: T0, receivedAt: T0 + 2, eventId: 'alarm', type: 'alert', data: { why: 'über' } }]);
    expect(fake.take()).toEqual([
      'SELECT `ts`, `received_at`, `device`, `event_id`, `type`, `data` FROM thingwire.`e_pk` ' +
        `WHERE \`ts\` >= ${T0} AND \`ts\` < ${T0 + 1} AND \`device\` = 'd' AND \`event_id\` = 'alarm' AND \`type\` = 'alert' ORDER BY \`ts\` ASC LIMIT 5`,
    ]);

    fake.answers.length = 0;
    await store.writeBatch({
      properties: [{ productKey: 'pk', deviceName: 'd', ts: T0 - 1, receivedAt: T0, values: { count: 1 } }],
      events: [{ productKey: 'pk', deviceName: 'd', ts: T0 - 1, receivedAt: T0, eventId: 'alarm', data: { why: 'x' } }],
    });
    fake.take();
    expect(await store.deleteBefore('pk', T0)).toBe(2);
    expect(fake.take()).toEqual([`DELETE FROM thingwire.\`t_pk\` WHERE \`ts\` < ${T0}`, `DELETE FROM thingwire.\`e_pk\` WHERE \`ts\` < ${T0}`]);
  });

  it('refuses product keys and identifiers that are not its own before building SQL', async () => {
    await expect(store.ensureSchema("pk`; DROP DATABASE thingwire; --", 1, EVERY_TYPE)).rejects.toMatchObject({ status: 400 });
    await expect(store.history({ productKey: "x' OR '1'='1", deviceName: 'd', property: 'p', from: 0, to: 1 })).rejects.toMatchObject({ status: 400 });
    expect(fake.take()).toEqual([]);
    expect(() => identifier('a`b')).toThrow();
    expect(() => identifier('a.b')).toThrow();
    expect(stringLiteral("a'b\\c\nd\te")).toBe("'a\\'b\\\\c\\nd\\te'");
    expect(() => stringLiteral('a\u0000b')).toThrow();
    expect(asciiJson({ s: 'é😀', n: 1 })).toBe('{"s":"\\u00e9\\ud83d\\ude00","n":1}');
    expect(JSON.parse(asciiJson({ s: 'é😀' }))).toEqual({ s: 'é😀' });
  });

  it('turns TDengine errors into typed errors carrying its code', async () => {
    const rest = new TdengineRest({
      url: 'http://x',
      token: 'a b',
      fetch: (async (input: string | URL | Request) => {
        expect(String(input)).toBe('http://x/rest/sql?token=a%20b');
        return new Response(JSON.stringify({ code: 9728, desc: 'syntax error near "1"' }), { status: 400 });
      }) as typeof fetch,
    });
    const error = await rest.query('SELEC 1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TdengineError);
    expect(error).toMatchObject({ code: 'tdengine_failed', tdCode: 9728, httpStatus: 400, sql: 'SELEC 1' });
    expect((error as Error).message).toMatch(/syntax error near "1" \(code 0x2600\)/);
  });

  it('reads the keep window TDengine reports', () => {
    expect(parseKeep('3650d,3650d,3650d')).toBe(3650 * 86_400_000);
    expect(parseKeep('5256000m,5256000m,5256000m')).toBe(5_256_000 * 60_000);
    expect(parseKeep(3650)).toBe(3650 * 86_400_000);
    expect(parseKeep(null)).toBeUndefined();
  });
});
