import type { AlertFeedPush, AlertFeedTransition, OpenAlertCounts } from '../../domain/alerts/alert-feed.ts';
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
 * polling. Every role that may open the feed (`devices:read`) may read alerts. A socket is greeted with the counts as
 * last read (at the start and at each flush), so opening one costs no query.
 */
export class AlertFeed {
  readonly #o: AlertFeedOptions;
  #pending: AlertFeedTransition[] = [];
  #counts: OpenAlertCounts = {
    active: { info: 0, warning: 0, critical: 0 },
    acknowledged: { info: 0, warning: 0, critical: 0 },
  };
  /** The flush under way: one at a time. */
  #flushing: Promise<void> | undefined;
  readonly #unsubscribe: () => void;
  readonly #timer: NodeJS.Timeout;

  constructor(options: AlertFeedOptions) {
    this.#o = options;
    const max = options.maxTransitionsPerFlush ?? 50;
    options.feed.greet((): AlertFeedPush => ({ type: 'alerts', counts: this.#counts, transitions: [] }));
    this.#flushing = this.#send(false).finally(() => (this.#flushing = undefined));
    this.#unsubscribe = options.alerts.subscribe(({ transition, alert }) => {
      if (!options.feed.watched) return;
      const { id, ruleName, nodeId, productKey, deviceName, severity, state, message, raisedAt } = alert;
      this.#pending.push({ transition, alert: { id, ruleName, nodeId, productKey, deviceName, severity, state, message, raisedAt } });
      if (this.#pending.length > max) this.#pending.shift();
    });
    this.#timer = setInterval(() => void this.flush(), options.flushMs ?? 250);
    this.#timer.unref();
  }

  /** Pushes what changed since the last push, with the counts read now; resolves when it is sent. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#pending.length === 0) return;
    this.#flushing = this.#send(true).finally(() => (this.#flushing = undefined));
    await this.#flushing;
  }

  async #send(broadcast: boolean): Promise<void> {
    const transitions = this.#pending;
    this.#pending = [];
    try {
      this.#counts = await this.#o.alerts.openCounts();
    } catch {
      // The database did not answer: the transitions still go out, with the counts as last read.
    }
    if (broadcast) this.#o.feed.broadcast({ type: 'alerts', counts: this.#counts, transitions });
  }

  close(): void {
    clearInterval(this.#timer);
    this.#unsubscribe();
  }
}
