import type { Statement } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Db } from '../db/database.ts';
import { RECEIPT_WINDOW_MS } from './uplink-receipts.ts';
import type { Receipt } from '../../domain/devices/thing-message.ts';

/** Payloads are kept for debugging, not as telemetry: the first 4 KB say what the device sent. */
export const MAX_LOGGED_PAYLOAD_BYTES = 4096;

/** A row of the device message log, as the API shows it. */
export interface MessageLogItem {
  id: number;
  at: string;
  direction: 'up' | 'down';
  kind: string | null;
  /** Event or service identifier, when the message has one. */
  identifier: string | null;
  topic: string | null;
  msgId: string | null;
  /** The reply code the device got (up), the code of the device's own reply, or the command's result (down). */
  code: number | null;
  reason: string | null;
  /** JSON of the params, cut to 4 KB (then no longer valid JSON: see `payloadTruncated`). */
  payload: string | null;
  payloadTruncated: boolean;
}

/** A row of the connection history, as the API shows it. */
export interface ConnectionLogItem {
  id: number;
  at: string;
  event: 'connected' | 'disconnected' | 'refused';
  reason: string | null;
  remoteAddress: string | null;
  protocol: string | null;
  dialect: string | null;
  clientId: string | null;
}

/** A row of the connection history of any device: the row with the device it belongs to. */
export interface FleetConnectionLogItem extends ConnectionLogItem {
  productKey: string;
  deviceName: string;
}

/** One page, newest first, with the number of rows matching across all pages. */
export interface LogPage<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** What the hub logs about a message; the log fills in the payload text. */
export interface NewMessageEntry {
  productKey: string;
  deviceName: string;
  at: string;
  direction: 'up' | 'down';
  kind?: string | null;
  identifier?: string | null;
  topic?: string | null;
  msgId?: string | null;
  code?: number | null;
  reason?: string | null;
  params?: unknown;
}

/**
 * A buffered message log entry. The hub keeps it to set the result code that arrives later (a flow's reply, a
 * command's outcome): before the flush that is a field change, after it an UPDATE of the row.
 */
export interface MessageEntry {
  /** What will be (or was) written; change `code` and `reason` through `DeviceLog.setResult` only. */
  readonly row: Readonly<MessageRow>;
  /** Set once written (undefined while buffered, or when the device no longer existed at the flush). */
  rowid?: number;
}

export interface NewConnectionEntry {
  productKey: string;
  deviceName: string;
  at: string;
  event: 'connected' | 'disconnected' | 'refused';
  reason?: string | null;
  remoteAddress?: string | null;
  protocol?: string | null;
  dialect?: string | null;
  clientId?: string | null;
}

export interface DeviceLogOptions {
  /** Longest time an entry waits in memory before its batch is written. */
  flushMs?: number;
  /** A batch this large is written at once, without waiting for `flushMs`. */
  batchSize?: number;
  /**
   * Entries kept in memory while writes fail (disk full, locked database); beyond this the oldest are dropped and
   * counted, so a broken disk cannot run the process out of memory.
   */
  maxBuffered?: number;
  /** Retention: newest rows kept per device in the message log. */
  messagesPerDevice?: number;
  /** Retention: newest rows kept per device in the connection history. */
  connectionsPerDevice?: number;
  /** How often devices written to since the last sweep are cut back to their caps. */
  sweepMs?: number;
}

export interface DeviceLogStats {
  /** Batches written (one transaction each). */
  flushes: number;
  written: number;
  buffered: number;
  /** Entries lost because writes kept failing and the buffer was full. */
  dropped: number;
  failedFlushes: number;
}

/** A message log row as buffered: the API's item, less the row id, with its device and SQLite's boolean. */
export type MessageRow = Omit<MessageLogItem, 'id' | 'payloadTruncated'> & {
  productKey: string;
  deviceName: string;
  payloadTruncated: 0 | 1;
};

type Pending =
  | { type: 'message'; entry: MessageEntry; /** Date.now() when buffered. */ queuedAt: number }
  | { type: 'connection'; row: Required<NewConnectionEntry> }
  | { type: 'result'; entry: MessageEntry }
  | { type: 'receipt'; receipt: Receipt };

const key = (productKey: string, deviceName: string) => `${productKey}/${deviceName}`;

/**
 * How long the timer's and a full batch's flush leave an uplink waiting for its verdict buffered, so that it is
 * written once with its result (see DeviceLog#flushSettled).
 */
export const SETTLE_MS = 1000;

/** A time as the log and the devices table keep it. */
export const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The device message log (`device_messages`) and connection history (`device_connections`). Writes sit on the hot
 * path of every uplink, so they are buffered and written in one transaction every `flushMs` or `batchSize` entries
 * (group commit); a result code that arrives later changes the buffered entry, or the written row by rowid.
 *
 * Retention is a per-device cap (newest `messagesPerDevice` / `connectionsPerDevice` rows), applied by a periodic sweep
 * over the devices written since the last one: every device keeps its recent history however chatty the others are,
 * and a flood of refused connections for one device name cannot grow the table without bound.
 */
export class DeviceLog {
  readonly #db: Db;
  readonly #logger: Logger;
  readonly #flushMs: number;
  readonly #batchSize: number;
  readonly #maxBuffered: number;
  readonly #messagesPerDevice: number;
  readonly #connectionsPerDevice: number;
  #pending: Pending[] = [];
  /** Called after the next successful flush: what they wait for is in `#pending` (see whenDurable). */
  #durableWaiters: (() => void)[] = [];
  #durableSoon: NodeJS.Immediate | undefined;
  readonly #insertReceipt: Statement;
  readonly #sweepReceipts: Statement;
  #flushTimer: NodeJS.Timeout | undefined;
  /** Failed flushes in a row: retries back off so that a full disk is not hammered (and logged) ten times a second. */
  #failuresInARow = 0;
  readonly #sweepTimer: NodeJS.Timeout;
  /** Devices written to since the last sweep: only they can be over their caps. */
  #touched = new Map<string, { productKey: string; deviceName: string }>();
  readonly #stats = { flushes: 0, written: 0, dropped: 0, failedFlushes: 0 };
  readonly #insertMessage: Statement;
  readonly #insertConnection: Statement;
  readonly #deviceExists: Statement;
  readonly #setResult: Statement;
  readonly #trimMessages: Statement;
  readonly #trimConnections: Statement;
  readonly #forgetMessages: Statement;
  readonly #forgetConnections: Statement;
  readonly #queries = new Map<string, Statement>();

  constructor(db: Db, logger: Logger, options: DeviceLogOptions = {}) {
    this.#db = db;
    this.#logger = logger;
    this.#flushMs = options.flushMs ?? 100;
    this.#batchSize = options.batchSize ?? 500;
    this.#maxBuffered = options.maxBuffered ?? 20_000;
    this.#messagesPerDevice = options.messagesPerDevice ?? 500;
    this.#connectionsPerDevice = options.connectionsPerDevice ?? 200;
    this.#insertReceipt = db.prepare(
      'INSERT INTO uplink_receipts (product_key, device_name, msg_id, fingerprint, code, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#sweepReceipts = db.prepare('DELETE FROM uplink_receipts WHERE at < ?');
    // Positional parameters: binding a 12-key object per row costs more than the insert itself.
    this.#insertMessage = db.prepare(`
      INSERT INTO device_messages
        (product_key, device_name, at, direction, kind, identifier, topic, msg_id, code, reason, payload, payload_truncated)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#insertConnection = db.prepare(`
      INSERT INTO device_connections
        (product_key, device_name, at, event, reason, remote_address, protocol, dialect, client_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#deviceExists = db.prepare('SELECT 1 FROM devices WHERE product_key = ? AND device_name = ?').pluck();
    // The device is part of the key: a rowid freed by deleting a device could otherwise be another device's row.
    this.#setResult = db.prepare(
      'UPDATE device_messages SET code = ?, reason = ? WHERE id = ? AND product_key = ? AND device_name = ?',
    );
    // Deletes from the newest row beyond the cap (OFFSET keep) down: two index range scans.
    const trim = (table: string) => db.prepare(`
      DELETE FROM ${table} WHERE product_key = @productKey AND device_name = @deviceName AND id <= (
        SELECT id FROM ${table} WHERE product_key = @productKey AND device_name = @deviceName
        ORDER BY id DESC LIMIT 1 OFFSET @keep)`);
    this.#trimMessages = trim('device_messages');
    this.#trimConnections = trim('device_connections');
    this.#forgetMessages = db.prepare('DELETE FROM device_messages WHERE product_key = ? AND device_name = ?');
    this.#forgetConnections = db.prepare('DELETE FROM device_connections WHERE product_key = ? AND device_name = ?');
    this.#sweepTimer = setInterval(() => this.sweep(), options.sweepMs ?? 60_000);
    this.#sweepTimer.unref();
  }

  /** Buffers a message log entry; keep the returned entry to set its result code later. */
  message(input: NewMessageEntry): MessageEntry {
    const { payload, truncated } = payloadText(input.params);
    const row: MessageRow = {
      productKey: input.productKey,
      deviceName: input.deviceName,
      at: input.at,
      direction: input.direction,
      kind: input.kind ?? null,
      identifier: input.identifier ?? null,
      topic: input.topic ?? null,
      msgId: input.msgId ?? null,
      code: input.code ?? null,
      reason: input.reason ?? null,
      payload,
      payloadTruncated: truncated ? 1 : 0,
    };
    const entry: MessageEntry = { row };
    this.#push({ type: 'message', entry, queuedAt: Date.now() });
    return entry;
  }

  /**
   * Sets the result of a logged message: the reply code a device got, or a command's outcome. Free while the entry is
   * buffered; once written, an UPDATE of its row goes into the next batch.
   */
  setResult(entry: MessageEntry, code: number | null, reason: string | null): void {
    const row = entry.row as MessageRow;
    row.code = code;
    row.reason = reason;
    if (entry.rowid !== undefined) this.#push({ type: 'result', entry });
  }

  /** Buffers the receipt of an uplink's final verdict (for answering repeats after a restart; see UplinkReceipts). */
  receipt(receipt: Receipt): void {
    this.#push({ type: 'receipt', receipt });
  }

  /** The receipts written since `since` (ms), oldest first. */
  receipts(since: number): Receipt[] {
    return this.#query(`
      SELECT product_key AS productKey, device_name AS deviceName, msg_id AS msgId, fingerprint, code, reason, at
      FROM uplink_receipts WHERE at >= ? ORDER BY at`).all(since) as Receipt[];
  }

  /**
   * Calls `done` once everything buffered now is committed: at once when nothing is buffered, else after a flush that
   * comes right after this turn of the event loop (the waiters of one turn share it). A transport acknowledges a
   * refused message here, so that what the device was told is on disk before it forgets the message.
   */
  whenDurable(done: () => void): void {
    if (this.#pending.length === 0) return done();
    this.#durableWaiters.push(done);
    this.#durableSoon ??= setImmediate(() => {
      this.#durableSoon = undefined;
      if (this.#failuresInARow === 0) this.flush();
    });
  }

  /** Buffers a connection history entry. */
  connection(input: NewConnectionEntry): void {
    this.#push({
      type: 'connection',
      row: {
        productKey: input.productKey,
        deviceName: input.deviceName,
        at: input.at,
        event: input.event,
        reason: input.reason ?? null,
        remoteAddress: input.remoteAddress ?? null,
        protocol: input.protocol ?? null,
        dialect: input.dialect ?? null,
        clientId: input.clientId ?? null,
      },
    });
  }

  /** Writes everything buffered in one transaction. On failure the entries stay buffered for the next attempt. */
  flush(): void {
    this.#write(this.#pending.length, true);
  }

  /**
   * The flush of the timer and of a full batch: writes the entries up to the first uplink still waiting for its
   * verdict (for at most {@link SETTLE_MS}), so that uplinks are written with their result in the same INSERT instead
   * of an INSERT now and an UPDATE when the verdict comes, which under load was most of them. Order is kept: what
   * follows a waiting uplink waits with it. Whoever needs everything on disk (whenDurable, readers) calls `flush`.
   */
  #flushSettled(): void {
    const pending = this.#pending;
    const settledBefore = Date.now() - SETTLE_MS;
    let n = 0;
    for (; n < pending.length; n++) {
      const p = pending[n]!;
      if (p.type === 'message' && p.entry.row.direction === 'up' && p.entry.row.code === null && p.queuedAt > settledBefore) break;
    }
    if (n > 0) this.#write(n, false);
    if (this.#pending.length > 0) this.#schedule(this.#flushMs);
  }

  /** Writes the first `count` buffered entries in one transaction; `withWaiters`: and then calls the whenDurable waiters. */
  #write(count: number, withWaiters: boolean): void {
    if (this.#flushTimer) {
      clearTimeout(this.#flushTimer);
      this.#flushTimer = undefined;
    }
    if (count === 0 && !(withWaiters && this.#durableWaiters.length > 0)) return;
    const batch = count === this.#pending.length ? this.#pending : this.#pending.slice(0, count);
    this.#pending = count === this.#pending.length ? [] : this.#pending.slice(count);
    const waiters = withWaiters ? this.#durableWaiters : [];
    if (withWaiters) this.#durableWaiters = [];
    // Rowids become the entries' only after the commit: a rolled-back batch must not leave rowids behind.
    const rowids: (number | undefined)[] = [];
    try {
      this.#db.transaction(() => {
        // Rows only for devices that exist when the batch is written: a device deleted while its entries were buffered
        // leaves no orphans behind. One lookup per device in the batch, not per row.
        const existing = new Map<string, boolean>();
        const exists = (productKey: string, deviceName: string) => {
          const k = key(productKey, deviceName);
          let known = existing.get(k);
          if (known === undefined) existing.set(k, (known = this.#deviceExists.get(productKey, deviceName) !== undefined));
          return known;
        };
        for (const p of batch) {
          if (p.type === 'message') {
            const r = p.entry.row;
            if (!exists(r.productKey, r.deviceName)) {
              rowids.push(undefined);
              continue;
            }
            const { lastInsertRowid } = this.#insertMessage.run(
              r.productKey, r.deviceName, r.at, r.direction, r.kind, r.identifier, r.topic, r.msgId, r.code, r.reason,
              r.payload, r.payloadTruncated,
            );
            rowids.push(Number(lastInsertRowid));
          } else if (p.type === 'connection') {
            const r = p.row;
            if (!exists(r.productKey, r.deviceName)) continue;
            this.#insertConnection.run(r.productKey, r.deviceName, r.at, r.event, r.reason, r.remoteAddress, r.protocol, r.dialect, r.clientId);
          } else if (p.type === 'receipt') {
            const r = p.receipt;
            this.#insertReceipt.run(r.productKey, r.deviceName, r.msgId, r.fingerprint, r.code, r.reason, r.at);
          } else {
            const { row } = p.entry;
            this.#setResult.run(row.code, row.reason, p.entry.rowid, row.productKey, row.deviceName);
          }
        }
      })();
    } catch (err) {
      this.#stats.failedFlushes++;
      this.#logger.error({ err, entries: batch.length }, 'writing the device message log failed; will retry');
      this.#pending = batch.concat(this.#pending);
      if (withWaiters) this.#durableWaiters = waiters.concat(this.#durableWaiters);
      this.#trimBuffer();
      this.#failuresInARow++;
      this.#schedule(Math.min(this.#flushMs * 2 ** this.#failuresInARow, 30_000));
      return;
    }
    this.#failuresInARow = 0;
    let i = 0;
    for (const p of batch) {
      if (p.type === 'result' || p.type === 'receipt') continue;
      const who = p.type === 'message' ? p.entry.row : p.row;
      if (p.type === 'message') p.entry.rowid = rowids[i++];
      const k = key(who.productKey, who.deviceName);
      if (!this.#touched.has(k)) this.#touched.set(k, { productKey: who.productKey, deviceName: who.deviceName });
    }
    this.#stats.flushes++;
    this.#stats.written += batch.length;
    for (const done of waiters) done();
  }

  /**
   * Cuts the devices written to since the last sweep back to their caps. Each device is two indexed deletes; the
   * sweep runs in chunks so that thousands of devices do not hold the event loop in one go.
   */
  sweep(): void {
    try {
      this.#sweepReceipts.run(Date.now() - RECEIPT_WINDOW_MS);
    } catch (err) {
      this.#logger.error({ err }, 'sweeping old uplink receipts failed');
    }
    const devices = [...this.#touched.values()];
    this.#touched = new Map();
    const chunk = (start: number) => {
      const slice = devices.slice(start, start + 200);
      if (slice.length === 0) return;
      try {
        this.#db.transaction(() => {
          for (const d of slice) {
            this.#trimMessages.run({ ...d, keep: this.#messagesPerDevice });
            this.#trimConnections.run({ ...d, keep: this.#connectionsPerDevice });
          }
        })();
      } catch (err) {
        this.#logger.error({ err }, 'device log retention sweep failed');
        for (const d of slice) this.#touched.set(key(d.productKey, d.deviceName), d);
      }
      if (start + 200 < devices.length) setImmediate(() => chunk(start + 200));
    };
    chunk(0);
  }

  /** Forgets a deleted device: its buffered entries and its rows. */
  forget(productKey: string, deviceName: string): void {
    const mine = (p: Pending) => {
      const who = p.type === 'connection' ? p.row : p.type === 'receipt' ? p.receipt : p.entry.row;
      return who.productKey === productKey && who.deviceName === deviceName;
    };
    this.#pending = this.#pending.filter((p) => !mine(p));
    this.#touched.delete(key(productKey, deviceName));
    this.#db.transaction(() => {
      this.#forgetMessages.run(productKey, deviceName);
      this.#forgetConnections.run(productKey, deviceName);
      this.#query('DELETE FROM uplink_receipts WHERE product_key = ? AND device_name = ?').run(productKey, deviceName);
    })();
  }

  /** A page of the device's message log, newest first. */
  messages(
    productKey: string,
    deviceName: string,
    filter: { direction?: 'up' | 'down'; code?: number },
    page: { limit: number; offset: number },
  ): LogPage<MessageLogItem> {
    const where = ['product_key = ?', 'device_name = ?'];
    const args: unknown[] = [productKey, deviceName];
    if (filter.direction !== undefined) {
      where.push('direction = ?');
      args.push(filter.direction);
    }
    if (filter.code !== undefined) {
      where.push('code = ?');
      args.push(filter.code);
    }
    const clause = where.join(' AND ');
    const total = this.#query(`SELECT count(*) FROM device_messages WHERE ${clause}`).pluck().get(...args) as number;
    const rows = this.#query(`
      SELECT id, at, direction, kind, identifier, topic, msg_id AS msgId, code, reason, payload,
             payload_truncated AS payloadTruncated
      FROM device_messages WHERE ${clause} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(...args, page.limit, page.offset) as (Omit<MessageLogItem, 'payloadTruncated'> & { payloadTruncated: number })[];
    return { items: rows.map((r) => ({ ...r, payloadTruncated: r.payloadTruncated === 1 })), total, ...page };
  }

  /** A page of the device's connection history, newest first. */
  connections(productKey: string, deviceName: string, page: { limit: number; offset: number }): LogPage<ConnectionLogItem> {
    const total = this.#query('SELECT count(*) FROM device_connections WHERE product_key = ? AND device_name = ?')
      .pluck().get(productKey, deviceName) as number;
    const items = this.#query(`
      SELECT id, at, event, reason, remote_address AS remoteAddress, protocol, dialect, client_id AS clientId
      FROM device_connections WHERE product_key = ? AND device_name = ? ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(productKey, deviceName, page.limit, page.offset) as ConnectionLogItem[];
    return { items, total, ...page };
  }

  /**
   * The newest connection events across all devices, newest first. Ordered by the rowid, so this reads the last
   * `limit` rows of the table and needs no index of its own.
   */
  recentConnections(limit: number): FleetConnectionLogItem[] {
    return this.#query(`
      SELECT id, product_key AS productKey, device_name AS deviceName, at, event, reason, remote_address AS remoteAddress,
             protocol, dialect, client_id AS clientId
      FROM device_connections ORDER BY id DESC LIMIT ?`)
      .all(limit) as FleetConnectionLogItem[];
  }

  stats(): DeviceLogStats {
    return { ...this.#stats, buffered: this.#pending.length };
  }

  /** Writes what is buffered and stops the timers. */
  close(): void {
    clearInterval(this.#sweepTimer);
    if (this.#durableSoon) clearImmediate(this.#durableSoon);
    this.flush();
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
  }

  #push(p: Pending): void {
    this.#pending.push(p);
    if (this.#pending.length >= this.#batchSize && this.#failuresInARow === 0) this.#flushSettled();
    else if (this.#pending.length > this.#maxBuffered) this.#trimBuffer();
    else this.#schedule(this.#flushMs);
  }

  #schedule(delayMs: number): void {
    if (this.#flushTimer) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      // After failures, the retry writes everything; otherwise what has settled.
      if (this.#failuresInARow > 0) this.flush();
      else this.#flushSettled();
    }, delayMs);
    this.#flushTimer.unref();
  }

  #trimBuffer(): void {
    const excess = this.#pending.length - this.#maxBuffered;
    if (excess <= 0) return;
    this.#pending.splice(0, excess);
    const before = this.#stats.dropped;
    this.#stats.dropped += excess;
    // Once per thousand lost entries, not once per message.
    if (before === 0 || Math.floor(before / 1000) !== Math.floor(this.#stats.dropped / 1000)) {
      this.#logger.warn({ droppedSoFar: this.#stats.dropped }, 'device message log buffer full while writes fail; oldest entries dropped');
    }
  }

  #query(sql: string): Statement {
    let statement = this.#queries.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#queries.set(sql, statement);
    }
    return statement;
  }
}

/** JSON of `params`, cut to 4 KB on a character boundary. Raw bytes are logged as `{"base64": …}`. */
export function payloadText(params: unknown): { payload: string | null; truncated: boolean } {
  if (params === undefined) return { payload: null, truncated: false };
  let text: string;
  if (params instanceof Uint8Array) {
    text = JSON.stringify({ base64: Buffer.from(params.buffer, params.byteOffset, Math.min(params.byteLength, 3 * 1024)).toString('base64') });
    if (params.byteLength > 3 * 1024) return { payload: text, truncated: true };
  } else {
    try {
      text = JSON.stringify(params) ?? String(params);
    } catch {
      // A circular or BigInt value from a flow: still say something about it rather than nothing.
      text = String(params);
    }
  }
  // A UTF-16 unit is at most 3 UTF-8 bytes: short strings need no byte count.
  if (text.length * 3 <= MAX_LOGGED_PAYLOAD_BYTES || Buffer.byteLength(text) <= MAX_LOGGED_PAYLOAD_BYTES) {
    return { payload: text, truncated: false };
  }
  const cut = Buffer.from(text).subarray(0, MAX_LOGGED_PAYLOAD_BYTES).toString('utf8').replace(/\uFFFD+$/, '');
  return { payload: cut, truncated: true };
}
