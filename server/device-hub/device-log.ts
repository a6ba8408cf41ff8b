import type { Logger } from 'pino';
import { chunks, ROWS_PER_STATEMENT, type Sql } from '../db/sql.ts';
import { existingIn } from '../devices/device-store.ts';
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

/** A message entry as the log keeps it: also whether a write holds it now. */
interface Entry extends MessageEntry {
  writing: boolean;
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
  | { type: 'message'; entry: Entry; /** Date.now() when buffered. */ queuedAt: number }
  | { type: 'connection'; row: Required<NewConnectionEntry> }
  | { type: 'result'; entry: Entry }
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
 * A multi-row statement's text for `rows` rows: `head`, the tuple `rows` times, `tail`. Each text is built once and
 * the same string passed every time, so that finding its translation does not hash kilobytes per flush.
 */
function multiRow(head: string, tuple: string, tail = ''): (rows: number) => string {
  const texts = new Map<number, string>();
  return (rows) => {
    let text = texts.get(rows);
    if (text === undefined) texts.set(rows, (text = `${head} ${Array.from({ length: rows }, () => tuple).join(', ')} ${tail}`));
    return text;
  };
}

// The device comes last: SQLite's one-row INSERT takes it from the devices row it finds (see #insertOneByOne), so the
// same values serve both databases' statements. Positional parameters: binding a 12-key object per row costs more than
// the insert itself.
const MESSAGE_COLUMNS = 'at, direction, kind, identifier, topic, msg_id, code, reason, payload, payload_truncated, product_key, device_name';
const CONNECTION_COLUMNS = 'at, event, reason, remote_address, protocol, dialect, client_id, product_key, device_name';
const messageValues = (r: MessageRow): unknown[] => [
  r.at, r.direction, r.kind, r.identifier, r.topic, r.msgId, r.code, r.reason, r.payload, r.payloadTruncated, r.productKey, r.deviceName,
];
const connectionValues = (r: Required<NewConnectionEntry>): unknown[] => [
  r.at, r.event, r.reason, r.remoteAddress, r.protocol, r.dialect, r.clientId, r.productKey, r.deviceName,
];
/** One row into `table` if its device exists, from the row's values in `columns` order (the device's key last). */
const insertIfDevice = (table: string, columns: string) => `INSERT INTO ${table} (${columns})
  SELECT ${'?, '.repeat(columns.split(',').length - 2)}product_key, device_name FROM devices WHERE product_key = ? AND device_name = ?`;
const INSERT_MESSAGE_IF_DEVICE = insertIfDevice('device_messages', MESSAGE_COLUMNS);
const INSERT_CONNECTION_IF_DEVICE = insertIfDevice('device_connections', CONNECTION_COLUMNS);
// PostgreSQL gives a multi-row VALUES insert's rows back in the order given (the order it inserts them, which it does
// not document; device-log.test.ts checks it): the ids are the rows' in order.
const insertMessages = multiRow(`INSERT INTO device_messages (${MESSAGE_COLUMNS}) VALUES`, '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', 'RETURNING id');
const insertConnections = multiRow(`INSERT INTO device_connections (${CONNECTION_COLUMNS}) VALUES`, '(?, ?, ?, ?, ?, ?, ?, ?, ?)');
const insertReceipts = multiRow(
  'INSERT INTO uplink_receipts (product_key, device_name, msg_id, fingerprint, code, reason, at) VALUES',
  '(?, ?, ?, ?, ?, ?, ?)',
);
// The device is part of the key: a row id freed by deleting a device could otherwise be another device's row. The
// casts give PostgreSQL the VALUES columns' types (untyped parameters would be text).
const updateResults = multiRow(
  'UPDATE device_messages SET code = v.column2, reason = v.column3 FROM (VALUES',
  '(CAST(? AS BIGINT), CAST(? AS BIGINT), ?, ?, ?)',
  ') AS v WHERE device_messages.id = v.column1 AND device_messages.product_key = v.column4 AND device_messages.device_name = v.column5',
);
// Deletes from the newest row beyond the cap (OFFSET keep) down: two index range scans.
const trim = (table: string) => `
  DELETE FROM ${table} WHERE product_key = @productKey AND device_name = @deviceName AND id <= (
    SELECT id FROM ${table} WHERE product_key = @productKey AND device_name = @deviceName
    ORDER BY id DESC LIMIT 1 OFFSET @keep)`;
const TRIM_MESSAGES = trim('device_messages');
const TRIM_CONNECTIONS = trim('device_connections');

/**
 * The device message log (`device_messages`) and connection history (`device_connections`), on the registry's
 * database. Writes sit on the hot path of every uplink, so they are buffered and written in one transaction every
 * `flushMs` or `batchSize` entries (group commit): on PostgreSQL a few multi-row statements per batch, on SQLite a
 * prepared statement per row, which is faster there. A result code that arrives later changes the buffered entry, or
 * the written row by its id. One write runs at a time; what arrives meanwhile waits for the next.
 *
 * Retention is a per-device cap (newest `messagesPerDevice` / `connectionsPerDevice` rows), applied by a periodic sweep
 * over the devices written since the last one: every device keeps its recent history however chatty the others are,
 * and a flood of refused connections for one device name cannot grow the table without bound.
 */
export class DeviceLog {
  readonly #sql: Sql;
  readonly #logger: Logger;
  readonly #flushMs: number;
  readonly #batchSize: number;
  readonly #maxBuffered: number;
  readonly #messagesPerDevice: number;
  readonly #connectionsPerDevice: number;
  #pending: Pending[] = [];
  /** Called after the next successful flush: what they wait for is in `#pending` or being written (see whenDurable). */
  #durableWaiters: (() => void)[] = [];
  #durableSoon: NodeJS.Immediate | undefined;
  /** The write (or forget) running now, settled or not: the next waits for it. Never rejects. */
  #busy: Promise<void> | undefined;
  /** Entries the running write holds: no longer buffered, not yet committed. */
  #writing = 0;
  #flushTimer: NodeJS.Timeout | undefined;
  /** Failed flushes in a row: retries back off so that a full disk is not hammered (and logged) ten times a second. */
  #failuresInARow = 0;
  readonly #sweepTimer: NodeJS.Timeout;
  #sweeping: Promise<void> | undefined;
  #endSweepPause: (() => void) | undefined;
  #closed = false;
  /** Devices written to since the last sweep: only they can be over their caps. */
  #touched = new Map<string, { productKey: string; deviceName: string }>();
  readonly #stats = { flushes: 0, written: 0, dropped: 0, failedFlushes: 0 };

  constructor(sql: Sql, logger: Logger, options: DeviceLogOptions = {}) {
    this.#sql = sql;
    this.#logger = logger;
    this.#flushMs = options.flushMs ?? 100;
    this.#batchSize = options.batchSize ?? 500;
    this.#maxBuffered = options.maxBuffered ?? 20_000;
    this.#messagesPerDevice = options.messagesPerDevice ?? 500;
    this.#connectionsPerDevice = options.connectionsPerDevice ?? 200;
    this.#sweepTimer = setInterval(() => void this.sweep(), options.sweepMs ?? 60_000);
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
    const entry: Entry = { row, rowid: undefined, writing: false };
    this.#push({ type: 'message', entry, queuedAt: Date.now() });
    return entry;
  }

  /**
   * Sets the result of a logged message: the reply code a device got, or a command's outcome. Free while the entry is
   * buffered; once written, or while being written (its INSERT may have been made already), an UPDATE of its row goes
   * into the next batch.
   */
  setResult(entry: MessageEntry, code: number | null, reason: string | null): void {
    const row = entry.row as MessageRow;
    row.code = code;
    row.reason = reason;
    if (entry.rowid !== undefined || (entry as Entry).writing) this.#push({ type: 'result', entry: entry as Entry });
  }

  /** Buffers the receipt of an uplink's final verdict (for answering repeats after a restart; see UplinkReceipts). */
  receipt(receipt: Receipt): void {
    this.#push({ type: 'receipt', receipt });
  }

  /** The receipts written since `since` (ms), oldest first; what is buffered is written first. */
  async receipts(since: number): Promise<Receipt[]> {
    await this.flush();
    return this.#sql.all<Receipt>(`
      SELECT product_key AS "productKey", device_name AS "deviceName", msg_id AS "msgId", fingerprint, code, reason, at
      FROM uplink_receipts WHERE at >= ? ORDER BY at`, [since]);
  }

  /**
   * Calls `done` once everything buffered now is committed: at once when nothing is buffered or being written, else
   * after a flush that comes right after this turn of the event loop (the waiters of one turn share it). A transport
   * acknowledges a message here, so that what the device was told is on disk before it forgets the message.
   */
  whenDurable(done: () => void): void {
    if (this.#pending.length === 0 && this.#busy === undefined) return done();
    this.#durableWaiters.push(done);
    this.#durableSoon ??= setImmediate(() => {
      this.#durableSoon = undefined;
      if (this.#failuresInARow === 0) void this.flush();
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

  /**
   * Writes everything buffered in one transaction, after the write under way. On failure the entries stay buffered
   * for the next attempt (logged, not thrown: readers read what is there).
   */
  async flush(): Promise<void> {
    while (this.#busy) await this.#busy;
    await this.#write(this.#pending.length, true);
  }

  /**
   * The flush of the timer and of a full batch: writes the entries up to the first uplink still waiting for its
   * verdict (for at most {@link SETTLE_MS}), so that uplinks are written with their result in the same INSERT instead
   * of an INSERT now and an UPDATE when the verdict comes, which under load was most of them. Order is kept: what
   * follows a waiting uplink waits with it. Whoever needs everything on disk (whenDurable, readers) calls `flush`.
   * While a write runs this waits: its end looks again.
   */
  #flushSettled(): void {
    if (this.#busy) return;
    const pending = this.#pending;
    const settledBefore = Date.now() - SETTLE_MS;
    let n = 0;
    for (; n < pending.length; n++) {
      const p = pending[n]!;
      if (p.type === 'message' && p.entry.row.direction === 'up' && p.entry.row.code === null && p.queuedAt > settledBefore) break;
    }
    if (n > 0) void this.#write(n, false);
    else this.#schedule(this.#flushMs);
  }

  /**
   * Writes the first `count` buffered entries in one transaction; `withWaiters`: and then calls the whenDurable
   * waiters. Only when no write runs; resolves after it (never rejects).
   */
  #write(count: number, withWaiters: boolean): Promise<void> {
    if (this.#flushTimer) {
      clearTimeout(this.#flushTimer);
      this.#flushTimer = undefined;
    }
    const waiters = withWaiters ? this.#durableWaiters : [];
    if (withWaiters) this.#durableWaiters = [];
    if (count === 0) {
      // Nothing buffered, nothing being written: what the waiters wait for is committed.
      for (const done of waiters) done();
      return Promise.resolve();
    }
    const batch = count === this.#pending.length ? this.#pending : this.#pending.slice(0, count);
    this.#pending = count === this.#pending.length ? [] : this.#pending.slice(count);
    this.#writing = batch.length;
    return this.#hold(this.#commit(batch, waiters));
  }

  async #commit(batch: Pending[], waiters: (() => void)[]): Promise<void> {
    let ids: (number | undefined)[];
    try {
      ids = await this.#sql.transaction((tx) => this.#insert(tx, batch));
    } catch (err) {
      for (const p of batch) if (p.type === 'message') p.entry.writing = false;
      this.#stats.failedFlushes++;
      this.#logger.error({ err, entries: batch.length }, 'writing the device message log failed; will retry');
      this.#pending = batch.concat(this.#pending);
      this.#durableWaiters = waiters.concat(this.#durableWaiters);
      this.#trimBuffer();
      this.#failuresInARow++;
      this.#schedule(Math.min(this.#flushMs * 2 ** this.#failuresInARow, 30_000));
      return;
    }
    this.#failuresInARow = 0;
    // Row ids become the entries' only after the commit: a rolled-back batch must not leave ids behind.
    let i = 0;
    for (const p of batch) {
      if (p.type === 'message') {
        p.entry.rowid = ids[i++];
        p.entry.writing = false;
      } else if (p.type !== 'connection') continue;
      const who = p.type === 'message' ? p.entry.row : p.row;
      const k = key(who.productKey, who.deviceName);
      if (!this.#touched.has(k)) this.#touched.set(k, { productKey: who.productKey, deviceName: who.deviceName });
    }
    this.#stats.flushes++;
    this.#stats.written += batch.length;
    for (const done of waiters) done();
  }

  /**
   * The batch's statements: rows only for devices that exist when the batch is written (a device deleted while its
   * entries were buffered leaves no orphans behind), then the results of rows written before. Answers the row id of
   * each message entry of the batch, in order (undefined: its device is gone).
   */
  async #insert(tx: Sql, batch: readonly Pending[]): Promise<(number | undefined)[]> {
    const messages: Entry[] = [];
    const connections: Required<NewConnectionEntry>[] = [];
    const receipts: unknown[][] = [];
    // By entry: results set twice since the last batch are one UPDATE, of the latest.
    const results = new Set<Entry>();
    for (const p of batch) {
      if (p.type === 'message') {
        p.entry.writing = true;
        messages.push(p.entry);
      } else if (p.type === 'connection') {
        connections.push(p.row);
      } else if (p.type === 'receipt') {
        const r = p.receipt;
        receipts.push([r.productKey, r.deviceName, r.msgId, r.fingerprint, r.code, r.reason, r.at]);
      } else if (p.entry.rowid !== undefined) {
        // Without a row id the entry's device was gone, or (after a failed write) its INSERT is in this batch and
        // carries the result.
        results.add(p.entry);
      }
    }
    const ids = tx.dialect === 'sqlite' ? await this.#insertOneByOne(tx, messages, connections) : await this.#insertInBulk(tx, messages, connections);
    for (const [rows, params] of this.#statements(receipts)) await tx.run(insertReceipts(rows), params);
    const updates = [...results].map(({ rowid, row }) => [rowid, row.code, row.reason, row.productKey, row.deviceName]);
    for (const [rows, params] of this.#statements(updates)) await tx.run(updateResults(rows), params);
    return ids;
  }

  /**
   * SQLite: a statement per row, each inserting only if the device exists. A prepared one-row INSERT runs faster there
   * than a row of a multi-row one, and RETURNING costs about a microsecond a row more (both measured); the ids need
   * neither: SQLite gives a new row the id one past the largest (its usual algorithm: only the largest possible id
   * changes it), and this transaction writes alone, so the rows inserted have the ids up to the largest after them.
   */
  async #insertOneByOne(tx: Sql, messages: readonly Entry[], connections: readonly Required<NewConnectionEntry>[]): Promise<(number | undefined)[]> {
    // Each row's place among those inserted (undefined: its device is gone); its id once the largest is known.
    const places: (number | undefined)[] = [];
    let count = 0;
    for (const { row } of messages) {
      const { changes } = await tx.run(INSERT_MESSAGE_IF_DEVICE, messageValues(row));
      places.push(changes === 1 ? count++ : undefined);
    }
    for (const row of connections) await tx.run(INSERT_CONNECTION_IF_DEVICE, connectionValues(row));
    if (count === 0) return places;
    const first = (await tx.get<{ id: number }>('SELECT max(id) AS id FROM device_messages'))!.id - count + 1;
    return places.map((place) => (place === undefined ? undefined : first + place));
  }

  /**
   * PostgreSQL, where each statement is a round trip: which of the batch's devices exist, then the rows of those in
   * multi-row INSERTs, a statement per {@link ROWS_PER_STATEMENT} rows.
   */
  async #insertInBulk(tx: Sql, messages: readonly Entry[], connections: readonly Required<NewConnectionEntry>[]): Promise<(number | undefined)[]> {
    const devices = new Map<string, { productKey: string; deviceName: string }>();
    for (const { productKey, deviceName } of [...messages.map((m) => m.row), ...connections]) devices.set(key(productKey, deviceName), { productKey, deviceName });
    const existing = await existingIn(tx, [...devices.values()]);
    const exists = (r: { productKey: string; deviceName: string }) => existing.has(key(r.productKey, r.deviceName));
    const ids: number[] = [];
    for (const [rows, params] of this.#statements(messages.filter(({ row }) => exists(row)).map(({ row }) => messageValues(row)))) {
      for (const { id } of await tx.all<{ id: number }>(insertMessages(rows), params)) ids.push(id);
    }
    for (const [rows, params] of this.#statements(connections.filter(exists).map(connectionValues))) {
      await tx.run(insertConnections(rows), params);
    }
    let i = 0;
    return messages.map(({ row }) => (exists(row) ? ids[i++] : undefined));
  }

  /**
   * Rows (each its parameters) as the statements that write them, `[row count, parameters]`: on SQLite one row each
   * (see #insertOneByOne), on PostgreSQL up to {@link ROWS_PER_STATEMENT}.
   */
  #statements(rows: readonly unknown[][]): [rows: number, params: unknown[]][] {
    if (this.#sql.dialect === 'sqlite') return rows.map((r) => [1, r]);
    return chunks(rows, ROWS_PER_STATEMENT).map((part) => [part.length, part.flat()]);
  }

  /** Makes `work` the running write: the next waits for it, and once it ends what is buffered is looked at again. */
  #hold(work: Promise<unknown>): Promise<void> {
    const busy = work.then(() => undefined, () => undefined).then(() => {
      this.#busy = undefined;
      this.#writing = 0;
      if (this.#closed || this.#failuresInARow > 0) return;
      if (this.#pending.length >= this.#batchSize) this.#flushSettled();
      else if (this.#pending.length > 0) this.#schedule(this.#flushMs);
    });
    this.#busy = busy;
    return busy;
  }

  /**
   * Cuts the devices written to since the last sweep back to their caps, after a sweep under way. Each device is two
   * indexed deletes; a transaction per {@link ROWS_PER_STATEMENT} devices, with other work let in between, so that
   * thousands of devices do not hold the database or the event loop in one go. Failures are logged; their devices
   * wait for the next sweep.
   */
  async sweep(): Promise<void> {
    while (this.#sweeping) await this.#sweeping;
    this.#sweeping = this.#sweep().finally(() => {
      this.#sweeping = undefined;
    });
    await this.#sweeping;
  }

  async #sweep(): Promise<void> {
    try {
      await this.#sql.run('DELETE FROM uplink_receipts WHERE at < ?', [Date.now() - RECEIPT_WINDOW_MS]);
    } catch (err) {
      this.#logger.error({ err }, 'sweeping old uplink receipts failed');
    }
    const parts = chunks([...this.#touched.values()], ROWS_PER_STATEMENT);
    this.#touched = new Map();
    for (let i = 0; i < parts.length && !this.#closed; i++) {
      const part = parts[i]!;
      try {
        await this.#sql.transaction(async (tx) => {
          for (const d of part) {
            await tx.run(TRIM_MESSAGES, { ...d, keep: this.#messagesPerDevice });
            await tx.run(TRIM_CONNECTIONS, { ...d, keep: this.#connectionsPerDevice });
          }
        });
      } catch (err) {
        this.#logger.error({ err }, 'device log retention sweep failed');
        for (const d of part) this.#touched.set(key(d.productKey, d.deviceName), d);
      }
      // SQLite's statements do not yield: devices and their messages get their turn between two parts. Closing ends
      // the pause (and the sweep) at once.
      if (i + 1 < parts.length && !this.#closed) {
        await new Promise<void>((resolve) => {
          this.#endSweepPause = resolve;
          setImmediate(resolve);
        });
      }
    }
  }

  /**
   * Forgets a deleted device: its buffered entries and its rows. The rows are deleted after the write under way, which
   * may have found the device still there; so in a cluster every node forgets, after its own.
   */
  async forget(productKey: string, deviceName: string): Promise<void> {
    const mine = (p: Pending) => {
      const who = p.type === 'connection' ? p.row : p.type === 'receipt' ? p.receipt : p.entry.row;
      return who.productKey === productKey && who.deviceName === deviceName;
    };
    this.#pending = this.#pending.filter((p) => !mine(p));
    this.#touched.delete(key(productKey, deviceName));
    while (this.#busy) await this.#busy;
    const forgetting = this.#sql.transaction(async (tx) => {
      for (const table of ['device_messages', 'device_connections', 'uplink_receipts']) {
        await tx.run(`DELETE FROM ${table} WHERE product_key = ? AND device_name = ?`, [productKey, deviceName]);
      }
    });
    void this.#hold(forgetting);
    await forgetting;
  }

  /** A page of the device's message log, newest first; what is buffered is written first. */
  async messages(
    productKey: string,
    deviceName: string,
    filter: { direction?: 'up' | 'down'; code?: number },
    page: { limit: number; offset: number },
  ): Promise<LogPage<MessageLogItem>> {
    await this.flush();
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
    const [counted, rows] = await Promise.all([
      this.#sql.get<{ n: number }>(`SELECT count(*) AS n FROM device_messages WHERE ${clause}`, args),
      this.#sql.all<Omit<MessageLogItem, 'payloadTruncated'> & { payloadTruncated: number }>(`
        SELECT id, at, direction, kind, identifier, topic, msg_id AS "msgId", code, reason, payload,
               payload_truncated AS "payloadTruncated"
        FROM device_messages WHERE ${clause} ORDER BY id DESC LIMIT ? OFFSET ?`, [...args, page.limit, page.offset]),
    ]);
    return { items: rows.map((r) => ({ ...r, payloadTruncated: r.payloadTruncated === 1 })), total: counted!.n, ...page };
  }

  /** A page of the device's connection history, newest first; what is buffered is written first. */
  async connections(productKey: string, deviceName: string, page: { limit: number; offset: number }): Promise<LogPage<ConnectionLogItem>> {
    await this.flush();
    const [counted, items] = await Promise.all([
      this.#sql.get<{ n: number }>('SELECT count(*) AS n FROM device_connections WHERE product_key = ? AND device_name = ?', [productKey, deviceName]),
      this.#sql.all<ConnectionLogItem>(`
        SELECT id, at, event, reason, remote_address AS "remoteAddress", protocol, dialect, client_id AS "clientId"
        FROM device_connections WHERE product_key = ? AND device_name = ? ORDER BY id DESC LIMIT ? OFFSET ?`,
      [productKey, deviceName, page.limit, page.offset]),
    ]);
    return { items, total: counted!.n, ...page };
  }

  /**
   * The newest connection events across all devices, newest first; what is buffered is written first. Ordered by the
   * row id, so this reads the last `limit` rows of the table and needs no index of its own.
   */
  async recentConnections(limit: number): Promise<FleetConnectionLogItem[]> {
    await this.flush();
    return this.#sql.all<FleetConnectionLogItem>(`
      SELECT id, product_key AS "productKey", device_name AS "deviceName", at, event, reason, remote_address AS "remoteAddress",
             protocol, dialect, client_id AS "clientId"
      FROM device_connections ORDER BY id DESC LIMIT ?`, [limit]);
  }

  stats(): DeviceLogStats {
    return { ...this.#stats, buffered: this.#pending.length + this.#writing };
  }

  /** Writes what is buffered, after the write and sweep under way, and stops the timers. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweepTimer);
    if (this.#durableSoon) clearImmediate(this.#durableSoon);
    this.#durableSoon = undefined;
    this.#endSweepPause?.();
    await this.#sweeping;
    await this.flush();
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
    if (this.#flushTimer || this.#closed) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      // After failures, the retry writes everything; otherwise what has settled.
      if (this.#failuresInARow > 0) void this.flush();
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
