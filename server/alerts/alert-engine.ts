/**
 * The alert engine: evaluates each running rule per device, raises and clears alerts in the store, and tells the
 * rule's node (and anyone subscribed) about every transition.
 *
 * Where things live, and what survives a restart or a node's death:
 * - open alerts live in the database; a rule that starts again (after a deploy or a restart) picks up its open alerts,
 *   and clears them when their clear condition holds;
 * - a pending `for` duration or offline wait is a row of `alert_waits` as well as a timer on the node that evaluates
 *   the device: the timer raises it on time, and when that node is gone (a restart, or a cluster node that died) the
 *   leader's sweep ({@link AlertEngine.waitSweep}) raises what fell due and nobody took, a grace period later. A
 *   node that takes a device over from another continues the wait it finds rather than starting a new one.
 *
 * One open alert per (rule, device) is the database's guarantee (a partial unique index), not the engine's: the
 * engine emits a transition only when its statement changed a row, so messages handled at the same moment, on one node
 * or on several, never announce an alert twice. Transitions made on other nodes reach this one through
 * {@link AlertEngine.follow}, which keeps the rules' view of what is open current without announcing them again.
 *
 * A rule's decisions are made in memory, message by message; its writes run one after another in the order the
 * decisions were made ({@link RuleRun.idle} waits for them).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { systemAlertClock, type AlertClock, type CancelTimer } from './alert-clock.ts';
import { alertMessage, type RaiseFacts } from './alert-message.ts';
import { checkAlertRule, conditionHolds, describeCondition, eventTypeMatches, isRangeCondition, numericValue, type AlertCondition, type AlertInput, type AlertRule, type EventTrigger, type OfflineTrigger, type ThresholdTrigger } from '../../domain/alerts/alert-rule.ts';
import type { EventType } from '../../domain/thing-model/tsl-types.ts';
import type { Alert } from '../../domain/alerts/alert-schemas.ts';
import type { AlertFilter, AlertPage, AlertStore, AlertWait, OpenAlertRef } from './alert-store.ts';
import type { AlertRuleRun, AlertService, AlertTransition, AlertTransitionListener } from '../../domain/alerts/alert-service.ts';
import type { Singleton } from '../cluster/singleton-work.ts';

/** What the engine is built with besides its store. */
export interface AlertEngineOptions {
  logger: Logger;
  clock?: AlertClock;
  /**
   * The thing-model type of an event, for event rules that name a type instead of an event; without it only rules
   * with an event identifier or type `any` ever match.
   */
  eventTypeOf?: (productKey: string, eventId: string) => EventType | undefined;
  /** How long after it falls due a wait nobody raised is raised by the sweep (ms). Default 2 s. */
  waitGraceMs?: number;
  /** How often the sweep looks for such waits (ms). Default 1 s. */
  sweepMs?: number;
}

/** The shared event a transition made on this node travels as to the other nodes (see ClusterBus.share). */
export const ALERT_TRANSITION_EVENT = 'alert.transition';

/** Waits of rules that run nowhere are forgotten this long after they fell due. */
const STALE_WAIT_MS = 24 * 3_600_000;
const SWEEP_BATCH = 200;

const iso = (ms: number) => new Date(ms).toISOString();
const deviceKey = (productKey: string, deviceName: string) => `${productKey}\u0000${deviceName}`;

/** Rules, their per-device state and the operator actions on alerts. */
export class AlertEngine implements AlertService {
  /** Transitions made on this node, as {@link ALERT_TRANSITION_EVENT}: for the other nodes of a cluster. */
  readonly shared = new EventEmitter<{ [ALERT_TRANSITION_EVENT]: [AlertTransition] }>();
  readonly #store: AlertStore;
  readonly #logger: Logger;
  readonly #clock: AlertClock;
  readonly #eventTypeOf: AlertEngineOptions['eventTypeOf'];
  readonly #graceMs: number;
  readonly #sweepMs: number;
  readonly #runs = new Map<string, RuleRun>();
  readonly #listeners = new Set<AlertTransitionListener>();
  /** Operator actions and sweeps under way, for {@link idle}. */
  readonly #work = new Set<Promise<unknown>>();

  constructor(store: AlertStore, options: AlertEngineOptions) {
    this.#store = store;
    this.#logger = options.logger;
    this.#clock = options.clock ?? systemAlertClock;
    this.#eventTypeOf = options.eventTypeOf;
    this.#graceMs = options.waitGraceMs ?? 2_000;
    this.#sweepMs = options.sweepMs ?? 1_000;
  }

  startRule(rule: AlertRule, onTransition: AlertTransitionListener): AlertRuleRun {
    checkAlertRule(rule);
    this.#runs.get(rule.id)?.stop();
    const run: RuleRun = new RuleRun(rule, {
      store: this.#store,
      clock: this.#clock,
      logger: this.#logger.child({ rule: rule.id }),
      eventTypeOf: this.#eventTypeOf,
      emit: (transition) => {
        if (this.#runs.get(rule.id) === run) this.#call(onTransition, transition);
        this.#emit(transition);
        this.shared.emit(ALERT_TRANSITION_EVENT, transition);
      },
      stopped: () => {
        if (this.#runs.get(rule.id) === run) this.#runs.delete(rule.id);
      },
    });
    this.#runs.set(rule.id, run);
    return run;
  }

  /**
   * Every transition of every rule, after it is committed, made on this node or (in a cluster) on another: for live
   * views. A small emitter rather than Node's EventEmitter because a listener that throws must not turn a committed
   * transition into a failed request.
   */
  subscribe(listener: AlertTransitionListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * A transition another node of the cluster made: the rule's view of what is open follows it, and live views hear of
   * it. The rule's node does not send it on: the node that made it did, in its copy of the flow.
   */
  follow(transition: AlertTransition): void {
    this.#runs.get(transition.alert.ruleId)?.track(transition.alert);
    this.#emit(transition);
  }

  /** An operator acknowledges an active alert: it stays open, and still clears by itself. Emits `acknowledged`. */
  async acknowledge(id: number, by: string): Promise<Alert> {
    const alert = await this.#tracked(this.#store.acknowledge(id, iso(this.#clock.now()), by));
    await this.#operatorMade({ transition: 'acknowledged', alert });
    return alert;
  }

  /**
   * An operator clears an open alert. Emits `cleared` once; the rule then watches the device afresh, so a condition
   * that still holds raises a new alert (after its `for` duration) on the next message.
   */
  async clear(id: number, by: string): Promise<Alert> {
    const alert = await this.#tracked(this.#store.clear(id, iso(this.#clock.now()), by));
    await this.#operatorMade({ transition: 'cleared', alert });
    return alert;
  }

  /** One alert; 404 when it does not exist. */
  get(id: number): Promise<Alert> {
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
  list(filter: AlertFilter, page: { limit: number; offset: number }): Promise<AlertPage> {
    return this.#store.list(filter, page);
  }

  /**
   * Raising the waits that fell due and nobody raised: singleton work, run by one node of a cluster (the leader), or
   * by the only node. Every `sweepMs` it raises each wait due more than `waitGraceMs` ago whose rule runs here, and
   * forgets, a day after they fell due, waits of rules that run nowhere.
   */
  waitSweep(): Singleton {
    let cancel: CancelTimer | undefined;
    let running: Promise<void> | undefined;
    let stopped = true;
    const schedule = () => {
      cancel = this.#clock.setTimer(this.#sweepMs, () => {
        const pass = this.sweepWaits()
          .catch((err: unknown) => this.#logger.error({ err }, 'raising the alert waits that fell due failed'))
          .finally(() => {
            running = undefined;
            this.#work.delete(pass);
            if (!stopped) schedule();
          });
        running = pass;
        this.#work.add(pass);
      });
    };
    return {
      name: 'alert timers',
      start: () => {
        stopped = false;
        schedule();
      },
      stop: async () => {
        stopped = true;
        cancel?.();
        await running;
      },
    };
  }

  /** One pass of {@link waitSweep}. */
  async sweepWaits(): Promise<void> {
    const now = this.#clock.now();
    for (;;) {
      const due = await this.#store.dueWaits(now - this.#graceMs, SWEEP_BATCH);
      const mine = due.filter((wait) => this.#runs.has(wait.ruleId));
      await Promise.all(mine.map((wait) => this.#runs.get(wait.ruleId)!.raiseWait(wait)));
      if (due.length < SWEEP_BATCH || mine.length === 0) break;
    }
    const dropped = await this.#store.dropStaleWaits(now - STALE_WAIT_MS, new Set(this.#runs.keys()));
    if (dropped > 0) this.#logger.info({ dropped }, 'forgot alert waits of rules that no longer run');
  }

  /** Resolves when every rule's writes so far, and the operator actions under way, are done (tests, a stop). */
  async idle(): Promise<void> {
    while (this.#work.size > 0) await Promise.allSettled([...this.#work]);
    await Promise.all([...this.#runs.values()].map((run) => run.idle()));
  }

  /**
   * Lets the rules' writes finish (their transitions still reach the rules' nodes), then stops every rule's timers.
   * Open alerts and waits stay in the store.
   */
  async close(): Promise<void> {
    await this.idle();
    const runs = [...this.#runs.values()];
    for (const run of runs) run.stop();
    await Promise.all(runs.map((run) => run.idle()));
    await this.idle();
  }

  async #tracked(action: Promise<Alert>): Promise<Alert> {
    this.#work.add(action);
    try {
      const alert = await action;
      this.#runs.get(alert.ruleId)?.track(alert);
      return alert;
    } finally {
      this.#work.delete(action);
    }
  }

  /** Announces an operator's transition; resolves once the rule's node (if it runs here) has heard it. */
  async #operatorMade(transition: AlertTransition): Promise<void> {
    const run = this.#runs.get(transition.alert.ruleId);
    if (run) await run.announce(transition);
    else {
      this.#emit(transition);
      this.shared.emit(ALERT_TRANSITION_EVENT, transition);
    }
  }

  #emit(transition: AlertTransition): void {
    for (const listener of [...this.#listeners]) this.#call(listener, transition);
  }

  #call(listener: AlertTransitionListener, transition: AlertTransition): void {
    try {
      listener(transition);
    } catch (err) {
      this.#logger.error({ err, alert: transition.alert.id, transition: transition.transition }, 'an alert listener threw');
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

/** An open alert this node is raising: its id is not known yet. */
const RAISING = -1;

class RuleRun implements AlertRuleRun {
  readonly #context: RunContext;
  /** The rule's open alerts by device, as the store has them (loaded at start, kept by the rule's transitions). */
  readonly #open = new Map<string, OpenAlertRef>();
  readonly #devices = new Map<string, DeviceWatch>();
  readonly ready: Promise<void>;
  /** The rule's writes, one after another in the order they were decided. */
  #writes: Promise<void>;
  /** Messages that came before the open alerts were loaded: judged once they are. */
  #early: AlertInput[] | undefined = [];
  #stopped = false;
  #warnedNotNumeric = false;

  constructor(
    readonly rule: AlertRule,
    context: RunContext,
  ) {
    this.#context = context;
    this.#writes = context.store.openOfRule(rule.id).then(
      (refs) => {
        for (const ref of refs) this.#open.set(deviceKey(ref.productKey, ref.deviceName), ref);
      },
      (err: unknown) => context.logger.error({ err }, 'loading the rule\'s open alerts failed; it starts as if none were open'),
    ).finally(() => {
      const early = this.#early ?? [];
      this.#early = undefined;
      for (const input of early) this.evaluate(input);
    });
    this.ready = this.#writes;
  }

  evaluate(input: AlertInput): void {
    if (this.#stopped) return;
    if (this.#early) {
      this.#early.push(input);
      return;
    }
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

  /** Resolves when the writes decided so far are done. */
  async idle(): Promise<void> {
    let last;
    do {
      last = this.#writes;
      await last;
    } while (last !== this.#writes);
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    // The waits stay in the store: the rule started again (a redeploy) or the sweep continues them.
    for (const watch of this.#devices.values()) {
      watch.pending?.cancel?.();
      watch.offline?.cancel();
    }
    this.#devices.clear();
    this.#context.stopped();
  }

  /** Follows a transition made elsewhere (an operator, another node) on one of this rule's alerts. */
  track(alert: Alert): void {
    const key = deviceKey(alert.productKey, alert.deviceName);
    if (alert.state !== 'cleared') {
      this.#open.set(key, { id: alert.id, productKey: alert.productKey, deviceName: alert.deviceName, state: alert.state });
      return;
    }
    const open = this.#open.get(key);
    if (open?.id !== alert.id && open?.id !== RAISING) return;
    this.#open.delete(key);
    // Whatever was pending led up to the alert just cleared; the device is watched afresh from its next message.
    const watch = this.#devices.get(key);
    watch?.pending?.cancel?.();
    if (watch) delete watch.pending;
  }

  /** Tells the rule's listener of an operator's transition, after the rule's own writes decided before it. */
  async announce(transition: AlertTransition): Promise<void> {
    this.#write(async () => this.#context.emit(transition));
    await this.idle();
  }

  /** Raises a wait that fell due and nobody raised (the sweep), unless someone takes it meanwhile. */
  async raiseWait(wait: AlertWait): Promise<void> {
    const rule = this.rule;
    const watch = this.#watchOf(wait.productKey, wait.deviceName);
    this.#write(async () => {
      if (!(await this.#context.store.takeWait(wait))) return;
      if (rule.kind === 'threshold') await this.#insertAlert(watch, ...this.#thresholdRaise(rule, watch, wait));
      else if (rule.kind === 'offline') await this.#insertAlert(watch, ...this.#offlineRaise(rule, watch, wait));
    });
    await this.idle();
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
      if (watch.pending) this.#endWait(watch);
      return;
    }
    const fresh = !watch.pending;
    const pending = (watch.pending ??= { since: time, value: reading.value });
    pending.value = reading.value;
    const remaining = rule.forMs - (time - pending.since);
    if (remaining <= 0) {
      pending.cancel?.();
      delete watch.pending;
      this.#raise(watch, ...this.#thresholdRaise(rule, watch, pending), !fresh);
      return;
    }
    if (fresh) this.#recordWait(watch, pending, { since: pending.since, dueAt: pending.since + rule.forMs, value: pending.value });
    // The timer stands for "no message contradicted it since": it raises when the device goes quiet while the
    // condition holds. Set once per pending period; later messages that still hold may only bring the raise forward.
    pending.cancel ??= this.#timer(remaining, () => {
      if (watch.pending !== pending) return;
      delete watch.pending;
      this.#raise(watch, ...this.#thresholdRaise(rule, watch, pending), true);
    });
  }

  #thresholdRaise(rule: AlertRule & ThresholdTrigger, watch: DeviceWatch, pending: { since: number; value?: unknown }): RaiseArgs {
    return [pending.value, { productKey: watch.productKey, deviceName: watch.deviceName, value: pending.value }, {
      property: rule.property,
      condition: describeCondition(rule.raise),
      ...conditionDetails(rule.raise),
      forSeconds: rule.forMs / 1000,
      heldSince: iso(pending.since),
      clearCondition: rule.clear === 'auto' ? 'when the raise condition no longer holds' : describeCondition(rule.clear),
    }];
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
      false,
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
      // Ended here, or on the node the device was on before (its wait is in the store, not in this node's memory).
      this.#endWait(watch);
      if (this.#open.has(deviceKey(watch.productKey, watch.deviceName))) this.#clear(watch, { status: 'online' });
      return;
    }
    // Already waiting (a repeated offline) or already raised: the first offline moment is what counts.
    if (watch.offline || this.#open.has(deviceKey(watch.productKey, watch.deviceName))) return;
    const offline = { since: time, ...(typeof reason === 'string' ? { reason } : {}) };
    const raise = (waited: boolean) => {
      if (watch.offline?.since === offline.since) delete watch.offline;
      this.#raise(watch, ...this.#offlineRaise(rule, watch, offline), waited);
    };
    // Judged from the moment the hub saw it go offline, not from when this message was handled.
    const remaining = rule.offlineMs - (this.#context.clock.now() - offline.since);
    if (remaining <= 0) return raise(false);
    const waiting = { ...offline, cancel: this.#timer(remaining, () => raise(true)) };
    watch.offline = waiting;
    this.#recordWait(watch, waiting, { since: offline.since, dueAt: offline.since + rule.offlineMs, ...(offline.reason ? { reason: offline.reason } : {}) });
  }

  #offlineRaise(rule: AlertRule & OfflineTrigger, watch: DeviceWatch, offline: { since: number; reason?: string }): RaiseArgs {
    return [
      { status: 'offline', ...(offline.reason ? { reason: offline.reason } : {}) },
      { productKey: watch.productKey, deviceName: watch.deviceName, value: { status: 'offline' }, ...(offline.reason ? { reason: offline.reason } : {}) },
      { offlineMinutes: rule.offlineMs / 60_000, offlineSince: iso(offline.since), reason: offline.reason ?? null },
    ];
  }

  // ── waits ───────────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Records a wait that began here. When the store already has one for the device (another node held it before),
   * that one's first moment counts: the pending state and its timer move to it.
   */
  #recordWait(watch: DeviceWatch, pending: { since: number; cancel?: CancelTimer }, wait: Omit<AlertWait, 'ruleId' | 'productKey' | 'deviceName'>): void {
    const { store, clock } = this.#context;
    this.#write(async () => {
      const recorded = await store.wait({ ruleId: this.rule.id, productKey: watch.productKey, deviceName: watch.deviceName, ...wait });
      if (recorded.since >= pending.since || (watch.pending !== pending && watch.offline !== pending)) return;
      pending.since = recorded.since;
      const fire = pending.cancel;
      if (!fire) return;
      // Bring the timer forward to the recorded wait's due time.
      fire();
      const due = recorded.dueAt - clock.now();
      const again = () => {
        if (watch.pending === pending) {
          delete watch.pending;
          if (this.rule.kind === 'threshold') this.#raise(watch, ...this.#thresholdRaise(this.rule, watch, pending as { since: number; value: unknown }), true);
        } else if (watch.offline === pending) {
          delete watch.offline;
          if (this.rule.kind === 'offline') this.#raise(watch, ...this.#offlineRaise(this.rule, watch, pending), true);
        }
      };
      pending.cancel = this.#timer(Math.max(0, due), again);
    });
  }

  #endWait(watch: DeviceWatch): void {
    watch.pending?.cancel?.();
    delete watch.pending;
    watch.offline?.cancel();
    delete watch.offline;
    this.#write(async () => {
      await this.#context.store.endWait(this.rule.id, watch.productKey, watch.deviceName);
    });
  }

  // ── transitions ─────────────────────────────────────────────────────────────────────────────────────────────

  /** Raises (once the writes before it are done); `waited` when a recorded wait leads up to it and ends with it. */
  #raise(watch: DeviceWatch, value: unknown, facts: RaiseFacts, details: Record<string, unknown>, waited: boolean): void {
    const key = deviceKey(watch.productKey, watch.deviceName);
    this.#open.set(key, { id: RAISING, productKey: watch.productKey, deviceName: watch.deviceName, state: 'active' });
    this.#write(async () => {
      if (waited) await this.#context.store.endWait(this.rule.id, watch.productKey, watch.deviceName);
      await this.#insertAlert(watch, value, facts, details);
    });
  }

  async #insertAlert(watch: DeviceWatch, value: unknown, facts: RaiseFacts, details: Record<string, unknown>): Promise<void> {
    const { store, clock } = this.#context;
    const rule = this.rule;
    const key = deviceKey(watch.productKey, watch.deviceName);
    const alert = await store.raise({
      ruleId: rule.id, ruleName: rule.name, nodeId: rule.nodeId, kind: rule.kind,
      productKey: watch.productKey, deviceName: watch.deviceName, severity: rule.severity,
      raisedAt: iso(clock.now()), value, details, message: alertMessage(rule, facts),
    });
    if (!alert) {
      // Open already (raised on another node, or by a sweep): adopt it rather than announce it again.
      const existing = await store.openFor(rule.id, watch.productKey, watch.deviceName);
      if (existing) this.#open.set(key, existing);
      else if (this.#open.get(key)?.id === RAISING) this.#open.delete(key);
      return;
    }
    this.#open.set(key, { id: alert.id, productKey: alert.productKey, deviceName: alert.deviceName, state: 'active' });
    this.#context.emit({ transition: 'raised', alert });
  }

  #clear(watch: DeviceWatch, clearValue: unknown): void {
    const { store, clock } = this.#context;
    this.#open.delete(deviceKey(watch.productKey, watch.deviceName));
    const at = iso(clock.now());
    this.#write(async () => {
      // Undefined: cleared meanwhile by an operator or another node, who announced it.
      const alert = await store.clearOpen(this.rule.id, watch.productKey, watch.deviceName, at, clearValue);
      if (alert) this.#context.emit({ transition: 'cleared', alert });
    });
  }

  #watch(input: AlertInput): DeviceWatch {
    return this.#watchOf(input.productKey, input.deviceName);
  }

  #watchOf(productKey: string, deviceName: string): DeviceWatch {
    const key = deviceKey(productKey, deviceName);
    let watch = this.#devices.get(key);
    if (!watch) {
      watch = { productKey, deviceName };
      this.#devices.set(key, watch);
    }
    return watch;
  }

  /** Appends a write; a failure is logged (the decision stands in memory) and does not stop the writes after it. */
  #write(work: () => Promise<void>): void {
    this.#writes = this.#writes.then(work).catch((err: unknown) => {
      this.#context.logger.error({ err }, 'writing an alert transition failed');
    });
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

/** What a raise writes besides the device: the value, the facts of its message, its details. */
type RaiseArgs = [value: unknown, facts: RaiseFacts, details: Record<string, unknown>];

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
