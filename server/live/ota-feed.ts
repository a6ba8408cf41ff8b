import type { DeviceUpgrade, OtaEvent } from '../../domain/ota/ota-schemas.ts';
import type { OtaService } from '../ota/ota-service.ts';
import type { DeviceFeed } from './device-feed.ts';

export interface OtaFeedOptions {
  ota: Pick<OtaService, 'subscribe' | 'campaign'>;
  feed: Pick<DeviceFeed, 'broadcast' | 'watched'>;
  flushMs?: number;
  /** Device changes pushed per flush (the newest of each device); the campaign counts carry the rest. */
  maxDevicesPerFlush?: number;
}

/**
 * OTA on the live device feed (docs/ota.md "API"): `{"type":"ota","events":[…]}` every `flushMs` while something
 * changed and someone watches. Campaign changes go as they happened; device changes are coalesced to each upgrade's
 * newest state, and every campaign with device changes gets a `progress` event with its counts, so a page of 10,000
 * devices stays current without a message per device step.
 */
export class OtaFeed {
  readonly #o: OtaFeedOptions;
  readonly #devices = new Map<number, DeviceUpgrade>();
  #campaignEvents: OtaEvent[] = [];
  readonly #progressed = new Set<number>();
  readonly #unsubscribe: () => void;
  readonly #timer: NodeJS.Timeout;

  constructor(options: OtaFeedOptions) {
    this.#o = options;
    const max = options.maxDevicesPerFlush ?? 500;
    this.#unsubscribe = options.ota.subscribe((event) => {
      if (!options.feed.watched) return;
      if (event.type === 'ota.campaign') {
        this.#campaignEvents.push(event);
        return;
      }
      const { upgrade } = event;
      this.#progressed.add(upgrade.campaignId);
      this.#devices.delete(upgrade.id);
      this.#devices.set(upgrade.id, upgrade);
      // The oldest change goes first; its campaign's counts still show it.
      if (this.#devices.size > max) this.#devices.delete(this.#devices.keys().next().value!);
    });
    this.#timer = setInterval(() => this.flush(), options.flushMs ?? 250);
    this.#timer.unref();
  }

  flush(): void {
    if (this.#campaignEvents.length === 0 && this.#devices.size === 0) return;
    const events: OtaEvent[] = this.#campaignEvents;
    for (const upgrade of this.#devices.values()) events.push({ type: 'ota.device', upgrade });
    for (const id of this.#progressed) {
      try {
        events.push({ type: 'ota.campaign', campaign: this.#o.ota.campaign(id), change: 'progress' });
      } catch {
        // Deleted meanwhile: nothing to show.
      }
    }
    this.#campaignEvents = [];
    this.#devices.clear();
    this.#progressed.clear();
    this.#o.feed.broadcast({ type: 'ota', events });
  }

  close(): void {
    clearInterval(this.#timer);
    this.#unsubscribe();
  }
}
