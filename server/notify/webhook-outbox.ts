import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Statement } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Db } from '../db/database.ts';
import { ApiError, conflict, notFound } from '../errors.ts';
import { OutboundPolicy, type OutboundPolicyOptions } from '../outbound/outbound-policy.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './delivery-policy.ts';
import { attemptWebhook, errorMessage, failedBeforeSending, type AttemptResult } from './webhook-attempt.ts';
import type { Notification, NotificationAttempt, NotificationDetail, NotificationPage, NotificationState } from '../../domain/notify/notify-schemas.ts';
import type { NotificationOutcome, NotificationRequest, NotifyService } from '../../domain/notify/notify-service.ts';
import { webhookHeadersProblem, webhookUrlProblem } from '../../domain/notify/webhook-checks.ts';

/** Why a notification was not accepted into the outbox. */
export type NotifyErrorCode = 'invalid_notification' | 'body_too_large' | 'outbox_full' | 'outbox_closed';

/** A notification the outbox will not take; an {@link ApiError}, so a REST caller gets the one error envelope. */
export class NotifyError extends ApiError {
  override name = 'NotifyError';
  declare readonly code: NotifyErrorCode;

  constructor(code: NotifyErrorCode, message: string) {
    super(code === 'body_too_large' ? 413 : code === 'invalid_notification' ? 422 : 503, code, message);
  }
}

export interface WebhookOutboxOptions {
  /** Attempts in flight at once, over all receivers. Default 4. */
  concurrency?: number;
  backoff?: Partial<BackoffOptions>;
  /** The jitter's source, in [0, 1); tests pin it. */
  random?: () => number;
  /** Pending notifications beyond which `enqueue` refuses (`outbox_full`), so a dead receiver cannot fill the disk. */
  maxPending?: number;
  /** Largest body accepted, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Delivered and failed notifications (and their attempts) are deleted this long after they were created. */
  retentionMs?: number;
  /**
   * Where webhooks may go. Default: public addresses only, so a flow cannot reach the platform's own loopback
   * services, the cloud metadata endpoint or the private network behind the host.
   */
  outbound?: OutboundPolicy | OutboundPolicyOptions;
}

/** Events of the outbox, emitted after the change is committed. */
export interface WebhookOutboxEvents {
  /** One attempt ended (or was interrupted by {@link WebhookOutbox.close}) and is in the delivery log. */
  attempt: [{ notification: Notification; attempt: NotificationAttempt }];
  delivered: [Notification];
  failed: [Notification];
}

interface OutboxRow {
  id: string;
  node_id: string | null;
  url: string;
  method: 'POST';
  /** The sender's extra headers as JSON, sealed with the SecretBox; plain JSON in rows written before they were. */
  headers: string;
  body: string;
  secret_ref: string;
  timeout_ms: number;
  max_attempts: number;
  attempts: number;
  next_attempt_at: string | null;
  state: NotificationState;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_ATTEMPTS = 8;
/** The loop looks at the table at least this often, so a wall-clock jump cannot leave a due notification waiting. */
const MAX_SLEEP_MS = 60_000;
/** How long a notification whose attempt could not be recorded is held back (a full disk is not hammered). */
const RECORD_FAILURE_HOLD_MS = 30_000;
const SWEEP_INTERVAL_MS = 3_600_000;
const SWEEP_BATCH = 1_000;

const iso = (ms: number) => new Date(ms).toISOString();

const NOTIFICATION_COLUMNS = `
  id, node_id, url, method, headers, body, secret_ref, timeout_ms, max_attempts, attempts, next_attempt_at, state,
  last_status, last_error, created_at, delivered_at`;

/**
 * The durable webhook outbox (`notify_outbox`, `notify_attempts`, `notify_secrets`). `enqueue` commits the
 * notification to SQLite before it returns, so a notification outlives a crash or restart and is delivered after it:
 * delivery is at least once, and receivers deduplicate by `X-Thingwire-Notification-Id`.
 *
 * The delivery loop runs in this process: an immediate pass on every enqueue and completion, and an unref'd timer
 * for the next due retry. At most `concurrency` attempts are in flight; each is a signed JSON POST (`webhook-attempt.ts`, see
 * `webhook-signature.ts`) bounded by the notification's timeout. What an answer means is `verdictFor`'s
 * (`delivery-policy.ts`): 2xx delivered; 408, 429, 5xx, timeouts and network errors retried with exponential backoff
 * and jitter up to the notification's `maxAttempts`, then failed; any other status failed at once. An address the
 * outbound policy refuses fails the attempt at once, too (it would be refused again). Every attempt is logged in
 * `notify_attempts`. Headers (they carry the receivers' credentials) are stored sealed, like the signing secrets.
 *
 * One process owns the database's outbox: which notifications are in flight is known in memory only.
 */
export class WebhookOutbox implements NotifyService {
  /** Attempts, deliveries and failures, after they are committed. */
  readonly events = new EventEmitter<WebhookOutboxEvents>();
  readonly #db: Db;
  readonly #secretBox: SecretBox;
  readonly #logger: Logger;
  readonly #concurrency: number;
  readonly #backoff: BackoffOptions;
  readonly #random: () => number;
  readonly #maxPending: number;
  readonly #maxBodyBytes: number;
  readonly #retentionMs: number;
  readonly #outbound: OutboundPolicy;
  /** Plain signing secrets by ref, as stored: an enqueue with an unchanged secret writes nothing. */
  readonly #secrets = new Map<string, string>();
  readonly #inFlight = new Map<string, AbortController>();
  /** Notifications held back after their attempt could not be recorded, with the timer that releases each. */
  readonly #held = new Map<string, NodeJS.Timeout>();
  readonly #deliveries = new Set<Promise<void>>();
  readonly #subscribers = new Map<string, Set<(outcome: NotificationOutcome) => void>>();
  #kick: NodeJS.Immediate | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #sweepTimer: NodeJS.Timeout;
  #closing: Promise<void> | undefined;

  readonly #insert: Statement;
  readonly #upsertSecret: Statement;
  readonly #sealedSecret: Statement;
  readonly #pendingCount: Statement;
  readonly #due: Statement;
  readonly #nextDue: Statement;
  readonly #byId: Statement;
  readonly #attemptsOf: Statement;
  readonly #logAttempt: Statement;
  readonly #settle: Statement;
  readonly #reschedule: Statement;
  readonly #restart: Statement;
  readonly #expire: Statement;
  readonly #dropUnusedSecrets: Statement;
  readonly #listings = new Map<string, Statement>();

  /** Opens the outbox on the platform database and starts delivering what is due, including what was left pending. */
  constructor(db: Db, secretBox: SecretBox, logger: Logger, options: WebhookOutboxOptions = {}) {
    this.#db = db;
    this.#secretBox = secretBox;
    this.#logger = logger;
    this.#concurrency = options.concurrency ?? 4;
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.#random = options.random ?? Math.random;
    this.#maxPending = options.maxPending ?? 10_000;
    this.#maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
    this.#retentionMs = options.retentionMs ?? 14 * 86_400_000;
    this.#outbound = options.outbound instanceof OutboundPolicy ? options.outbound : new OutboundPolicy(options.outbound);

    this.#insert = db.prepare(`
      INSERT INTO notify_outbox (id, node_id, url, method, headers, body, secret_ref, timeout_ms, max_attempts, next_attempt_at, state, created_at)
      VALUES (@id, @nodeId, @url, @method, @headers, @body, @secretRef, @timeoutMs, @maxAttempts, @now, 'pending', @now)`);
    this.#upsertSecret = db.prepare(`
      INSERT INTO notify_secrets (ref, sealed, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (ref) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at`);
    this.#sealedSecret = db.prepare('SELECT sealed FROM notify_secrets WHERE ref = ?').pluck();
    this.#pendingCount = db.prepare("SELECT count(*) FROM notify_outbox WHERE state = 'pending'").pluck();
    // The ids to skip come as one JSON array: a statement cannot take a variable-length IN list.
    this.#due = db.prepare(`
      SELECT ${NOTIFICATION_COLUMNS} FROM notify_outbox
      WHERE state = 'pending' AND next_attempt_at <= ? AND id NOT IN (SELECT value FROM json_each(?))
      ORDER BY next_attempt_at LIMIT ?`);
    this.#nextDue = db.prepare(`
      SELECT min(next_attempt_at) FROM notify_outbox
      WHERE state = 'pending' AND id NOT IN (SELECT value FROM json_each(?))`).pluck();
    this.#byId = db.prepare(`SELECT ${NOTIFICATION_COLUMNS} FROM notify_outbox WHERE id = ?`);
    this.#attemptsOf = db.prepare(`
      SELECT attempt, started_at AS startedAt, duration_ms AS durationMs, outcome, status, error, response
      FROM notify_attempts WHERE notification_id = ? ORDER BY attempt`);
    this.#logAttempt = db.prepare(`
      INSERT INTO notify_attempts (notification_id, attempt, started_at, duration_ms, outcome, status, error, response)
      SELECT @id, coalesce(max(attempt), 0) + 1, @startedAt, @durationMs, @outcome, @status, @error, @response
      FROM notify_attempts WHERE notification_id = @id`);
    this.#settle = db.prepare(`
      UPDATE notify_outbox SET state = @state, attempts = attempts + 1, next_attempt_at = @nextAttemptAt,
        last_status = @status, last_error = @error, delivered_at = @deliveredAt
      WHERE id = @id`);
    this.#reschedule = db.prepare("UPDATE notify_outbox SET next_attempt_at = ? WHERE id = ? AND state = 'pending'");
    this.#restart = db.prepare(
      "UPDATE notify_outbox SET state = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ? AND state = 'failed'",
    );
    this.#expire = db.prepare(`
      DELETE FROM notify_outbox WHERE id IN (
        SELECT id FROM notify_outbox WHERE state <> 'pending' AND created_at < ? LIMIT ${SWEEP_BATCH})`);
    this.#dropUnusedSecrets = db.prepare(`
      DELETE FROM notify_secrets WHERE ref NOT IN (SELECT secret_ref FROM notify_outbox) RETURNING ref`).pluck();

    this.#sweepTimer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.#sweepTimer.unref();
    this.sweep();
    this.#schedulePass();
  }

  /**
   * Commits a notification and starts delivering it at once when a slot is free. Throws a {@link NotifyError}:
   * `invalid_notification` for one that could never be delivered, `body_too_large`, `outbox_full` (too many pending:
   * the receivers are not keeping up), `outbox_closed`.
   */
  enqueue(request: NotificationRequest): { id: string } {
    if (this.#closing) throw new NotifyError('outbox_closed', 'the notification outbox is closed (the platform is stopping)');
    const checked = this.#check(request);
    const pending = this.#pendingCount.get() as number;
    if (pending >= this.#maxPending) {
      throw new NotifyError(
        'outbox_full',
        `${pending} notifications are waiting for their receivers, the most the outbox holds; this one was not queued`,
      );
    }
    const { ref, secret } = request.signingKey;
    const storeSecret = this.#secrets.get(ref) !== secret;
    const id = randomUUID();
    const now = iso(Date.now());
    this.#db.transaction(() => {
      if (storeSecret) this.#upsertSecret.run(ref, this.#secretBox.seal(secret), now);
      this.#insert.run({ id, nodeId: request.nodeId, secretRef: ref, now, ...checked, headers: this.#secretBox.seal(checked.headers) });
    })();
    if (storeSecret) this.#secrets.set(ref, secret);
    this.#schedulePass();
    return { id };
  }

  /** Calls `listener` with the outcome of each notification node `nodeId` sent; returns the unsubscribe. */
  subscribe(nodeId: string, listener: (outcome: NotificationOutcome) => void): () => void {
    let listeners = this.#subscribers.get(nodeId);
    if (!listeners) this.#subscribers.set(nodeId, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.#subscribers.get(nodeId) === listeners) this.#subscribers.delete(nodeId);
    };
  }

  /** A page of notifications, newest first. */
  list(filter: { state?: NotificationState; nodeId?: string }, page: { limit: number; offset: number }): NotificationPage {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.state !== undefined) {
      where.push('state = ?');
      args.push(filter.state);
    }
    if (filter.nodeId !== undefined) {
      where.push('node_id = ?');
      args.push(filter.nodeId);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = this.#query(`SELECT count(*) FROM notify_outbox ${clause}`).pluck().get(...args) as number;
    const rows = this.#query(`
      SELECT ${NOTIFICATION_COLUMNS} FROM notify_outbox ${clause}
      ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`).all(...args, page.limit, page.offset) as OutboxRow[];
    return { items: rows.map(notificationOf), total, ...page };
  }

  /**
   * One notification with the names of its headers (never their values), its body and every attempt; throws
   * `not_found`.
   */
  get(id: string): NotificationDetail {
    const row = this.#row(id);
    return {
      ...notificationOf(row),
      headerNames: Object.keys(this.#headersOf(row)),
      body: row.body,
      attemptLog: this.#attemptsOf.all(id) as NotificationAttempt[],
    };
  }

  /**
   * Tries a notification again now. A failed one starts a new round of attempts (its count goes back to 0, the log
   * keeps every attempt); a pending one skips the rest of its backoff. A delivered one is refused (`already_delivered`):
   * sending it twice is what receivers deduplicate against, not something to ask for.
   */
  retry(id: string): Notification {
    const row = this.#row(id);
    if (row.state === 'delivered') {
      throw conflict('already_delivered', `Notification "${id}" was delivered at ${row.delivered_at}; it is not sent again.`);
    }
    const now = iso(Date.now());
    if (row.state === 'failed') this.#restart.run(now, id);
    else this.#reschedule.run(now, id);
    this.#schedulePass();
    return notificationOf(this.#row(id));
  }

  /**
   * Why no notification to `url` can ever be delivered whatever DNS answers (its host is an IP address the outbound
   * policy refuses, or its port is one other protocols use); undefined when attempts may succeed.
   */
  urlRefusal(url: string): string | undefined {
    return this.#outbound.urlRefusal(new URL(url))?.message;
  }

  /** Notifications not yet delivered or failed (those in flight included), and attempts under way. */
  stats(): { pending: number; inFlight: number } {
    return { pending: this.#pendingCount.get() as number, inFlight: this.#inFlight.size };
  }

  /**
   * Deletes delivered and failed notifications older than the retention, with their attempts, and the signing
   * secrets no notification refers to any more. In batches, yielding between them, so a backlog does not hold the
   * event loop.
   */
  sweep(): void {
    const cutoff = iso(Date.now() - this.#retentionMs);
    const batch = () => {
      if (this.#closing) return;
      try {
        const { changes } = this.#expire.run(cutoff);
        if (changes === SWEEP_BATCH) {
          setImmediate(batch);
          return;
        }
        for (const ref of this.#dropUnusedSecrets.all() as string[]) this.#secrets.delete(ref);
      } catch (err) {
        this.#logger.error({ err }, 'notification retention sweep failed; the next sweep tries again');
      }
    };
    batch();
  }

  /**
   * Stops delivering. Attempts in flight are aborted rather than awaited (a slow receiver must not hold up a
   * shutdown): each is logged as interrupted, does not count against the notification's attempts, and the
   * notification stays pending, first in line after the next start. Resolves once they are recorded; the database
   * may be closed after that.
   */
  close(): Promise<void> {
    return (this.#closing ??= (async () => {
      if (this.#kick) clearImmediate(this.#kick);
      if (this.#timer) clearTimeout(this.#timer);
      clearInterval(this.#sweepTimer);
      for (const hold of this.#held.values()) clearTimeout(hold);
      for (const controller of this.#inFlight.values()) controller.abort();
      await Promise.allSettled([...this.#deliveries]);
    })());
  }

  #check(request: NotificationRequest) {
    const invalid = (message: string) => new NotifyError('invalid_notification', message);
    const problem = webhookUrlProblem(request.url) ?? webhookHeadersProblem(request.headers ?? {});
    if (problem) throw invalid(problem);
    const headers = request.headers ?? {};
    const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 60_000) throw invalid('timeout must be 100 to 60000 ms');
    const maxAttempts = request.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 50) throw invalid('max attempts must be 1 to 50');
    if (!request.signingKey.ref || !request.signingKey.secret) throw invalid('a signing secret is required');
    const bytes = Buffer.byteLength(request.body);
    if (bytes > this.#maxBodyBytes) {
      throw new NotifyError('body_too_large', `the body is ${bytes} bytes, more than the ${this.#maxBodyBytes} a notification may carry`);
    }
    try {
      JSON.parse(request.body);
    } catch {
      throw invalid('the body must be JSON text: it is sent as application/json');
    }
    return { url: new URL(request.url).href, method: request.method ?? 'POST', headers: JSON.stringify(headers), body: request.body, timeoutMs, maxAttempts };
  }

  #row(id: string): OutboxRow {
    const row = this.#byId.get(id) as OutboxRow | undefined;
    if (!row) throw notFound('Notification', id);
    return row;
  }

  /** Runs a delivery pass soon (once, however many callers ask before it runs). */
  #schedulePass(): void {
    if (this.#closing || this.#kick) return;
    this.#kick = setImmediate(() => {
      this.#kick = undefined;
      this.#pass();
    });
  }

  /** Starts what is due, as far as free slots allow, then sleeps until the next notification is due. */
  #pass(): void {
    if (this.#closing) return;
    try {
      const free = this.#concurrency - this.#inFlight.size;
      if (free > 0) {
        const due = this.#due.all(iso(Date.now()), this.#skipped(), free) as OutboxRow[];
        for (const row of due) this.#start(row);
      }
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = undefined;
      // With every slot taken, the next completion runs a pass; no timer needed.
      if (this.#inFlight.size >= this.#concurrency) return;
      const next = this.#nextDue.get(this.#skipped()) as string | null;
      if (next !== null) this.#sleep(Date.parse(next) - Date.now());
    } catch (err) {
      // A locked or failing database: look again later rather than never.
      this.#logger.error({ err }, 'reading the notification outbox failed; trying again shortly');
      this.#sleep(RECORD_FAILURE_HOLD_MS);
    }
  }

  #sleep(ms: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#schedulePass(), Math.min(Math.max(ms, 0), MAX_SLEEP_MS));
    // Waiting for a retry must not keep a stopping process alive; the rows wait in the database.
    this.#timer.unref();
  }

  #skipped(): string {
    return JSON.stringify([...this.#inFlight.keys(), ...this.#held.keys()]);
  }

  #start(row: OutboxRow): void {
    const controller = new AbortController();
    this.#inFlight.set(row.id, controller);
    const delivery = this.#attempt(row, controller.signal)
      .then((result) => this.#record(row, result))
      .catch((err: unknown) => this.#logger.error({ err, id: row.id }, 'webhook delivery failed unexpectedly'))
      .finally(() => {
        this.#inFlight.delete(row.id);
        this.#deliveries.delete(delivery);
        this.#schedulePass();
      });
    this.#deliveries.add(delivery);
  }

  /** One signed POST of a stored notification. Never rejects: every way it can end is a result to record. */
  async #attempt(row: OutboxRow, closing: AbortSignal): Promise<AttemptResult> {
    let secret: string;
    let headers: Record<string, string>;
    try {
      secret = this.#secret(row.secret_ref);
      headers = this.#headersOf(row);
    } catch (err) {
      return failedBeforeSending(
        `the signing secret or the headers cannot be opened (${errorMessage(err)}); was the data dir's key file replaced?`,
      );
    }
    return attemptWebhook(
      { id: row.id, url: row.url, method: row.method, body: row.body, timeoutMs: row.timeout_ms, secret, headers },
      this.#outbound,
      closing,
    );
  }

  /** Logs the attempt and moves the notification on, in one transaction; then tells listeners. */
  #record(row: OutboxRow, result: AttemptResult): void {
    const attempts = row.attempts + 1;
    let state: NotificationState = 'pending';
    let outcome: NotificationAttempt['outcome'] = result.verdict;
    let error = result.error;
    let nextAttemptAt: string | null = null;
    if (result.verdict === 'delivered') state = 'delivered';
    else if (result.verdict === 'failed') state = 'failed';
    else if (result.verdict === 'retry' && attempts >= row.max_attempts) {
      state = 'failed';
      outcome = 'failed';
      error = `${error}; gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
    } else if (result.verdict === 'retry') {
      nextAttemptAt = iso(Date.now() + backoffDelay(attempts, this.#backoff, this.#random, result.retryAfterMs));
    }
    let notification: Notification;
    let attempt: NotificationAttempt;
    try {
      this.#db.transaction(() => {
        this.#logAttempt.run({
          id: row.id, startedAt: iso(result.startedAt), durationMs: result.durationMs, outcome,
          status: result.status, error: result.error, response: result.response,
        });
        if (result.verdict !== 'interrupted') {
          this.#settle.run({
            id: row.id, state, nextAttemptAt, status: result.status, error,
            deliveredAt: state === 'delivered' ? iso(Date.now()) : null,
          });
        }
      })();
      notification = notificationOf(this.#row(row.id));
      attempt = (this.#attemptsOf.all(row.id) as NotificationAttempt[]).at(-1)!;
    } catch (err) {
      // The outcome is lost, the notification still pending and due: held back, it is not re-sent in a tight loop.
      this.#logger.error({ err, id: row.id }, 'recording a webhook attempt failed; the notification is tried again later');
      if (!this.#closing) {
        const hold = setTimeout(() => {
          this.#held.delete(row.id);
          this.#schedulePass();
        }, RECORD_FAILURE_HOLD_MS);
        hold.unref();
        this.#held.set(row.id, hold);
      }
      return;
    }

    // Settled: the slot is free before anyone hears of it, so a listener sees the outbox as it now is.
    this.#inFlight.delete(row.id);
    const log = { id: row.id, nodeId: row.node_id, origin: new URL(row.url).origin, attempt: attempt.attempt, status: result.status };
    if (state === 'failed') this.#logger.warn({ ...log, error }, 'webhook notification failed');
    else this.#logger.debug({ ...log, outcome }, 'webhook attempt');
    this.#emit('attempt', { notification, attempt });
    if (state === 'delivered' || state === 'failed') {
      this.#emit(state, notification);
      const { id, nodeId, attempts: count, lastStatus, lastError } = notification;
      const listeners = nodeId === null ? undefined : this.#subscribers.get(nodeId);
      for (const listener of listeners ?? []) {
        this.#call(() => listener({ id, nodeId, state, attempts: count, lastStatus, lastError }));
      }
    }
  }

  #emit<E extends keyof WebhookOutboxEvents>(event: E, ...args: WebhookOutboxEvents[E]): void {
    this.#call(() => (this.events.emit as (event: E, ...args: WebhookOutboxEvents[E]) => boolean)(event, ...args));
  }

  /** A listener's bug must not stop deliveries; it is reported where its author will look. */
  #call(notify: () => unknown): void {
    try {
      notify();
    } catch (err) {
      this.#logger.error({ err }, 'a notification outbox listener threw');
    }
  }

  #secret(ref: string): string {
    let secret = this.#secrets.get(ref);
    if (secret === undefined) {
      const sealed = this.#sealedSecret.get(ref) as string | undefined;
      if (sealed === undefined) throw new Error(`no secret stored under ${ref}`);
      secret = this.#secretBox.open(sealed);
      this.#secrets.set(ref, secret);
    }
    return secret;
  }

  /** The sender's extra headers; rows written before headers were sealed hold them as plain JSON. */
  #headersOf(row: OutboxRow): Record<string, string> {
    const text = row.headers.startsWith('{') ? row.headers : this.#secretBox.open(row.headers);
    return JSON.parse(text) as Record<string, string>;
  }

  #query(sql: string): Statement {
    let statement = this.#listings.get(sql);
    if (!statement) this.#listings.set(sql, (statement = this.#db.prepare(sql)));
    return statement;
  }
}

function notificationOf(row: OutboxRow): Notification {
  return {
    id: row.id,
    nodeId: row.node_id,
    url: row.url,
    method: row.method,
    state: row.state,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    nextAttemptAt: row.state === 'pending' ? row.next_attempt_at : null,
    lastStatus: row.last_status,
    lastError: row.last_error,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
  };
}
