import type { AlertFeedPush, AlertFeedTransition } from '../../domain/alerts/alert-feed.ts';
import type { AlertEngine } from '../alerts/alert-engine.ts';
import type { DeviceFeed } from './device-feed.ts';

export interface AlertFeedOptions {
  alerts: Pick<AlertEngine, 'subscribe' | 'openCounts'>;
  feed: Pick<DeviceFeed, 'broadcast' | 'watched' | 'greet'>;
  flushMs?: number;
  /** Transitions pushed per flush (the newest); the counts carry the rest. */
  maxTransitionsPerFlush?: number;
}

/**
 * Alerts on the live device feed: `{"type":"alerts","counts":{active:{info,warning,critical},acknowledged:{…}},
 * "transitions":[{transition, alert}]}` once per `flushMs` while alerts were raised, acknowledged or cleared, and to
 * each socket as it opens (with no transitions), so the navigation's badge and the alert screens follow without
 * polling. Every role that may open the feed (`devices:read`) may read alerts.
 */
export class AlertFeed {
  readonly #o: AlertFeedOptions;
  #pending: AlertFeedTransition[] = [];
  readonly #unsubscribe: () => void;
  readonly #timer: NodeJS.Timeout;

  constructor(options: AlertFeedOptions) {
    this.#o = options;
    const max = options.maxTransitionsPerFlush ?? 50;
    options.feed.greet((): AlertFeedPush => ({ type: 'alerts', counts: options.alerts.openCounts(), transitions: [] }));
    this.#unsubscribe = options.alerts.subscribe(({ transition, alert }) => {
      if (!options.feed.watched) return;
      const { id, ruleName, nodeId, productKey, deviceName, severity, state, message, raisedAt } = alert;
      this.#pending.push({ transition, alert: { id, ruleName, nodeId, productKey, deviceName, severity, state, message, raisedAt } });
      if (this.#pending.length > max) this.#pending.shift();
    });
    this.#timer = setInterval(() => this.flush(), options.flushMs ?? 250);
    this.#timer.unref();
  }

  flush(): void {
    if (this.#pending.length === 0) return;
    const transitions = this.#pending;
    this.#pending = [];
    const push: AlertFeedPush = { type: 'alerts', counts: this.#o.alerts.openCounts(), transitions };
    this.#o.feed.broadcast(push);
  }

  close(): void {
    clearInterval(this.#timer);
    this.#unsubscribe();
  }
}
