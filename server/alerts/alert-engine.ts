/**
 * The alert engine: evaluates each running rule per device, raises and clears alerts in the store, and tells the
 * rule's node (and anyone subscribed) about every transition.
 *
 * What survives a restart, and what does not:
 * - open alerts live in SQLite; a rule that starts again (after a deploy or a restart) picks up its open alerts, and
 *   clears them when their clear condition holds;
 * - pending `for` durations and offline waits live only in timers: after a restart or redeploy a condition re-arms on
 *   the device's next message (a threshold starts its `for` again; an offline wait starts at the next `offline`
 *   state, so a device that went offline before the restart raises nothing until it comes and goes again).
 *
 * One open alert per (rule, device) is the database's guarantee (a partial unique index), not the engine's: the
 * engine emits a transition only when its statement changed a row, so messages handled at the same moment, or by
 * another process on the same file, never announce an alert twice.
 */
import type { Logger } from 'pino';
import { systemAlertClock, type AlertClock, type CancelTimer } from './alert-clock.ts';
import { alertMessage, type RaiseFacts } from './alert-message.ts';
import { checkAlertRule, conditionHolds, describeCondition, eventTypeMatches, isRangeCondition, numericValue, type AlertCondition, type AlertInput, type AlertRule, type EventTrigger, type OfflineTrigger, type ThresholdTrigger } from '../../domain/alerts/alert-rule.ts';
import type { EventType } from '../../domain/thing-model/tsl-types.ts';
import type { Alert } from '../../domain/alerts/alert-schemas.ts';
import type { AlertFilter, AlertPage, AlertStore, OpenAlertRef } from './alert-store.ts';
import type { AlertRuleRun, AlertService, AlertTransition, AlertTransitionListener } from '../../domain/alerts/alert-service.ts';

/** What the engine is built with besides its store. */
export interface AlertEngineOptions {
  logger: Logger;
  clock?: AlertClock;
  /**
   * The thing-model type of an event, for event rules that name a type instead of an event; without it only rules
   * with an event identifier or type `any` ever match.
   */
  eventTypeOf?: (productKey: string, eventId: string) => EventType | undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();
const deviceKey = (productKey: string, deviceName: string) => `${productKey}\u0000${deviceName}`;

/** Rules, their per-device state and the operator actions on alerts. */
export class AlertEngine implements AlertService {
  readonly #store: AlertStore;
  readonly #logger: Logger;
  readonly #clock: AlertClock;
  readonly #eventTypeOf: AlertEngineOptions['eventTypeOf'];
  readonly #runs = new Map<string, RuleRun>();
  readonly #listeners = new Set<AlertTransitionListener>();

  constructor(store: AlertStore, options: AlertEngineOptions) {
    this.#store = store;
    this.#logger = options.logger;
    this.#clock = options.clock ?? systemAlertClock;
    this.#eventTypeOf = options.eventTypeOf;
  }

  startRule(rule: AlertRule, onTransition: AlertTransitionListener): AlertRuleRun {
    checkAlertRule(rule);
    this.#runs.get(rule.id)?.stop();
    const run = new RuleRun(rule, {
      store: this.#store,
      clock: this.#clock,
      logger: this.#logger.child({ rule: rule.id }),
      eventTypeOf: this.#eventTypeOf,
      emit: (transition) => this.#emit(transition),
      stopped: () => {
        if (this.#runs.get(rule.id) === run) this.#runs.delete(rule.id);
        unsubscribe();
      },
    });
    const unsubscribe = this.subscribe((transition) => {
      if (transition.alert.ruleId === rule.id && this.#runs.get(rule.id) === run) onTransition(transition);
    });
    this.#runs.set(rule.id, run);
    return run;
  }

  /**
   * Every transition of every rule, after it is committed: for live views. A small emitter rather than Node's
   * EventEmitter because a listener that throws must not turn a committed transition into a failed request.
   */
  subscribe(listener: AlertTransitionListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** An operator acknowledges an active alert: it stays open, and still clears by itself. Emits `acknowledged`. */
  acknowledge(id: number, by: string): Alert {
    const alert = this.#store.acknowledge(id, iso(this.#clock.now()), by);
    this.#runs.get(alert.ruleId)?.track(alert);
    this.#emit({ transition: 'acknowledged', alert });
    return alert;
  }

  /**
   * An operator clears an open alert. Emits `cleared` once; the rule then watches the device afresh, so a condition
   * that still holds raises a new alert (after its `for` duration) on the next message.
   */
  clear(id: number, by: string): Alert {
    const alert = this.#store.clear(id, iso(this.#clock.now()), by);
    this.#runs.get(alert.ruleId)?.track(alert);
    this.#emit({ transition: 'cleared', alert });
    return alert;
  }

  /** One alert; 404 when it does not exist. */
  get(id: number): Alert {
    return this.#store.get(id);
  }

  /** Open alerts counted by state (active, acknowledged) and severity, for the dashboard. */
  openCounts(): ReturnType<AlertStore['openCounts']> {
    return this.#store.openCounts();
  }

  /** Open alerts counted per rule by state, for the rules overview. */
  openCountsByRule(): ReturnType<AlertStore['openCountsByRule']> {
    return this.#store.openCountsByRule();
  }

  /** The ids of the rules running now. */
  runningRuleIds(): Iterable<string> {
    return this.#runs.keys();
  }

  /** A page of alerts matching the filter, newest first. */
  list(filter: AlertFilter, page: { limit: number; offset: number }): AlertPage {
    return this.#store.list(filter, page);
  }

  /** Stops every rule's timers. Open alerts stay open in the store. */
  close(): void {
    for (const run of [...this.#runs.values()]) run.stop();
  }

  #emit(transition: AlertTransition): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(transition);
      } catch (err) {
        this.#logger.error({ err, alert: transition.alert.id, transition: transition.transition }, 'an alert listener threw');
      }
    }
  }
}

/** A device as one rule watches it: what is pending, judged on message times. */
interface DeviceWatch {
  productKey: string;
  deviceName: string;
  /** Time of the newest message judged: an older one arriving late cannot undo what a newer one said. */
  lastTime?: number;
  /** threshold: the raise condition holds since `since` (message time), not yet for `forMs`. */
  pending?: { since: number; value: unknown; cancel?: CancelTimer };
  /** offline: offline since `since`, waiting for `offlineMs`. */
  offline?: { since: number; reason?: string; cancel: CancelTimer };
}

interface RunContext {
  store: AlertStore;
  clock: AlertClock;
  logger: Logger;
  eventTypeOf: AlertEngineOptions['eventTypeOf'];
  emit(transition: AlertTransition): void;
  stopped(): void;
}

class RuleRun implements AlertRuleRun {
  readonly #context: RunContext;
  /** The rule's open alerts by device, as the store has them (loaded at start, kept by this rule's transitions). */
  readonly #open = new Map<string, OpenAlertRef>();
  readonly #devices = new Map<string, DeviceWatch>();
  #stopped = false;
  #warnedNotNumeric = false;

  constructor(
    readonly rule: AlertRule,
    context: RunContext,
  ) {
    this.#context = context;
    for (const ref of context.store.openOfRule(rule.id)) this.#open.set(deviceKey(ref.productKey, ref.deviceName), ref);
  }

  evaluate(input: AlertInput): void {
    if (this.#stopped) return;
    const rule = this.rule;
    if (rule.productKey && input.productKey !== rule.productKey) return;
    switch (rule.kind) {
      case 'threshold':
        if (input.kind === 'property.post') this.#onProperty(rule, input);
        break;
      case 'event':
        if (input.kind === 'event.post' && input.eventId) this.#onEvent(rule, input, input.eventId);
        break;
      case 'offline':
        if (input.kind === 'state') this.#onState(rule, input);
        break;
    }
  }

  openCounts(): { active: number; acknowledged: number } {
    let active = 0;
    for (const ref of this.#open.values()) if (ref.state === 'active') active++;
    return { active, acknowledged: this.#open.size - active };
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const watch of this.#devices.values()) {
      watch.pending?.cancel?.();
      watch.offline?.cancel();
    }
    this.#devices.clear();
    this.#context.stopped();
  }

  /** Follows a transition an operator made on one of this rule's alerts. */
  track(alert: Alert): void {
    const key = deviceKey(alert.productKey, alert.deviceName);
    if (alert.state !== 'cleared') {
      this.#open.set(key, { id: alert.id, productKey: alert.productKey, deviceName: alert.deviceName, state: alert.state });
      return;
    }
    if (this.#open.get(key)?.id !== alert.id) return;
    this.#open.delete(key);
    // Whatever was pending led up to the alert just cleared; the device is watched afresh from its next message.
    const watch = this.#devices.get(key);
    watch?.pending?.cancel?.();
    if (watch) delete watch.pending;
  }

  // ── threshold ───────────────────────────────────────────────────────────────────────────────────────────────

  #onProperty(rule: AlertRule & ThresholdTrigger, input: AlertInput): void {
    const reading = propertyReading(input, rule.property);
    if (!reading) return;
    const value = numericValue(reading.value);
    if (value === undefined) {
      if (!this.#warnedNotNumeric) {
        this.#warnedNotNumeric = true;
        this.#context.logger.warn(
          { property: rule.property, productKey: input.productKey, deviceName: input.deviceName },
          'property value is not a number; the threshold rule ignores such values',
        );
      }
      return;
    }
    const time = reading.time ?? messageTime(input, this.#context.clock);
    const watch = this.#watch(input);
    if (watch.lastTime !== undefined && time < watch.lastTime) return;
    watch.lastTime = time;

    const raiseHolds = conditionHolds(rule.raise, value);
    if (this.#open.has(deviceKey(watch.productKey, watch.deviceName))) {
      // Hysteresis: between the raise and the clear thresholds nothing changes. A value that satisfies both (an
      // overlapping clear condition) keeps the alert: clearing it would only raise it again.
      const clearHolds = rule.clear === 'auto' ? !raiseHolds : conditionHolds(rule.clear, value) && !raiseHolds;
      if (clearHolds) this.#clear(watch, reading.value);
      return;
    }
    if (!raiseHolds) {
      watch.pending?.cancel?.();
      delete watch.pending;
      return;
    }
    const pending = (watch.pending ??= { since: time, value: reading.value });
    pending.value = reading.value;
    const remaining = rule.forMs - (time - pending.since);
    if (remaining <= 0) {
      pending.cancel?.();
      delete watch.pending;
      this.#raiseThreshold(rule, watch, pending);
      return;
    }
    // The timer stands for "no message contradicted it since": it raises when the device goes quiet while the
    // condition holds. Set once per pending period; later messages that still hold may only bring the raise forward.
    pending.cancel ??= this.#timer(remaining, () => {
      if (watch.pending !== pending) return;
      delete watch.pending;
      this.#raiseThreshold(rule, watch, pending);
    });
  }

  #raiseThreshold(rule: AlertRule & ThresholdTrigger, watch: DeviceWatch, pending: { since: number; value: unknown }): void {
    this.#raise(watch, pending.value, { productKey: watch.productKey, deviceName: watch.deviceName, value: pending.value }, {
      property: rule.property,
      condition: describeCondition(rule.raise),
      ...conditionDetails(rule.raise),
      forSeconds: rule.forMs / 1000,
      heldSince: iso(pending.since),
      clearCondition: rule.clear === 'auto' ? 'when the raise condition no longer holds' : describeCondition(rule.clear),
    });
  }

  // ── event ───────────────────────────────────────────────────────────────────────────────────────────────────

  #onEvent(rule: AlertRule & EventTrigger, input: AlertInput, eventId: string): void {
    const isOpen = this.#open.has(deviceKey(input.productKey, input.deviceName));
    if (rule.clearEventId && eventId === rule.clearEventId) {
      if (isOpen) this.#clear(this.#watch(input), { eventId, data: input.payload });
      return;
    }
    let eventType: EventType | undefined;
    if (rule.eventId) {
      if (eventId !== rule.eventId) return;
      eventType = this.#context.eventTypeOf?.(input.productKey, eventId);
    } else {
      eventType = this.#context.eventTypeOf?.(input.productKey, eventId);
      if (!eventTypeMatches(rule.eventType, eventType)) return;
    }
    if (isOpen) return;
    const watch = this.#watch(input);
    this.#raise(
      watch,
      input.payload,
      { productKey: watch.productKey, deviceName: watch.deviceName, value: input.payload, eventId, ...(eventType ? { eventType } : {}) },
      { eventId, eventType: eventType ?? null, clearEventId: rule.clearEventId || null },
    );
  }

  // ── offline ─────────────────────────────────────────────────────────────────────────────────────────────────

  #onState(rule: AlertRule & OfflineTrigger, input: AlertInput): void {
    const { status, reason } = (input.payload ?? {}) as { status?: unknown; reason?: unknown };
    if (status !== 'online' && status !== 'offline') return;
    const time = messageTime(input, this.#context.clock);
    const watch = this.#watch(input);
    if (watch.lastTime !== undefined && time < watch.lastTime) return;
    watch.lastTime = time;

    if (status === 'online') {
      watch.offline?.cancel();
      delete watch.offline;
      if (this.#open.has(deviceKey(watch.productKey, watch.deviceName))) this.#clear(watch, { status: 'online' });
      return;
    }
    // Already waiting (a repeated offline) or already raised: the first offline moment is what counts.
    if (watch.offline || this.#open.has(deviceKey(watch.productKey, watch.deviceName))) return;
    const offline = { since: time, ...(typeof reason === 'string' ? { reason } : {}) };
    const raise = () => {
      if (watch.offline?.since === offline.since) delete watch.offline;
      this.#raise(
        watch,
        { status: 'offline', ...(offline.reason ? { reason: offline.reason } : {}) },
        { productKey: watch.productKey, deviceName: watch.deviceName, value: { status: 'offline' }, ...(offline.reason ? { reason: offline.reason } : {}) },
        { offlineMinutes: rule.offlineMs / 60_000, offlineSince: iso(offline.since), reason: offline.reason ?? null },
      );
    };
    // Judged from the moment the hub saw it go offline, not from when this message was handled.
    const remaining = rule.offlineMs - (this.#context.clock.now() - offline.since);
    if (remaining <= 0) raise();
    else watch.offline = { ...offline, cancel: this.#timer(remaining, raise) };
  }

  // ── transitions ─────────────────────────────────────────────────────────────────────────────────────────────

  #raise(watch: DeviceWatch, value: unknown, facts: RaiseFacts, details: Record<string, unknown>): void {
    const { store, clock } = this.#context;
    const rule = this.rule;
    const key = deviceKey(watch.productKey, watch.deviceName);
    const alert = store.raise({
      ruleId: rule.id, ruleName: rule.name, nodeId: rule.nodeId, kind: rule.kind,
      productKey: watch.productKey, deviceName: watch.deviceName, severity: rule.severity,
      raisedAt: iso(clock.now()), value, details, message: alertMessage(rule, facts),
    });
    if (!alert) {
      // Open already (another process on the same database raised it): adopt it rather than announce it again.
      const existing = store.openFor(rule.id, watch.productKey, watch.deviceName);
      if (existing) this.#open.set(key, existing);
      return;
    }
    this.#open.set(key, { id: alert.id, productKey: alert.productKey, deviceName: alert.deviceName, state: 'active' });
    this.#context.emit({ transition: 'raised', alert });
  }

  #clear(watch: DeviceWatch, clearValue: unknown): void {
    const { store, clock } = this.#context;
    this.#open.delete(deviceKey(watch.productKey, watch.deviceName));
    // Undefined: cleared meanwhile by an operator or another process, who announced it.
    const alert = store.clearOpen(this.rule.id, watch.productKey, watch.deviceName, iso(clock.now()), clearValue);
    if (alert) this.#context.emit({ transition: 'cleared', alert });
  }

  #watch(input: AlertInput): DeviceWatch {
    const key = deviceKey(input.productKey, input.deviceName);
    let watch = this.#devices.get(key);
    if (!watch) {
      watch = { productKey: input.productKey, deviceName: input.deviceName };
      this.#devices.set(key, watch);
    }
    return watch;
  }

  /** A timer whose failure is logged: it runs outside any message, so a throw would otherwise end the process. */
  #timer(ms: number, fire: () => void): CancelTimer {
    return this.#context.clock.setTimer(ms, () => {
      if (this.#stopped) return;
      try {
        fire();
      } catch (err) {
        this.#context.logger.error({ err }, 'raising an alert from a timer failed');
      }
    });
  }
}

/** The rule's property in the message: from thing-validate's timed values, else from the payload object. */
function propertyReading(input: AlertInput, property: string): { value: unknown; time?: number } | undefined {
  const listed = input.values?.find((v) => v.identifier === property);
  if (listed) return listed.time === undefined ? { value: listed.value } : { value: listed.value, time: listed.time };
  if (input.values || typeof input.payload !== 'object' || input.payload === null || !Object.hasOwn(input.payload, property)) {
    return undefined;
  }
  const raw = (input.payload as Record<string, unknown>)[property];
  // Not validated (wired straight from `device in`): Alink's `{value, time}` form.
  if (typeof raw === 'object' && raw !== null && 'value' in raw) {
    const { value, time } = raw as { value: unknown; time?: unknown };
    return typeof time === 'number' ? { value, time } : { value };
  }
  return { value: raw };
}

function messageTime(input: AlertInput, clock: AlertClock): number {
  return input.deviceTime ?? input.receivedAt ?? clock.now();
}

/** The raise condition as data, for clients that show or compare thresholds. */
function conditionDetails(condition: AlertCondition): Record<string, unknown> {
  return isRangeCondition(condition)
    ? { operator: condition.operator, low: condition.low, high: condition.high }
    : { operator: condition.operator, threshold: condition.value };
}
