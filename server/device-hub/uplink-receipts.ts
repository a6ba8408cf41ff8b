import type { Receipt } from '../../domain/devices/thing-message.ts';

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
