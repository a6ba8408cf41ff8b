/**
 * Dashboards (`dashboards`, in SQLite or PostgreSQL): who may see and change which. A personal dashboard is its owner's alone (to
 * anyone else it does not exist); a shared one is read by every signed-in user and changed by its owner or a holder of
 * `dashboards:manage` (admins). Sharing takes `dashboards:share` (the route's), unsharing too.
 */
import { allows, type Principal } from '../../domain/auth/permissions.ts';
import {
  DASHBOARD_FORMAT, widgetProblems, type Dashboard, type DashboardFile, type DashboardSummary, type Widget,
} from '../../domain/dashboards/dashboard-schemas.ts';
import type { Sql } from '../db/sql.ts';
import { ApiError, notFound, validationFailed } from '../errors.ts';

interface Row {
  id: number;
  owner: string;
  name: string;
  shared: number;
  widgets: string;
  created_at: string;
  updated_at: string;
}

/** The most dashboards one user owns. */
export const MAX_DASHBOARDS_PER_USER = 100;

const sameUser = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export class DashboardStore {
  constructor(private readonly sql: Sql, private readonly now: () => Date = () => new Date()) {}

  /** The caller's own dashboards and every shared one, by name. */
  async list(caller: Principal): Promise<DashboardSummary[]> {
    const rows = await this.sql.all<Row>(
      'SELECT * FROM dashboards WHERE owner = ? COLLATE NOCASE OR shared = 1 ORDER BY name COLLATE NOCASE, id', [caller.username],
    );
    return rows.map((r) => ({
      id: r.id, owner: r.owner, name: r.name, shared: r.shared === 1, widgetCount: (JSON.parse(r.widgets) as unknown[]).length,
      updatedAt: r.updated_at, canEdit: this.#canEdit(r, caller),
    }));
  }

  /** One dashboard the caller may see; 404 `not_found` for someone else's personal one, as for one that is not there. */
  async get(id: number, caller: Principal): Promise<Dashboard> {
    return this.#toDashboard(await this.#visible(id, caller), caller);
  }

  async create(caller: Principal, name: string, widgets: readonly Widget[] = []): Promise<Dashboard> {
    checkWidgets(widgets);
    const at = this.now().toISOString();
    const row = await this.sql.transaction(async (tx) => {
      // One create per user at a time, or two could both find room for one more.
      await tx.lock(`dashboards of ${caller.username.toLowerCase()}`);
      const owned = (await tx.get<{ n: number }>('SELECT count(*) AS n FROM dashboards WHERE owner = ? COLLATE NOCASE', [caller.username]))!.n;
      if (owned >= MAX_DASHBOARDS_PER_USER) {
        throw new ApiError(409, 'too_many_dashboards', `You have ${owned} dashboards, the most one user may have; delete one first.`, { limit: MAX_DASHBOARDS_PER_USER });
      }
      return (await tx.get<Row>(
        'INSERT INTO dashboards (owner, name, shared, widgets, created_at, updated_at) VALUES (?, ?, 0, ?, ?, ?) RETURNING *',
        [caller.username, name, JSON.stringify(widgets), at, at],
      ))!;
    });
    return this.#toDashboard(row, caller);
  }

  /** Renames it or replaces its widgets (the layout); 403 `dashboard_read_only` when the caller may only look. */
  async update(id: number, caller: Principal, patch: { name?: string; widgets?: readonly Widget[] }): Promise<Dashboard> {
    const row = await this.#editable(id, caller);
    if (patch.widgets) checkWidgets(patch.widgets);
    const updated = await this.sql.get<Row>('UPDATE dashboards SET name = ?, widgets = ?, updated_at = ? WHERE id = ? RETURNING *', [
      patch.name ?? row.name, patch.widgets ? JSON.stringify(patch.widgets) : row.widgets, this.now().toISOString(), id,
    ]);
    // Deleted meanwhile (by its owner, from another tab): as for one that is not there.
    if (!updated) throw notFound('Dashboard', String(id));
    return this.#toDashboard(updated, caller);
  }

  /** Shares or unshares it; the route checks `dashboards:share`, this that the caller may change it. */
  async setShared(id: number, caller: Principal, shared: boolean): Promise<Dashboard> {
    await this.#editable(id, caller);
    // Answered without the visibility check: an admin who unshares someone's dashboard no longer sees it afterwards.
    const updated = await this.sql.get<Row>('UPDATE dashboards SET shared = ?, updated_at = ? WHERE id = ? RETURNING *', [shared ? 1 : 0, this.now().toISOString(), id]);
    if (!updated) throw notFound('Dashboard', String(id));
    return this.#toDashboard(updated, caller);
  }

  /** Deletes it; answers what it was (for the audit). */
  async delete(id: number, caller: Principal): Promise<Dashboard> {
    const row = await this.#editable(id, caller);
    await this.sql.run('DELETE FROM dashboards WHERE id = ?', [id]);
    return this.#toDashboard(row, caller);
  }

  /** The export file of a dashboard the caller may see. */
  async exportFile(id: number, caller: Principal): Promise<DashboardFile> {
    const d = await this.get(id, caller);
    return { format: DASHBOARD_FORMAT, version: 1, name: d.name, widgets: d.widgets };
  }

  async #visible(id: number, caller: Principal): Promise<Row> {
    const row = await this.sql.get<Row>('SELECT * FROM dashboards WHERE id = ?', [id]);
    if (!row || (row.shared !== 1 && !sameUser(row.owner, caller.username))) throw notFound('Dashboard', String(id));
    return row;
  }

  async #editable(id: number, caller: Principal): Promise<Row> {
    const row = await this.#visible(id, caller);
    if (!this.#canEdit(row, caller)) {
      throw new ApiError(403, 'dashboard_read_only', `Dashboard ${id} is ${row.owner}'s, shared with you to look at; only its owner or an admin changes it.`, { owner: row.owner });
    }
    return row;
  }

  #canEdit(row: Row, caller: Principal): boolean {
    return sameUser(row.owner, caller.username) || (row.shared === 1 && allows(caller, 'dashboards:manage'));
  }

  #toDashboard(row: Row, caller: Principal): Dashboard {
    return {
      id: row.id, owner: row.owner, name: row.name, shared: row.shared === 1, widgets: JSON.parse(row.widgets) as Widget[],
      createdAt: row.created_at, updatedAt: row.updated_at, canEdit: this.#canEdit(row, caller),
    };
  }
}

/** 422 `validation_failed` with each problem when the widgets do not fit the grid or miss what their type needs. */
export function checkWidgets(widgets: readonly Widget[], base = '/widgets'): void {
  const problems = widgetProblems(widgets, base);
  if (problems.length > 0) throw validationFailed('The widgets are not a valid dashboard layout.', problems);
}
