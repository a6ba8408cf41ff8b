/**
 * The values a dashboard's widgets show, coalesced (framework-free, tested in node): filed as the feed and the shadow
 * answer them, and the widgets told at most every {@link FLUSH_MS} that something changed.
 */
import { deviceKey, type LivePropertyValue } from '../live/device-feed-client.ts';

/** The most often widgets are told of new values. */
export const FLUSH_MS = 500;

export interface ValueAt {
  value: unknown;
  /** ms since the epoch. */
  time: number;
}

/** The values of the watched devices, and a version that changes at most every {@link FLUSH_MS}. */
export class DashboardLive {
  readonly #live = new Map<string, Readonly<Record<string, LivePropertyValue>>>();
  readonly #shadow = new Map<string, Record<string, ValueAt>>();
  readonly #listeners = new Set<() => void>();
  #version = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastFlush = 0;

  readonly subscribe = (listener: () => void) => {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  };

  readonly version = () => this.#version;

  /** The newest value of a property: pushed by the feed, or the shadow when that is newer. */
  value(productKey: string, deviceName: string, identifier: string): ValueAt | undefined {
    const key = deviceKey(productKey, deviceName);
    const live = this.#live.get(key)?.[identifier];
    const stored = this.#shadow.get(key)?.[identifier];
    if (!live) return stored;
    return stored && stored.time > live.time ? stored : live;
  }

  setLive(key: string, values: Readonly<Record<string, LivePropertyValue>>): void {
    if (this.#live.get(key) === values) return;
    this.#live.set(key, values);
    this.#schedule();
  }

  setShadow(key: string, values: Record<string, ValueAt>): void {
    this.#shadow.set(key, values);
    this.#schedule();
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#listeners.clear();
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    const wait = Math.max(0, this.#lastFlush + FLUSH_MS - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#lastFlush = Date.now();
      this.#version++;
      for (const listener of this.#listeners) listener();
    }, wait);
  }
}

