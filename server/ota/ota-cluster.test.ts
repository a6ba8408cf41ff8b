/**
 * OTA on two nodes of a cluster: two OtaServices, each with its own pool on one PostgreSQL. Device reports arrive on
 * either node and are written there; the campaign loop runs on one node at a time (singleton work), and the node that
 * takes it over carries on from what the database holds.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { ThingMessage } from '../../domain/devices/thing-message.ts';
import { DEFAULT_STRATEGY } from '../../domain/ota/campaign-strategy.ts';
import type { Sql } from '../db/sql.ts';
import { migratePostgres } from '../db/migrate.ts';
import { migrations } from '../db/migrations/index.ts';
import { createLogger } from '../logger.ts';
import type { RegistryEvents } from '../registry-events.ts';
import { REGISTRY_DIALECTS, insertDevices, insertProducts, registryDatabases } from '../testing/registry-databases.ts';
import { testPostgres } from '../testing/test-postgres.ts';
import { DownloadTokens } from './download-tokens.ts';
import { FirmwareFiles } from './firmware-files.ts';
import { OtaService, type OtaServiceOptions } from './ota-service.ts';
import { OtaStore } from './ota-store.ts';

const postgres = testPostgres();
const databases = registryDatabases();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-ota-cluster-'));
const nodes: OtaService[] = [];
afterAll(async () => {
  await Promise.all(nodes.map((ota) => ota.close()));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Product `pk` and its devices d1..d4. */
async function withDevices<T extends Sql>(sql: T): Promise<T> {
  await insertProducts(sql, ['pk']);
  await insertDevices(sql, ['d1', 'd2', 'd3', 'd4'].map((deviceName) => ({ productKey: 'pk', deviceName })));
  return sql;
}

/** One node: its OTA service on `sql`, every device online to it, and what it pushed to devices. */
function node(sql: Sql, name: string, files = new FirmwareFiles(path.join(dataDir, name), 1_000_000)): { ota: OtaService; pushed: string[] } {
  const pushed: string[] = [];
  const hub: OtaServiceOptions['hub'] = {
    push: (command) => {
      pushed.push(`${command.deviceName} ${command.kind}`);
      return { id: String(pushed.length), code: 202 };
    },
    isOnline: () => true,
    observe: () => () => undefined,
  };
  const ota = new OtaService({
    store: new OtaStore(sql), files, tokens: new DownloadTokens(Buffer.alloc(32, 1)), hub,
    registryEvents: new EventEmitter() as RegistryEvents, productExists: () => true, publicUrl: () => `http://${name}`,
    audit: async () => undefined, logger: createLogger('silent'),
    // The loop moves only when the test ticks it.
    tickMs: 3_600_000,
  });
  nodes.push(ota);
  return { ota, pushed };
}

const report = (deviceName: string, version: string): ThingMessage => ({
  id: '1', productKey: 'pk', deviceName, kind: 'ota.inform', params: { version }, receivedAt: Date.now(), protocol: 'mqtt', dialect: 'alink', ack: false,
});

async function firmwareOn(ota: OtaService): Promise<number> {
  return (await ota.uploadFirmware({ productKey: 'pk', module: 'default', version: '2.0.0' }, Readable.from([randomBytes(100)]), 'alice')).id;
}

describe('OTA on two nodes of one PostgreSQL', () => {
  it('records reports on whichever node takes them, and finishes under the next leader a campaign the last one started', async () => {
    const { url, sql } = await postgres.connect('ota');
    await migratePostgres(sql, migrations);
    const one = node(await withDevices(sql), 'one');
    const two = node(postgres.pool(url), 'two');
    for (const [i, name] of ['d1', 'd2', 'd3', 'd4'].entries()) expect(await (i % 2 ? two : one).ota.handle(report(name, '1.0.0'))).toEqual({ code: 200 });
    one.ota.startDispatch();

    // Created on the node that does not lead: the leader's loop notifies its devices, one at a time.
    const created = await two.ota.createCampaign({
      name: 'hand-over', firmwareId: await firmwareOn(one.ota), target: { type: 'all' }, strategy: { ...DEFAULT_STRATEGY, waves: [50, 100], maxInFlight: 1 },
    }, 'alice');
    expect(created).toMatchObject({ state: 'running', waveSizes: [2, 4], counts: { queued: 4 } });
    expect(two.pushed).toEqual([]);
    await one.ota.tick();
    expect(one.pushed).toEqual(['d1 ota.upgrade']);
    // d1 reports on node two while node one runs the loop.
    expect(await two.ota.handle(report('d1', '2.0.0'))).toEqual({ code: 200 });
    await one.ota.tick();
    expect(one.pushed).toEqual(['d1 ota.upgrade', 'd2 ota.upgrade']);

    // Node one stops leading; node two takes the loop over with nothing but the database.
    await one.ota.stopDispatch();
    two.ota.startDispatch();
    await two.ota.tick();
    // d2 is still upgrading: the in-flight limit holds across the hand-over.
    expect(two.pushed).toEqual([]);
    expect(await one.ota.handle(report('d2', '2.0.0'))).toEqual({ code: 200 });
    await one.ota.tick();
    expect(one.pushed).toHaveLength(2);
    await two.ota.tick();
    expect(two.pushed).toEqual(['d3 ota.upgrade']);
    expect(await one.ota.campaign(created.id)).toMatchObject({ wave: 1, counts: { succeeded: 2, notified: 1, queued: 1 } });
    for (const name of ['d3', 'd4']) {
      await one.ota.handle(report(name, '2.0.0'));
      await two.ota.tick();
    }
    expect(two.pushed).toEqual(['d3 ota.upgrade', 'd4 ota.upgrade']);
    expect(await one.ota.campaign(created.id)).toMatchObject({ state: 'completed', stateReason: 'every device finished', counts: { succeeded: 4 } });
    expect((await two.ota.deviceOta('pk', 'd4')).modules).toMatchObject([{ module: 'default', version: '2.0.0' }]);
  });

  it('serves an image from every node: uploaded through one, copied by another from the database at its first download', async () => {
    const { url, sql } = await postgres.connect('ota-images');
    await migratePostgres(sql, migrations);
    await withDevices(sql);
    const oneFiles = new FirmwareFiles(path.join(dataDir, 'images-one'), 10_000_000, sql);
    const twoFiles = new FirmwareFiles(path.join(dataDir, 'images-two'), 10_000_000, postgres.pool(url));
    const one = node(sql, 'images-one', oneFiles);
    // Two and a half pieces of 1 MiB.
    const image = randomBytes(2.5 * 1024 * 1024);
    const { id } = await one.ota.uploadFirmware({ productKey: 'pk', module: 'default', version: '3.0.0' }, Readable.from([image]), 'alice');
    expect(await sql.get('SELECT count(*)::int AS n FROM ota_firmware_chunks WHERE firmware_id = ?', [id])).toEqual({ n: 3 });

    // Two downloads start at once on the other node: one copy, and both then read the same file.
    expect(fs.existsSync(twoFiles.fileOf(id))).toBe(false);
    expect(await Promise.all([twoFiles.local(id), twoFiles.local(id)])).toEqual([true, true]);
    expect(fs.readFileSync(twoFiles.fileOf(id)).equals(image)).toBe(true);
    expect(fs.readdirSync(twoFiles.dir)).toEqual([`${id}.bin`]);
    // An image the cluster does not have: no file made.
    expect(await twoFiles.local(id + 1)).toBe(false);
    expect(fs.readdirSync(twoFiles.dir)).toEqual([`${id}.bin`]);

    // Deleted through the node that took it: its pieces go with its record.
    await one.ota.deleteFirmware(id, 'alice');
    expect(await sql.get('SELECT count(*)::int AS n FROM ota_firmware_chunks')).toEqual({ n: 0 });
  });

});

describe.each(REGISTRY_DIALECTS)('the OTA loop on %s', (dialect) => {
  it('runs one tick at a time: ticks asked for at once notify no more devices than the in-flight limit', async () => {
    const one = node(await withDevices(await databases.open(dialect)), `single-${dialect}`);
    for (const name of ['d1', 'd2', 'd3', 'd4']) await one.ota.handle(report(name, '1.0.0'));
    // Created before the loop runs here, so that the ticks below are the first to notify.
    const created = await one.ota.createCampaign({
      name: 'one at a time', firmwareId: await firmwareOn(one.ota), target: { type: 'all' }, strategy: { ...DEFAULT_STRATEGY, maxInFlight: 1 },
    }, 'alice');
    one.ota.startDispatch();
    await Promise.all([one.ota.tick(), one.ota.tick(), one.ota.tick()]);
    expect(one.pushed).toEqual(['d1 ota.upgrade']);
    expect(await one.ota.campaign(created.id)).toMatchObject({ counts: { notified: 1, queued: 3 } });
  });
});
