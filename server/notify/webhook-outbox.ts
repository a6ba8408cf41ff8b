import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { isForeignKeyViolation, type Sql } from '../db/sql.ts';
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
  /**
   * While delivering, the longest wait before the table is read again. Another node of a cluster enqueues without this
   * one hearing of it unless it is woken ({@link WebhookOutbox.wake}), and a wake can be lost: within this, its
   * notification is found anyway. It also bounds what a wall-clock jump can delay. Default 1 s.
   */
  pollMs?: number;
}

/** Events of the outbox, emitted after the change is committed. */
export interface WebhookOutboxEvents {
  /**
   * A notification was enqueued or retried on this node and is due now. In a cluster the node that delivers is told
   * (it calls {@link WebhookOutbox.wake}), so it need not wait for its poll.
   */
  queued: [{ id: string }];
  /**
   * A notification was delivered or failed for good, as its node's outcome listeners hear it: in a cluster the other
   * nodes are told ({@link WebhookOutbox.followOutcome}), for the notify node that sent it wherever it runs.
   */
  'notify.outcome': [NotificationOutcome];
  /**
   * One attempt ended (or was interrupted by {@link WebhookOutbox.stopDelivery}) and is in the delivery log. This and
   * the outcomes below are heard on the node that delivers.
   */
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

/** A notification to attempt, with its sender's signing secret as stored now (sealed). */
interface DueRow extends OutboxRow {
  sealed_secret: string | null;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_ATTEMPTS = 8;
const DEFAULT_POLL_MS = 1_000;
/** How long a notification whose attempt could not be recorded is held back (a full disk is not hammered). */
const RECORD_FAILURE_HOLD_MS = 30_000;
const SWEEP_INTERVAL_MS = 3_600_000;
const SWEEP_BATCH = 1_000;

const iso = (ms: number) => new Date(ms).toISOString();

const NOTIFICATION_COLUMNS = `
  id, node_id, url, method, headers, body, secret_ref, timeout_ms, max_attempts, attempts, next_attempt_at, state,
  last_status, last_error, created_at, delivered_at`;
// Quoted: PostgreSQL folds unquoted names to lower case.
const ATTEMPT_COLUMNS = 'attempt, started_at AS "startedAt", duration_ms AS "durationMs", outcome, status, error, response';

const INSERT = `
  INSERT INTO notify_outbox (id, node_id, url, method, headers, body, secret_ref, timeout_ms, max_attempts, next_attempt_at, state, created_at)
  VALUES (@id, @nodeId, @url, @method, @headers, @body, @secretRef, @timeoutMs, @maxAttempts, @now, 'pending', @now)`;
const UPSERT_SECRET = `
  INSERT INTO notify_secrets (ref, sealed, updated_at) VALUES (?, ?, ?)
  ON CONFLICT (ref) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at`;
const PENDING_COUNT = "SELECT count(*) AS n FROM notify_outbox WHERE state = 'pending'";
const BY_ID = `SELECT ${NOTIFICATION_COLUMNS} FROM notify_outbox WHERE id = ?`;
// The secret is read with the row, not remembered: another node may have replaced it since.
const DUE = `
  SELECT ${NOTIFICATION_COLUMNS}, sealed AS sealed_secret FROM notify_outbox LEFT JOIN notify_secrets ON ref = secret_ref
  WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`;
const UPCOMING = "SELECT id, next_attempt_at FROM notify_outbox WHERE state = 'pending' ORDER BY next_attempt_at LIMIT ?";
const ATTEMPTS_OF = `SELECT ${ATTEMPT_COLUMNS} FROM notify_attempts WHERE notification_id = ? ORDER BY attempt`;
const LOG_ATTEMPT = `
  INSERT INTO notify_attempts (notification_id, attempt, started_at, duration_ms, outcome, status, error, response)
  VALUES (@id, (SELECT coalesce(max(attempt), 0) + 1 FROM notify_attempts WHERE notification_id = @id),
    @startedAt, @durationMs, @outcome, @status, @error, @response)
  RETURNING ${ATTEMPT_COLUMNS}`;
// Only a pending notification moves on: a node that lost the lead and records its attempt late must not undo what the
// node delivering now recorded.
const SETTLE = `
  UPDATE notify_outbox SET state = @state, attempts = attempts + 1, next_attempt_at = @nextAttemptAt,
    last_status = @status, last_error = @error, delivered_at = @deliveredAt
  WHERE id = @id AND state = 'pending'
  RETURNING ${NOTIFICATION_COLUMNS}`;
const RESCHEDULE = "UPDATE notify_outbox SET next_attempt_at = ? WHERE id = ? AND state = 'pending'";
const RESTART = "UPDATE notify_outbox SET state = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ? AND state = 'failed'";
const EXPIRE = `
  DELETE FROM notify_outbox WHERE id IN (
    SELECT id FROM notify_outbox WHERE state <> 'pending' AND created_at < ? LIMIT ${SWEEP_BATCH})`;
const DROP_UNUSED_SECRETS = 'DELETE FROM notify_secrets WHERE ref NOT IN (SELECT secret_ref FROM notify_outbox) RETURNING ref';

/**
 * The durable webhook outbox (`notify_outbox`, `notify_attempts`, `notify_secrets`). `enqueue` commits the
 * notification to the database before it resolves, so a notification outlives a crash or restart and is delivered
 * after it: delivery is at least once, and receivers deduplicate by `X-Thingwire-Notification-Id`. Any node of a
 * cluster enqueues and answers the API.
 *
 * Delivery runs between {@link startDelivery} and {@link stopDelivery}, on one node at a time (a cluster's leader; a
 * single node from its start): an immediate pass on every enqueue, retry, wake and completion, a timer for the next
 * due retry, and a poll (`pollMs`) for what other nodes enqueued. At most `concurrency` attempts are in flight; each
 * is a signed JSON POST (`webhook-attempt.ts`, see `webhook-signature.ts`) bounded by the notification's timeout. What
 * an answer means is `verdictFor`'s (`delivery-policy.ts`): 2xx delivered; 408, 429, 5xx, timeouts and network errors
 * retried with exponential backoff and jitter up to the notification's `maxAttempts`, then failed; any other status
 * failed at once. An address the outbound policy refuses fails the attempt at once, too (it would be refused again).
 * Every attempt is logged in `notify_attempts`, and the hourly sweep deletes what is past the retention. Headers (they
 * carry the receivers' credentials) are stored sealed, like the signing secrets.
 *
 * Which notifications are in flight is known to the delivering node only: all state is in the rows, so the node that
 * delivers next resumes from them, and an attempt in flight when its node died is simply made again.
 */
export class WebhookOutbox implements NotifyService {
  /** Attempts, deliveries and failures, after they are committed. */
  readonly events = new EventEmitter<WebhookOutboxEvents>();
  readonly #sql: Sql;
  readonly #secretBox: SecretBox;
  readonly #logger: Logger;
  readonly #concurrency: number;
  readonly #backoff: BackoffOptions;
  readonly #random: () => number;
  readonly #maxPending: number;
  readonly #maxBodyBytes: number;
  readonly #retentionMs: number;
  readonly #outbound: OutboundPolicy;
  readonly #pollMs: number;
  /** Plain signing secrets by ref, as this node last stored them: an enqueue with an unchanged secret writes nothing. */
  readonly #secrets = new Map<string, string>();
  readonly #inFlight = new Map<string, AbortController>();
  /** Notifications held back after their attempt could not be recorded, with the timer that releases each. */
  readonly #held = new Map<string, NodeJS.Timeout>();
  readonly #deliveries = new Set<Promise<void>>();
  readonly #subscribers = new Map<string, Set<(outcome: NotificationOutcome) => void>>();
  #delivering = false;
  #kick: NodeJS.Immediate | undefined;
  #timer: NodeJS.Timeout | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  #passing: Promise<void> | undefined;
  #passAgain = false;
  #sweeping: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  /** Opens the outbox on the platform database; nothing is delivered until {@link startDelivery}. */
  constructor(sql: Sql, secretBox: SecretBox, logger: Logger, options: WebhookOutboxOptions = {}) {
    this.#sql = sql;
    this.#secretBox = secretBox;
    this.#logger = logger;
    this.#concurrency = options.concurrency ?? 4;
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.#random = options.random ?? Math.random;
    this.#maxPending = options.maxPending ?? 10_000;
    this.#maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
    this.#retentionMs = options.retentionMs ?? 14 * 86_400_000;
    this.#outbound = options.outbound instanceof OutboundPolicy ? options.outbound : new OutboundPolicy(options.outbound);
    this.#pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  }

  /**
   * Commits a notification and, on the node that delivers, starts delivering it at once when a slot is free. Rejects
   * with a {@link NotifyError}: `invalid_notification` for one that could never be delivered, `body_too_large`,
   * `outbox_full` (too many pending: the receivers are not keeping up), `outbox_closed`.
   */
  async enqueue(request: NotificationRequest): Promise<{ id: string }> {
    if (this.#closing) throw new NotifyError('outbox_closed', 'the notification outbox is closed (the platform is stopping)');
    const checked = this.#check(request);
    // A bound against a dead receiver filling the disk, not an exact count: enqueues running at once may pass it by a few.
    const pending = await this.#pendingCount();
    if (pending >= this.#maxPending) {
      throw new NotifyError(
        'outbox_full',
        `${pending} notifications are waiting for their receivers, the most the outbox holds; this one was not queued`,
      );
    }
    const { ref, secret } = request.signingKey;
    const id = randomUUID();
    const now = iso(Date.now());
    const row = { id, nodeId: request.nodeId, secretRef: ref, now, ...checked, headers: this.#secretBox.seal(checked.headers) };
    const store = (withSecret: boolean) => withSecret
      ? this.#sql.transaction(async (tx) => {
        await tx.run(UPSERT_SECRET, [ref, this.#secretBox.seal(secret), now]);
        await tx.run(INSERT, row);
      })
      : this.#sql.run(INSERT, row);
    const stored = this.#secrets.get(ref) === secret;
    try {
      await store(!stored);
    } catch (err) {
      // The secret this node remembers storing is gone: the sweep (another node's, in a cluster) deleted it when no
      // notification referred to it any more.
      if (!stored || !isForeignKeyViolation(err)) throw err;
      await store(true);
    }
    this.#secrets.set(ref, secret);
    this.#emit('queued', { id });
    this.#schedulePass();
    return { id };
  }

  /**
   * Calls `listener` with the outcome of each notification node `nodeId` sent, when this node delivers it; returns the
   * unsubscribe.
   */
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
  async list(filter: { state?: NotificationState; nodeId?: string }, page: { limit: number; offset: number }): Promise<NotificationPage> {
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
    const { n: total } = (await this.#sql.get<{ n: number }>(`SELECT count(*) AS n FROM notify_outbox ${clause}`, args))!;
    // The id orders those created in the same millisecond: arbitrarily, but the same on every page.
    const rows = await this.#sql.all<OutboxRow>(`
      SELECT ${NOTIFICATION_COLUMNS} FROM notify_outbox ${clause}
      ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`, [...args, page.limit, page.offset]);
    return { items: rows.map(notificationOf), total, ...page };
  }

  /**
   * One notification with the names of its headers (never their values), its body and every attempt; rejects with
   * `not_found`.
   */
  async get(id: string): Promise<NotificationDetail> {
    const row = await this.#row(id);
    return {
      ...notificationOf(row),
      headerNames: Object.keys(this.#headersOf(row)),
      body: row.body,
      attemptLog: await this.#sql.all<NotificationAttempt>(ATTEMPTS_OF, [id]),
    };
  }

  /**
   * Tries a notification again now. A failed one starts a new round of attempts (its count goes back to 0, the log
   * keeps every attempt); a pending one skips the rest of its backoff. A delivered one is refused (`already_delivered`):
   * sending it twice is what receivers deduplicate against, not something to ask for.
   */
  async retry(id: string): Promise<Notification> {
    const row = await this.#row(id);
    if (row.state === 'delivered') {
      throw conflict('already_delivered', `Notification "${id}" was delivered at ${row.delivered_at}; it is not sent again.`);
    }
    await this.#sql.run(row.state === 'failed' ? RESTART : RESCHEDULE, [iso(Date.now()), id]);
    const retried = notificationOf(await this.#row(id));
    this.#emit('queued', { id });
    this.#schedulePass();
    return retried;
  }

  /**
   * Why no notification to `url` can ever be delivered whatever DNS answers (its host is an IP address the outbound
   * policy refuses, or its port is one other protocols use); undefined when attempts may succeed.
   */
  urlRefusal(url: string): string | undefined {
    return this.#outbound.urlRefusal(new URL(url))?.message;
  }

  /** Notifications not yet delivered or failed (those in flight included), and attempts under way on this node. */
  async stats(): Promise<{ pending: number; inFlight: number }> {
    return { pending: await this.#pendingCount(), inFlight: this.#inFlight.size };
  }

  /**
   * Starts delivering on this node: what is due now (what was left pending, and attempts another node had in flight
   * when it stopped or died, included), then each notification as it becomes due; and the retention sweep, now and
   * hourly. Run by one node of a cluster at a time (singleton work). Resolves once what was due has been started.
   */
  async startDelivery(): Promise<void> {
    if (this.#closing) throw new Error('the notification outbox is closed');
    if (this.#delivering) return;
    this.#delivering = true;
    this.#sweepTimer = setInterval(() => void this.#sweep(), SWEEP_INTERVAL_MS);
    this.#sweepTimer.unref();
    void this.#sweep();
    await this.#runPass();
  }

  /**
   * Stops delivering on this node. Attempts in flight are aborted rather than awaited (a slow receiver must not hold
   * up a shutdown or a hand-over): each is logged as interrupted, does not count against the notification's attempts,
   * and the notification stays pending, first in line for whichever node delivers next. Resolves once they are
   * recorded and no pass or sweep runs any more.
   */
  async stopDelivery(): Promise<void> {
    this.#delivering = false;
    if (this.#kick) clearImmediate(this.#kick);
    this.#kick = undefined;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    clearInterval(this.#sweepTimer);
    for (const hold of this.#held.values()) clearTimeout(hold);
    // Pending in the rows: the next delivery tries them again.
    this.#held.clear();
    for (const controller of this.#inFlight.values()) controller.abort();
    await Promise.allSettled([this.#passing, this.#sweeping, ...this.#deliveries]);
  }

  /**
   * Looks for due notifications now, when this node delivers: another node enqueued or retried one. Without a wake
   * it is found by the next poll.
   */
  wake(): void {
    this.#schedulePass();
  }

  /** Stops delivering (see {@link stopDelivery}) and refuses new notifications; the database may be closed after it. */
  close(): Promise<void> {
    return (this.#closing ??= this.stopDelivery());
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

  async #pendingCount(): Promise<number> {
    return (await this.#sql.get<{ n: number }>(PENDING_COUNT))!.n;
  }

  async #row(id: string): Promise<OutboxRow> {
    const row = await this.#sql.get<OutboxRow>(BY_ID, [id]);
    if (!row) throw notFound('Notification', id);
    return row;
  }

  /**
   * Deletes delivered and failed notifications older than the retention, with their attempts, and the signing
   * secrets no notification refers to any more. In batches, so a backlog does not hold the database in one statement.
   */
  #sweep(): Promise<void> {
    return (this.#sweeping ??= (async () => {
      const cutoff = iso(Date.now() - this.#retentionMs);
      try {
        while ((await this.#sql.run(EXPIRE, [cutoff])).changes === SWEEP_BATCH) {
          if (!this.#delivering) return;
        }
        for (const { ref } of await this.#sql.all<{ ref: string }>(DROP_UNUSED_SECRETS)) this.#secrets.delete(ref);
      } catch (err) {
        this.#logger.error({ err }, 'notification retention sweep failed; the next sweep tries again');
      } finally {
        this.#sweeping = undefined;
      }
    })());
  }

  /** Runs a delivery pass soon, while this node delivers (once, however many callers ask before it runs). */
  #schedulePass(): void {
    if (!this.#delivering || this.#kick) return;
    this.#kick = setImmediate(() => {
      this.#kick = undefined;
      void this.#runPass();
    });
  }

  /** A pass now, or another after the one running now: two at once could both start the same due row. */
  #runPass(): Promise<void> {
    if (this.#passing) {
      this.#passAgain = true;
      return this.#passing;
    }
    this.#passing = this.#pass().finally(() => {
      this.#passing = undefined;
      if (this.#passAgain) {
        this.#passAgain = false;
        this.#schedulePass();
      }
    });
    return this.#passing;
  }

  /** Starts what is due, as far as free slots allow, then sleeps until the next notification is due or the next poll. */
  async #pass(): Promise<void> {
    try {
      // Skipped here rather than in the statement, whose text then stays one both databases prepare once. Taken before
      // the read: a row in flight now may be settled and gone from the map by the time the read answers.
      let skipped = this.#busy();
      const free = this.#concurrency - this.#inFlight.size;
      if (free > 0) {
        const due = await this.#sql.all<DueRow>(DUE, [iso(Date.now()), free + skipped.size]);
        if (!this.#delivering) return;
        for (const row of due.filter((r) => !skipped.has(r.id)).slice(0, this.#concurrency - this.#inFlight.size)) this.#start(row);
      }
      // With every slot taken, the next completion runs a pass; no timer needed.
      if (this.#inFlight.size >= this.#concurrency) {
        this.#sleep(undefined);
        return;
      }
      skipped = this.#busy();
      const upcoming = await this.#sql.all<{ id: string; next_attempt_at: string }>(UPCOMING, [skipped.size + 1]);
      if (!this.#delivering) return;
      const next = upcoming.find((r) => !skipped.has(r.id));
      const wait = next ? Date.parse(next.next_attempt_at) - Date.now() : this.#pollMs;
      this.#sleep(Math.min(Math.max(wait, 0), this.#pollMs));
    } catch (err) {
      // A locked or failing database: look again later rather than never.
      this.#logger.error({ err }, 'reading the notification outbox failed; trying again shortly');
      if (this.#delivering) this.#sleep(RECORD_FAILURE_HOLD_MS);
    }
  }

  /** Notifications this node must not start now: in flight, or held back. */
  #busy(): Set<string> {
    return new Set([...this.#inFlight.keys(), ...this.#held.keys()]);
  }

  /** A pass after `ms`; none for undefined. */
  #sleep(ms: number | undefined): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (ms === undefined) return;
    this.#timer = setTimeout(() => this.#schedulePass(), ms);
    // Waiting for a retry must not keep a stopping process alive; the rows wait in the database.
    this.#timer.unref();
  }

  #start(row: DueRow): void {
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
  async #attempt(row: DueRow, stopping: AbortSignal): Promise<AttemptResult> {
    let secret: string;
    let headers: Record<string, string>;
    try {
      if (row.sealed_secret === null) throw new Error(`no secret stored under ${row.secret_ref}`);
      secret = this.#secretBox.open(row.sealed_secret);
      headers = this.#headersOf(row);
    } catch (err) {
      return failedBeforeSending(
        `the signing secret or the headers cannot be opened (${errorMessage(err)}); was the data dir's key file replaced?`,
      );
    }
    return attemptWebhook(
      { id: row.id, url: row.url, method: row.method, body: row.body, timeoutMs: row.timeout_ms, secret, headers },
      this.#outbound,
      stopping,
    );
  }

  /** Logs the attempt and moves the notification on, in one transaction; then tells listeners. */
  async #record(row: OutboxRow, result: AttemptResult): Promise<void> {
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
    /** Whether this attempt moved the notification on (an interrupted one does not, nor one another node settled). */
    let settled: boolean;
    try {
      const recorded = await this.#sql.transaction(async (tx) => {
        // Two nodes may record attempts at one notification at once (one that lost the lead and has not noticed yet):
        // they take the attempt numbers in turn.
        await tx.lock(`notify_attempts:${row.id}`);
        const logged = (await tx.get<NotificationAttempt>(LOG_ATTEMPT, {
          id: row.id, startedAt: iso(result.startedAt), durationMs: result.durationMs, outcome,
          status: result.status, error: result.error, response: result.response,
        }))!;
        const moved = result.verdict === 'interrupted' ? undefined : await tx.get<OutboxRow>(SETTLE, {
          id: row.id, state, nextAttemptAt, status: result.status, error,
          deliveredAt: state === 'delivered' ? iso(Date.now()) : null,
        });
        return { logged, moved };
      });
      attempt = recorded.logged;
      settled = recorded.moved !== undefined;
      notification = notificationOf(recorded.moved ?? (await this.#row(row.id)));
    } catch (err) {
      // The outcome is lost, the notification still pending and due: held back, it is not re-sent in a tight loop.
      this.#logger.error({ err, id: row.id }, 'recording a webhook attempt failed; the notification is tried again later');
      if (this.#delivering) {
        const hold = setTimeout(() => {
          this.#held.delete(row.id);
          this.#schedulePass();
        }, RECORD_FAILURE_HOLD_MS);
        hold.unref();
        this.#held.set(row.id, hold);
      }
      return;
    }

    // Recorded: the slot is free before anyone hears of it, so a listener sees the outbox as it now is.
    this.#inFlight.delete(row.id);
    const log = { id: row.id, nodeId: row.node_id, origin: new URL(row.url).origin, attempt: attempt.attempt, status: result.status };
    if (settled && state === 'failed') this.#logger.warn({ ...log, error }, 'webhook notification failed');
    else this.#logger.debug({ ...log, outcome }, 'webhook attempt');
    this.#emit('attempt', { notification, attempt });
    if (settled && (state === 'delivered' || state === 'failed')) {
      this.#emit(state, notification);
      const { id, nodeId, attempts: count, lastStatus, lastError } = notification;
      const outcome: NotificationOutcome = { id, nodeId, state, attempts: count, lastStatus, lastError };
      this.followOutcome(outcome);
      this.#emit('notify.outcome', outcome);
    }
  }

  /** Tells the outcome listeners of the notification's node: this node's outcomes, and (cluster) the leader's. */
  followOutcome(outcome: NotificationOutcome): void {
    const listeners = outcome.nodeId === null ? undefined : this.#subscribers.get(outcome.nodeId);
    for (const listener of listeners ?? []) this.#call(() => listener(outcome));
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

  /** The sender's extra headers; rows written before headers were sealed hold them as plain JSON. */
  #headersOf(row: OutboxRow): Record<string, string> {
    const text = row.headers.startsWith('{') ? row.headers : this.#secretBox.open(row.headers);
    return JSON.parse(text) as Record<string, string>;
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
