import type { Sql } from '../db/sql.ts';
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

/** A condition that holds and waits out its time before it raises (table `alert_waits`). */
export interface AlertWait {
  ruleId: string;
  productKey: string;
  deviceName: string;
  /** ms since the epoch: when the condition began to hold. */
  since: number;
  /** ms since the epoch: when it raises unless something contradicts it first. */
  dueAt: number;
  /** The latest value that held (threshold rules). */
  value?: unknown;
  /** Why the device went offline (offline rules). */
  reason?: string;
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

interface WaitRow {
  rule_id: string;
  product_key: string;
  device_name: string;
  since: number;
  due_at: number;
  value: string | null;
  reason: string | null;
}

const OPEN_REF = 'id, product_key AS "productKey", device_name AS "deviceName", state';

/**
 * Alerts in the registry's database: raised, acknowledged and cleared, kept as history, and the waits that lead up to
 * a raise. Every state change is one statement whose `WHERE` states what it changes from, and returns the row only if
 * it changed it: the caller learns from the database, not from its own memory, whether a transition happened (and so
 * whether to tell anyone). That holds across the nodes of a cluster as within one.
 */
export class AlertStore {
  constructor(private readonly sql: Sql) {}

  /** Opens an alert; undefined when the rule already has one open for the device (nothing is written then). */
  async raise(alert: NewAlert): Promise<Alert | undefined> {
    // The conflict target names the partial unique index, so only "already open for this rule and device" is
    // swallowed; any other constraint failure still throws.
    const row = await this.sql.get<AlertRow>(`
      INSERT INTO alerts (rule_id, rule_name, node_id, kind, product_key, device_name, severity, state, raised_at,
                          value, details, message)
      VALUES (@ruleId, @ruleName, @nodeId, @kind, @productKey, @deviceName, @severity, 'active', @raisedAt,
              @value, @details, @message)
      ON CONFLICT (rule_id, product_key, device_name) WHERE state != 'cleared' DO NOTHING
      RETURNING *`, { ...alert, value: json(alert.value), details: JSON.stringify(alert.details) });
    return row && toAlert(row);
  }

  /** The rule's open alerts, to pick up where the previous process (or deploy) left off. */
  async openOfRule(ruleId: string): Promise<OpenAlertRef[]> {
    return this.sql.all<OpenAlertRef>(`SELECT ${OPEN_REF} FROM alerts WHERE rule_id = ? AND state != 'cleared'`, [ruleId]);
  }

  /** The rule's open alert for one device, if any. */
  async openFor(ruleId: string, productKey: string, deviceName: string): Promise<OpenAlertRef | undefined> {
    return this.sql.get<OpenAlertRef>(
      `SELECT ${OPEN_REF} FROM alerts WHERE rule_id = ? AND product_key = ? AND device_name = ? AND state != 'cleared'`,
      [ruleId, productKey, deviceName],
    );
  }

  /** Clears the rule's open alert for the device because its clear condition held; undefined when none was open. */
  async clearOpen(ruleId: string, productKey: string, deviceName: string, at: string, clearValue: unknown): Promise<Alert | undefined> {
    const row = await this.sql.get<AlertRow>(`
      UPDATE alerts SET state = 'cleared', cleared_at = @at, cleared_by = NULL, clear_value = @clearValue
      WHERE rule_id = @ruleId AND product_key = @productKey AND device_name = @deviceName AND state != 'cleared'
      RETURNING *`, { ruleId, productKey, deviceName, at, clearValue: json(clearValue) });
    return row && toAlert(row);
  }

  /** An operator clears an alert. 404 unknown, 409 `alert_cleared` when it is cleared already. */
  async clear(id: number, at: string, by: string): Promise<Alert> {
    const row = await this.sql.get<AlertRow>(`
      UPDATE alerts SET state = 'cleared', cleared_at = @at, cleared_by = @by
      WHERE id = @id AND state != 'cleared'
      RETURNING *`, { id, at, by });
    if (row) return toAlert(row);
    const current = await this.get(id);
    throw conflict('alert_cleared', `Alert ${id} was already cleared ${whoWhen(current.clearedBy, current.clearedAt)}.`, { alert: current });
  }

  /**
   * An operator acknowledges an active alert. 404 unknown; 409 `alert_acknowledged` when someone already did (the
   * answer says who), 409 `alert_cleared` when it is over.
   */
  async acknowledge(id: number, at: string, by: string): Promise<Alert> {
    const row = await this.sql.get<AlertRow>(`
      UPDATE alerts SET state = 'acknowledged', acknowledged_at = @at, acknowledged_by = @by
      WHERE id = @id AND state = 'active'
      RETURNING *`, { id, at, by });
    if (row) return toAlert(row);
    const current = await this.get(id);
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
  async get(id: number): Promise<Alert> {
    const row = await this.sql.get<AlertRow>('SELECT * FROM alerts WHERE id = ?', [id]);
    if (!row) throw notFound('Alert', String(id));
    return toAlert(row);
  }

  /** Open alerts counted by state and severity (one grouped count over the `alerts_by_state` index). */
  async openCounts(): Promise<Record<Exclude<AlertState, 'cleared'>, Record<AlertSeverity, number>>> {
    const counts = {
      active: { info: 0, warning: 0, critical: 0 },
      acknowledged: { info: 0, warning: 0, critical: 0 },
    };
    const rows = await this.sql.all<{ state: Exclude<AlertState, 'cleared'>; severity: AlertSeverity; n: number }>(
      "SELECT state, severity, count(*) AS n FROM alerts WHERE state != 'cleared' GROUP BY state, severity",
    );
    for (const { state, severity, n } of rows) counts[state][severity] += n;
    return counts;
  }

  /** Open alerts counted per rule (its runtime id) by state; a rule without open alerts is not in the map. */
  async openCountsByRule(): Promise<Map<string, { active: number; acknowledged: number }>> {
    const counts = new Map<string, { active: number; acknowledged: number }>();
    const rows = await this.sql.all<{ ruleId: string; state: Exclude<AlertState, 'cleared'>; n: number }>(
      `SELECT rule_id AS "ruleId", state, count(*) AS n FROM alerts WHERE state != 'cleared' GROUP BY rule_id, state`,
    );
    for (const { ruleId, state, n } of rows) {
      const entry = counts.get(ruleId) ?? { active: 0, acknowledged: 0 };
      entry[state] += n;
      counts.set(ruleId, entry);
    }
    return counts;
  }

  /** A page of the alerts matching `filter`, newest first. */
  async list(filter: AlertFilter, page: { limit: number; offset: number }): Promise<AlertPage> {
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
    const [count, rows] = await Promise.all([
      this.sql.get<{ n: number }>(`SELECT count(*) AS n FROM alerts${clause}`, args),
      this.sql.all<AlertRow>(`SELECT * FROM alerts${clause} ORDER BY id DESC LIMIT ? OFFSET ?`, [...args, page.limit, page.offset]),
    ]);
    return { items: rows.map(toAlert), total: count?.n ?? 0, ...page };
  }

  // ── waits ─────────────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Records that the rule's condition holds for the device, or refreshes the value of a wait already recorded (by
   * this node, or by another that held the device before): the wait keeps its first moment. Returns the wait as
   * recorded, so the caller counts from the same moment as everyone else.
   */
  async wait(wait: AlertWait): Promise<AlertWait> {
    const row = await this.sql.get<WaitRow>(`
      INSERT INTO alert_waits (rule_id, product_key, device_name, since, due_at, value, reason)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (rule_id, product_key, device_name) DO UPDATE SET value = excluded.value
      RETURNING *`,
    [wait.ruleId, wait.productKey, wait.deviceName, wait.since, wait.dueAt, json(wait.value), wait.reason ?? null]);
    return toWait(row!);
  }

  /**
   * Ends the rule's wait for the device: something contradicted it, or it is being raised. Returns it when this call
   * ended it; undefined when none was left (another node took it first).
   */
  async endWait(ruleId: string, productKey: string, deviceName: string): Promise<AlertWait | undefined> {
    const row = await this.sql.get<WaitRow>(
      'DELETE FROM alert_waits WHERE rule_id = ? AND product_key = ? AND device_name = ? RETURNING *',
      [ruleId, productKey, deviceName],
    );
    return row && toWait(row);
  }

  /** Ends one particular wait (the one that began at `since`), for whoever raises it when it falls due. */
  async takeWait(wait: Pick<AlertWait, 'ruleId' | 'productKey' | 'deviceName' | 'since'>): Promise<boolean> {
    const { changes } = await this.sql.run(
      'DELETE FROM alert_waits WHERE rule_id = ? AND product_key = ? AND device_name = ? AND since = ?',
      [wait.ruleId, wait.productKey, wait.deviceName, wait.since],
    );
    return changes > 0;
  }

  /** Waits due at or before `at`, oldest first. */
  async dueWaits(at: number, limit: number): Promise<AlertWait[]> {
    const rows = await this.sql.all<WaitRow>('SELECT * FROM alert_waits WHERE due_at <= ? ORDER BY due_at LIMIT ?', [at, limit]);
    return rows.map(toWait);
  }

  /** Forgets waits of rules that no longer run anywhere: those due before `before`, of rules not in `running`. */
  async dropStaleWaits(before: number, running: ReadonlySet<string>): Promise<number> {
    const stale = (await this.sql.all<{ rule_id: string }>('SELECT DISTINCT rule_id FROM alert_waits WHERE due_at < ?', [before]))
      .map((r) => r.rule_id).filter((id) => !running.has(id));
    let dropped = 0;
    for (const ruleId of stale) {
      dropped += (await this.sql.run('DELETE FROM alert_waits WHERE rule_id = ? AND due_at < ?', [ruleId, before])).changes;
    }
    return dropped;
  }
}

function toWait(row: WaitRow): AlertWait {
  return {
    ruleId: row.rule_id, productKey: row.product_key, deviceName: row.device_name, since: row.since, dueAt: row.due_at,
    ...(row.value === null ? {} : { value: JSON.parse(row.value) as unknown }),
    ...(row.reason === null ? {} : { reason: row.reason }),
  };
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
