import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { OtaPushParams, ThingMessage } from '../../domain/devices/thing-message.ts';
import {
  FINAL_UPGRADE_STATES, type Campaign, type CampaignPreview, type CampaignStrategy, type CampaignTarget, type DeviceOta, type DeviceUpgrade,
  type Firmware, type FirmwarePatch, type FirmwareUploadQuery, type NewCampaign, type OtaEvent, type UpgradeState,
} from '../../domain/ota/ota-schemas.ts';
import type { DeviceUpgradeRequest, OtaNodeService, OtaVerdict } from '../../domain/ota/ota-service.ts';
import { DEFAULT_MODULE, isModuleName, parseReportedVersion, upgradeRefusal, versionCode, type VersionConstraint } from '../../domain/ota/ota-version.ts';
import { ApiError, badRequest, conflict, notFound } from '../errors.ts';
import type { DeviceHub } from '../device-hub/device-hub.ts';
import type { RegistryEvents } from '../registry-events.ts';
import { CampaignTally } from './campaign-tally.ts';
import { DEFAULT_STRATEGY, waveSizesOf } from '../../domain/ota/campaign-strategy.ts';
import type { DownloadTokens } from './download-tokens.ts';
import type { FirmwareFiles } from './firmware-files.ts';
import { upgradeOf, type OtaStore, type UpgradeChange, type UpgradeRow } from './ota-store.ts';
import { isUniqueViolation } from '../db/sql.ts';

export interface OtaServiceOptions {
  store: OtaStore;
  files: FirmwareFiles;
  tokens: DownloadTokens;
  hub: Pick<DeviceHub, 'push' | 'isOnline' | 'observe'>;
  registryEvents: RegistryEvents;
  productExists(productKey: string): boolean;
  /** The platform's address as devices reach it (`--public-url`): firmware URLs start with it. */
  publicUrl(): string;
  audit(actor: string, action: string, target: string, details?: Record<string, unknown>): Promise<void>;
  logger: Logger;
  now?: () => number;
  /** How often campaigns move on: timeouts, waves, dispatch (ms, default 200). */
  tickMs?: number;
}

const FAILURE_STEPS: ReadonlyMap<number, string> = new Map([
  [-1, 'upgrade failed'], [-2, 'download failed'], [-3, 'verification failed'], [-4, 'flash failed'],
]);
const FLASHING_TEXT = /burn|flash|install|writ|reboot/i;
/** The longest a download token lives, whatever the device timeout. */
const MAX_TOKEN_MS = 24 * 3_600_000;
/** Times a device that reports its old version without starting is told again before it fails. */
const MAX_RENOTIFY = 3;

/** A campaign being rolled out: its row, its counts, and its dispatch budget. */
interface LiveCampaign {
  campaign: Campaign;
  firmware: Firmware;
  tally: CampaignTally;
  /** Rate limit: devices that may be notified now (token bucket, refilled at ratePerMinute). */
  tokens: number;
  refilledAt: number;
  downloads: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** A share as a percentage with one decimal at most: 0.5 → 50, 0.125 → 12.5. */
const percentOf = (share: number) => Math.round(share * 1000) / 10;

/**
 * Firmware, campaigns and device upgrades (docs/ota.md). Devices' OTA messages come in through the ota node
 * ({@link handle}); campaigns move on a timer ({@link tick}): scheduled ones start, silent devices time out, waves
 * advance, queued devices are notified within the strategy's rate and in-flight limit, finished campaigns complete.
 * Every change is written before it is announced; live campaigns are loaded back at start, so a restart loses nothing
 * (devices in the middle of a download resume it with their token).
 */
export class OtaService implements OtaNodeService {
  readonly #o: OtaServiceOptions;
  readonly #store: OtaStore;
  readonly #now: () => number;
  readonly #live = new Map<number, LiveCampaign>();
  readonly #listeners = new Set<(event: OtaEvent) => void>();
  readonly #timer: NodeJS.Timeout;
  readonly #unobserve: () => void;
  readonly #onDeviceChanged = (e: { productKey: string; deviceName: string; change: string }) => {
    if (e.change === 'deleted') this.#deviceDeleted(e.productKey, e.deviceName);
  };

  constructor(options: OtaServiceOptions) {
    this.#o = options;
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    for (const campaign of this.#store.liveCampaigns()) this.#track(campaign);
    this.#unobserve = options.hub.observe((m) => {
      if (m.kind === 'state' && (m.params as { status?: string }).status === 'online') this.#deviceOnline(m.productKey, m.deviceName);
    });
    options.registryEvents.on('device.changed', this.#onDeviceChanged);
    // Five times a second: a rate is spread over the second instead of sent in one burst per tick.
    this.#timer = setInterval(() => this.tick(), options.tickMs ?? 200);
    this.#timer.unref();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#unobserve();
    this.#o.registryEvents.off('device.changed', this.#onDeviceChanged);
    this.#listeners.clear();
  }

  subscribe(listener: (event: OtaEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ── firmware ──────────────────────────────────────────────────────────────────────────────────────────────────

  /** Streams an image to disk and records it; the metadata comes in the query string. */
  async uploadFirmware(query: FirmwareUploadQuery, body: Readable, actor: string): Promise<Firmware> {
    const { productKey, module, version } = query;
    if (!this.#o.productExists(productKey)) throw notFound('Product', productKey);
    const constraint: VersionConstraint = {};
    if (query.minVersion) constraint.minVersion = query.minVersion;
    if (query.maxVersion) constraint.maxVersion = query.maxVersion;
    if (query.fromVersions) {
      const list = query.fromVersions.split(',').map((v) => v.trim()).filter(Boolean);
      const bad = list.filter((v) => versionCode(v) === undefined);
      if (bad.length) throw badRequest(`fromVersions: ${bad.map((v) => `"${v}"`).join(', ')} not major.minor.patch`);
      constraint.fromVersions = list;
    }
    checkConstraint(constraint);
    let extData: Record<string, unknown> = {};
    if (query.extData) {
      try {
        extData = JSON.parse(query.extData) as Record<string, unknown>;
      } catch {
        throw badRequest('extData must be a JSON object, e.g. {"signature":"…"}; it is not JSON.');
      }
      if (typeof extData !== 'object' || extData === null || Array.isArray(extData)) throw badRequest('extData must be a JSON object.');
    }
    if (this.#store.firmwareByVersion(productKey, module, version)) {
      body.resume();
      throw conflict('firmware_exists', `${productKey} already has version ${version} of module ${module}: upload it under a new version.`);
    }
    const image = await this.#o.files.receive(body);
    let id: number;
    try {
      id = this.#store.insertFirmware({
        productKey, module, version, versionCode: versionCode(version)!, releaseNotes: query.releaseNotes ?? '',
        fileName: query.fileName ?? `${productKey}-${module}-${version}.bin`, size: image.size, sha256: image.sha256, md5: image.md5,
        constraint, extData, createdAt: iso(this.#now()), createdBy: actor,
      });
    } catch (err) {
      this.#o.files.discard(image);
      if (isUniqueViolation(err)) {
        throw conflict('firmware_exists', `${productKey} already has version ${version} of module ${module}.`);
      }
      throw err;
    }
    this.#o.files.keep(image, id);
    await this.#o.audit(actor, 'firmware.upload', `firmware:${id}`, { productKey, module, version, size: image.size, sha256: image.sha256 });
    return this.#store.firmware(id)!;
  }

  firmware(id: number): Firmware {
    const firmware = this.#store.firmware(id);
    if (!firmware) throw notFound('Firmware', String(id));
    return firmware;
  }

  listFirmware(filter: { productKey?: string; module?: string }, page: { limit: number; offset: number }) {
    return { ...this.#store.listFirmware(filter, page), ...page };
  }

  async patchFirmware(id: number, patch: FirmwarePatch, actor: string): Promise<Firmware> {
    this.firmware(id);
    if (patch.constraint) checkConstraint(patch.constraint);
    this.#store.updateFirmware(id, patch);
    await this.#o.audit(actor, 'firmware.update', `firmware:${id}`, { fields: Object.keys(patch) });
    for (const live of this.#live.values()) if (live.firmware.id === id) live.firmware = this.#store.firmware(id)!;
    return this.firmware(id);
  }

  async deleteFirmware(id: number, actor: string): Promise<void> {
    const firmware = this.firmware(id);
    const campaign = this.#store.firmwareInUse(id);
    if (campaign !== undefined) throw conflict('firmware_in_use', `Campaign ${campaign} is rolling out this firmware: cancel it first.`);
    if (this.#store.firmwareEverUsed(id)) {
      throw conflict('firmware_in_use', 'Campaigns in the history name this firmware; it is kept so that their records stay whole.');
    }
    this.#store.deleteFirmware(id);
    this.#o.files.remove(id);
    await this.#o.audit(actor, 'firmware.delete', `firmware:${id}`, { productKey: firmware.productKey, module: firmware.module, version: firmware.version });
  }

  // ── campaigns ─────────────────────────────────────────────────────────────────────────────────────────────────

  preview(firmwareId: number, target: CampaignTarget): CampaignPreview {
    const firmware = this.firmware(firmwareId);
    const { selected, excluded, targeted } = this.#select(firmware, target);
    const waveSizes = waveSizesOf(DEFAULT_STRATEGY.waves, selected.length);
    return {
      productKey: firmware.productKey, module: firmware.module, version: firmware.version, targeted, matched: selected.length, waveSizes,
      excluded: [...excluded].map(([reason, names]) => ({ reason, count: names.count, examples: names.examples })),
    };
  }

  async createCampaign(input: NewCampaign, actor: string): Promise<Campaign> {
    const firmware = this.firmware(input.firmwareId);
    const strategy = { ...DEFAULT_STRATEGY, ...input.strategy };
    checkStrategy(strategy);
    const campaign = this.#store.transaction(() => {
      const { selected, excluded } = this.#select(firmware, input.target);
      if (selected.length === 0) {
        const why = [...excluded].map(([reason, n]) => `${n.count} ${reason}`).join('; ');
        throw new ApiError(409, 'no_devices', `No device would be upgraded${why ? `: ${why}` : ': the target names no device of the product'}.`);
      }
      const waveSizes = waveSizesOf(strategy.waves, selected.length);
      const now = this.#now();
      const scheduled = strategy.startAt !== undefined && Date.parse(strategy.startAt) > now;
      const id = this.#store.insertCampaign({
        name: input.name, productKey: firmware.productKey, module: firmware.module, firmwareId: firmware.id, target: input.target, strategy,
        state: scheduled ? 'scheduled' : 'running', createdAt: iso(now), createdBy: actor,
      }, selected.map((c, i) => ({ deviceName: c.deviceName, fromVersion: c.version!, wave: waveSizes.findIndex((size) => i < size) })));
      const created = this.#store.campaign(id)!;
      if (!scheduled) this.#store.updateCampaign({ ...created, startedAt: iso(now) });
      return this.#store.campaign(id)!;
    });
    await this.#o.audit(actor, 'ota.campaign.create', `campaign:${campaign.id}`, {
      name: campaign.name, firmwareId: firmware.id, version: firmware.version, devices: campaign.total, waves: strategy.waves,
    });
    this.#track(campaign);
    this.#emit({ type: 'ota.campaign', campaign, change: campaign.state === 'scheduled' ? 'scheduled' : 'started' });
    this.#runCampaign(this.#live.get(campaign.id)!);
    this.#settle();
    return this.campaign(campaign.id);
  }

  campaign(id: number): Campaign {
    const live = this.#live.get(id);
    if (live) return { ...live.campaign, counts: live.tally.counts() };
    const campaign = this.#store.campaign(id);
    if (!campaign) throw notFound('Campaign', String(id));
    return campaign;
  }

  listCampaigns(filter: { productKey?: string; state?: Campaign['state'] }, page: { limit: number; offset: number }) {
    const found = this.#store.listCampaigns(filter, page);
    return { items: found.items.map((c) => (this.#live.has(c.id) ? this.campaign(c.id) : c)), total: found.total, ...page };
  }

  campaignDevices(id: number, state: UpgradeState | undefined, page: { limit: number; offset: number }) {
    this.campaign(id);
    return { ...this.#store.listUpgrades(id, state, page), ...page };
  }

  async pause(id: number, actor: string): Promise<Campaign> {
    const live = this.#liveOrConflict(id, 'paused');
    if (live.campaign.state !== 'running' && live.campaign.state !== 'scheduled') {
      throw conflict('campaign_not_running', `Campaign ${id} is ${live.campaign.state}; only a running or scheduled campaign pauses.`);
    }
    this.#setState(live, 'paused', `paused by ${actor}`);
    await this.#o.audit(actor, 'ota.campaign.pause', `campaign:${id}`);
    return this.campaign(id);
  }

  async resume(id: number, options: { retryFailed?: boolean }, actor: string): Promise<Campaign> {
    const live = this.#liveOrConflict(id, 'resumed');
    const { state } = live.campaign;
    if (state !== 'paused' && state !== 'stopped') throw conflict('campaign_not_paused', `Campaign ${id} is ${state}; only a paused or stopped campaign resumes.`);
    let retried = 0;
    if (options.retryFailed) {
      const at = iso(this.#now());
      this.#store.transaction(() => {
        for (const row of this.#store.retryable(id, live.campaign.wave)) {
          this.#change(live, row, { state: 'queued', attempts: 0, step: null, percent: 0, finished_at: null, reason: '', message: `queued again on resume (was ${row.state}: ${row.reason})` }, at);
          retried++;
        }
      });
    }
    live.tokens = 0;
    live.refilledAt = this.#now();
    const startAt = live.campaign.strategy.startAt;
    const scheduled = startAt !== undefined && Date.parse(startAt) > this.#now();
    this.#setState(live, scheduled ? 'scheduled' : 'running', '', 'resumed');
    await this.#o.audit(actor, 'ota.campaign.resume', `campaign:${id}`, { retryFailed: options.retryFailed ?? false, retried });
    this.#runCampaign(live);
    this.#settle();
    return this.campaign(id);
  }

  async cancel(id: number, actor: string): Promise<Campaign> {
    const live = this.#liveOrConflict(id, 'cancelled');
    this.#finishCampaign(live, 'cancelled', `cancelled by ${actor}`, `campaign cancelled by ${actor}`);
    await this.#o.audit(actor, 'ota.campaign.cancel', `campaign:${id}`);
    return this.campaign(id);
  }

  async upgradeDevice(request: DeviceUpgradeRequest, actor: string): Promise<Campaign> {
    const { productKey, deviceName } = request;
    const module = request.module ?? DEFAULT_MODULE;
    if (request.reported !== undefined) {
      const reports = versionReports(request.reported);
      if (typeof reports === 'string') throw badRequest(`The version report is malformed: ${reports}.`);
      const at = iso(this.#now());
      for (const r of reports) this.#store.setModuleVersion(productKey, deviceName, r.module, r.version, r.code, at);
    }
    let firmware: Firmware | undefined;
    if (request.firmwareId !== undefined) firmware = this.firmware(request.firmwareId);
    else if (request.version !== undefined) firmware = this.#store.firmwareByVersion(productKey, module, request.version);
    else firmware = this.#store.newestFirmware(productKey, module);
    if (!firmware) {
      throw notFound('Firmware', request.version !== undefined ? `${productKey}/${module}@${request.version}` : `${productKey}/${module} (none uploaded)`);
    }
    if (firmware.productKey !== productKey) throw badRequest(`Firmware ${firmware.id} is for product ${firmware.productKey}, not ${productKey}.`);
    const { selected, excluded } = this.#select(firmware, { type: 'devices', deviceNames: [deviceName] });
    if (selected.length === 0) {
      const reason = [...excluded.values()][0]?.text ?? 'is not a device of the product';
      throw new ApiError(409, 'not_upgradable', `${productKey}/${deviceName} is not upgraded to ${firmware.version}: it ${reason}.`);
    }
    // One device: nothing to stop early, a failure is just that device's outcome.
    return this.createCampaign({
      name: `${deviceName} to ${firmware.version}`, firmwareId: firmware.id, target: { type: 'devices', deviceNames: [deviceName] },
      strategy: { ...DEFAULT_STRATEGY, failureThreshold: 1 },
    }, actor);
  }

  deviceOta(productKey: string, deviceName: string): DeviceOta {
    return { modules: this.#store.modulesOf(productKey, deviceName), upgrades: this.#store.historyOf(productKey, deviceName) };
  }

  // ── device messages ───────────────────────────────────────────────────────────────────────────────────────────

  handle(message: ThingMessage): OtaVerdict {
    try {
      switch (message.kind) {
        case 'ota.inform': return this.#inform(message);
        case 'ota.progress': return this.#progress(message);
        case 'ota.get': return this.#get(message);
        default: return { code: 400, text: `the ota node takes ota.inform, ota.progress and ota.get messages, not ${message.kind}` };
      }
    } catch (err) {
      this.#o.logger.error({ err, productKey: message.productKey, deviceName: message.deviceName, kind: message.kind }, 'an OTA report failed');
      return { code: 500, text: 'the platform could not record this OTA report' };
    }
  }

  #inform(message: ThingMessage): OtaVerdict {
    const reports = versionReports(message.params);
    if (typeof reports === 'string') return { code: 400, text: reports };
    const { productKey, deviceName } = message;
    const at = this.#now();
    for (const { module, version, code } of reports) {
      this.#store.setModuleVersion(productKey, deviceName, module, version, code, iso(at));
      const row = this.#store.activeUpgrade(productKey, deviceName, module);
      const live = row && this.#live.get(row.campaign_id);
      if (!row || !live) continue;
      const target = versionCode(row.to_version)!;
      if (code === target) {
        this.#change(live, row, { state: 'succeeded', percent: 100, message: `reported ${version}`, finished_at: iso(at) }, iso(at));
      } else if (code > target) {
        this.#change(live, row, { state: 'cancelled', reason: `now runs ${version}, newer than ${row.to_version}`, finished_at: iso(at) }, iso(at));
      } else if (row.state === 'downloading' || row.state === 'flashing') {
        this.#fail(live, row, 'failed', `restarted with ${version} instead of ${row.to_version}`, at);
      } else if (row.state === 'notified') {
        // Told, but it reports in as before: it restarted or lost the message. Tell it again, a few times.
        if (row.attempts >= MAX_RENOTIFY + live.campaign.strategy.retries) {
          this.#fail(live, row, 'failed', `kept reporting ${version} without starting the upgrade (told ${row.attempts} times)`, at);
        } else if (live.campaign.state === 'running') {
          this.#notify(live, row, at);
        }
      } else if (row.state === 'queued' && live.campaign.state === 'running' && row.wave <= live.campaign.wave && this.#capacity(live, at) > 0) {
        this.#notify(live, row, at);
      }
    }
    this.#settle();
    return { code: 200 };
  }

  #progress(message: ThingMessage): OtaVerdict {
    const report = progressReport(message.params);
    if (typeof report === 'string') return { code: 400, text: report };
    const { productKey, deviceName } = message;
    const at = this.#now();
    let row: UpgradeRow | undefined;
    if (report.module !== undefined) row = this.#store.activeUpgrade(productKey, deviceName, report.module);
    else {
      // No module named: the device's one upgrade under way, else `default`'s.
      const active = this.#store.activeUpgradesOf(productKey, deviceName).filter((r) => r.state !== 'queued');
      row = active.length === 1 ? active[0] : this.#store.activeUpgrade(productKey, deviceName, DEFAULT_MODULE);
    }
    const live = row && this.#live.get(row.campaign_id);
    if (!row || !live) return { code: 404, text: `no upgrade under way for module ${report.module ?? DEFAULT_MODULE}` };
    const desc = report.desc.slice(0, 200);
    if (report.step < 0) {
      const what = FAILURE_STEPS.get(report.step) ?? `failed with step ${report.step}`;
      // The device's words follow the step's meaning, unless they already start with it.
      const reason = !desc ? what : desc.toLowerCase().startsWith(what) ? desc : `${what}: ${desc}`;
      this.#fail(live, row, 'failed', reason, at, report.step);
    } else {
      const state: UpgradeState = report.step >= 100 || FLASHING_TEXT.test(desc) ? 'flashing' : 'downloading';
      const change: UpgradeChange = { state, step: report.step, percent: Math.max(row.state === state ? row.percent : 0, report.step), message: desc };
      if (row.state === 'queued') Object.assign(change, { notified_at: iso(at), attempts: row.attempts + 1 });
      this.#change(live, row, change, iso(at));
    }
    this.#settle();
    return { code: 200 };
  }

  #get(message: ThingMessage): OtaVerdict {
    const params = message.params as { module?: unknown };
    const module = typeof params.module === 'string' && params.module ? params.module : DEFAULT_MODULE;
    const row = this.#store.activeUpgrade(message.productKey, message.deviceName, module);
    const live = row && this.#live.get(row.campaign_id);
    if (!row || !live || live.campaign.state === 'cancelled') return { code: 200, data: {} };
    if (row.state === 'queued' && (live.campaign.state !== 'running' || row.wave > live.campaign.wave)) return { code: 200, data: {} };
    const at = this.#now();
    if (row.state === 'queued') {
      // Asking is not a way past the strategy: a queued device gets its upgrade when the rate and in-flight limit allow.
      if (this.#capacity(live, at) <= 0) return { code: 200, data: {} };
      if (live.campaign.strategy.ratePerMinute !== undefined) live.tokens--;
      this.#change(live, row, { state: 'notified', attempts: row.attempts + 1, notified_at: iso(at), message: 'asked for its upgrade' }, iso(at));
      this.#settle();
    }
    const push = this.#pushParams(live, row, at);
    return {
      code: 200,
      data: { size: push.size, version: push.version, url: push.url, sign: push.sign, signMethod: push.signMethod, md5: push.md5, module, extData: push.extData },
    };
  }

  // ── downloads ─────────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Whether a download token lets its bearer fetch this firmware now: the firmware and the upgrade under way, and a
   * free download slot of the campaign (`release` gives it back).
   */
  authorizeDownload(token: string, firmwareId: number): { firmware: Firmware; upgradeId: number; release(): void } | { status: number; message: string; retryAfter?: number } {
    const grant = this.#o.tokens.verify(token, this.#now());
    if ('refused' in grant) return { status: 403, message: grant.refused };
    if (grant.firmwareId !== firmwareId) return { status: 403, message: 'the token is for another firmware' };
    const row = this.#store.upgrade(grant.upgradeId);
    const live = row && this.#live.get(row.campaign_id);
    if (!row || !live || FINAL_UPGRADE_STATES.has(row.state) || row.state === 'queued') {
      return { status: 403, message: `this upgrade is ${row?.state ?? 'gone'}: the token no longer works` };
    }
    if (live.downloads >= live.campaign.strategy.maxConcurrentDownloads) {
      return { status: 503, message: `${live.downloads} devices are downloading this campaign's firmware; try again shortly`, retryAfter: 5 };
    }
    live.downloads++;
    let released = false;
    return {
      firmware: live.firmware, upgradeId: row.id,
      release: () => {
        if (!released) live.downloads--;
        released = true;
      },
    };
  }

  /** Bytes of the image the device holds now (the end of what was served): the upgrade's download percent. */
  downloaded(upgradeId: number, bytes: number): void {
    const row = this.#store.upgrade(upgradeId);
    const live = row && this.#live.get(row.campaign_id);
    if (!row || !live || (row.state !== 'notified' && row.state !== 'downloading')) return;
    const percent = Math.min(100, Math.floor((bytes / live.firmware.size) * 100));
    if (row.state === 'downloading' && percent < row.percent + 10 && percent < 100) return;
    this.#change(live, row, { state: 'downloading', percent, message: `downloaded ${bytes} of ${live.firmware.size} bytes` }, iso(this.#now()));
    this.#settle();
  }

  // ── the timer ─────────────────────────────────────────────────────────────────────────────────────────────────

  /** Moves every live campaign on; runs on the timer, and tests call it directly. */
  tick(): void {
    for (const live of [...this.#live.values()]) {
      try {
        this.#runCampaign(live);
      } catch (err) {
        this.#o.logger.error({ err, campaignId: live.campaign.id }, 'moving an OTA campaign on failed');
      }
    }
    this.#settle();
  }

  #runCampaign(live: LiveCampaign): void {
    const now = this.#now();
    const { campaign } = live;
    const { strategy } = campaign;
    if (campaign.state === 'scheduled' && strategy.startAt !== undefined && Date.parse(strategy.startAt) <= now) {
      campaign.startedAt ??= iso(now);
      live.refilledAt = now;
      this.#setState(live, 'running', '', 'started');
    }
    // Devices already upgrading time out whatever the campaign's state.
    const cutoff = iso(now - strategy.deviceTimeoutSeconds * 1000);
    for (const row of this.#store.silent(campaign.id, cutoff)) {
      this.#fail(live, row, 'timed_out', `no progress for ${strategy.deviceTimeoutSeconds} s (last: ${row.state}${row.message ? `, "${row.message}"` : ''})`, now);
    }
    if (campaign.state !== 'running') return;
    if (strategy.endAt !== undefined && Date.parse(strategy.endAt) <= now) {
      const at = iso(now);
      this.#store.transaction(() => {
        for (const row of this.#store.activeOfCampaign(campaign.id)) {
          if (row.state === 'queued') this.#change(live, row, { state: 'cancelled', reason: 'the campaign\'s window ended before the device was notified', finished_at: at }, at);
        }
      });
    }
    while (campaign.wave < strategy.waves.length - 1 && live.tally.waveDone(campaign.wave)) {
      campaign.wave++;
      this.#store.updateCampaign(campaign);
      this.#emit({ type: 'ota.campaign', campaign: this.campaign(campaign.id), change: 'wave' });
    }
    if (live.tally.allFinished()) {
      this.#finishCampaign(live, 'completed', strategy.endAt !== undefined && Date.parse(strategy.endAt) <= now ? 'the window ended' : 'every device finished');
      return;
    }
    this.#dispatch(live, now);
  }

  /** Notifies queued devices of the waves reached, as many as the rate and the in-flight limit allow. */
  #dispatch(live: LiveCampaign, now: number): void {
    let capacity = this.#capacity(live, now);
    if (capacity <= 0) return;
    const rows = this.#store.dispatchable(live.campaign.id, live.campaign.wave, Math.min(1000, capacity + 500));
    this.#store.transaction(() => {
      for (const row of rows) {
        if (capacity <= 0) break;
        if (!this.#o.hub.isOnline(row.product_key, row.device_name)) {
          // Notified when it connects (its version report, or the next tick after it is back).
          this.#store.setWaiting(row.id, true);
          row.waiting_device = 1;
          live.tally.setWaiting(row.wave, +1);
          continue;
        }
        if (this.#notify(live, row, now)) capacity--;
      }
    });
  }

  /** How many devices may be notified now: the in-flight limit and the rate's budget. */
  #capacity(live: LiveCampaign, now: number): number {
    const { strategy } = live.campaign;
    let capacity = strategy.maxInFlight - live.tally.inFlight();
    if (strategy.ratePerMinute !== undefined) {
      // Half a second's worth at most: more than a tick's refill (a late tick loses nothing), and a quiet spell does
      // not save up a burst.
      const burst = Math.max(1, strategy.ratePerMinute / 120);
      live.tokens = Math.min(burst, live.tokens + ((now - live.refilledAt) * strategy.ratePerMinute) / 60_000);
      live.refilledAt = now;
      capacity = Math.min(capacity, Math.floor(live.tokens));
    }
    return capacity;
  }

  /** Pushes the upgrade to the device; false (and it stays queued) when the device cannot take it now. */
  #notify(live: LiveCampaign, row: UpgradeRow, now: number): boolean {
    const params = this.#pushParams(live, row, now);
    const sent = this.#o.hub.push({ productKey: row.product_key, deviceName: row.device_name, kind: 'ota.upgrade', params });
    if (sent.code !== 202) return false;
    if (live.campaign.strategy.ratePerMinute !== undefined && row.state === 'queued') live.tokens--;
    this.#change(live, row, {
      state: 'notified', attempts: row.attempts + 1, notified_at: iso(now), step: null, percent: 0,
      message: row.attempts ? `told again (${row.attempts + 1})` : 'told to upgrade',
    }, iso(now));
    return true;
  }

  #pushParams(live: LiveCampaign, row: UpgradeRow, now: number): OtaPushParams {
    const { firmware, campaign } = live;
    const token = this.#o.tokens.issue({
      upgradeId: row.id, firmwareId: firmware.id, expiresAt: now + Math.min(MAX_TOKEN_MS, campaign.strategy.deviceTimeoutSeconds * 1000 * 2),
    });
    const signMethod = campaign.strategy.signMethod;
    return {
      module: firmware.module, version: firmware.version, versionCode: firmware.versionCode,
      url: `${this.#o.publicUrl()}/ota/firmware/${firmware.id}?token=${encodeURIComponent(token)}`, size: firmware.size,
      sign: signMethod === 'MD5' ? firmware.md5 : firmware.sha256, signMethod, md5: firmware.md5, extData: firmware.extData,
    };
  }

  // ── transitions ───────────────────────────────────────────────────────────────────────────────────────────────

  /** A device failed or went silent: queued again while it has retries left, else it ends so and the wave is checked. */
  #fail(live: LiveCampaign, row: UpgradeRow, state: 'failed' | 'timed_out', reason: string, now: number, step?: number): void {
    const at = iso(now);
    if (row.attempts <= live.campaign.strategy.retries) {
      this.#change(live, row, { state: 'queued', step: step ?? row.step, percent: 0, message: `retrying after: ${reason}`, reason: '' }, at);
      return;
    }
    this.#change(live, row, { state, step: step ?? row.step, reason, message: reason, finished_at: at }, at);
    const { campaign } = live;
    if (campaign.state !== 'running') return;
    const { failed, size } = live.tally.failures(row.wave);
    const threshold = campaign.strategy.failureThreshold;
    if (size > 0 && failed / size > threshold) {
      this.#setState(live, 'stopped',
        `failure ratio: ${failed} of ${size} devices in wave ${row.wave + 1} failed or timed out (${percentOf(failed / size)} %), above the ${percentOf(threshold)} % threshold`);
    }
  }

  /** Writes a device upgrade's change, moves the counts and announces it. */
  #change(live: LiveCampaign, row: UpgradeRow, change: UpgradeChange, at: string): void {
    const from = row.state;
    if (row.waiting_device && change.state !== undefined && change.state !== 'queued') {
      // Leaving the queue: it no longer waits for its device.
      change.waiting_device = 0;
      live.tally.setWaiting(row.wave, -1);
    }
    this.#store.updateUpgrade(row.id, change, at);
    Object.assign(row, change, { updated_at: at });
    if (change.state !== undefined && change.state !== from) live.tally.move(row.wave, from, change.state);
    this.#pending.push(upgradeOf(row));
  }

  /** Device events of the current turn, announced together by {@link settle} after the writes. */
  #pending: DeviceUpgrade[] = [];

  #settle(): void {
    if (this.#pending.length === 0) return;
    const events = this.#pending;
    this.#pending = [];
    for (const upgrade of events) this.#emit({ type: 'ota.device', upgrade });
  }

  #setState(live: LiveCampaign, state: Campaign['state'], reason: string, change: string = state): void {
    // The device changes that led here are announced first.
    this.#settle();
    const { campaign } = live;
    campaign.state = state;
    campaign.stateReason = reason;
    if (state === 'running') campaign.startedAt ??= iso(this.#now());
    this.#store.updateCampaign(campaign);
    this.#o.logger.info({ campaignId: campaign.id, state, reason }, 'OTA campaign changed');
    this.#emit({ type: 'ota.campaign', campaign: this.campaign(campaign.id), change });
  }

  #finishCampaign(live: LiveCampaign, state: 'completed' | 'cancelled', reason: string, deviceReason?: string): void {
    const now = this.#now();
    const at = iso(now);
    if (state === 'cancelled') {
      this.#store.transaction(() => {
        for (const row of this.#store.activeOfCampaign(live.campaign.id)) {
          const told = row.state !== 'queued';
          this.#change(live, row, { state: 'cancelled', reason: deviceReason ?? reason, finished_at: at }, at);
          if (told) {
            this.#o.hub.push({
              productKey: row.product_key, deviceName: row.device_name, kind: 'ota.cancel',
              params: { module: row.module, version: live.firmware.version, versionCode: live.firmware.versionCode },
            });
          }
        }
      });
      this.#settle();
    }
    live.campaign.finishedAt = at;
    this.#setState(live, state, reason);
    this.#live.delete(live.campaign.id);
  }

  #liveOrConflict(id: number, wanted: string): LiveCampaign {
    const live = this.#live.get(id);
    if (live) return live;
    const campaign = this.campaign(id);
    throw conflict('campaign_finished', `Campaign ${id} is ${campaign.state}; it cannot be ${wanted}.`);
  }

  #track(campaign: Campaign): void {
    const firmware = this.#store.firmware(campaign.firmwareId)!;
    const tally = new CampaignTally(campaign.strategy.waves.length);
    for (const r of this.#store.tallyRows(campaign.id)) {
      tally.add(r.wave, r.state, r.n);
      if (r.waiting && r.state === 'queued') tally.setWaiting(r.wave, r.n);
    }
    this.#live.set(campaign.id, { campaign, firmware, tally, tokens: 0, refilledAt: this.#now(), downloads: 0 });
  }

  #deviceOnline(productKey: string, deviceName: string): void {
    // Every connect comes here: without a campaign under way there is nothing to look up.
    if (this.#live.size === 0) return;
    const rows = this.#store.activeUpgradesOf(productKey, deviceName).filter((r) => r.state === 'queued' && r.waiting_device);
    if (rows.length === 0) return;
    this.#store.deviceBack(productKey, deviceName);
    for (const row of rows) this.#live.get(row.campaign_id)?.tally.setWaiting(row.wave, -1);
  }

  #deviceDeleted(productKey: string, deviceName: string): void {
    const at = iso(this.#now());
    this.#store.transaction(() => {
      for (const row of this.#store.activeUpgradesOf(productKey, deviceName)) {
        const live = this.#live.get(row.campaign_id);
        if (live) this.#change(live, row, { state: 'cancelled', reason: 'the device was deleted', finished_at: at }, at);
      }
      this.#store.forgetDevice(productKey, deviceName);
    });
    this.#settle();
  }

  /** Who of the target would be upgraded, in rollout order, and why each other device would not (by reason, with the first names). */
  #select(firmware: Firmware, target: CampaignTarget) {
    const candidates = this.#store.candidates(firmware.productKey, firmware.module, target);
    const selected: typeof candidates = [];
    const excluded = new Map<string, { count: number; examples: string[]; text: string }>();
    const exclude = (group: string, name: string, text = group) => {
      let entry = excluded.get(group);
      if (!entry) excluded.set(group, (entry = { count: 0, examples: [], text }));
      entry.count++;
      if (entry.examples.length < 5) entry.examples.push(name);
    };
    let targeted = candidates.length;
    if (target.type === 'devices') {
      const known = new Set(candidates.map((c) => c.deviceName));
      for (const name of new Set(target.deviceNames)) {
        if (!known.has(name)) {
          exclude(`is not a device of product ${firmware.productKey}`, name);
          targeted++;
        }
      }
    }
    for (const c of candidates) {
      if (c.version === null) exclude(`has not reported a version of module ${firmware.module}`, c.deviceName);
      else if (c.busyIn !== null) exclude(`is being upgraded by campaign ${c.busyIn}`, c.deviceName);
      else {
        const refusal = upgradeRefusal(c.version, firmware.version, firmware.constraint);
        if (refusal) exclude(refusal.group, c.deviceName, refusal.text);
        else selected.push(c);
      }
    }
    return { selected, excluded, targeted };
  }

  #emit(event: OtaEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        this.#o.logger.error({ err }, 'an OTA event listener failed');
      }
    }
  }
}

function checkStrategy(strategy: CampaignStrategy): void {
  const { waves } = strategy;
  for (let i = 1; i < waves.length; i++) if (waves[i]! <= waves[i - 1]!) throw badRequest('strategy.waves must rise: [1, 10, 100], not ' + JSON.stringify(waves));
  if (waves[waves.length - 1] !== 100) throw badRequest('strategy.waves must end with 100, so that every targeted device is reached.');
  if (strategy.startAt && strategy.endAt && Date.parse(strategy.endAt) <= Date.parse(strategy.startAt)) {
    throw badRequest('strategy.endAt must be after strategy.startAt.');
  }
}

function checkConstraint(c: VersionConstraint): void {
  if (c.minVersion && c.maxVersion && versionCode(c.minVersion)! > versionCode(c.maxVersion)!) {
    throw badRequest(`minVersion ${c.minVersion} is above maxVersion ${c.maxVersion}: no device could take this firmware.`);
  }
}

/** The module versions of a report: alink `{version, module?}`, things `[{key, version}]`; or what is wrong with it. */
function versionReports(params: unknown): { module: string; version: string; code: number }[] | string {
  const items = Array.isArray(params) ? params : [params];
  if (items.length === 0 || items.length > 32) return 'a version report names 1 to 32 modules';
  const reports: { module: string; version: string; code: number }[] = [];
  for (const item of items) {
    if (typeof item !== 'object' || item === null) return 'a version report is {"version":"1.2.3","module":"mcu"} or [{"key":"mcu","version":102003}]';
    const { module, key, version } = item as { module?: unknown; key?: unknown; version?: unknown };
    const name = module ?? key ?? DEFAULT_MODULE;
    if (!isModuleName(name)) return `module ${JSON.stringify(name)} is not a module name (letters, digits, _ . -)`;
    const parsed = parseReportedVersion(version);
    if (!parsed) return `version ${JSON.stringify(version)} of module ${name} is neither major.minor.patch nor its integer code`;
    reports.push({ module: name, ...parsed });
  }
  return reports;
}

/** A progress report: `{step, desc?, module?}` (alink) or `{key, step, desc}` (things); step as a number or string. */
function progressReport(params: unknown): { step: number; desc: string; module?: string } | string {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return 'a progress report is {"step":"45","desc":"…","module":"mcu"}';
  const { step, desc, module, key } = params as { step?: unknown; desc?: unknown; module?: unknown; key?: unknown };
  const n = typeof step === 'string' && /^-?\d{1,3}$/.test(step) ? Number(step) : step;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < -4 || n > 100) return `step ${JSON.stringify(step)} is not 0..100 or -1..-4`;
  const name = module ?? key;
  if (name !== undefined && !isModuleName(name)) return `module ${JSON.stringify(name)} is not a module name`;
  return { step: n, desc: typeof desc === 'string' ? desc : '', ...(name !== undefined ? { module: name as string } : {}) };
}
