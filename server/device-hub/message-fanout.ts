import type { Logger } from 'pino';
import type { DeviceSession } from './device-session.ts';
import type { MessageIds } from './message-ids.ts';
import type { ThingMessage } from '../../domain/devices/thing-message.ts';

/**
 * Receives every uplink and `state` change; must not throw (a throw is logged and the others still get it). Returns
 * false for a message it does not handle (a `device in` node filtering by kind or product): when no listener takes an
 * uplink, it is answered 503 at once instead of waiting for a verdict that will not come.
 */
export type ThingMessageListener = (message: ThingMessage) => boolean | void;

/**
 * Who gets the hub's messages: listeners (the flows' `device in` nodes), which handle them, and observers (the live
 * device feed), which only watch (see {@link observe}).
 */
export class MessageFanout {
  readonly #listeners = new Set<ThingMessageListener>();
  /** Watchers that see every message but handle none: they do not make a flow. */
  readonly #observers = new Set<ThingMessageListener>();
  readonly #logger: Logger;
  readonly #ids: MessageIds;

  constructor(logger: Logger, ids: MessageIds) {
    this.#logger = logger;
    this.#ids = ids;
  }

  /** Whether a flow listens: without one, nothing will give an uplink its verdict. */
  get hasListeners(): boolean {
    return this.#listeners.size > 0;
  }

  get hasObservers(): boolean {
    return this.#observers.size > 0;
  }

  subscribe(listener: ThingMessageListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Adds an observer: it gets every uplink and `state` change as {@link subscribe} listeners do, but does not count as
   * a flow handling them. It runs on the ingress hot path: keep it cheap, and treat the message as read-only.
   */
  observe(observer: ThingMessageListener): () => void {
    this.#observers.add(observer);
    return () => {
      this.#observers.delete(observer);
    };
  }

  /** Hands a message to every listener and observer; true when a listener took it (see ThingMessageListener). */
  emit(message: ThingMessage): boolean {
    let taken = false;
    for (const listener of this.#listeners) {
      try {
        if (listener(message) !== false) taken = true;
      } catch (err) {
        taken = true;
        this.#logger.error({ err, kind: message.kind }, 'a device message subscriber threw');
      }
    }
    for (const observer of this.#observers) {
      try {
        observer(message);
      } catch (err) {
        this.#logger.error({ err, kind: message.kind }, 'a device message observer threw');
      }
    }
    return taken;
  }

  /** A `state` message for the session's device going online or offline; made only when someone gets it. */
  emitState(session: DeviceSession, params: { status: 'online' | 'offline'; reason?: string }, at: number): void {
    if (this.#listeners.size === 0 && this.#observers.size === 0) return;
    this.emit({
      id: this.#ids.next(), productKey: session.productKey, deviceName: session.deviceName, kind: 'state', params,
      receivedAt: at, protocol: session.protocol, dialect: session.dialect, ack: false,
    });
  }

  close(): void {
    this.#listeners.clear();
    this.#observers.clear();
  }
}
