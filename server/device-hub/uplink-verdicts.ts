import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { iso, type DeviceLog, type MessageEntry } from './device-log.ts';
import type { DeviceSession } from './device-session.ts';
import type { Receipt, ThingMessage, ThingMessageKind } from '../../domain/devices/thing-message.ts';
import { isFinal, receiptKey, UplinkReceipts, type UplinkReceiptsOptions } from './uplink-receipts.ts';

/** What a transport passes with an uplink besides the message. */
export interface UplinkOptions {
  /**
   * A fingerprint of the payload's bytes (`fingerprintOf`), given when the message id is the device's own: the
   * uplink is then deduplicated by (device, message id, fingerprint). Absent: never treated as a repeat.
   */
  fingerprint?: number;
  /**
   * Called once the verdict is in and its record (stored data, message log entry, receipt; in a cluster the receipt
   * also where the other nodes read it) committed. `retry` is true
   * when nothing was taken for a reason that may pass (storage failed, the platform is overloaded): the device should
   * send the message again, and the call comes at once. A message no flow handles (503) or answers in time (504) is
   * not retried: sending it again would not change that. Never called when the hub stops first. The transport
   * acknowledges the message here (MQTT: PUBACK).
   */
  onVerdict?: (code: number, text: string | null, retry: boolean) => void;
}

export interface UplinkVerdictsOptions {
  log: DeviceLog;
  logger: Logger;
  now: () => number;
  /** For sessions that do not bring their own (`DeviceSession.replyTimeoutMs`); see DeviceHubOptions. */
  replyTimeoutMs: number;
  /** See DeviceHubOptions. */
  maxPendingReplies: number;
  pressure: ((busy: boolean, reason: string) => void) | undefined;
  receipts: UplinkReceiptsOptions | undefined;
  /** Whether the session ended: a reply to it has nowhere to go. */
  hasEnded(session: DeviceSession): boolean;
}

/** Cluster mode: the receipts of every node's verdicts (SharedReceipts). Its methods never throw or reject. */
export interface ReceiptShare {
  /** Resolves once the other nodes can read it (or writing it failed, which is logged). */
  remember(receipt: Receipt): Promise<void>;
  of(productKey: string, deviceName: string, now: number): Promise<Receipt[]>;
  forget(productKey: string, deviceName: string): void;
}

/** The verdict side of an uplink: who waits for it, and the repeats that arrived while it was pending. */
interface VerdictWaiters {
  /** The receipt key when the uplink has an identity (see UplinkOptions.fingerprint). */
  key: string | undefined;
  productKey: string;
  deviceName: string;
  msgId: string;
  fingerprint: number;
  onVerdict: UplinkOptions['onVerdict'];
  repeats: Repeat[] | undefined;
}

/** A repeat of an uplink whose verdict is still pending: answered with that verdict. */
interface Repeat {
  session: DeviceSession;
  message: ThingMessage;
  entry: MessageEntry;
  onVerdict: UplinkOptions['onVerdict'];
}

/** An uplink taken in (logged, not a repeat), on its way to its verdict. */
export interface ReceivedUplink {
  session: DeviceSession;
  message: ThingMessage;
  entry: MessageEntry;
  /** A device's reply to a command: it carries its own verdict (the device's code). */
  deviceReply: boolean;
  /** Absent for uplinks nobody waits on beyond the log (no transport callback, no identity). */
  waiters: VerdictWaiters | undefined;
}

interface PendingUplink {
  session: DeviceSession;
  /**
   * When the device asked for a reply (`ack`): a copy kept to encode it, since listeners get their own object and
   * may change it. Undefined without ack: the verdict is only recorded, so nothing is copied.
   */
  message: ThingMessage | undefined;
  entry: MessageEntry;
  timer: NodeJS.Timeout;
  timeoutMs: number;
  waiters: VerdictWaiters | undefined;
}

const DEVICE_REPLY_KINDS: ReadonlySet<ThingMessageKind> = new Set(['service.reply', 'property.set.reply']);
/**
 * Reports of what the device is now (its firmware version, its upgrade's progress, a request for its upgrade): never
 * taken as repeats. A device that restarts numbers its messages from 1 again and reports the same version in the same
 * bytes; that report is news (it restarted), and processing one twice changes nothing.
 */
const STATE_REPORT_KINDS: ReadonlySet<string> = new Set(['ota.inform', 'ota.progress', 'ota.get']);
const REPEAT = 'repeat of a message already received; not processed again';
const NO_FLOW = 'no flow handles device messages';

/**
 * Every uplink's verdict: reply tokens for flows, the reply timeout, answers to the devices that asked (`ack`),
 * repeats answered with the first verdict (receipts), the transport told once the verdict is durable, and the
 * pressure the pending replies put on ingress. What gives the verdict (the flows) is the hub's business.
 */
export class UplinkVerdicts {
  readonly #options: UplinkVerdictsOptions;
  readonly #log: DeviceLog;
  readonly #pending = new Map<string, PendingUplink>();
  readonly #receipts: UplinkReceipts;
  /** Uplinks with an identity whose verdict is pending, by receipt key: a repeat meanwhile waits for that verdict. */
  readonly #inflight = new Map<string, VerdictWaiters>();
  /** Cluster mode: where final verdicts go for the other nodes (SharedReceipts). */
  #shared: ReceiptShare | undefined;
  /** The pending uplinks that asked for a reply: what `maxPendingReplies` bounds. */
  #pendingAcks = 0;
  #behind = false;
  /** Tokens from a previous process (a flow holding one across a restart) must not match this process's. */
  readonly #tokenPrefix = randomBytes(6).toString('base64url');
  #tokenSeq = 0;
  #uplinks = 0;
  #repeats = 0;
  readonly #repliesByCode: Record<string, number> = {};
  #noFlowWarnedAt = -Infinity;
  #noFlowSuppressed = 0;
  /** One handler for every reply timer, the token passed as its argument: no closure per uplink. */
  readonly #onReplyTimeout = (token: string) => this.#replyTimedOut(token);

  constructor(options: UplinkVerdictsOptions) {
    this.#options = options;
    this.#log = options.log;
    this.#receipts = new UplinkReceipts(options.receipts);
  }

  /**
   * Takes an uplink in: a repeat of a message seen before is answered with the first verdict (at once when it is
   * known, else when it comes), logged as a repeat, and undefined is returned (it goes no further). Anything else is
   * counted and logged, and waits for its verdict.
   */
  receive(session: DeviceSession, msg: ThingMessage, options: UplinkOptions, at: number): ReceivedUplink | undefined {
    const deviceReply = DEVICE_REPLY_KINDS.has(msg.kind);
    const { fingerprint, onVerdict } = options;
    const key = fingerprint !== undefined && !deviceReply && !STATE_REPORT_KINDS.has(msg.kind) ? receiptKey(msg.productKey, msg.deviceName, msg.id) : undefined;
    if (key !== undefined && this.#repeated(session, msg, key, fingerprint!, onVerdict, at)) return undefined;
    this.#uplinks++;
    const entry = this.#log.message({
      productKey: msg.productKey, deviceName: msg.deviceName, at: iso(at), direction: 'up', kind: msg.kind,
      identifier: msg.eventId ?? msg.serviceId ?? null, topic: msg.topic, msgId: msg.id,
      code: deviceReply ? msg.code ?? 200 : null, params: msg.params,
    });
    const waiters: VerdictWaiters | undefined = key !== undefined || onVerdict
      ? { key, productKey: msg.productKey, deviceName: msg.deviceName, msgId: msg.id, fingerprint: fingerprint ?? 0, onVerdict, repeats: undefined }
      : undefined;
    if (key !== undefined) {
      this.#inflight.set(key, waiters!);
      msg.fingerprint = fingerprint;
    } else if ('fingerprint' in msg) {
      delete msg.fingerprint;
    }
    return { session, message: msg, entry, deviceReply, waiters };
  }

  /** No flow listens at all: 503 now, unless it is a device's reply, which needed no flow (its command got it). */
  unheard(uplink: ReceivedUplink): void {
    const { session, message, entry, waiters } = uplink;
    if (message.ack || !uplink.deviceReply) {
      if (message.ack) this.#answer(session, message, entry, 503, NO_FLOW);
      else this.#log.setResult(entry, 503, NO_FLOW);
      this.#warnNoFlow();
      this.#settle(waiters, 503, NO_FLOW, false, false);
    } else {
      // The device's own code says how its command went; for the transport, its reply was taken.
      this.#settle(waiters, 200, null, false);
    }
  }

  /** A device reply that did not ask for an answer: its verdict is the device's own code, taken as it is. */
  taken(uplink: ReceivedUplink): void {
    this.#settle(uplink.waiters, 200, null, false);
  }

  /**
   * Gives the uplink a reply token (set on the message) and starts its reply timeout: the session's, else
   * `replyTimeoutMs`. Call before the flows get the message: one of them may reply synchronously.
   */
  await(uplink: ReceivedUplink): string {
    const { session, message: msg, entry, waiters } = uplink;
    const token = `${this.#tokenPrefix}.${++this.#tokenSeq}`;
    const timeoutMs = session.replyTimeoutMs ?? this.#options.replyTimeoutMs;
    const timer = setTimeout(this.#onReplyTimeout, timeoutMs, token);
    timer.unref();
    this.#pending.set(token, { session, message: msg.ack ? { ...msg } : undefined, entry, timer, timeoutMs, waiters });
    if (msg.ack && ++this.#pendingAcks >= this.#options.maxPendingReplies && !this.#behind) this.#setBehind(true);
    msg.replyToken = token;
    return token;
  }

  /** No flow takes this kind of message (every `device in` filtered it out): 503 now rather than 504 later. */
  noFlowTook(token: string): void {
    const pending = this.#takePending(token);
    if (!pending) return; // answered synchronously after all
    clearTimeout(pending.timer);
    const text = `no flow handles ${pending.entry.row.kind ?? 'this kind of'} messages`;
    if (pending.message) this.#answer(pending.session, pending.message, pending.entry, 503, text);
    else this.#log.setResult(pending.entry, 503, text);
    this.#settle(pending.waiters, 503, text, false, false);
  }

  /** See {@link DeviceHub.reply}. */
  reply(token: string, code: number, data?: unknown, text?: string, options?: { durable?: boolean }): boolean {
    const pending = this.#takePending(token);
    if (!pending) return false;
    clearTimeout(pending.timer);
    let answered = true;
    if (!pending.message) this.#log.setResult(pending.entry, code, text ?? null);
    else answered = this.#answer(pending.session, pending.message, pending.entry, code, text ?? null, data);
    // A flow's 5xx other than a timeout (storage failed, overloaded) is worth sending again.
    this.#settle(pending.waiters, code, text ?? null, options?.durable === true, code >= 500 && code !== 504);
    return answered;
  }

  /** See {@link DeviceHub.refused}. */
  refused(
    session: DeviceSession, partial: { id?: string; topic: string; kind?: ThingMessageKind }, code: number, reason: string,
    onVerdict: UplinkOptions['onVerdict'], at: number,
  ): void {
    this.#countReply(code);
    this.#log.message({
      productKey: session.productKey, deviceName: session.deviceName, at: iso(at), direction: 'up',
      kind: partial.kind ?? null, topic: partial.topic, msgId: partial.id ?? null, code, reason,
    });
    // The transport's own 500 (a bug of ours on this message) may not happen again: worth a resend.
    if (onVerdict) this.#whenDurable(code, reason, false, code >= 500, onVerdict);
  }

  /** Receipts read back at start-up: the message log's, and a store's that commits them with what it stored. */
  loadReceipts(receipts: Iterable<Receipt>): void {
    this.#receipts.load(receipts, this.#options.now());
  }

  /** Forgets a deleted device's receipts. */
  forget(productKey: string, deviceName: string): void {
    this.#receipts.forget(productKey, deviceName);
    this.#shared?.forget(productKey, deviceName);
  }

  /** See {@link DeviceHub.shareReceiptsThrough}. */
  shareThrough(shared: ReceiptShare): void {
    this.#shared = shared;
  }

  /** Takes the verdicts other nodes gave the device's messages (see {@link DeviceHub.beforeSession}). */
  admit(productKey: string, deviceName: string): Promise<void> | undefined {
    if (!this.#shared) return undefined;
    return this.#shared.of(productKey, deviceName, this.#options.now()).then((receipts) => this.#receipts.load(receipts, this.#options.now()));
  }

  stats(): { uplinks: number; repeats: number; receipts: { receipts: number; windowMs: number }; repliesByCode: Record<string, number>; pendingReplies: number } {
    return {
      uplinks: this.#uplinks,
      repeats: this.#repeats,
      receipts: this.#receipts.stats(this.#options.now()),
      repliesByCode: { ...this.#repliesByCode },
      pendingReplies: this.#pendingAcks,
    };
  }

  /** Uplinks waiting for a flow get no answer; their log entries say the server stopped first. */
  close(): void {
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      this.#log.setResult(p.entry, 503, 'the server stopped before a flow answered');
    }
    this.#pending.clear();
    this.#inflight.clear();
    this.#pendingAcks = 0;
  }

  /**
   * The identity of a message seen before: answered with the first verdict (at once when it is known, else when it
   * comes), logged as a repeat, and not handed to flows again. False for a new message.
   */
  #repeated(session: DeviceSession, msg: ThingMessage, key: string, fingerprint: number, onVerdict: UplinkOptions['onVerdict'], at: number): boolean {
    const first = this.#receipts.find(key, fingerprint, at);
    const inflight = first ? undefined : this.#inflight.get(key);
    if (!first && inflight?.fingerprint !== fingerprint) return false;
    this.#repeats++;
    const entry = this.#log.message({
      productKey: msg.productKey, deviceName: msg.deviceName, at: iso(at), direction: 'up', kind: msg.kind,
      identifier: msg.eventId ?? null, topic: msg.topic, msgId: msg.id, code: null, params: msg.params,
    });
    const repeat: Repeat = { session, message: msg, entry, onVerdict };
    if (first) this.#answerRepeat(repeat, first.code, first.reason, false);
    else (inflight!.repeats ??= []).push(repeat);
    return true;
  }

  #answerRepeat(repeat: Repeat, code: number, text: string | null, retry: boolean): void {
    const reason = `${REPEAT}; first answered ${code}${text ? `: ${text}` : ''}`;
    if (repeat.message.ack) this.#answer(repeat.session, repeat.message, repeat.entry, code, reason);
    else this.#log.setResult(repeat.entry, code, reason);
    if (repeat.onVerdict) this.#whenDurable(code, reason, false, retry, repeat.onVerdict);
  }

  /**
   * An uplink has its verdict: remembered for repeats when it is final (and its receipt written, unless the caller
   * already committed it), the repeats that waited for it answered, and the transport told once it is durable.
   */
  #settle(waiters: VerdictWaiters | undefined, code: number, text: string | null, durable: boolean, retry = false): void {
    if (!waiters) return;
    const { key } = waiters;
    let shared: Promise<void> | undefined;
    if (key !== undefined) {
      if (this.#inflight.get(key) === waiters) this.#inflight.delete(key);
      if (isFinal(code)) {
        const at = this.#options.now();
        this.#receipts.remember(key, waiters.fingerprint, code, text, at);
        if (!durable || this.#shared) {
          const receipt = { productKey: waiters.productKey, deviceName: waiters.deviceName, msgId: waiters.msgId, fingerprint: waiters.fingerprint, code, reason: text, at };
          if (!durable) this.#log.receipt(receipt);
          shared = this.#shared?.remember(receipt);
        }
      }
    }
    if (waiters.repeats) for (const r of waiters.repeats) this.#answerRepeat(r, code, text, retry);
    if (waiters.onVerdict) this.#whenDurable(code, text, durable, retry, waiters.onVerdict, shared);
  }

  /** Calls back once the verdict's record is committed; one to be retried (nothing was taken, nothing to keep) at once. */
  #whenDurable(
    code: number, text: string | null, durable: boolean, retry: boolean, onVerdict: NonNullable<UplinkOptions['onVerdict']>,
    shared?: Promise<void>,
  ): void {
    const acknowledge = () => {
      try {
        onVerdict(code, text, retry);
      } catch (err) {
        this.#options.logger.error({ err }, 'a transport failed to acknowledge an uplink');
      }
    };
    // In a cluster the receipt is durable once the other nodes can read it too: a device that resends through another
    // node (this one died after answering) is then answered as the repeat it is.
    const call = shared ? () => void shared.then(acknowledge) : acknowledge;
    if (durable || retry) call();
    else this.#log.whenDurable(call);
  }

  /**
   * Answers an uplink through its session, unless the session has ended; records the code either way. A device that
   * disconnects right after publishing (mosquitto_pub does) still had its message dealt with: the log keeps the
   * flow's verdict and says the reply had nowhere to go.
   */
  #answer(session: DeviceSession, message: ThingMessage, entry: MessageEntry, code: number, text: string | null, data?: unknown): boolean {
    if (this.#options.hasEnded(session)) {
      this.#log.setResult(entry, code, `${text ? `${text}; ` : ''}reply not delivered: the connection ended first`);
      return false;
    }
    this.#countReply(code);
    try {
      session.replyUplink(message, code, data, text ?? undefined);
      this.#log.setResult(entry, code, text);
    } catch (err) {
      this.#options.logger.warn({ err, productKey: session.productKey, deviceName: session.deviceName }, 'sending a reply to the device failed');
      this.#log.setResult(entry, code, `reply could not be sent: ${(err as Error).message}`);
    }
    return true;
  }

  #countReply(code: number): void {
    this.#repliesByCode[code] = (this.#repliesByCode[code] ?? 0) + 1;
  }

  #setBehind(behind: boolean): void {
    this.#behind = behind;
    this.#options.pressure?.(behind, `${this.#pendingAcks} device messages waiting for a flow's answer`);
  }

  /** Removes a pending uplink by its token, keeping the count that pressure is judged by. */
  #takePending(token: string): PendingUplink | undefined {
    const pending = this.#pending.get(token);
    if (!pending) return undefined;
    this.#pending.delete(token);
    if (pending.message) {
      this.#pendingAcks--;
      if (this.#behind && this.#pendingAcks <= this.#options.maxPendingReplies / 2) this.#setBehind(false);
    }
    return pending;
  }

  #replyTimedOut(token: string): void {
    const pending = this.#takePending(token);
    if (!pending) return;
    const text = `no flow answered in ${pending.timeoutMs} ms`;
    const { session, entry } = pending;
    this.#options.logger.debug({ productKey: session.productKey, deviceName: session.deviceName, kind: entry.row.kind }, text);
    if (pending.message) this.#answer(session, pending.message, entry, 504, text);
    else this.#log.setResult(entry, 504, text);
    this.#settle(pending.waiters, 504, text, false, false);
  }

  /** Says it once a minute, not once a message: a device posting every second would otherwise flood the log. */
  #warnNoFlow(): void {
    const at = this.#options.now();
    if (at - this.#noFlowWarnedAt < 60_000) {
      this.#noFlowSuppressed++;
      return;
    }
    this.#options.logger.warn({ sinceLastWarning: this.#noFlowSuppressed }, 'device messages arrive but no flow has a device in node; devices that want a reply get 503');
    this.#noFlowWarnedAt = at;
    this.#noFlowSuppressed = 0;
  }
}
