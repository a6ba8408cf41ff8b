import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database.ts';
import { conflict, notFound } from '../errors.ts';
import type { Alert, AlertKind, AlertSeverity, AlertState } from '../../domain/alerts/alert-schemas.ts';

/** What raising an alert writes; the store adds the id and the `active` state. */
export interface NewAlert {
  ruleId: string;
  ruleName: string;
  nodeId: string;
  kind: AlertKind;
  productKey: string;
  deviceName: string;
  severity: AlertSeverity;
  raisedAt: string;
  value: unknown;
  details: Record<string, unknown>;
  message: string;
}

/** Which alerts a listing returns; every given criterion must hold. `open` is active or acknowledged. */
export interface AlertFilter {
  state?: AlertState | 'open';
  severity?: AlertSeverity;
  productKey?: string;
  deviceName?: string;
  ruleId?: string;
}

/** One page of a listing, newest first, with the number of alerts matching the filter across all pages. */
export interface AlertPage {
  items: Alert[];
  total: number;
  limit: number;
  offset: number;
}

/** An open alert as the engine tracks it in memory. */
export interface OpenAlertRef {
  id: number;
  productKey: string;
  deviceName: string;
  state: Exclude<AlertState, 'cleared'>;
}

interface AlertRow {
  id: number;
  rule_id: string;
  rule_name: string;
  node_id: string;
  kind: AlertKind;
  product_key: string;
  device_name: string;
  severity: AlertSeverity;
  state: AlertState;
  raised_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  cleared_at: string | null;
  cleared_by: string | null;
  value: string | null;
  clear_value: string | null;
  details: string;
  message: string;
}

/**
 * Alerts in SQLite: raised, acknowledged and cleared, kept as history. Every state change is one statement whose
 * `WHERE` states what it changes from, and returns the row only if it changed it: the caller learns from the
 * database, not from its own memory, whether a transition happened (and so whether to tell anyone).
 */
export class AlertStore {
  readonly #raise;
  readonly #get;
  readonly #openOfRule;
  readonly #openFor;
  readonly #clearOpen;
  readonly #clearById;
  readonly #acknowledge;
  /** Listing statements by SQL text; the text varies only with which of five filters are present (32 at most). */
  readonly #listings = new Map<string, Statement>();

  constructor(private readonly db: Db) {
    // The conflict target names the partial unique index, so only "already open for this rule and device" is
    // swallowed; any other constraint failure still throws.
    this.#raise = db.prepare(`
      INSERT INTO alerts (rule_id, rule_name, node_id, kind, product_key, device_name, severity, state, raised_at,
                          value, details, message)
      VALUES (@ruleId, @ruleName, @nodeId, @kind, @productKey, @deviceName, @severity, 'active', @raisedAt,
              @value, @details, @message)
      ON CONFLICT (rule_id, product_key, device_name) WHERE state != 'cleared' DO NOTHING
      RETURNING *`);
    this.#get = db.prepare('SELECT * FROM alerts WHERE id = ?');
    this.#openOfRule = db.prepare(`
      SELECT id, product_key AS productKey, device_name AS deviceName, state FROM alerts
      WHERE rule_id = ? AND state != 'cleared'`);
    this.#openFor = db.prepare(`
      SELECT id, product_key AS productKey, device_name AS deviceName, state FROM alerts
      WHERE rule_id = ? AND product_key = ? AND device_name = ? AND state != 'cleared'`);
    this.#clearOpen = db.prepare(`
      UPDATE alerts SET state = 'cleared', cleared_at = @at, cleared_by = NULL, clear_value = @clearValue
      WHERE rule_id = @ruleId AND product_key = @productKey AND device_name = @deviceName AND state != 'cleared'
      RETURNING *`);
    this.#clearById = db.prepare(`
      UPDATE alerts SET state = 'cleared', cleared_at = @at, cleared_by = @by
      WHERE id = @id AND state != 'cleared'
      RETURNING *`);
    this.#acknowledge = db.prepare(`
      UPDATE alerts SET state = 'acknowledged', acknowledged_at = @at, acknowledged_by = @by
      WHERE id = @id AND state = 'active'
      RETURNING *`);
  }

  /** Opens an alert; undefined when the rule already has one open for the device (nothing is written then). */
  raise(alert: NewAlert): Alert | undefined {
    const row = this.#raise.get({
      ...alert,
      value: json(alert.value),
      details: JSON.stringify(alert.details),
    }) as AlertRow | undefined;
    return row && toAlert(row);
  }

  /** The rule's open alerts, to pick up where the previous process (or deploy) left off. */
  openOfRule(ruleId: string): OpenAlertRef[] {
    return this.#openOfRule.all(ruleId) as OpenAlertRef[];
  }

  /** The rule's open alert for one device, if any. */
  openFor(ruleId: string, productKey: string, deviceName: string): OpenAlertRef | undefined {
    return this.#openFor.get(ruleId, productKey, deviceName) as OpenAlertRef | undefined;
  }

  /** Clears the rule's open alert for the device because its clear condition held; undefined when none was open. */
  clearOpen(ruleId: string, productKey: string, deviceName: string, at: string, clearValue: unknown): Alert | undefined {
    const row = this.#clearOpen.get({ ruleId, productKey, deviceName, at, clearValue: json(clearValue) }) as AlertRow | undefined;
    return row && toAlert(row);
  }

  /** An operator clears an alert. 404 unknown, 409 `alert_cleared` when it is cleared already. */
  clear(id: number, at: string, by: string): Alert {
    const row = this.#clearById.get({ id, at, by }) as AlertRow | undefined;
    if (row) return toAlert(row);
    const current = this.get(id);
    throw conflict('alert_cleared', `Alert ${id} was already cleared ${whoWhen(current.clearedBy, current.clearedAt)}.`, { alert: current });
  }

  /**
   * An operator acknowledges an active alert. 404 unknown; 409 `alert_acknowledged` when someone already did (the
   * answer says who), 409 `alert_cleared` when it is over.
   */
  acknowledge(id: number, at: string, by: string): Alert {
    const row = this.#acknowledge.get({ id, at, by }) as AlertRow | undefined;
    if (row) return toAlert(row);
    const current = this.get(id);
    if (current.state === 'acknowledged') {
      throw conflict(
        'alert_acknowledged',
        `Alert ${id} was already acknowledged ${whoWhen(current.acknowledgedBy, current.acknowledgedAt)}.`,
        { alert: current },
      );
    }
    throw conflict('alert_cleared', `Alert ${id} was cleared ${whoWhen(current.clearedBy, current.clearedAt)}; there is nothing to acknowledge.`, { alert: current });
  }

  /** One alert; 404 when it does not exist. */
  get(id: number): Alert {
    const row = this.#get.get(id) as AlertRow | undefined;
    if (!row) throw notFound('Alert', String(id));
    return toAlert(row);
  }

  /** Open alerts counted by state and severity (one grouped count over the `alerts_by_state` index). */
  openCounts(): Record<Exclude<AlertState, 'cleared'>, Record<AlertSeverity, number>> {
    const counts = {
      active: { info: 0, warning: 0, critical: 0 },
      acknowledged: { info: 0, warning: 0, critical: 0 },
    };
    const rows = this.#listing("SELECT state, severity, count(*) AS n FROM alerts WHERE state != 'cleared' GROUP BY state, severity")
      .all() as { state: Exclude<AlertState, 'cleared'>; severity: AlertSeverity; n: number }[];
    for (const { state, severity, n } of rows) counts[state][severity] += n;
    return counts;
  }

  /** Open alerts counted per rule (its runtime id) by state; a rule without open alerts is not in the map. */
  openCountsByRule(): Map<string, { active: number; acknowledged: number }> {
    const counts = new Map<string, { active: number; acknowledged: number }>();
    const rows = this.#listing("SELECT rule_id AS ruleId, state, count(*) AS n FROM alerts WHERE state != 'cleared' GROUP BY rule_id, state")
      .all() as { ruleId: string; state: Exclude<AlertState, 'cleared'>; n: number }[];
    for (const { ruleId, state, n } of rows) {
      const entry = counts.get(ruleId) ?? { active: 0, acknowledged: 0 };
      entry[state] += n;
      counts.set(ruleId, entry);
    }
    return counts;
  }

  /** A page of the alerts matching `filter`, newest first. */
  list(filter: AlertFilter, page: { limit: number; offset: number }): AlertPage {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.state === 'open') where.push("state != 'cleared'");
    else if (filter.state !== undefined) {
      where.push('state = ?');
      args.push(filter.state);
    }
    for (const [column, value] of [
      ['severity', filter.severity],
      ['product_key', filter.productKey],
      ['device_name', filter.deviceName],
      ['rule_id', filter.ruleId],
    ] as const) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      args.push(value);
    }
    const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const total = this.#listing(`SELECT count(*) FROM alerts${clause}`).pluck().get(...args) as number;
    const rows = this.#listing(`SELECT * FROM alerts${clause} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(...args, page.limit, page.offset) as AlertRow[];
    return { items: rows.map(toAlert), total, ...page };
  }

  #listing(sql: string): Statement {
    let statement = this.#listings.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#listings.set(sql, statement);
    }
    return statement;
  }
}

function toAlert(row: AlertRow): Alert {
  return {
    id: row.id,
    ruleId: row.rule_id,
    ruleName: row.rule_name,
    nodeId: row.node_id,
    kind: row.kind,
    productKey: row.product_key,
    deviceName: row.device_name,
    severity: row.severity,
    state: row.state,
    raisedAt: row.raised_at,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
    clearedAt: row.cleared_at,
    clearedBy: row.cleared_by,
    value: row.value === null ? null : JSON.parse(row.value),
    clearValue: row.clear_value === null ? null : JSON.parse(row.clear_value),
    details: JSON.parse(row.details) as Record<string, unknown>,
    message: row.message,
  };
}

/** JSON text of a value; `undefined` (a property the device did not send) is stored as NULL. */
function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

function whoWhen(by: string | null, at: string | null): string {
  return `${by ? `by ${by}` : 'by its rule'}${at ? ` at ${at}` : ''}`;
}
