/**
 * What each recent uplink was answered, by its identity (device, message id), so that a repeat is answered with the
 * first verdict instead of being processed (stored) again: a device that resends after a lost reply, or an MQTT
 * QoS 1 publish sent again with DUP after a reconnect.
 *
 * Only final verdicts are kept: 2xx (taken) and 4xx (refused for good). A 5xx (no flow, timeout, storage failed) asks
 * the device to try again, so a repeat of it is processed like a new message.
 *
 * A message id alone is not trusted: devices that restart often count their ids from 1 again, and a new message under
 * a reused id must not be thrown away as a repeat. A receipt also holds a fingerprint of the payload's bytes; a repeat
 * is the same id with the same bytes (what a resend is).
 *
 * Memory is bounded: receipts older than the window are forgotten, and so is the oldest receipt whenever more than
 * `maxEntries` are kept (under heavy load the window is then shorter than configured; `stats().windowMs` says how long
 * it really is). The receipts survive a restart through the stores that write them (see `DeviceHub`), which hand them
 * back to {@link load}.
 */
export interface Receipt {
  productKey: string;
  deviceName: string;
  msgId: string;
  fingerprint: number;
  code: number;
  reason: string | null;
  /** ms since epoch, when the verdict was given. */
  at: number;
}

/** How long verdicts are remembered, and their stored receipts kept. */
export const RECEIPT_WINDOW_MS = 10 * 60_000;

export interface UplinkReceiptsOptions {
  /** How long a verdict is remembered; default (and at most) RECEIPT_WINDOW_MS, since stores keep receipts that long. */
  windowMs?: number;
  /** Receipts kept at most; default 100,000 (about 15 MB). */
  maxEntries?: number;
}

interface Kept {
  fingerprint: number;
  code: number;
  reason: string | null;
  at: number;
}

export const receiptKey = (productKey: string, deviceName: string, msgId: string) => `${productKey}/${deviceName}#${msgId}`;

export class UplinkReceipts {
  readonly windowMs: number;
  readonly #max: number;
  /** In insertion order, which is verdict order: the oldest is first. */
  readonly #kept = new Map<string, Kept>();

  constructor(options: UplinkReceiptsOptions = {}) {
    this.windowMs = Math.min(options.windowMs ?? RECEIPT_WINDOW_MS, RECEIPT_WINDOW_MS);
    this.#max = options.maxEntries ?? 100_000;
  }

  /** The final verdict a message with this identity and fingerprint got within the window, if any. */
  find(key: string, fingerprint: number, now: number): Kept | undefined {
    const kept = this.#kept.get(key);
    if (!kept || kept.fingerprint !== fingerprint || kept.at < now - this.windowMs) return undefined;
    return kept;
  }

  /** Remembers a verdict; ignored unless it is final (2xx or 4xx). */
  remember(key: string, fingerprint: number, code: number, reason: string | null, at: number): void {
    if (!isFinal(code)) return;
    this.#kept.delete(key); // re-inserted at the end: insertion order stays verdict order
    this.#kept.set(key, { fingerprint, code, reason, at });
    this.#prune(at);
  }

  /** Takes receipts read back from storage at start-up (any order). */
  load(receipts: Iterable<Receipt>, now: number): void {
    const sorted = [...receipts].filter((r) => isFinal(r.code) && r.at >= now - this.windowMs).sort((a, b) => a.at - b.at);
    for (const r of sorted) {
      const key = receiptKey(r.productKey, r.deviceName, r.msgId);
      this.#kept.delete(key);
      this.#kept.set(key, { fingerprint: r.fingerprint, code: r.code, reason: r.reason, at: r.at });
    }
    this.#prune(now);
  }

  /** Forgets a device's receipts (the device was deleted; a new one of the same name starts afresh). */
  forget(productKey: string, deviceName: string): void {
    const prefix = `${productKey}/${deviceName}#`;
    for (const key of this.#kept.keys()) if (key.startsWith(prefix)) this.#kept.delete(key);
  }

  stats(now: number): { receipts: number; windowMs: number } {
    const oldest = this.#kept.values().next().value as Kept | undefined;
    return { receipts: this.#kept.size, windowMs: oldest ? Math.min(this.windowMs, now - oldest.at) : this.windowMs };
  }

  #prune(now: number): void {
    const cutoff = now - this.windowMs;
    for (const [key, kept] of this.#kept) {
      if (kept.at >= cutoff && this.#kept.size <= this.#max) break;
      this.#kept.delete(key);
    }
  }
}

/** 2xx and 4xx are final; 5xx asks the device to try again. */
export const isFinal = (code: number) => code >= 200 && code < 500;

/** FNV-1a over the payload's bytes: cheap (no allocation), and enough to tell a resend from a reused id. */
export function fingerprintOf(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
