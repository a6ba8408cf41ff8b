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
  #flushing = false;

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
    this.#timer = setInterval(() => {
      // A flush still reading campaigns: the changes wait for the next one.
      if (this.#flushing) return;
      this.#flushing = true;
      void this.flush().finally(() => (this.#flushing = false));
    }, options.flushMs ?? 250);
    this.#timer.unref();
  }

  async flush(): Promise<void> {
    if (this.#campaignEvents.length === 0 && this.#devices.size === 0) return;
    // Taken now: changes made while the counts are read go out with the next flush.
    const events: OtaEvent[] = this.#campaignEvents;
    for (const upgrade of this.#devices.values()) events.push({ type: 'ota.device', upgrade });
    const progressed = [...this.#progressed];
    this.#campaignEvents = [];
    this.#devices.clear();
    this.#progressed.clear();
    for (const id of progressed) {
      try {
        events.push({ type: 'ota.campaign', campaign: await this.#o.ota.campaign(id), change: 'progress' });
      } catch {
        // Deleted meanwhile: nothing to show.
      }
    }
    this.#o.feed.broadcast({ type: 'ota', events });
  }

  close(): void {
    clearInterval(this.#timer);
    this.#unsubscribe();
  }
}
