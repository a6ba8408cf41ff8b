import { waveSizesOf } from '../../domain/ota/campaign-strategy.ts';
import {
  UPGRADE_STATES, type Campaign, type CampaignState, type CampaignStrategy, type CampaignTarget, type DeviceUpgrade, type Firmware,
  type ModuleVersion, type StateCounts, type UpgradeState, type VersionConstraintInput,
} from '../../domain/ota/ota-schemas.ts';
import { chunks, ROWS_PER_STATEMENT, type Sql } from '../db/sql.ts';

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

/** A campaign's row: everything but its counts, which are read apart (they cost a count over its devices). */
export type CampaignRecord = Omit<Campaign, 'counts'>;

/** A device a campaign may target, with the version of the module it last reported (null: never reported). */
export interface Candidate {
  deviceName: string;
  version: string | null;
  /** The campaign its module is being upgraded by now, if any. */
  busyIn: number | null;
}

export type UpgradeChange = Partial<Pick<UpgradeRow, 'state' | 'step' | 'percent' | 'message' | 'reason' | 'attempts' | 'waiting_device' | 'notified_at' | 'finished_at'>>;

/** Campaigns not over yet: they move on, and their firmware cannot be deleted. */
export const LIVE_CAMPAIGN_STATES: ReadonlySet<CampaignState> = new Set(['scheduled', 'running', 'paused', 'stopped']);
const LIVE = `(${[...LIVE_CAMPAIGN_STATES].map((s) => `'${s}'`).join(',')})`;
const ACTIVE = `('queued','notified','downloading','flashing')`;
const IN_FLIGHT = `('notified','downloading','flashing')`;
const UPGRADE_COLUMNS = `u.*, f.version AS to_version`;
const UPGRADE_FROM = `FROM ota_upgrades u JOIN ota_campaigns c ON c.id = u.campaign_id JOIN ota_firmware f ON f.id = c.firmware_id`;
const CAMPAIGN_FROM = `SELECT c.*, f.version FROM ota_campaigns c JOIN ota_firmware f ON f.id = c.firmware_id`;
const params = (n: number) => Array.from({ length: n }, () => '?').join(', ');
const emptyCounts = (): StateCounts => Object.fromEntries(UPGRADE_STATES.map((s) => [s, 0])) as StateCounts;

/**
 * The OTA tables (migration 20261205-13): firmware, reported module versions, campaigns and device upgrades, in the
 * registry's database (SQLite, or PostgreSQL shared by the nodes of a cluster).
 *
 * A device upgrade is changed only from the state it was read in ({@link updateUpgrade}): a node's device report and
 * another node's campaign loop may both act on it, and the one that comes second finds out instead of overwriting.
 */
export class OtaStore {
  constructor(private readonly sql: Sql) {}

  /** Runs `work` in one transaction, on a store whose statements are the transaction's. */
  transaction<T>(work: (store: OtaStore) => Promise<T>): Promise<T> {
    return this.sql.transaction((tx) => work(new OtaStore(tx)));
  }

  /** Inside a transaction: waits until no other holds `key`, then holds it to the end (see Sql.lock). */
  lock(key: string): Promise<void> {
    return this.sql.lock(key);
  }

  // ── firmware ──────────────────────────────────────────────────────────────────────────────────────────────────

  async insertFirmware(f: Omit<Firmware, 'id'>): Promise<number> {
    const row = await this.sql.get<{ id: number }>(`INSERT INTO ota_firmware (product_key, module, version, version_code, release_notes, file_name,
      size, sha256, md5, version_constraint, ext_data, created_at, created_by) VALUES (@product_key, @module, @version, @version_code,
      @release_notes, @file_name, @size, @sha256, @md5, @version_constraint, @ext_data, @created_at, @created_by) RETURNING id`, {
      product_key: f.productKey, module: f.module, version: f.version, version_code: f.versionCode, release_notes: f.releaseNotes,
      file_name: f.fileName, size: f.size, sha256: f.sha256, md5: f.md5, version_constraint: JSON.stringify(f.constraint),
      ext_data: JSON.stringify(f.extData), created_at: f.createdAt, created_by: f.createdBy,
    });
    return row!.id;
  }

  async firmware(id: number): Promise<Firmware | undefined> {
    const row = await this.sql.get<FirmwareRow>('SELECT * FROM ota_firmware WHERE id = ?', [id]);
    return row && firmwareOf(row);
  }

  async firmwareByVersion(productKey: string, module: string, version: string): Promise<Firmware | undefined> {
    const row = await this.sql.get<FirmwareRow>('SELECT * FROM ota_firmware WHERE product_key = ? AND module = ? AND version = ?', [productKey, module, version]);
    return row && firmwareOf(row);
  }

  async newestFirmware(productKey: string, module: string): Promise<Firmware | undefined> {
    const row = await this.sql.get<FirmwareRow>('SELECT * FROM ota_firmware WHERE product_key = ? AND module = ? ORDER BY version_code DESC LIMIT 1', [productKey, module]);
    return row && firmwareOf(row);
  }

  async listFirmware(filter: { productKey?: string; module?: string }, page: { limit: number; offset: number }): Promise<{ items: Firmware[]; total: number }> {
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
    const [count, rows] = await Promise.all([
      this.sql.get<{ n: number }>(`SELECT count(*) AS n FROM ota_firmware ${w}`, args),
      this.sql.all<FirmwareRow>(`SELECT * FROM ota_firmware ${w} ORDER BY product_key, module, version_code DESC LIMIT ? OFFSET ?`, [...args, page.limit, page.offset]),
    ]);
    return { items: rows.map(firmwareOf), total: count!.n };
  }

  async updateFirmware(id: number, patch: { releaseNotes?: string; constraint?: VersionConstraintInput; extData?: Record<string, unknown> }): Promise<void> {
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
    if (sets.length) await this.sql.run(`UPDATE ota_firmware SET ${sets.join(', ')} WHERE id = ?`, [...args, id]);
  }

  /** The live campaign using the firmware, if any. */
  async firmwareInUse(id: number): Promise<number | undefined> {
    return (await this.sql.get<{ id: number }>(`SELECT id FROM ota_campaigns WHERE firmware_id = ? AND state IN ${LIVE} LIMIT 1`, [id]))?.id;
  }

  async firmwareEverUsed(id: number): Promise<boolean> {
    return (await this.sql.get('SELECT 1 AS used FROM ota_campaigns WHERE firmware_id = ? LIMIT 1', [id])) !== undefined;
  }

  async deleteFirmware(id: number): Promise<void> {
    await this.sql.run('DELETE FROM ota_firmware WHERE id = ?', [id]);
  }

  // ── reported versions ─────────────────────────────────────────────────────────────────────────────────────────

  async setModuleVersion(productKey: string, deviceName: string, module: string, version: string, code: number, at: string): Promise<void> {
    await this.sql.run(`INSERT INTO ota_device_modules (product_key, device_name, module, version, version_code, reported_at)
      VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (product_key, device_name, module) DO UPDATE SET version = excluded.version,
      version_code = excluded.version_code, reported_at = excluded.reported_at`, [productKey, deviceName, module, version, code, at]);
  }

  modulesOf(productKey: string, deviceName: string): Promise<ModuleVersion[]> {
    return this.sql.all<ModuleVersion>(`SELECT module, version, version_code AS "versionCode", reported_at AS "reportedAt" FROM ota_device_modules
      WHERE product_key = ? AND device_name = ? ORDER BY module`, [productKey, deviceName]);
  }

  async forgetDevice(productKey: string, deviceName: string): Promise<void> {
    await this.sql.run('DELETE FROM ota_device_modules WHERE product_key = ? AND device_name = ?', [productKey, deviceName]);
  }

  /**
   * The product's devices a target names, in rollout order (names: as first listed; otherwise by name), with their
   * reported version of the module and any campaign already upgrading it. Names that are not devices of the product
   * are left out (the caller counts them).
   */
  async candidates(productKey: string, module: string, target: CampaignTarget): Promise<Candidate[]> {
    const select = `SELECT d.device_name AS "deviceName", m.version AS version,
      (SELECT u.campaign_id FROM ota_upgrades u WHERE u.product_key = d.product_key AND u.device_name = d.device_name AND u.module = ?
        AND u.state IN ${ACTIVE} LIMIT 1) AS "busyIn"
      FROM devices d LEFT JOIN ota_device_modules m ON m.product_key = d.product_key AND m.device_name = d.device_name AND m.module = ?`;
    if (target.type === 'devices') {
      const names = [...new Set(target.deviceNames)];
      const found = new Map<string, Candidate>();
      for (const part of chunks(names, ROWS_PER_STATEMENT)) {
        const rows = await this.sql.all<Candidate>(`${select} WHERE d.product_key = ? AND d.device_name IN (${params(part.length)})`,
          [module, module, productKey, ...part]);
        for (const c of rows) found.set(c.deviceName, c);
      }
      return names.flatMap((name) => found.get(name) ?? []);
    }
    const where = ['d.product_key = ?'];
    const args: unknown[] = [module, module, productKey];
    if (target.type === 'tags') {
      for (const [key, value] of Object.entries(target.tags)) {
        where.push('EXISTS (SELECT 1 FROM device_tags t WHERE t.device_id = d.id AND t.key = ? AND t.value = ?)');
        args.push(key, value);
      }
    }
    return this.sql.all<Candidate>(`${select} WHERE ${where.join(' AND ')} ORDER BY d.device_name`, args);
  }

  // ── campaigns ─────────────────────────────────────────────────────────────────────────────────────────────────

  /** A campaign and its devices' upgrades, queued in rollout order; in a transaction, so that it is all or nothing. */
  async insertCampaign(c: {
    name: string; productKey: string; module: string; firmwareId: number; target: CampaignTarget; strategy: CampaignStrategy;
    state: CampaignState; createdAt: string; createdBy: string; startedAt: string | null;
  }, devices: readonly { deviceName: string; fromVersion: string; wave: number }[]): Promise<number> {
    const { id } = (await this.sql.get<{ id: number }>(`INSERT INTO ota_campaigns (name, product_key, module, firmware_id, target, strategy, state,
      total, created_at, created_by, started_at) VALUES (@name, @product_key, @module, @firmware_id, @target, @strategy, @state, @total,
      @created_at, @created_by, @started_at) RETURNING id`, {
      name: c.name, product_key: c.productKey, module: c.module, firmware_id: c.firmwareId, target: JSON.stringify(c.target),
      strategy: JSON.stringify(c.strategy), state: c.state, total: devices.length, created_at: c.createdAt, created_by: c.createdBy,
      started_at: c.startedAt,
    }))!;
    let position = 0;
    for (const part of chunks(devices, ROWS_PER_STATEMENT)) {
      await this.sql.run(`INSERT INTO ota_upgrades (campaign_id, product_key, device_name, module, from_version, position, wave, state,
        queued_at, updated_at) VALUES ${part.map(() => "(?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)").join(', ')}`,
      part.flatMap((d) => [id, c.productKey, d.deviceName, c.module, d.fromVersion, position++, d.wave, c.createdAt, c.createdAt]));
    }
    return id;
  }

  async campaign(id: number): Promise<CampaignRecord | undefined> {
    const row = await this.sql.get<CampaignRow>(`${CAMPAIGN_FROM} WHERE c.id = ?`, [id]);
    return row && campaignOf(row);
  }

  /** Campaigns not over yet (scheduled, running, paused, stopped), oldest first; or the one of them with `id`. */
  async liveCampaigns(id?: number): Promise<CampaignRecord[]> {
    const rows = id === undefined
      ? await this.sql.all<CampaignRow>(`${CAMPAIGN_FROM} WHERE c.state IN ${LIVE} ORDER BY c.id`)
      : await this.sql.all<CampaignRow>(`${CAMPAIGN_FROM} WHERE c.state IN ${LIVE} AND c.id = ?`, [id]);
    return rows.map(campaignOf);
  }

  async listCampaigns(filter: { productKey?: string; state?: CampaignState }, page: { limit: number; offset: number }): Promise<{ items: CampaignRecord[]; total: number }> {
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
    const [count, rows] = await Promise.all([
      this.sql.get<{ n: number }>(`SELECT count(*) AS n FROM ota_campaigns c ${w}`, args),
      this.sql.all<CampaignRow>(`${CAMPAIGN_FROM} ${w} ORDER BY c.id DESC LIMIT ? OFFSET ?`, [...args, page.limit, page.offset]),
    ]);
    return { items: rows.map(campaignOf), total: count!.n };
  }

  /**
   * Moves a campaign to `change.state` if it is still in one of `from`; false when it no longer is (another node or
   * request changed it first). `completed` also waits for every device to have finished. The start time is kept once
   * set; the finish time is set with a final state.
   */
  async setCampaignState(id: number, from: readonly CampaignState[], change: { state: CampaignState; reason: string; at: string }): Promise<boolean> {
    const named = Object.fromEntries(from.map((state, i) => [`from${i}`, state]));
    const final = change.state === 'completed' || change.state === 'cancelled';
    const { changes } = await this.sql.run(`UPDATE ota_campaigns SET state = @state, state_reason = @reason,
      started_at = COALESCE(started_at, @started_at), finished_at = COALESCE(@finished_at, finished_at)
      WHERE id = @id AND state IN (${from.map((_, i) => `@from${i}`).join(', ')})
      ${change.state === 'completed' ? `AND NOT EXISTS (SELECT 1 FROM ota_upgrades u WHERE u.campaign_id = @id AND u.state IN ${ACTIVE})` : ''}`, {
      ...named, id, state: change.state, reason: change.reason,
      started_at: change.state === 'running' ? change.at : null, finished_at: final ? change.at : null,
    });
    return changes === 1;
  }

  /** Moves a running campaign from wave `from` to the next; false when it is no longer running at that wave. */
  async advanceWave(id: number, from: number): Promise<boolean> {
    const { changes } = await this.sql.run(`UPDATE ota_campaigns SET wave = @next WHERE id = @id AND wave = @from AND state = 'running'`, { id, from, next: from + 1 });
    return changes === 1;
  }

  /** The campaigns' devices counted by state. */
  async counts(campaignIds: readonly number[]): Promise<Map<number, StateCounts>> {
    const counts = new Map(campaignIds.map((id) => [id, emptyCounts()]));
    for (const part of chunks(campaignIds, ROWS_PER_STATEMENT)) {
      const rows = await this.sql.all<{ campaign_id: number; state: UpgradeState; n: number }>(
        `SELECT campaign_id, state, count(*) AS n FROM ota_upgrades WHERE campaign_id IN (${params(part.length)}) GROUP BY campaign_id, state`, part);
      for (const { campaign_id, state, n } of rows) counts.get(campaign_id)![state] = n;
    }
    return counts;
  }

  /** Devices being upgraded now: notified and not finished. */
  async inFlight(campaignId: number): Promise<number> {
    return (await this.sql.get<{ n: number }>(`SELECT count(*) AS n FROM ota_upgrades WHERE campaign_id = ? AND state IN ${IN_FLIGHT}`, [campaignId]))!.n;
  }

  /** Every device of the wave has finished, or waits for its device to connect. */
  async waveDone(campaignId: number, wave: number): Promise<boolean> {
    const open = await this.sql.get(`SELECT 1 AS open FROM ota_upgrades WHERE campaign_id = ? AND wave = ?
      AND (state IN ${IN_FLIGHT} OR (state = 'queued' AND waiting_device = 0)) LIMIT 1`, [campaignId, wave]);
    return open === undefined;
  }

  /** How many of the wave's devices there are, and how many failed or timed out. */
  async failures(campaignId: number, wave: number): Promise<{ failed: number; size: number }> {
    const row = await this.sql.get<{ failed: number | null; size: number }>(`SELECT count(*) AS size,
      sum(CASE WHEN state IN ('failed','timed_out') THEN 1 ELSE 0 END) AS failed FROM ota_upgrades WHERE campaign_id = ? AND wave = ?`, [campaignId, wave]);
    return { failed: row?.failed ?? 0, size: row?.size ?? 0 };
  }

  // ── device upgrades ───────────────────────────────────────────────────────────────────────────────────────────

  /** Queued upgrades of waves up to `wave` whose device is not known to be offline, in rollout order. */
  dispatchable(campaignId: number, wave: number, limit: number): Promise<UpgradeRow[]> {
    return this.sql.all<UpgradeRow>(`SELECT ${UPGRADE_COLUMNS} ${UPGRADE_FROM} WHERE u.campaign_id = ? AND u.state = 'queued' AND u.waiting_device = 0
      AND u.wave <= ? ORDER BY u.position LIMIT ?`, [campaignId, wave, limit]);
  }

  /** The queued upgrade's device was found offline: it is left out of dispatch until it connects. False if no longer queued. */
  async setWaiting(upgradeId: number): Promise<boolean> {
    const { changes } = await this.sql.run(`UPDATE ota_upgrades SET waiting_device = 1 WHERE id = ? AND state = 'queued' AND waiting_device = 0`, [upgradeId]);
    return changes === 1;
  }

  /** The device connected: its queued upgrades are dispatchable again. */
  async deviceBack(productKey: string, deviceName: string): Promise<number> {
    return (await this.sql.run(`UPDATE ota_upgrades SET waiting_device = 0 WHERE product_key = ? AND device_name = ? AND state = 'queued'
      AND waiting_device = 1`, [productKey, deviceName])).changes;
  }

  upgrade(id: number): Promise<UpgradeRow | undefined> {
    return this.sql.get<UpgradeRow>(`SELECT ${UPGRADE_COLUMNS} ${UPGRADE_FROM} WHERE u.id = ?`, [id]);
  }

  activeUpgrade(productKey: string, deviceName: string, module: string): Promise<UpgradeRow | undefined> {
    return this.sql.get<UpgradeRow>(`SELECT ${UPGRADE_COLUMNS} ${UPGRADE_FROM} WHERE u.product_key = ? AND u.device_name = ? AND u.module = ?
      AND u.state IN ${ACTIVE} ORDER BY u.id DESC LIMIT 1`, [productKey, deviceName, module]);
  }

  activeUpgradesOf(productKey: string, deviceName: string): Promise<UpgradeRow[]> {
    return this.sql.all<UpgradeRow>(`SELECT ${UPGRADE_COLUMNS} ${UPGRADE_FROM} WHERE u.product_key = ? AND u.device_name = ? AND u.state IN ${ACTIVE}`,
      [productKey, deviceName]);
  }

  /** Upgrades under way whose last change is older than `before` (ISO). */
  silent(campaignId: number, before: string): Promise<UpgradeRow[]> {
    return this.sql.all<UpgradeRow>(`SELECT ${UPGRADE_COLUMNS} ${UPGRADE_FROM} WHERE u.campaign_id = ? AND u.state IN ${IN_FLIGHT}
      AND u.updated_at < ? LIMIT 500`, [campaignId, before]);
  }

  activeOfCampaign(campaignId: number): Promise<UpgradeRow[]> {
    return this.sql.all<UpgradeRow>(`SELECT ${UPGRADE_COLUMNS} ${UPGRADE_FROM} WHERE u.campaign_id = ? AND u.state IN ${ACTIVE}`, [campaignId]);
  }

  /** Failed and timed-out upgrades of the waves reached, for a resume that retries them. */
  retryable(campaignId: number, wave: number): Promise<UpgradeRow[]> {
    return this.sql.all<UpgradeRow>(`SELECT ${UPGRADE_COLUMNS} ${UPGRADE_FROM} WHERE u.campaign_id = ? AND u.wave <= ? AND u.state IN ('failed','timed_out')`,
      [campaignId, wave]);
  }

  /**
   * Writes a change of the upgrade as it was read (`row`: its state and last change time); false, writing nothing,
   * when it changed since. Only a change of the same state within the same millisecond goes unnoticed, which loses no
   * transition. An upgrade becomes `notified` only while its campaign runs: a campaign paused or cancelled meanwhile,
   * on any node, notifies nobody more.
   */
  async updateUpgrade(row: Pick<UpgradeRow, 'id' | 'state' | 'updated_at'>, change: UpgradeChange, at: string): Promise<boolean> {
    const keys = Object.keys(change) as (keyof UpgradeChange)[];
    const running = change.state === 'notified'
      ? ` AND EXISTS (SELECT 1 FROM ota_campaigns c WHERE c.id = ota_upgrades.campaign_id AND c.state = 'running')`
      : '';
    const { changes } = await this.sql.run(`UPDATE ota_upgrades SET ${keys.map((k) => `${k} = @${k}`).join(', ')}${keys.length ? ', ' : ''}updated_at = @updated_at
      WHERE id = @id AND state = @was AND updated_at = @was_at${running}`, { ...change, updated_at: at, id: row.id, was: row.state, was_at: row.updated_at });
    return changes === 1;
  }

  async listUpgrades(campaignId: number, state: UpgradeState | undefined, page: { limit: number; offset: number }): Promise<{ items: DeviceUpgrade[]; total: number }> {
    const w = state ? 'AND u.state = ?' : '';
    const args: unknown[] = state ? [campaignId, state] : [campaignId];
    const [count, rows] = await Promise.all([
      this.sql.get<{ n: number }>(`SELECT count(*) AS n FROM ota_upgrades u WHERE u.campaign_id = ? ${w}`, args),
      this.sql.all<UpgradeRow>(`SELECT ${UPGRADE_COLUMNS} ${UPGRADE_FROM} WHERE u.campaign_id = ? ${w} ORDER BY u.position LIMIT ? OFFSET ?`,
        [...args, page.limit, page.offset]),
    ]);
    return { items: rows.map(upgradeOf), total: count!.n };
  }

  async historyOf(productKey: string, deviceName: string): Promise<(DeviceUpgrade & { campaignName: string })[]> {
    const rows = await this.sql.all<UpgradeRow & { campaign_name: string }>(`SELECT ${UPGRADE_COLUMNS}, c.name AS campaign_name ${UPGRADE_FROM}
      WHERE u.product_key = ? AND u.device_name = ? ORDER BY u.id DESC LIMIT 100`, [productKey, deviceName]);
    return rows.map((r) => ({ ...upgradeOf(r), campaignName: r.campaign_name }));
  }
}

function campaignOf(r: CampaignRow): CampaignRecord {
  const strategy = JSON.parse(r.strategy) as CampaignStrategy;
  return {
    id: r.id, name: r.name, productKey: r.product_key, module: r.module, firmwareId: r.firmware_id, version: r.version,
    target: JSON.parse(r.target) as CampaignTarget, strategy, state: r.state,
    stateReason: r.state_reason, wave: r.wave, waveSizes: waveSizesOf(strategy.waves, r.total), total: r.total,
    createdAt: r.created_at, createdBy: r.created_by, startedAt: r.started_at, finishedAt: r.finished_at,
  };
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
