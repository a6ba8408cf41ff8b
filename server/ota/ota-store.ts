import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database.ts';
import { waveSizesOf } from '../../domain/ota/campaign-strategy.ts';
import {
  UPGRADE_STATES, type Campaign, type CampaignState, type CampaignStrategy, type CampaignTarget, type DeviceUpgrade, type Firmware,
  type ModuleVersion, type StateCounts, type UpgradeState, type VersionConstraintInput,
} from '../../domain/ota/ota-schemas.ts';

interface FirmwareRow {
  id: number; product_key: string; module: string; version: string; version_code: number; release_notes: string; file_name: string;
  size: number; sha256: string; md5: string; version_constraint: string; ext_data: string; created_at: string; created_by: string;
}

interface CampaignRow {
  id: number; name: string; product_key: string; module: string; firmware_id: number; version: string; target: string; strategy: string;
  state: CampaignState; state_reason: string; wave: number; total: number; created_at: string; created_by: string;
  started_at: string | null; finished_at: string | null;
}

export interface UpgradeRow {
  id: number; campaign_id: number; product_key: string; device_name: string; module: string; from_version: string; to_version: string;
  position: number; wave: number; state: UpgradeState; step: number | null; percent: number; message: string; reason: string;
  attempts: number; waiting_device: number; queued_at: string; notified_at: string | null; updated_at: string; finished_at: string | null;
}

/** A device a campaign may target, with the version of the module it last reported (null: never reported). */
export interface Candidate {
  deviceName: string;
  version: string | null;
  /** The campaign its module is being upgraded by now, if any. */
  busyIn: number | null;
}

export type UpgradeChange = Partial<Pick<UpgradeRow, 'state' | 'step' | 'percent' | 'message' | 'reason' | 'attempts' | 'waiting_device' | 'notified_at' | 'finished_at'>>;

const ACTIVE = `('queued','notified','downloading','flashing')`;
const UPGRADE_COLUMNS = `u.*, f.version AS to_version`;

/** The OTA tables (migration 20261205-13): firmware, reported module versions, campaigns and device upgrades. */
export class OtaStore {
  readonly #db: Db;
  readonly #s: Record<string, Statement>;

  constructor(db: Db) {
    this.#db = db;
    const upgradeFrom = `FROM ota_upgrades u JOIN ota_campaigns c ON c.id = u.campaign_id JOIN ota_firmware f ON f.id = c.firmware_id`;
    this.#s = {
      insertFirmware: db.prepare(`INSERT INTO ota_firmware (product_key, module, version, version_code, release_notes, file_name, size, sha256,
        md5, version_constraint, ext_data, created_at, created_by) VALUES (@product_key, @module, @version, @version_code, @release_notes,
        @file_name, @size, @sha256, @md5, @version_constraint, @ext_data, @created_at, @created_by)`),
      firmware: db.prepare('SELECT * FROM ota_firmware WHERE id = ?'),
      firmwareByVersion: db.prepare('SELECT * FROM ota_firmware WHERE product_key = ? AND module = ? AND version = ?'),
      newestFirmware: db.prepare('SELECT * FROM ota_firmware WHERE product_key = ? AND module = ? ORDER BY version_code DESC LIMIT 1'),
      deleteFirmware: db.prepare('DELETE FROM ota_firmware WHERE id = ?'),
      firmwareInUse: db.prepare(`SELECT id FROM ota_campaigns WHERE firmware_id = ? AND state IN ('scheduled','running','paused','stopped') LIMIT 1`),
      firmwareEverUsed: db.prepare('SELECT 1 FROM ota_campaigns WHERE firmware_id = ? LIMIT 1'),
      setModule: db.prepare(`INSERT INTO ota_device_modules (product_key, device_name, module, version, version_code, reported_at)
        VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (product_key, device_name, module) DO UPDATE SET version = excluded.version,
        version_code = excluded.version_code, reported_at = excluded.reported_at`),
      modulesOf: db.prepare('SELECT module, version, version_code AS versionCode, reported_at AS reportedAt FROM ota_device_modules WHERE product_key = ? AND device_name = ? ORDER BY module'),
      moduleOf: db.prepare('SELECT version FROM ota_device_modules WHERE product_key = ? AND device_name = ? AND module = ?'),
      forgetDevice: db.prepare('DELETE FROM ota_device_modules WHERE product_key = ? AND device_name = ?'),
      insertCampaign: db.prepare(`INSERT INTO ota_campaigns (name, product_key, module, firmware_id, target, strategy, state, total,
        created_at, created_by) VALUES (@name, @product_key, @module, @firmware_id, @target, @strategy, @state, @total, @created_at, @created_by)`),
      campaign: db.prepare('SELECT c.*, f.version FROM ota_campaigns c JOIN ota_firmware f ON f.id = c.firmware_id WHERE c.id = ?'),
      liveCampaigns: db.prepare(`SELECT c.*, f.version FROM ota_campaigns c JOIN ota_firmware f ON f.id = c.firmware_id
        WHERE c.state IN ('scheduled','running','paused','stopped') ORDER BY c.id`),
      updateCampaign: db.prepare(`UPDATE ota_campaigns SET state = @state, state_reason = @state_reason, wave = @wave,
        started_at = @started_at, finished_at = @finished_at WHERE id = @id`),
      counts: db.prepare('SELECT state, count(*) AS n FROM ota_upgrades WHERE campaign_id = ? GROUP BY state'),
      tally: db.prepare(`SELECT wave, state, waiting_device AS waiting, count(*) AS n FROM ota_upgrades WHERE campaign_id = ?
        GROUP BY wave, state, waiting_device`),
      dispatchable: db.prepare(`SELECT ${UPGRADE_COLUMNS} ${upgradeFrom} WHERE u.campaign_id = ? AND u.state = 'queued' AND u.waiting_device = 0
        AND u.wave <= ? ORDER BY u.position LIMIT ?`),
      insertUpgrade: db.prepare(`INSERT INTO ota_upgrades (campaign_id, product_key, device_name, module, from_version, position, wave, state,
        queued_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)`),
      upgrade: db.prepare(`SELECT ${UPGRADE_COLUMNS} ${upgradeFrom} WHERE u.id = ?`),
      activeUpgrade: db.prepare(`SELECT ${UPGRADE_COLUMNS} ${upgradeFrom} WHERE u.product_key = ? AND u.device_name = ? AND u.module = ?
        AND u.state IN ${ACTIVE} ORDER BY u.id DESC LIMIT 1`),
      activeUpgradesOf: db.prepare(`SELECT ${UPGRADE_COLUMNS} ${upgradeFrom} WHERE u.product_key = ? AND u.device_name = ? AND u.state IN ${ACTIVE}`),
      setWaiting: db.prepare(`UPDATE ota_upgrades SET waiting_device = ? WHERE id = ?`),
      deviceBack: db.prepare(`UPDATE ota_upgrades SET waiting_device = 0 WHERE product_key = ? AND device_name = ? AND state = 'queued' AND waiting_device = 1`),
      silent: db.prepare(`SELECT ${UPGRADE_COLUMNS} ${upgradeFrom} WHERE u.campaign_id = ? AND u.state IN ('notified','downloading','flashing')
        AND u.updated_at < ? LIMIT 500`),
      activeOfCampaign: db.prepare(`SELECT ${UPGRADE_COLUMNS} ${upgradeFrom} WHERE u.campaign_id = ? AND u.state IN ${ACTIVE}`),
      retryable: db.prepare(`SELECT ${UPGRADE_COLUMNS} ${upgradeFrom} WHERE u.campaign_id = ? AND u.wave <= ? AND u.state IN ('failed','timed_out')`),
      historyOf: db.prepare(`SELECT ${UPGRADE_COLUMNS}, c.name AS campaign_name ${upgradeFrom} WHERE u.product_key = ? AND u.device_name = ?
        ORDER BY u.id DESC LIMIT 100`),
    };
  }

  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }

  // ── firmware ──────────────────────────────────────────────────────────────────────────────────────────────────

  insertFirmware(f: Omit<Firmware, 'id'>): number {
    return Number(this.#s.insertFirmware!.run({
      product_key: f.productKey, module: f.module, version: f.version, version_code: f.versionCode, release_notes: f.releaseNotes,
      file_name: f.fileName, size: f.size, sha256: f.sha256, md5: f.md5, version_constraint: JSON.stringify(f.constraint),
      ext_data: JSON.stringify(f.extData), created_at: f.createdAt, created_by: f.createdBy,
    }).lastInsertRowid);
  }

  firmware(id: number): Firmware | undefined {
    const row = this.#s.firmware!.get(id) as FirmwareRow | undefined;
    return row && firmwareOf(row);
  }

  firmwareByVersion(productKey: string, module: string, version: string): Firmware | undefined {
    const row = this.#s.firmwareByVersion!.get(productKey, module, version) as FirmwareRow | undefined;
    return row && firmwareOf(row);
  }

  newestFirmware(productKey: string, module: string): Firmware | undefined {
    const row = this.#s.newestFirmware!.get(productKey, module) as FirmwareRow | undefined;
    return row && firmwareOf(row);
  }

  listFirmware(filter: { productKey?: string; module?: string }, page: { limit: number; offset: number }): { items: Firmware[]; total: number } {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.productKey) {
      where.push('product_key = ?');
      args.push(filter.productKey);
    }
    if (filter.module) {
      where.push('module = ?');
      args.push(filter.module);
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.#db.prepare(`SELECT count(*) AS n FROM ota_firmware ${w}`).get(...args) as { n: number }).n;
    const rows = this.#db.prepare(`SELECT * FROM ota_firmware ${w} ORDER BY product_key, module, version_code DESC LIMIT ? OFFSET ?`)
      .all(...args, page.limit, page.offset) as FirmwareRow[];
    return { items: rows.map(firmwareOf), total };
  }

  updateFirmware(id: number, patch: { releaseNotes?: string; constraint?: VersionConstraintInput; extData?: Record<string, unknown> }): void {
    const sets: string[] = [];
    const args: unknown[] = [];
    if (patch.releaseNotes !== undefined) {
      sets.push('release_notes = ?');
      args.push(patch.releaseNotes);
    }
    if (patch.constraint !== undefined) {
      sets.push('version_constraint = ?');
      args.push(JSON.stringify(patch.constraint));
    }
    if (patch.extData !== undefined) {
      sets.push('ext_data = ?');
      args.push(JSON.stringify(patch.extData));
    }
    if (sets.length) this.#db.prepare(`UPDATE ota_firmware SET ${sets.join(', ')} WHERE id = ?`).run(...args, id);
  }

  /** The live campaign using the firmware, if any. */
  firmwareInUse(id: number): number | undefined {
    return (this.#s.firmwareInUse!.get(id) as { id: number } | undefined)?.id;
  }

  firmwareEverUsed(id: number): boolean {
    return this.#s.firmwareEverUsed!.get(id) !== undefined;
  }

  deleteFirmware(id: number): void {
    this.#s.deleteFirmware!.run(id);
  }

  // ── reported versions ─────────────────────────────────────────────────────────────────────────────────────────

  setModuleVersion(productKey: string, deviceName: string, module: string, version: string, code: number, at: string): void {
    this.#s.setModule!.run(productKey, deviceName, module, version, code, at);
  }

  moduleVersion(productKey: string, deviceName: string, module: string): string | undefined {
    return (this.#s.moduleOf!.get(productKey, deviceName, module) as { version: string } | undefined)?.version;
  }

  modulesOf(productKey: string, deviceName: string): ModuleVersion[] {
    return this.#s.modulesOf!.all(productKey, deviceName) as ModuleVersion[];
  }

  forgetDevice(productKey: string, deviceName: string): void {
    this.#s.forgetDevice!.run(productKey, deviceName);
  }

  /**
   * The product's devices a target names, in rollout order (names: as listed; otherwise by name), with their reported
   * version of the module and any campaign already upgrading it. Names that are not devices of the product are left
   * out (the caller counts them).
   */
  candidates(productKey: string, module: string, target: CampaignTarget): Candidate[] {
    const select = `SELECT d.device_name AS deviceName, m.version AS version,
      (SELECT u.campaign_id FROM ota_upgrades u WHERE u.product_key = d.product_key AND u.device_name = d.device_name AND u.module = ?
        AND u.state IN ${ACTIVE} LIMIT 1) AS busyIn
      FROM devices d LEFT JOIN ota_device_modules m ON m.product_key = d.product_key AND m.device_name = d.device_name AND m.module = ?`;
    if (target.type === 'devices') {
      return this.#db.prepare(`${select} JOIN json_each(?) j ON j.value = d.device_name WHERE d.product_key = ? ORDER BY j.key`)
        .all(module, module, JSON.stringify(target.deviceNames), productKey) as Candidate[];
    }
    const where = ['d.product_key = ?'];
    const args: unknown[] = [module, module, productKey];
    if (target.type === 'tags') {
      for (const [key, value] of Object.entries(target.tags)) {
        where.push('EXISTS (SELECT 1 FROM device_tags t WHERE t.device_id = d.id AND t.key = ? AND t.value = ?)');
        args.push(key, value);
      }
    }
    return this.#db.prepare(`${select} WHERE ${where.join(' AND ')} ORDER BY d.device_name`).all(...args) as Candidate[];
  }

  // ── campaigns ─────────────────────────────────────────────────────────────────────────────────────────────────

  insertCampaign(c: {
    name: string; productKey: string; module: string; firmwareId: number; target: CampaignTarget; strategy: CampaignStrategy;
    state: CampaignState; createdAt: string; createdBy: string;
  }, devices: readonly { deviceName: string; fromVersion: string; wave: number }[]): number {
    const id = Number(this.#s.insertCampaign!.run({
      name: c.name, product_key: c.productKey, module: c.module, firmware_id: c.firmwareId, target: JSON.stringify(c.target),
      strategy: JSON.stringify(c.strategy), state: c.state, total: devices.length,
      created_at: c.createdAt, created_by: c.createdBy,
    }).lastInsertRowid);
    const insert = this.#s.insertUpgrade!;
    devices.forEach((d, position) => insert.run(id, c.productKey, d.deviceName, c.module, d.fromVersion, position, d.wave, c.createdAt, c.createdAt));
    return id;
  }

  campaign(id: number): Campaign | undefined {
    const row = this.#s.campaign!.get(id) as CampaignRow | undefined;
    return row && this.#campaignOf(row);
  }

  /** Campaigns not over yet (scheduled, running, paused, stopped). */
  liveCampaigns(): Campaign[] {
    return (this.#s.liveCampaigns!.all() as CampaignRow[]).map((r) => this.#campaignOf(r));
  }

  listCampaigns(filter: { productKey?: string; state?: CampaignState }, page: { limit: number; offset: number }): { items: Campaign[]; total: number } {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.productKey) {
      where.push('c.product_key = ?');
      args.push(filter.productKey);
    }
    if (filter.state) {
      where.push('c.state = ?');
      args.push(filter.state);
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.#db.prepare(`SELECT count(*) AS n FROM ota_campaigns c ${w}`).get(...args) as { n: number }).n;
    const rows = this.#db.prepare(`SELECT c.*, f.version FROM ota_campaigns c JOIN ota_firmware f ON f.id = c.firmware_id ${w}
      ORDER BY c.id DESC LIMIT ? OFFSET ?`).all(...args, page.limit, page.offset) as CampaignRow[];
    return { items: rows.map((r) => this.#campaignOf(r)), total };
  }

  updateCampaign(c: Pick<Campaign, 'id' | 'state' | 'stateReason' | 'wave' | 'startedAt' | 'finishedAt'>): void {
    this.#s.updateCampaign!.run({ id: c.id, state: c.state, state_reason: c.stateReason, wave: c.wave, started_at: c.startedAt, finished_at: c.finishedAt });
  }

  counts(campaignId: number): StateCounts {
    const counts = Object.fromEntries(UPGRADE_STATES.map((s) => [s, 0])) as StateCounts;
    for (const { state, n } of this.#s.counts!.all(campaignId) as { state: UpgradeState; n: number }[]) counts[state] = n;
    return counts;
  }

  /** The campaign's devices counted by wave, state and whether a queued one waits for its device. */
  tallyRows(campaignId: number): { wave: number; state: UpgradeState; waiting: number; n: number }[] {
    return this.#s.tally!.all(campaignId) as { wave: number; state: UpgradeState; waiting: number; n: number }[];
  }

  /** Queued upgrades of waves up to `wave` whose device is not known to be offline, in rollout order. */
  dispatchable(campaignId: number, wave: number, limit: number): UpgradeRow[] {
    return this.#s.dispatchable!.all(campaignId, wave, limit) as UpgradeRow[];
  }

  setWaiting(upgradeId: number, waiting: boolean): void {
    this.#s.setWaiting!.run(waiting ? 1 : 0, upgradeId);
  }

  /** The device connected: its queued upgrades are dispatchable again. */
  deviceBack(productKey: string, deviceName: string): number {
    return this.#s.deviceBack!.run(productKey, deviceName).changes;
  }

  upgrade(id: number): UpgradeRow | undefined {
    return this.#s.upgrade!.get(id) as UpgradeRow | undefined;
  }

  activeUpgrade(productKey: string, deviceName: string, module: string): UpgradeRow | undefined {
    return this.#s.activeUpgrade!.get(productKey, deviceName, module) as UpgradeRow | undefined;
  }

  activeUpgradesOf(productKey: string, deviceName: string): UpgradeRow[] {
    return this.#s.activeUpgradesOf!.all(productKey, deviceName) as UpgradeRow[];
  }

  /** Upgrades under way whose last change is older than `before` (ISO). */
  silent(campaignId: number, before: string): UpgradeRow[] {
    return this.#s.silent!.all(campaignId, before) as UpgradeRow[];
  }

  activeOfCampaign(campaignId: number): UpgradeRow[] {
    return this.#s.activeOfCampaign!.all(campaignId) as UpgradeRow[];
  }

  /** Failed and timed-out upgrades of the waves reached, for a resume that retries them. */
  retryable(campaignId: number, wave: number): UpgradeRow[] {
    return this.#s.retryable!.all(campaignId, wave) as UpgradeRow[];
  }

  updateUpgrade(id: number, change: UpgradeChange, at: string): void {
    const keys = Object.keys(change) as (keyof UpgradeChange)[];
    const sql = `UPDATE ota_upgrades SET ${keys.map((k) => `${k} = @${k}`).join(', ')}${keys.length ? ', ' : ''}updated_at = @updated_at WHERE id = @id`;
    let statement = this.#updates.get(sql);
    if (!statement) this.#updates.set(sql, (statement = this.#db.prepare(sql)));
    statement.run({ ...change, updated_at: at, id });
  }

  readonly #updates = new Map<string, Statement>();

  listUpgrades(campaignId: number, state: UpgradeState | undefined, page: { limit: number; offset: number }): { items: DeviceUpgrade[]; total: number } {
    const w = state ? 'AND u.state = ?' : '';
    const args: unknown[] = state ? [campaignId, state] : [campaignId];
    const total = (this.#db.prepare(`SELECT count(*) AS n FROM ota_upgrades u WHERE u.campaign_id = ? ${w}`).get(...args) as { n: number }).n;
    const rows = this.#db.prepare(`SELECT ${UPGRADE_COLUMNS} FROM ota_upgrades u JOIN ota_campaigns c ON c.id = u.campaign_id
      JOIN ota_firmware f ON f.id = c.firmware_id WHERE u.campaign_id = ? ${w} ORDER BY u.position LIMIT ? OFFSET ?`)
      .all(...args, page.limit, page.offset) as UpgradeRow[];
    return { items: rows.map(upgradeOf), total };
  }

  historyOf(productKey: string, deviceName: string): (DeviceUpgrade & { campaignName: string })[] {
    return (this.#s.historyOf!.all(productKey, deviceName) as (UpgradeRow & { campaign_name: string })[])
      .map((r) => ({ ...upgradeOf(r), campaignName: r.campaign_name }));
  }

  #campaignOf(r: CampaignRow): Campaign {
    const strategy = JSON.parse(r.strategy) as CampaignStrategy;
    return {
      id: r.id, name: r.name, productKey: r.product_key, module: r.module, firmwareId: r.firmware_id, version: r.version,
      target: JSON.parse(r.target) as CampaignTarget, strategy, state: r.state,
      stateReason: r.state_reason, wave: r.wave, waveSizes: waveSizesOf(strategy.waves, r.total), total: r.total, counts: this.counts(r.id),
      createdAt: r.created_at, createdBy: r.created_by, startedAt: r.started_at, finishedAt: r.finished_at,
    };
  }
}

function firmwareOf(r: FirmwareRow): Firmware {
  return {
    id: r.id, productKey: r.product_key, module: r.module, version: r.version, versionCode: r.version_code, releaseNotes: r.release_notes,
    fileName: r.file_name, size: r.size, sha256: r.sha256, md5: r.md5, constraint: JSON.parse(r.version_constraint) as VersionConstraintInput,
    extData: JSON.parse(r.ext_data) as Record<string, unknown>, createdAt: r.created_at, createdBy: r.created_by,
  };
}

export function upgradeOf(r: UpgradeRow): DeviceUpgrade {
  return {
    id: r.id, campaignId: r.campaign_id, productKey: r.product_key, deviceName: r.device_name, module: r.module, fromVersion: r.from_version,
    toVersion: r.to_version, wave: r.wave, state: r.state, step: r.step, percent: r.percent, message: r.message, reason: r.reason,
    attempts: r.attempts, queuedAt: r.queued_at, notifiedAt: r.notified_at, updatedAt: r.updated_at, finishedAt: r.finished_at,
  };
}
