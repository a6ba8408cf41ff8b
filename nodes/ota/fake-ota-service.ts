/**
 * A small OtaNodeService for the ota nodes' tests: it records what the nodes ask, answers with verdicts and refusals
 * a test sets, and announces the changes a test makes. Not the server's OTA service: no versions, no campaigns.
 */
import type { ThingMessage } from '../../domain/devices/thing-message.ts';
import type { Campaign, DeviceUpgrade, OtaEvent } from '../../domain/ota/ota-schemas.ts';
import type { DeviceUpgradeRequest, OtaNodeService, OtaVerdict } from '../../domain/ota/ota-service.ts';

export class FakeOtaService implements OtaNodeService {
  /** Every uplink handed to {@link handle}, in order. */
  readonly handled: ThingMessage[] = [];
  /** Every upgrade asked for, with who asked. */
  readonly upgrades: { request: DeviceUpgradeRequest; actor: string }[] = [];
  /** The verdict of an uplink; default 200 (with `{}` for `ota.get`). */
  verdictOf: (message: ThingMessage) => OtaVerdict = (message) => (message.kind === 'ota.get' ? { code: 200, data: {} } : { code: 200 });
  /** Why an upgrade is refused (thrown as the message of an error with code `not_upgradable`); undefined: it starts. */
  refusalOf: (request: DeviceUpgradeRequest) => string | undefined = () => undefined;
  readonly #listeners = new Set<(event: OtaEvent) => void>();
  #nextCampaignId = 1;

  async handle(message: ThingMessage): Promise<OtaVerdict> {
    this.handled.push(message);
    return this.verdictOf(message);
  }

  async upgradeDevice(request: DeviceUpgradeRequest, actor: string): Promise<Campaign> {
    this.upgrades.push({ request, actor });
    const refusal = this.refusalOf(request);
    // With a code, as the server's service refuses (an ApiError).
    if (refusal !== undefined) throw Object.assign(new Error(refusal), { code: 'not_upgradable' });
    return campaign({
      id: this.#nextCampaignId++,
      name: `${request.productKey}/${request.deviceName} to ${request.version ?? '2.0.0'}`,
      productKey: request.productKey,
      module: request.module ?? 'default',
      version: request.version ?? '2.0.0',
      target: { type: 'devices', deviceNames: [request.deviceName] },
      total: 1,
      createdBy: actor,
    });
  }

  subscribe(listener: (event: OtaEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Listeners subscribed now. */
  get listenerCount(): number {
    return this.#listeners.size;
  }

  /** Announces a change to every listener, as the service does. */
  emit(event: OtaEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}

const AT = '2026-12-05T10:00:00.000Z';

/** A device upgrade: `lamps/porch` from 1.0.0 to 2.0.0 of module `default`, notified; override what a test needs. */
export function deviceUpgrade(fields: Partial<DeviceUpgrade> = {}): DeviceUpgrade {
  return {
    id: 1, campaignId: 1, productKey: 'lamps', deviceName: 'porch', module: 'default', fromVersion: '1.0.0', toVersion: '2.0.0',
    wave: 0, state: 'notified', step: null, percent: 0, message: '', reason: '', attempts: 1,
    queuedAt: AT, notifiedAt: AT, updatedAt: AT, finishedAt: null, ...fields,
  };
}

/** A running campaign of `lamps` to 2.0.0; override what a test needs. */
export function campaign(fields: Partial<Campaign> = {}): Campaign {
  return {
    id: 1, name: 'lamps 2.0.0', productKey: 'lamps', module: 'default', firmwareId: 7, version: '2.0.0',
    target: { type: 'all' },
    strategy: { waves: [100], maxInFlight: 100, maxConcurrentDownloads: 50, deviceTimeoutSeconds: 1800, retries: 0, failureThreshold: 0.2, signMethod: 'SHA256' },
    state: 'running', stateReason: '', wave: 0, waveSizes: [10], total: 10,
    counts: { queued: 10, notified: 0, downloading: 0, flashing: 0, succeeded: 0, failed: 0, cancelled: 0, timed_out: 0 },
    createdAt: AT, createdBy: 'alice', startedAt: AT, finishedAt: null, ...fields,
  };
}

/** A device upgrade change. */
export const deviceEvent = (fields: Partial<DeviceUpgrade> = {}): OtaEvent => ({ type: 'ota.device', upgrade: deviceUpgrade(fields) });

/** A campaign change. */
export const campaignEvent = (change: string, fields: Partial<Campaign> = {}): OtaEvent => ({ type: 'ota.campaign', campaign: campaign(fields), change });
