import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { CommandResult, OtaPushParams, ThingMessage } from '../../domain/devices/thing-message.ts';
import {
  FINAL_UPGRADE_STATES, type Campaign, type CampaignPreview, type CampaignState, type CampaignStrategy, type CampaignTarget, type DeviceOta,
  type Firmware, type FirmwarePatch, type FirmwareUploadQuery, type NewCampaign, type OtaEvent, type UpgradeState,
} from '../../domain/ota/ota-schemas.ts';
import type { DeviceUpgradeRequest, OtaNodeService, OtaVerdict } from '../../domain/ota/ota-service.ts';
import { DEFAULT_MODULE, isModuleName, parseReportedVersion, upgradeRefusal, versionCode, type VersionConstraint } from '../../domain/ota/ota-version.ts';
import { ApiError, badRequest, conflict, notFound } from '../errors.ts';
import type { DeviceHub } from '../device-hub/device-hub.ts';
import type { DeviceChange, RegistryEvents } from '../registry-events.ts';
import { DEFAULT_STRATEGY, waveSizesOf } from '../../domain/ota/campaign-strategy.ts';
import type { DownloadTokens } from './download-tokens.ts';
import type { FirmwareFiles } from './firmware-files.ts';
import { LIVE_CAMPAIGN_STATES, upgradeOf, type CampaignRecord, type OtaStore, type UpgradeChange, type UpgradeRow } from './ota-store.ts';
import { isUniqueViolation } from '../db/sql.ts';

export interface OtaServiceOptions {
  store: OtaStore;
  files: FirmwareFiles;
  tokens: DownloadTokens;
  /**
   * The devices' connections: in a cluster, whether a device is online anywhere, and a push that reaches the node
   * holding it (app.ts builds that from the hub and RemoteCommands).
   */
  hub: Pick<DeviceHub, 'observe'> & {
    isOnline(productKey: string, deviceName: string): boolean | Promise<boolean>;
    push(command: Parameters<DeviceHub['push']>[0]): CommandResult | Promise<CommandResult>;
  };
  registryEvents: RegistryEvents;
  productExists(productKey: string): boolean;
  /** The platform's address as devices reach it (`--public-url`): firmware URLs start with it. */
  publicUrl(): string;
  audit(actor: string, action: string, target: string, details?: Record<string, unknown>): Promise<void>;
  logger: Logger;
  now?: () => number;
  /** How often campaigns move on where the dispatch runs: timeouts, waves, dispatch (ms, default 200). */
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
/** Tries of a device report whose upgrade another node or the campaign loop changed between its read and its write. */
const MAX_TRIES = 3;

/** A campaign not over yet, as read from the database, with its firmware. */
interface Live {
  campaign: CampaignRecord;
  firmware: Firmware;
}

/** A campaign's rate limit where the loop runs: devices that may be notified now (a token bucket, refilled at ratePerMinute). */
interface Budget {
  tokens: number;
  refilledAt: number;
  /** The campaign's state when last read here: a campaign that starts running (started, resumed) starts with an empty bucket. */
  seen: CampaignState;
}

/** The campaign loop, on the node that runs it: the cluster's leader, or a single node. */
interface Dispatch {
  timer: NodeJS.Timeout;
  budgets: Map<number, Budget>;
}

/** A campaign change to announce, with the campaign as it is when announced. */
interface CampaignChange {
  campaignId: number;
  change: string;
}

/**
 * What one operation does besides its writes, once they are done: stop a campaign failing past its threshold (checked
 * once per wave it failed devices in), push to devices (a push before its row is committed could send a device to
 * download with a token its upgrade does not honour yet), and announce its changes in the order they were made.
 */
class Turn {
  readonly announcements: (OtaEvent | CampaignChange)[] = [];
  readonly pushes: (() => Promise<void> | void)[] = [];
  readonly failedWaves = new Map<string, { live: Live; wave: number }>();

  /** A transaction's store while the operation writes in one. */
  constructor(public store: OtaStore) {}
}

const iso = (ms: number) => new Date(ms).toISOString();
/** A share as a percentage with one decimal at most: 0.5 → 50, 0.125 → 12.5. */
const percentOf = (share: number) => Math.round(share * 1000) / 10;

/**
 * Firmware, campaigns and device upgrades (docs/ota.md), kept in the registry's database: SQLite on a single node,
 * PostgreSQL shared by the nodes of a cluster. Devices' OTA messages come in through the ota node ({@link handle}) on
 * whichever node holds the device, and are written there. Campaigns move on in a loop ({@link tick}, started by
 * {@link startDispatch} where the singleton work runs): scheduled ones start, silent devices time out, waves
 * advance, queued devices are notified within the strategy's rate and in-flight limit, finished campaigns complete.
 *
 * The database is the only record: the loop reads campaigns and their counts at each tick and keeps nothing but rate
 * budgets, so a new leader carries on where the last one stopped, and a restart loses nothing (devices in the middle
 * of a download resume it with their token). A device upgrade is written only from the state it was read in, so a
 * report and the loop acting on it at once cannot undo each other: the second finds out and reads it again.
 */
export class OtaService implements OtaNodeService {
  readonly #o: OtaServiceOptions;
  readonly #store: OtaStore;
  readonly #now: () => number;
  readonly #listeners = new Set<(event: OtaEvent) => void>();
  /** Downloads this node serves now, by campaign; in a cluster, each node holds them to the campaign's limit. */
  readonly #downloads = new Map<number, number>();
  /** Each device's reports (and each download's progress) on this node, one after another, in the order they came. */
  readonly #queues = new Map<string, Promise<void>>();
  /** What events started here (a device connected, a device deleted) and is not done yet. */
  readonly #background = new Set<Promise<void>>();
  #dispatch: Dispatch | undefined;
  /** The last tick asked for: each starts when the one before it has ended. */
  #ticks: Promise<void> = Promise.resolve();
  #timerTicking = false;
  readonly #unobserve: () => void;
  readonly #onDeviceChanged = (e: DeviceChange) => {
    // Another node's deletion is recorded there.
    if (e.change === 'deleted' && e.origin === undefined) {
      this.#inBackground('cancelling a deleted device\'s upgrades', this.#deviceDeleted(e.productKey, e.deviceName));
    }
  };

  constructor(options: OtaServiceOptions) {
    this.#o = options;
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    this.#unobserve = options.hub.observe((m) => {
      if (m.kind === 'state' && (m.params as { status?: string }).status === 'online') {
        this.#inBackground('marking a connected device\'s queued upgrades', this.#store.deviceBack(m.productKey, m.deviceName));
      }
    });
    options.registryEvents.on('device.changed', this.#onDeviceChanged);
  }

  /**
   * Moves campaigns on here from now on, every `tickMs`: on a single node from its start, in a cluster on the leader
   * only (it is singleton work). Rate budgets start empty; everything else the loop reads at each tick.
   */
  startDispatch(): void {
    if (this.#dispatch) return;
    // Five times a second: a rate is spread over the second instead of sent in one burst per tick.
    const timer = setInterval(() => {
      // A tick still running when the next is due: the next is skipped rather than queued behind it.
      if (this.#timerTicking) return;
      this.#timerTicking = true;
      this.tick()
        .catch((err: unknown) => this.#o.logger.error({ err }, 'moving OTA campaigns on failed'))
        .finally(() => (this.#timerTicking = false));
    }, this.#o.tickMs ?? 200);
    timer.unref();
    this.#dispatch = { timer, budgets: new Map() };
  }

  /** Stops moving campaigns on here; resolves once the tick running now, if any, has ended. */
  async stopDispatch(): Promise<void> {
    const dispatch = this.#dispatch;
    if (!dispatch) return;
    clearInterval(dispatch.timer);
    this.#dispatch = undefined;
    await this.#ticks;
  }

  /** Stops the loop and waits for the device reports and events being recorded. */
  async close(): Promise<void> {
    await this.stopDispatch();
    this.#unobserve();
    this.#o.registryEvents.off('device.changed', this.#onDeviceChanged);
    await Promise.all([...this.#queues.values(), ...this.#background]);
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
    if (await this.#store.firmwareByVersion(productKey, module, version)) {
      body.resume();
      throw conflict('firmware_exists', `${productKey} already has version ${version} of module ${module}: upload it under a new version.`);
    }
    const image = await this.#o.files.receive(body);
    let id: number;
    try {
      id = await this.#store.insertFirmware({
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
    try {
      await this.#o.files.keep(image, id);
    } catch (err) {
      // Not kept for the other nodes of the cluster: no firmware record that only this node could serve.
      this.#o.files.remove(id);
      await this.#store.deleteFirmware(id);
      throw err;
    }
    await this.#o.audit(actor, 'firmware.upload', `firmware:${id}`, { productKey, module, version, size: image.size, sha256: image.sha256 });
    return this.firmware(id);
  }

  async firmware(id: number): Promise<Firmware> {
    const firmware = await this.#store.firmware(id);
    if (!firmware) throw notFound('Firmware', String(id));
    return firmware;
  }

  async listFirmware(filter: { productKey?: string; module?: string }, page: { limit: number; offset: number }) {
    return { ...(await this.#store.listFirmware(filter, page)), ...page };
  }

  async patchFirmware(id: number, patch: FirmwarePatch, actor: string): Promise<Firmware> {
    await this.firmware(id);
    if (patch.constraint) checkConstraint(patch.constraint);
    await this.#store.updateFirmware(id, patch);
    await this.#o.audit(actor, 'firmware.update', `firmware:${id}`, { fields: Object.keys(patch) });
    return this.firmware(id);
  }

  async deleteFirmware(id: number, actor: string): Promise<void> {
    const firmware = await this.firmware(id);
    const campaign = await this.#store.firmwareInUse(id);
    if (campaign !== undefined) throw conflict('firmware_in_use', `Campaign ${campaign} is rolling out this firmware: cancel it first.`);
    if (await this.#store.firmwareEverUsed(id)) {
      throw conflict('firmware_in_use', 'Campaigns in the history name this firmware; it is kept so that their records stay whole.');
    }
    await this.#store.deleteFirmware(id);
    this.#o.files.remove(id);
    await this.#o.audit(actor, 'firmware.delete', `firmware:${id}`, { productKey: firmware.productKey, module: firmware.module, version: firmware.version });
  }

  // ── campaigns ─────────────────────────────────────────────────────────────────────────────────────────────────

  async preview(firmwareId: number, target: CampaignTarget): Promise<CampaignPreview> {
    const firmware = await this.firmware(firmwareId);
    const { selected, excluded, targeted } = await this.#select(this.#store, firmware, target);
    const waveSizes = waveSizesOf(DEFAULT_STRATEGY.waves, selected.length);
    return {
      productKey: firmware.productKey, module: firmware.module, version: firmware.version, targeted, matched: selected.length, waveSizes,
      excluded: [...excluded].map(([reason, names]) => ({ reason, count: names.count, examples: names.examples })),
    };
  }

  async createCampaign(input: NewCampaign, actor: string): Promise<Campaign> {
    const firmware = await this.firmware(input.firmwareId);
    const strategy = { ...DEFAULT_STRATEGY, ...input.strategy };
    checkStrategy(strategy);
    const turn = new Turn(this.#store);
    const campaign = await this.#inTransaction(turn, async (store) => {
      // A device runs one upgrade of a module at a time: campaigns of a module choose their devices one after another.
      await store.lock(`ota-module:${firmware.productKey}/${firmware.module}`);
      const { selected, excluded } = await this.#select(store, firmware, input.target);
      if (selected.length === 0) {
        const why = [...excluded].map(([reason, n]) => `${n.count} ${reason}`).join('; ');
        throw new ApiError(409, 'no_devices', `No device would be upgraded${why ? `: ${why}` : ': the target names no device of the product'}.`);
      }
      const waveSizes = waveSizesOf(strategy.waves, selected.length);
      const now = this.#now();
      const scheduled = strategy.startAt !== undefined && Date.parse(strategy.startAt) > now;
      const id = await store.insertCampaign({
        name: input.name, productKey: firmware.productKey, module: firmware.module, firmwareId: firmware.id, target: input.target, strategy,
        state: scheduled ? 'scheduled' : 'running', createdAt: iso(now), createdBy: actor, startedAt: scheduled ? null : iso(now),
      }, selected.map((c, i) => ({ deviceName: c.deviceName, fromVersion: c.version!, wave: waveSizes.findIndex((size) => i < size) })));
      return (await store.campaign(id))!;
    });
    await this.#o.audit(actor, 'ota.campaign.create', `campaign:${campaign.id}`, {
      name: campaign.name, firmwareId: firmware.id, version: firmware.version, devices: campaign.total, waves: strategy.waves,
    });
    turn.announcements.push({ campaignId: campaign.id, change: campaign.state === 'scheduled' ? 'scheduled' : 'started' });
    await this.#end(turn);
    // Its first devices are notified now where the loop runs; elsewhere at the loop's next tick.
    await this.#afterTicks(() => this.#moveOn(campaign.id));
    return this.campaign(campaign.id);
  }

  async campaign(id: number): Promise<Campaign> {
    const campaign = await this.#store.campaign(id);
    if (!campaign) throw notFound('Campaign', String(id));
    return { ...campaign, counts: (await this.#store.counts([id])).get(id)! };
  }

  async listCampaigns(filter: { productKey?: string; state?: Campaign['state'] }, page: { limit: number; offset: number }) {
    const found = await this.#store.listCampaigns(filter, page);
    const counts = await this.#store.counts(found.items.map((c) => c.id));
    return { items: found.items.map((c) => ({ ...c, counts: counts.get(c.id)! })), total: found.total, ...page };
  }

  async campaignDevices(id: number, state: UpgradeState | undefined, page: { limit: number; offset: number }) {
    if (!(await this.#store.campaign(id))) throw notFound('Campaign', String(id));
    return { ...(await this.#store.listUpgrades(id, state, page)), ...page };
  }

  async pause(id: number, actor: string): Promise<Campaign> {
    const turn = new Turn(this.#store);
    const live = await this.#liveOrConflict(this.#store, id, 'paused');
    if (!(await this.#setState(turn, live, ['running', 'scheduled'], 'paused', `paused by ${actor}`))) {
      // Read again: it may have changed since the first read, on another node.
      const { state } = await this.campaign(id);
      throw conflict('campaign_not_running', `Campaign ${id} is ${state}; only a running or scheduled campaign pauses.`);
    }
    await this.#end(turn);
    await this.#o.audit(actor, 'ota.campaign.pause', `campaign:${id}`);
    return this.campaign(id);
  }

  async resume(id: number, options: { retryFailed?: boolean }, actor: string): Promise<Campaign> {
    const turn = new Turn(this.#store);
    let retried = 0;
    await this.#inTransaction(turn, async (store) => {
      const live = await this.#liveOrConflict(store, id, 'resumed');
      const notPaused = (state: CampaignState) => conflict('campaign_not_paused', `Campaign ${id} is ${state}; only a paused or stopped campaign resumes.`);
      if (live.campaign.state !== 'paused' && live.campaign.state !== 'stopped') throw notPaused(live.campaign.state);
      if (options.retryFailed) {
        const at = iso(this.#now());
        for (const row of await store.retryable(id, live.campaign.wave)) {
          const requeued = await this.#change(turn, row, {
            state: 'queued', attempts: 0, step: null, percent: 0, finished_at: null, reason: '', message: `queued again on resume (was ${row.state}: ${row.reason})`,
          }, at);
          if (requeued) retried++;
        }
      }
      const startAt = live.campaign.strategy.startAt;
      const scheduled = startAt !== undefined && Date.parse(startAt) > this.#now();
      if (!(await this.#setState(turn, live, ['paused', 'stopped'], scheduled ? 'scheduled' : 'running', '', 'resumed'))) {
        throw notPaused((await store.campaign(id))!.state);
      }
    });
    await this.#end(turn);
    await this.#o.audit(actor, 'ota.campaign.resume', `campaign:${id}`, { retryFailed: options.retryFailed ?? false, retried });
    await this.#afterTicks(() => this.#moveOn(id));
    return this.campaign(id);
  }

  async cancel(id: number, actor: string): Promise<Campaign> {
    const turn = new Turn(this.#store);
    await this.#inTransaction(turn, async (store) => {
      const live = await this.#liveOrConflict(store, id, 'cancelled');
      const told = await this.#cancelActive(turn, () => store.activeOfCampaign(id), `campaign cancelled by ${actor}`);
      if (!(await this.#setState(turn, live, [...LIVE_CAMPAIGN_STATES], 'cancelled', `cancelled by ${actor}`))) {
        throw conflict('campaign_finished', `Campaign ${id} is ${(await store.campaign(id))!.state}; it cannot be cancelled.`);
      }
      const { version, versionCode } = live.firmware;
      for (const row of told) {
        turn.pushes.push(async () => {
          await this.#o.hub.push({ productKey: row.product_key, deviceName: row.device_name, kind: 'ota.cancel', params: { module: row.module, version, versionCode } });
        });
      }
    });
    await this.#end(turn);
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
      for (const r of reports) await this.#store.setModuleVersion(productKey, deviceName, r.module, r.version, r.code, at);
    }
    let firmware: Firmware | undefined;
    if (request.firmwareId !== undefined) firmware = await this.firmware(request.firmwareId);
    else if (request.version !== undefined) firmware = await this.#store.firmwareByVersion(productKey, module, request.version);
    else firmware = await this.#store.newestFirmware(productKey, module);
    if (!firmware) {
      throw notFound('Firmware', request.version !== undefined ? `${productKey}/${module}@${request.version}` : `${productKey}/${module} (none uploaded)`);
    }
    if (firmware.productKey !== productKey) throw badRequest(`Firmware ${firmware.id} is for product ${firmware.productKey}, not ${productKey}.`);
    const { selected, excluded } = await this.#select(this.#store, firmware, { type: 'devices', deviceNames: [deviceName] });
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

  async deviceOta(productKey: string, deviceName: string): Promise<DeviceOta> {
    const [modules, upgrades] = await Promise.all([this.#store.modulesOf(productKey, deviceName), this.#store.historyOf(productKey, deviceName)]);
    return { modules, upgrades };
  }

  // ── device messages ───────────────────────────────────────────────────────────────────────────────────────────

  handle(message: ThingMessage): Promise<OtaVerdict> {
    return this.#serially(`device ${message.productKey}/${message.deviceName}`, async () => {
      try {
        switch (message.kind) {
          case 'ota.inform': return await this.#inform(message);
          case 'ota.progress': return await this.#progress(message);
          case 'ota.get': return await this.#get(message);
          default: return { code: 400, text: `the ota node takes ota.inform, ota.progress and ota.get messages, not ${message.kind}` };
        }
      } catch (err) {
        this.#o.logger.error({ err, productKey: message.productKey, deviceName: message.deviceName, kind: message.kind }, 'an OTA report failed');
        return { code: 500, text: 'the platform could not record this OTA report' };
      }
    });
  }

  async #inform(message: ThingMessage): Promise<OtaVerdict> {
    const reports = versionReports(message.params);
    if (typeof reports === 'string') return { code: 400, text: reports };
    const { productKey, deviceName } = message;
    const at = this.#now();
    const turn = new Turn(this.#store);
    try {
      for (const { module, version, code } of reports) {
        await this.#store.setModuleVersion(productKey, deviceName, module, version, code, iso(at));
        await tries('a version report', async () => {
          const row = await this.#store.activeUpgrade(productKey, deviceName, module);
          const live = row && (await this.#liveOf(this.#store, row.campaign_id));
          if (!row || !live) return true;
          const { campaign } = live;
          const target = versionCode(row.to_version)!;
          if (code === target) {
            return this.#change(turn, row, { state: 'succeeded', percent: 100, message: `reported ${version}`, finished_at: iso(at) }, iso(at));
          }
          if (code > target) {
            return this.#change(turn, row, { state: 'cancelled', reason: `now runs ${version}, newer than ${row.to_version}`, finished_at: iso(at) }, iso(at));
          }
          if (row.state === 'downloading' || row.state === 'flashing') {
            return this.#fail(turn, live, row, 'failed', `restarted with ${version} instead of ${row.to_version}`, at);
          }
          if (row.state === 'notified') {
            // Told, but it reports in as before: it restarted or lost the message. Tell it again, a few times.
            if (row.attempts >= MAX_RENOTIFY + campaign.strategy.retries) {
              return this.#fail(turn, live, row, 'failed', `kept reporting ${version} without starting the upgrade (told ${row.attempts} times)`, at);
            }
            return campaign.state !== 'running' || this.#notify(turn, live, row, at);
          }
          if (row.state === 'queued' && campaign.state === 'running' && row.wave <= campaign.wave && (await this.#capacity(live, at)) > 0) {
            return this.#notify(turn, live, row, at);
          }
          return true;
        });
      }
    } finally {
      await this.#end(turn);
    }
    return { code: 200 };
  }

  async #progress(message: ThingMessage): Promise<OtaVerdict> {
    const report = progressReport(message.params);
    if (typeof report === 'string') return { code: 400, text: report };
    const { productKey, deviceName } = message;
    const at = this.#now();
    const turn = new Turn(this.#store);
    let verdict: OtaVerdict = { code: 200 };
    try {
      await tries('a progress report', async () => {
        let row: UpgradeRow | undefined;
        if (report.module !== undefined) row = await this.#store.activeUpgrade(productKey, deviceName, report.module);
        else {
          // No module named: the device's one upgrade under way, else `default`'s.
          const active = (await this.#store.activeUpgradesOf(productKey, deviceName)).filter((r) => r.state !== 'queued');
          row = active.length === 1 ? active[0] : await this.#store.activeUpgrade(productKey, deviceName, DEFAULT_MODULE);
        }
        const live = row && (await this.#liveOf(this.#store, row.campaign_id));
        if (!row || !live) {
          verdict = { code: 404, text: `no upgrade under way for module ${report.module ?? DEFAULT_MODULE}` };
          return true;
        }
        verdict = { code: 200 };
        const desc = report.desc.slice(0, 200);
        if (report.step < 0) {
          const what = FAILURE_STEPS.get(report.step) ?? `failed with step ${report.step}`;
          // The device's words follow the step's meaning, unless they already start with it.
          const reason = !desc ? what : desc.toLowerCase().startsWith(what) ? desc : `${what}: ${desc}`;
          return this.#fail(turn, live, row, 'failed', reason, at, report.step);
        }
        const state: UpgradeState = report.step >= 100 || FLASHING_TEXT.test(desc) ? 'flashing' : 'downloading';
        const change: UpgradeChange = { state, step: report.step, percent: Math.max(row.state === state ? row.percent : 0, report.step), message: desc };
        if (row.state === 'queued') Object.assign(change, { notified_at: iso(at), attempts: row.attempts + 1 });
        return this.#change(turn, row, change, iso(at));
      });
    } finally {
      await this.#end(turn);
    }
    return verdict;
  }

  async #get(message: ThingMessage): Promise<OtaVerdict> {
    const params = message.params as { module?: unknown };
    const module = typeof params.module === 'string' && params.module ? params.module : DEFAULT_MODULE;
    const turn = new Turn(this.#store);
    let verdict: OtaVerdict = { code: 200, data: {} };
    try {
      await tries('a firmware request', async () => {
        verdict = { code: 200, data: {} };
        const row = await this.#store.activeUpgrade(message.productKey, message.deviceName, module);
        const live = row && (await this.#liveOf(this.#store, row.campaign_id));
        if (!row || !live) return true;
        const { campaign } = live;
        if (row.state === 'queued' && (campaign.state !== 'running' || row.wave > campaign.wave)) return true;
        const at = this.#now();
        if (row.state === 'queued') {
          // Asking is not a way past the strategy: a queued device gets its upgrade when the rate and in-flight limit allow.
          if ((await this.#capacity(live, at)) <= 0) return true;
          const asked = await this.#change(turn, row, { state: 'notified', attempts: row.attempts + 1, notified_at: iso(at), message: 'asked for its upgrade' }, iso(at));
          if (!asked) return false;
          this.#spendToken(live);
        }
        const push = this.#pushParams(live, row, at);
        verdict = {
          code: 200,
          data: { size: push.size, version: push.version, url: push.url, sign: push.sign, signMethod: push.signMethod, md5: push.md5, module, extData: push.extData },
        };
        return true;
      });
    } finally {
      await this.#end(turn);
    }
    return verdict;
  }

  // ── downloads ─────────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Whether a download token lets its bearer fetch this firmware now: the firmware and the upgrade under way, and a
   * free download slot of the campaign on this node (`release` gives it back).
   */
  async authorizeDownload(token: string, firmwareId: number): Promise<{ firmware: Firmware; upgradeId: number; release(): void } | { status: number; message: string; retryAfter?: number }> {
    const grant = this.#o.tokens.verify(token, this.#now());
    if ('refused' in grant) return { status: 403, message: grant.refused };
    if (grant.firmwareId !== firmwareId) return { status: 403, message: 'the token is for another firmware' };
    const row = await this.#store.upgrade(grant.upgradeId);
    const live = row && (await this.#liveOf(this.#store, row.campaign_id));
    if (!row || !live || FINAL_UPGRADE_STATES.has(row.state) || row.state === 'queued') {
      return { status: 403, message: `this upgrade is ${row?.state ?? 'gone'}: the token no longer works` };
    }
    const campaignId = live.campaign.id;
    const downloads = this.#downloads.get(campaignId) ?? 0;
    if (downloads >= live.campaign.strategy.maxConcurrentDownloads) {
      return { status: 503, message: `${downloads} devices are downloading this campaign's firmware; try again shortly`, retryAfter: 5 };
    }
    this.#downloads.set(campaignId, downloads + 1);
    let released = false;
    return {
      firmware: live.firmware, upgradeId: row.id,
      release: () => {
        if (released) return;
        released = true;
        const left = (this.#downloads.get(campaignId) ?? 1) - 1;
        if (left > 0) this.#downloads.set(campaignId, left);
        else this.#downloads.delete(campaignId);
      },
    };
  }

  /** Bytes of the image the device holds now (the end of what was served): the upgrade's download percent. */
  downloaded(upgradeId: number, bytes: number): Promise<void> {
    return this.#serially(`upgrade ${upgradeId}`, async () => {
      const turn = new Turn(this.#store);
      try {
        await tries('a download\'s progress', async () => {
          const row = await this.#store.upgrade(upgradeId);
          const live = row && (await this.#liveOf(this.#store, row.campaign_id));
          if (!row || !live || (row.state !== 'notified' && row.state !== 'downloading')) return true;
          const { size } = live.firmware;
          const percent = Math.min(100, Math.floor((bytes / size) * 100));
          if (row.state === 'downloading' && percent < row.percent + 10 && percent < 100) return true;
          return this.#change(turn, row, { state: 'downloading', percent, message: `downloaded ${bytes} of ${size} bytes` }, iso(this.#now()));
        });
      } finally {
        await this.#end(turn);
      }
    });
  }

  // ── the loop ──────────────────────────────────────────────────────────────────────────────────────────────────

  /** Moves every live campaign on, once the tick before has ended; nothing where the loop does not run. Tests call it directly. */
  tick(): Promise<void> {
    return this.#afterTicks(() => this.#moveOn());
  }

  #afterTicks(work: () => Promise<void>): Promise<void> {
    const run = this.#ticks.then(work);
    this.#ticks = run.catch(() => undefined);
    return run;
  }

  /** Moves the live campaigns on (or the one with `id`), reading each as it is now. */
  async #moveOn(id?: number): Promise<void> {
    const dispatch = this.#dispatch;
    if (!dispatch) return;
    const campaigns = await this.#store.liveCampaigns(id);
    if (id === undefined) {
      const live = new Set(campaigns.map((c) => c.id));
      for (const campaignId of dispatch.budgets.keys()) if (!live.has(campaignId)) dispatch.budgets.delete(campaignId);
    }
    for (const campaign of campaigns) {
      // This node stopped leading: the rest is the next leader's.
      if (this.#dispatch !== dispatch) return;
      const turn = new Turn(this.#store);
      try {
        const firmware = (await this.#store.firmware(campaign.firmwareId))!;
        await this.#runCampaign(turn, { campaign, firmware }, this.#now());
      } catch (err) {
        this.#o.logger.error({ err, campaignId: campaign.id }, 'moving an OTA campaign on failed');
      }
      // What was written is pushed and announced, also when a later step failed.
      await this.#end(turn);
    }
  }

  async #runCampaign(turn: Turn, live: Live, now: number): Promise<void> {
    const { campaign } = live;
    const { strategy } = campaign;
    if (campaign.state === 'scheduled' && strategy.startAt !== undefined && Date.parse(strategy.startAt) <= now) {
      await this.#setState(turn, live, ['scheduled'], 'running', '', 'started');
    }
    // Devices already upgrading time out whatever the campaign's state; one that reported meanwhile is left alone.
    const cutoff = iso(now - strategy.deviceTimeoutSeconds * 1000);
    for (const row of await turn.store.silent(campaign.id, cutoff)) {
      await this.#fail(turn, live, row, 'timed_out', `no progress for ${strategy.deviceTimeoutSeconds} s (last: ${row.state}${row.message ? `, "${row.message}"` : ''})`, now);
    }
    await this.#stopFailing(turn);
    if (campaign.state !== 'running') return;
    const windowEnded = strategy.endAt !== undefined && Date.parse(strategy.endAt) <= now;
    if (windowEnded) {
      const at = iso(now);
      for (const row of await turn.store.activeOfCampaign(campaign.id)) {
        if (row.state === 'queued') await this.#change(turn, row, { state: 'cancelled', reason: 'the campaign\'s window ended before the device was notified', finished_at: at }, at);
      }
    }
    while (campaign.wave < strategy.waves.length - 1 && (await turn.store.waveDone(campaign.id, campaign.wave))) {
      if (!(await turn.store.advanceWave(campaign.id, campaign.wave))) return;
      campaign.wave++;
      turn.announcements.push({ campaignId: campaign.id, change: 'wave' });
    }
    // Completes once every device finished (the store checks).
    if (await this.#setState(turn, live, ['running'], 'completed', windowEnded ? 'the window ended' : 'every device finished')) return;
    await this.#notifyQueued(turn, live, now);
  }

  /** Notifies queued devices of the waves reached, as many as the rate and the in-flight limit allow. */
  async #notifyQueued(turn: Turn, live: Live, now: number): Promise<void> {
    let capacity = await this.#capacity(live, now);
    if (capacity <= 0) return;
    const rows = await turn.store.dispatchable(live.campaign.id, live.campaign.wave, Math.min(1000, capacity + 500));
    for (const row of rows) {
      if (capacity <= 0) break;
      if (!(await this.#o.hub.isOnline(row.product_key, row.device_name))) {
        // Notified when it connects (its version report, or the next tick after it is back).
        await turn.store.setWaiting(row.id);
        continue;
      }
      if (await this.#notify(turn, live, row, now)) capacity--;
    }
  }

  /**
   * How many queued devices may be notified now: the in-flight limit and the rate's budget. None where the loop does
   * not run: queued devices are handed out by the node that holds the budgets.
   */
  async #capacity(live: Live, now: number): Promise<number> {
    const budget = this.#budgetOf(live.campaign);
    if (!budget) return 0;
    const { strategy } = live.campaign;
    let capacity = strategy.maxInFlight - (await this.#store.inFlight(live.campaign.id));
    if (strategy.ratePerMinute !== undefined) {
      // Half a second's worth at most: more than a tick's refill (a late tick loses nothing), and a quiet spell does
      // not save up a burst.
      const burst = Math.max(1, strategy.ratePerMinute / 120);
      budget.tokens = Math.min(burst, budget.tokens + (Math.max(0, now - budget.refilledAt) * strategy.ratePerMinute) / 60_000);
      budget.refilledAt = Math.max(budget.refilledAt, now);
      capacity = Math.min(capacity, Math.floor(budget.tokens));
    }
    return capacity;
  }

  /** The campaign's rate budget where the loop runs (made on first use), following its state; undefined elsewhere. */
  #budgetOf(campaign: CampaignRecord): Budget | undefined {
    const budgets = this.#dispatch?.budgets;
    if (!budgets) return undefined;
    const budget = budgets.get(campaign.id);
    if (!budget) {
      const fresh = { tokens: 0, refilledAt: this.#now(), seen: campaign.state };
      budgets.set(campaign.id, fresh);
      return fresh;
    }
    follow(budget, campaign.state, this.#now());
    return budget;
  }

  /** A queued device was handed its upgrade: one token of a rated campaign's budget. */
  #spendToken(live: Live, n = 1): void {
    const budget = this.#budgetOf(live.campaign);
    if (budget && live.campaign.strategy.ratePerMinute !== undefined) budget.tokens -= n;
  }

  /**
   * Marks the upgrade notified and pushes it to the device once that is written; false when the upgrade changed, or
   * its campaign stopped running, meanwhile. A push the device cannot take after all puts the upgrade back as it was.
   */
  async #notify(turn: Turn, live: Live, row: UpgradeRow, now: number): Promise<boolean> {
    const before = { ...row };
    const at = iso(now);
    const told = await this.#change(turn, row, {
      state: 'notified', attempts: row.attempts + 1, notified_at: at, step: null, percent: 0,
      message: row.attempts ? `told again (${row.attempts + 1})` : 'told to upgrade',
    }, at);
    if (!told) return false;
    if (before.state === 'queued') this.#spendToken(live);
    const params = this.#pushParams(live, row, now);
    turn.pushes.push(async () => {
      const sent = await this.#o.hub.push({ productKey: row.product_key, deviceName: row.device_name, kind: 'ota.upgrade', params });
      if (sent.code === 202) return;
      // Not taken (its connection is being taken over, say): as it was, without using up an attempt.
      if (before.state === 'queued') this.#spendToken(live, -1);
      const { state, attempts, notified_at, step, percent, message } = before;
      await this.#change(turn, row, { state, attempts, notified_at, step, percent, message }, iso(this.#now()));
    });
    return true;
  }

  #pushParams(live: Live, row: UpgradeRow, now: number): OtaPushParams {
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

  /**
   * A device failed or went silent: queued again while it has retries left, else it ends so (and its wave's failure
   * ratio is checked at the end of the turn). False when the upgrade changed meanwhile.
   */
  async #fail(turn: Turn, live: Live, row: UpgradeRow, state: 'failed' | 'timed_out', reason: string, now: number, step?: number): Promise<boolean> {
    const at = iso(now);
    if (row.attempts <= live.campaign.strategy.retries) {
      return this.#change(turn, row, { state: 'queued', step: step ?? row.step, percent: 0, message: `retrying after: ${reason}`, reason: '' }, at);
    }
    if (!(await this.#change(turn, row, { state, step: step ?? row.step, reason, message: reason, finished_at: at }, at))) return false;
    turn.failedWaves.set(`${row.campaign_id}/${row.wave}`, { live, wave: row.wave });
    return true;
  }

  /** Stops each running campaign of the turn's failures whose wave failed past the campaign's threshold. */
  async #stopFailing(turn: Turn): Promise<void> {
    const waves = [...turn.failedWaves.values()];
    turn.failedWaves.clear();
    for (const { live, wave } of waves) {
      const { campaign } = live;
      if (campaign.state !== 'running') continue;
      const { failed, size } = await turn.store.failures(campaign.id, wave);
      const threshold = campaign.strategy.failureThreshold;
      if (size > 0 && failed / size > threshold) {
        await this.#setState(turn, live, ['running'], 'stopped',
          `failure ratio: ${failed} of ${size} devices in wave ${wave + 1} failed or timed out (${percentOf(failed / size)} %), above the ${percentOf(threshold)} % threshold`);
      }
    }
  }

  /** Writes a device upgrade's change if it is still as read (false: another node or message changed it first), to be announced. */
  async #change(turn: Turn, row: UpgradeRow, change: UpgradeChange, at: string): Promise<boolean> {
    // Leaving the queue: it no longer waits for its device.
    if (row.waiting_device && change.state !== undefined && change.state !== 'queued') change.waiting_device = 0;
    if (!(await turn.store.updateUpgrade(row, change, at))) return false;
    Object.assign(row, change, { updated_at: at });
    turn.announcements.push({ type: 'ota.device', upgrade: upgradeOf(row) });
    return true;
  }

  /**
   * Cancels every upgrade `active` reads, reading again until none is left (one that another node or message changed
   * meanwhile is cancelled as it then is). The upgrades that had been told to upgrade, for a push that stops them.
   */
  async #cancelActive(turn: Turn, active: () => Promise<UpgradeRow[]>, reason: string): Promise<UpgradeRow[]> {
    const at = iso(this.#now());
    const told: UpgradeRow[] = [];
    for (let read = 1; ; read++) {
      const rows = await active();
      if (rows.length === 0) return told;
      if (read > MAX_TRIES) throw new Error(`${rows.length} device upgrades kept changing while they were being cancelled`);
      for (const row of rows) {
        const wasTold = row.state !== 'queued';
        if ((await this.#change(turn, row, { state: 'cancelled', reason, finished_at: at }, at)) && wasTold) told.push(row);
      }
    }
  }

  /** Moves the campaign to `state` if it is still in one of `from` (false: it was changed first, on another node), to be announced. */
  async #setState(turn: Turn, live: Live, from: readonly CampaignState[], state: CampaignState, reason: string, change: string = state): Promise<boolean> {
    const now = this.#now();
    const at = iso(now);
    if (!(await turn.store.setCampaignState(live.campaign.id, from, { state, reason, at }))) return false;
    const { campaign } = live;
    campaign.state = state;
    campaign.stateReason = reason;
    if (state === 'running') campaign.startedAt ??= at;
    if (state === 'completed' || state === 'cancelled') campaign.finishedAt = at;
    const budget = this.#dispatch?.budgets.get(campaign.id);
    if (budget) follow(budget, state, now);
    this.#o.logger.info({ campaignId: campaign.id, state, reason }, 'OTA campaign changed');
    turn.announcements.push({ campaignId: campaign.id, change });
    return true;
  }

  /** Ends a turn: stops campaigns that failed past their threshold, sends its pushes, then announces its changes. */
  async #end(turn: Turn): Promise<void> {
    turn.store = this.#store;
    try {
      await this.#stopFailing(turn);
      for (const push of turn.pushes.splice(0)) await push();
    } catch (err) {
      // The changes are written; announcing them is all that is left to do.
      this.#o.logger.error({ err }, 'stopping a failing OTA campaign or pushing to its devices failed');
    }
    for (const announcement of turn.announcements.splice(0)) {
      if ('type' in announcement) {
        this.#emit(announcement);
        continue;
      }
      try {
        this.#emit({ type: 'ota.campaign', campaign: await this.campaign(announcement.campaignId), change: announcement.change });
      } catch (err) {
        this.#o.logger.error({ err, campaignId: announcement.campaignId }, 'reading an OTA campaign to announce its change failed');
      }
    }
  }

  /** Runs `work` in one transaction, the turn writing through it meanwhile. */
  async #inTransaction<T>(turn: Turn, work: (store: OtaStore) => Promise<T>): Promise<T> {
    try {
      return await this.#store.transaction((store) => {
        turn.store = store;
        return work(store);
      });
    } finally {
      turn.store = this.#store;
    }
  }

  /** The campaign if it is not over, with its firmware. */
  async #liveOf(store: OtaStore, campaignId: number): Promise<Live | undefined> {
    const campaign = await store.campaign(campaignId);
    if (!campaign || !LIVE_CAMPAIGN_STATES.has(campaign.state)) return undefined;
    return { campaign, firmware: (await store.firmware(campaign.firmwareId))! };
  }

  async #liveOrConflict(store: OtaStore, id: number, wanted: string): Promise<Live> {
    const live = await this.#liveOf(store, id);
    if (live) return live;
    const campaign = await store.campaign(id);
    if (!campaign) throw notFound('Campaign', String(id));
    throw conflict('campaign_finished', `Campaign ${id} is ${campaign.state}; it cannot be ${wanted}.`);
  }

  async #deviceDeleted(productKey: string, deviceName: string): Promise<void> {
    const turn = new Turn(this.#store);
    await this.#inTransaction(turn, async (store) => {
      await this.#cancelActive(turn, () => store.activeUpgradesOf(productKey, deviceName), 'the device was deleted');
      await store.forgetDevice(productKey, deviceName);
    });
    await this.#end(turn);
  }

  /** Runs `work` after what was queued under `key` on this node before it. */
  #serially<T>(key: string, work: () => Promise<T>): Promise<T> {
    const run = (this.#queues.get(key) ?? Promise.resolve()).then(work);
    const queued = run.then(() => undefined, () => undefined);
    this.#queues.set(key, queued);
    void queued.then(() => {
      if (this.#queues.get(key) === queued) this.#queues.delete(key);
    });
    return run;
  }

  #inBackground(what: string, work: Promise<unknown>): void {
    const done = work.then(() => undefined, (err: unknown) => this.#o.logger.error({ err }, `${what} failed`));
    this.#background.add(done);
    void done.then(() => this.#background.delete(done));
  }

  /** Who of the target would be upgraded, in rollout order, and why each other device would not (by reason, with the first names). */
  async #select(store: OtaStore, firmware: Firmware, target: CampaignTarget) {
    const candidates = await store.candidates(firmware.productKey, firmware.module, target);
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

/** A budget follows its campaign's state: a campaign that starts running (started, resumed) starts with an empty bucket. */
function follow(budget: Budget, state: CampaignState, now: number): void {
  if (state === 'running' && budget.seen !== 'running') {
    budget.tokens = 0;
    budget.refilledAt = now;
  }
  budget.seen = state;
}

/**
 * Runs `attempt` until it has its way: it answers false when the upgrade it read changed before its write (another
 * node's loop or report came first), and then reads it again. Gives up after {@link MAX_TRIES}.
 */
async function tries(what: string, attempt: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < MAX_TRIES; i++) if (await attempt()) return;
  throw new Error(`${what} was not recorded: its device upgrade kept changing meanwhile`);
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
