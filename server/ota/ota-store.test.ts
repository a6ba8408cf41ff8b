/**
 * The OTA store on both registry databases (SQLite, and a real PostgreSQL): what the OTA service builds on, answered
 * the same by both, and the guards that let one node's device reports and another node's campaign loop write the same
 * upgrades without undoing each other.
 */
import { describe, expect, it } from 'vitest';
import type { Firmware } from '../../domain/ota/ota-schemas.ts';
import { isUniqueViolation, type Sql } from '../db/sql.ts';
import { REGISTRY_DIALECTS, insertDevices, insertProducts, registryDatabases } from '../testing/registry-databases.ts';
import { OtaStore, type UpgradeRow } from './ota-store.ts';

const databases = registryDatabases();
const AT = '2026-12-05T10:00:00.000Z';
const LATER = '2026-12-05T10:01:00.000Z';
const STRATEGY = {
  waves: [50, 100], maxInFlight: 100, maxConcurrentDownloads: 50, deviceTimeoutSeconds: 1800, retries: 0, failureThreshold: 0.2, signMethod: 'SHA256' as const,
};

/** A store on a fresh database of `dialect`, with product `pk` and its devices `names`. */
async function storeOn(dialect: (typeof REGISTRY_DIALECTS)[number], names: readonly string[] = []): Promise<{ store: OtaStore; sql: Sql }> {
  const sql = await databases.open(dialect);
  await insertProducts(sql, ['pk']);
  await insertDevices(sql, names.map((deviceName) => ({ productKey: 'pk', deviceName })));
  return { store: new OtaStore(sql), sql };
}

function firmware(version: string, fields: Partial<Firmware> = {}): Omit<Firmware, 'id'> {
  return {
    productKey: 'pk', module: 'mcu', version, versionCode: Number(version.split('.')[0]) * 100_000, releaseNotes: '', fileName: `${version}.bin`,
    size: 1000, sha256: 'aa', md5: 'bb', constraint: {}, extData: {}, createdAt: AT, createdBy: 'alice', ...fields,
  };
}

/** A running campaign of firmware `firmwareId` over `names`, wave 0 the first half. */
async function campaignOf(store: OtaStore, firmwareId: number, names: readonly string[]): Promise<number> {
  return store.transaction((tx) => tx.insertCampaign({
    name: 'rollout', productKey: 'pk', module: 'mcu', firmwareId, target: { type: 'all' }, strategy: STRATEGY, state: 'running',
    createdAt: AT, createdBy: 'alice', startedAt: AT,
  }, names.map((deviceName, i) => ({ deviceName, fromVersion: '1.0.0', wave: i < names.length / 2 ? 0 : 1 }))));
}

async function rowOf(store: OtaStore, campaignId: number, deviceName: string): Promise<UpgradeRow> {
  const { items } = await store.listUpgrades(campaignId, undefined, { limit: 500, offset: 0 });
  return (await store.upgrade(items.find((u) => u.deviceName === deviceName)!.id))!;
}

describe.each(REGISTRY_DIALECTS)('the OTA store on %s', (dialect) => {
  it('keeps firmware by product, module and version, newest first, and refuses a version twice', async () => {
    const { store } = await storeOn(dialect);
    const first = await store.insertFirmware(firmware('1.0.0', { constraint: { minVersion: '0.9.0' }, extData: { signature: 'sig' } }));
    const second = await store.insertFirmware(firmware('2.0.0'));
    await store.insertFirmware(firmware('1.0.0', { module: 'modem' }));
    expect(await store.firmware(first)).toEqual({ id: first, ...firmware('1.0.0', { constraint: { minVersion: '0.9.0' }, extData: { signature: 'sig' } }) });
    expect((await store.firmwareByVersion('pk', 'mcu', '2.0.0'))?.id).toBe(second);
    expect((await store.newestFirmware('pk', 'mcu'))?.version).toBe('2.0.0');
    expect(await store.newestFirmware('pk', 'gps')).toBeUndefined();
    const mcu = await store.listFirmware({ productKey: 'pk', module: 'mcu' }, { limit: 1, offset: 0 });
    expect({ total: mcu.total, versions: mcu.items.map((f) => f.version) }).toEqual({ total: 2, versions: ['2.0.0'] });
    expect((await store.listFirmware({}, { limit: 10, offset: 0 })).items.map((f) => `${f.module}@${f.version}`)).toEqual(['mcu@2.0.0', 'mcu@1.0.0', 'modem@1.0.0']);

    await store.updateFirmware(first, { releaseNotes: 'Fixes', extData: {} });
    expect(await store.firmware(first)).toMatchObject({ releaseNotes: 'Fixes', extData: {}, constraint: { minVersion: '0.9.0' } });
    const duplicate = await store.insertFirmware(firmware('2.0.0')).catch((err: unknown) => err);
    expect(isUniqueViolation(duplicate)).toBe(true);
    await store.deleteFirmware(second);
    expect(await store.firmware(second)).toBeUndefined();
  });

  it('records the last version each device reported per module, and forgets a device', async () => {
    const { store } = await storeOn(dialect, ['d1']);
    await store.setModuleVersion('pk', 'd1', 'mcu', '1.0.0', 100_000, AT);
    await store.setModuleVersion('pk', 'd1', 'modem', '3.1.0', 301_000, AT);
    await store.setModuleVersion('pk', 'd1', 'mcu', '1.2.0', 102_000, LATER);
    expect(await store.modulesOf('pk', 'd1')).toEqual([
      { module: 'mcu', version: '1.2.0', versionCode: 102_000, reportedAt: LATER },
      { module: 'modem', version: '3.1.0', versionCode: 301_000, reportedAt: AT },
    ]);
    await store.forgetDevice('pk', 'd1');
    expect(await store.modulesOf('pk', 'd1')).toEqual([]);
  });

  it('finds the devices a target names, in rollout order, with their versions and any upgrade under way', async () => {
    const names = Array.from({ length: 450 }, (_, i) => `d${String(i).padStart(3, '0')}`);
    const { store, sql } = await storeOn(dialect, names);
    for (const [name, floor] of [['d001', '1'], ['d002', '1'], ['d003', '2']]) {
      await sql.run(`INSERT INTO device_tags (device_id, key, value) SELECT id, 'floor', ? FROM devices WHERE product_key = 'pk' AND device_name = ?`, [floor, name]);
    }
    await store.setModuleVersion('pk', 'd001', 'mcu', '1.0.0', 100_000, AT);
    await store.setModuleVersion('pk', 'd002', 'modem', '1.0.0', 100_000, AT);

    // A list: its order, each name once, names of no device left out; more names than one statement takes.
    const listed = [...names].reverse();
    const found = await store.candidates('pk', 'mcu', { type: 'devices', deviceNames: ['d002', 'ghost', 'd001', 'd002', ...listed] });
    expect(found.slice(0, 3)).toEqual([{ deviceName: 'd002', version: null, busyIn: null }, { deviceName: 'd001', version: '1.0.0', busyIn: null }, { deviceName: 'd449', version: null, busyIn: null }]);
    expect(found).toHaveLength(450);
    expect((await store.candidates('pk', 'mcu', { type: 'tags', tags: { floor: '1' } })).map((c) => c.deviceName)).toEqual(['d001', 'd002']);
    expect((await store.candidates('pk', 'mcu', { type: 'all' })).map((c) => c.deviceName)).toEqual(names);

    const campaign = await campaignOf(store, await store.insertFirmware(firmware('2.0.0')), ['d001']);
    expect((await store.candidates('pk', 'mcu', { type: 'devices', deviceNames: ['d001'] }))[0]?.busyIn).toBe(campaign);
    // Busy with module mcu only.
    expect((await store.candidates('pk', 'modem', { type: 'devices', deviceNames: ['d001'] }))[0]?.busyIn).toBeNull();
  });

  it('writes a campaign and its upgrades in rollout order, and reads it back with its counts', async () => {
    const names = Array.from({ length: 250 }, (_, i) => `d${String(i).padStart(3, '0')}`);
    const { store } = await storeOn(dialect, names);
    const firmwareId = await store.insertFirmware(firmware('2.0.0'));
    const id = await campaignOf(store, firmwareId, names);
    expect(await store.campaign(id)).toEqual({
      id, name: 'rollout', productKey: 'pk', module: 'mcu', firmwareId, version: '2.0.0', target: { type: 'all' }, strategy: STRATEGY,
      state: 'running', stateReason: '', wave: 0, waveSizes: [125, 250], total: 250, createdAt: AT, createdBy: 'alice', startedAt: AT, finishedAt: null,
    });
    expect((await store.counts([id, id + 1])).get(id)).toEqual({ queued: 250, notified: 0, downloading: 0, flashing: 0, succeeded: 0, failed: 0, cancelled: 0, timed_out: 0 });
    expect((await store.counts([id + 1])).get(id + 1)?.queued).toBe(0);
    const page = await store.listUpgrades(id, 'queued', { limit: 2, offset: 200 });
    expect({ total: page.total, names: page.items.map((u) => [u.deviceName, u.wave, u.toVersion]) }).toEqual({ total: 250, names: [['d200', 1, '2.0.0'], ['d201', 1, '2.0.0']] });
    expect((await store.dispatchable(id, 0, 500)).map((u) => u.device_name)).toEqual(names.slice(0, 125));
    expect((await store.liveCampaigns()).map((c) => c.id)).toEqual([id]);
    expect((await store.liveCampaigns(id))[0]?.id).toBe(id);
    expect(await store.firmwareInUse(firmwareId)).toBe(id);
    expect((await store.listCampaigns({ productKey: 'pk', state: 'running' }, { limit: 10, offset: 0 })).total).toBe(1);
    expect((await store.listCampaigns({ state: 'paused' }, { limit: 10, offset: 0 })).items).toEqual([]);
    expect((await store.historyOf('pk', 'd000'))[0]).toMatchObject({ campaignName: 'rollout', state: 'queued', fromVersion: '1.0.0', toVersion: '2.0.0' });
  });

  it('writes an upgrade only from the state it was read in: of two writers, the second finds out and writes nothing', async () => {
    const { store } = await storeOn(dialect, ['d1', 'd2']);
    const id = await campaignOf(store, await store.insertFirmware(firmware('2.0.0')), ['d1', 'd2']);
    // A device report on one node and the campaign loop on another read the same upgrade.
    const report = await rowOf(store, id, 'd1');
    const loop = await rowOf(store, id, 'd1');
    expect(await store.updateUpgrade(report, { state: 'notified', attempts: 1, notified_at: AT }, AT)).toBe(true);
    expect(await store.updateUpgrade(loop, { state: 'cancelled', reason: 'the window ended', finished_at: AT }, AT)).toBe(false);
    const now = await rowOf(store, id, 'd1');
    expect(now).toMatchObject({ state: 'notified', attempts: 1, reason: '', updated_at: AT });
    expect(await store.updateUpgrade(now, { state: 'downloading', step: null, percent: 40, message: 'downloading' }, LATER)).toBe(true);
    expect(await store.activeUpgrade('pk', 'd1', 'mcu')).toMatchObject({ state: 'downloading', percent: 40, step: null, updated_at: LATER, to_version: '2.0.0' });

    // Nobody is told to upgrade while the campaign does not run: a pause on another node holds.
    expect(await store.setCampaignState(id, ['running'], { state: 'paused', reason: 'paused by bob', at: LATER })).toBe(true);
    expect(await store.updateUpgrade(await rowOf(store, id, 'd2'), { state: 'notified', attempts: 1 }, LATER)).toBe(false);
    expect(await store.setCampaignState(id, ['paused'], { state: 'running', reason: '', at: LATER })).toBe(true);
    expect(await store.updateUpgrade(await rowOf(store, id, 'd2'), { state: 'notified', attempts: 1 }, LATER)).toBe(true);
    expect((await store.activeUpgradesOf('pk', 'd2')).map((u) => u.state)).toEqual(['notified']);
  });

  it('moves a campaign only from the states it was read in, and completes it only when every device finished', async () => {
    const { store } = await storeOn(dialect, ['d1', 'd2']);
    const id = await campaignOf(store, await store.insertFirmware(firmware('2.0.0')), ['d1', 'd2']);
    expect(await store.setCampaignState(id, ['running'], { state: 'stopped', reason: 'failure ratio', at: LATER })).toBe(true);
    expect(await store.setCampaignState(id, ['running', 'scheduled'], { state: 'paused', reason: 'paused by bob', at: LATER })).toBe(false);
    expect(await store.setCampaignState(id, ['paused', 'stopped'], { state: 'running', reason: '', at: LATER })).toBe(true);
    // Started when it first ran.
    expect(await store.campaign(id)).toMatchObject({ state: 'running', stateReason: '', startedAt: AT, finishedAt: null });

    expect(await store.advanceWave(id, 1)).toBe(false);
    expect(await store.advanceWave(id, 0)).toBe(true);
    expect(await store.advanceWave(id, 0)).toBe(false);
    expect((await store.campaign(id))?.wave).toBe(1);

    expect(await store.setCampaignState(id, ['running'], { state: 'completed', reason: 'every device finished', at: LATER })).toBe(false);
    for (const name of ['d1', 'd2']) await store.updateUpgrade(await rowOf(store, id, name), { state: 'succeeded', finished_at: LATER }, LATER);
    expect(await store.setCampaignState(id, ['running'], { state: 'completed', reason: 'every device finished', at: LATER })).toBe(true);
    expect(await store.campaign(id)).toMatchObject({ state: 'completed', finishedAt: LATER });
    expect(await store.liveCampaigns()).toEqual([]);
    expect(await store.firmwareInUse((await store.campaign(id))!.firmwareId)).toBeUndefined();
    expect(await store.firmwareEverUsed((await store.campaign(id))!.firmwareId)).toBe(true);
  });

  it('counts what the loop decides on: devices in flight, a wave done (or waiting for its devices), a wave\'s failures', async () => {
    const { store } = await storeOn(dialect, ['a', 'b', 'c', 'd', 'e', 'f']);
    const id = await campaignOf(store, await store.insertFirmware(firmware('2.0.0')), ['a', 'b', 'c', 'd', 'e', 'f']);
    const set = async (name: string, state: UpgradeRow['state'], at = AT) => store.updateUpgrade(await rowOf(store, id, name), { state }, at);
    await set('a', 'notified');
    await set('b', 'failed');
    expect(await store.inFlight(id)).toBe(1);
    expect(await store.waveDone(id, 0)).toBe(false);
    await set('a', 'succeeded');
    // c is queued: the wave waits for it until its device is found offline.
    expect(await store.waveDone(id, 0)).toBe(false);
    expect(await store.dispatchable(id, 0, 10)).toMatchObject([{ device_name: 'c' }]);
    expect(await store.setWaiting((await rowOf(store, id, 'c')).id)).toBe(true);
    expect(await store.setWaiting((await rowOf(store, id, 'c')).id)).toBe(false);
    expect(await store.waveDone(id, 0)).toBe(true);
    expect(await store.dispatchable(id, 0, 10)).toEqual([]);
    expect(await store.failures(id, 0)).toEqual({ failed: 1, size: 3 });
    expect(await store.failures(id, 1)).toEqual({ failed: 0, size: 3 });
    expect(await store.inFlight(id)).toBe(0);

    // Its device connects: queued for dispatch again, and the wave waits for it.
    expect(await store.deviceBack('pk', 'c')).toBe(1);
    expect(await store.deviceBack('pk', 'c')).toBe(0);
    expect(await store.waveDone(id, 0)).toBe(false);
    expect((await store.retryable(id, 0)).map((u) => u.device_name)).toEqual(['b']);
    expect((await store.retryable(id, 1))).toHaveLength(1);
  });

  it('finds the upgrades silent since a time, and those a campaign still has under way', async () => {
    const { store } = await storeOn(dialect, ['a', 'b', 'c']);
    const id = await campaignOf(store, await store.insertFirmware(firmware('2.0.0')), ['a', 'b', 'c']);
    await store.updateUpgrade(await rowOf(store, id, 'a'), { state: 'notified' }, AT);
    await store.updateUpgrade(await rowOf(store, id, 'b'), { state: 'downloading' }, LATER);
    expect((await store.silent(id, '2026-12-05T10:00:30.000Z')).map((u) => u.device_name)).toEqual(['a']);
    expect((await store.activeOfCampaign(id)).map((u) => u.device_name).sort()).toEqual(['a', 'b', 'c']);
    await store.updateUpgrade(await rowOf(store, id, 'c'), { state: 'cancelled' }, LATER);
    expect((await store.activeOfCampaign(id)).map((u) => u.device_name).sort()).toEqual(['a', 'b']);
    expect(await store.activeUpgrade('pk', 'c', 'mcu')).toBeUndefined();
  });
});
