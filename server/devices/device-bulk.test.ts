import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.ts';

let tw: TestServer;
let engineer: string;
beforeAll(async () => {
  tw = await startTestServer();
  engineer = await tw.tokenFor('engineer');
  for (const productKey of ['sensor', 'valve']) {
    await tw.request('POST', '/api/v1/products', { token: engineer, body: { productKey, name: productKey } });
  }
  await tw.request('POST', '/api/v1/devices', { token: engineer, body: { productKey: 'valve', deviceName: 'existing' } });
});
afterAll(() => tw?.close());

const bulkJson = (devices: unknown[]) => tw.request('POST', '/api/v1/devices/bulk', { token: engineer, body: { devices } });
const bulkCsv = (csv: string) =>
  tw.request('POST', '/api/v1/devices/bulk', { token: engineer, body: csv, headers: { 'content-type': 'text/csv' } });
const deviceCount = async () => (await tw.request('GET', '/api/v1/devices?limit=1', { token: engineer })).body.total as number;

describe('bulk creation from JSON', () => {
  it('creates every device and returns each with its secret, in the order given', async () => {
    const res = await bulkJson([
      { productKey: 'sensor', deviceName: 'j1', tags: { line: 'A' } },
      { productKey: 'sensor' },
      { productKey: 'valve', deviceName: 'j1', description: 'same name, other product' },
    ]);
    expect(res.status).toBe(201);
    expect(res.body.items).toHaveLength(3);
    expect(res.body.items[0]).toMatchObject({ productKey: 'sensor', deviceName: 'j1', tags: { line: 'A' } });
    expect(res.body.items[1].deviceName).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(res.body.items[2]).toMatchObject({ productKey: 'valve', deviceName: 'j1' });
    const secrets = res.body.items.map((d: { deviceSecret: string }) => d.deviceSecret);
    for (const s of secrets) expect(s).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(secrets).size).toBe(3);
  });

  it('creates nothing when one row is bad, and lists every problem of every row', async () => {
    const before = await deviceCount();
    const res = await bulkJson([
      { productKey: 'sensor', deviceName: 'fine-1' },
      { productKey: 'ghost', deviceName: 'x' },
      { productKey: 'sensor', deviceName: 'bad name', tags: { room: 'a;b' } },
      { productKey: 'valve', deviceName: 'existing' },
      { productKey: 'sensor', deviceName: 'fine-1' },
      'not an object',
      { deviceName: 'no-product', colour: 'red' },
    ]);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_devices');
    expect(res.body.error.message).toBe('6 of 7 rows have problems; details lists each. Nothing was created.');
    expect(res.body.error.details).toEqual([
      { row: 1, field: 'productKey', message: 'product "ghost" does not exist' },
      { row: 2, field: 'deviceName', message: expect.stringContaining('must match pattern') },
      { row: 2, field: 'tags.room', message: expect.stringContaining('must match pattern') },
      { row: 3, field: 'deviceName', message: 'product "valve" already has a device named "existing"' },
      { row: 4, field: 'deviceName', message: '"fine-1" is already in this upload at row 0' },
      { row: 5, field: '', message: 'must be object' },
      { row: 6, field: 'productKey', message: 'is required' },
      { row: 6, field: 'colour', message: 'is not a known field' },
    ]);
    expect(await deviceCount()).toBe(before);
  });

  it('refuses an empty list and more than 10,000 devices', async () => {
    const empty = await bulkJson([]);
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toBe('The upload holds no devices.');
    const tooMany = await bulkJson(Array.from({ length: 10_001 }, () => ({ productKey: 'sensor' })));
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error).toEqual({
      code: 'too_many_devices', message: 'One upload creates at most 10,000 devices; this one has 10,001. Split it.',
    });
  });
});

describe('bulk creation from CSV', () => {
  it('reads the header, quoted cells and key=value;key=value tags', async () => {
    const csv = [
      'productKey,deviceName,description,tags',
      'sensor,c1,"Hall, ground floor",room=hall;floor=0',
      'sensor,c2,,',
      '',
      'valve,c3,"said ""hi""",zone=b;',
    ].join('\r\n');
    const res = await bulkCsv(csv);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.items.map((d: object) => ({ ...d, deviceSecret: undefined }))).toEqual([
      expect.objectContaining({ productKey: 'sensor', deviceName: 'c1', description: 'Hall, ground floor', tags: { floor: '0', room: 'hall' } }),
      expect.objectContaining({ productKey: 'sensor', deviceName: 'c2', description: '', tags: {} }),
      expect.objectContaining({ productKey: 'valve', deviceName: 'c3', description: 'said "hi"', tags: { zone: 'b' } }),
    ]);
    const got = await tw.request('GET', '/api/v1/devices/sensor/c1', { token: engineer });
    expect(got.body.tags).toEqual({ floor: '0', room: 'hall' });
  });

  it('accepts columns in any order, and only productKey is required', async () => {
    const res = await bulkCsv('deviceName,productKey\nc4,sensor\n,valve\n');
    expect(res.status).toBe(201);
    expect(res.body.items.map((d: { deviceName: string }) => d.deviceName)).toEqual(['c4', expect.stringMatching(/^[A-Za-z0-9]{20}$/)]);
  });

  it('reports problems by the line of the file, the header being line 1, and creates nothing', async () => {
    const before = await deviceCount();
    const csv = [
      'productKey,deviceName,description,tags',
      'sensor,ok-1,,',
      'sensor,ok-1,,',
      'sensor,broken-tags,,room',
      'sensor,dup-tag,,a=1;a=2',
      'sensor,short',
      'ghost,x,,',
      'sensor,bad/name,,',
      'ghost,bad/name,,',
    ].join('\n');
    const res = await bulkCsv(csv);
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([
      { row: 3, field: 'deviceName', message: '"ok-1" is already in this upload at row 2' },
      { row: 4, field: 'tags', message: '"room" is not key=value (write tags as key=value;key=value)' },
      { row: 5, field: 'tags', message: 'the key "a" appears twice' },
      { row: 6, field: '', message: 'has 2 cells; the header has 4' },
      { row: 7, field: 'productKey', message: 'product "ghost" does not exist' },
      { row: 8, field: 'deviceName', message: expect.stringContaining('must match pattern') },
      // Every problem of a row at once.
      { row: 9, field: 'deviceName', message: expect.stringContaining('must match pattern') },
      { row: 9, field: 'productKey', message: 'product "ghost" does not exist' },
    ]);
    expect(await deviceCount()).toBe(before);
  });

  it('refuses an unknown or missing header column', async () => {
    const res = await bulkCsv('deviceName,secret\nx,y\n');
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([
      { row: 1, field: 'secret', message: 'is not a known column; the columns are productKey, deviceName, description, tags' },
      { row: 1, field: 'productKey', message: 'the header needs a productKey column' },
    ]);
  });

  it('answers 400 for a CSV that cannot be read and 415 for other text', async () => {
    const malformed = await bulkCsv('productKey,deviceName\n"sensor,x\n');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('malformed_csv');
    const plain = await tw.request('POST', '/api/v1/devices/bulk', { token: engineer, body: 'sensor,x', headers: { 'content-type': 'text/plain' } });
    expect(plain.status).toBe(415);
  });

  it('creates 10,000 devices in one upload', async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => `sensor,load-${i},,batch=big`);
    const res = await bulkCsv(['productKey,deviceName,description,tags', ...rows].join('\n'));
    expect(res.status).toBe(201);
    expect(res.body.items).toHaveLength(10_000);
    expect((await tw.request('GET', '/api/v1/devices?tag=batch:big&limit=1', { token: engineer })).body.total).toBe(10_000);
  });
});
