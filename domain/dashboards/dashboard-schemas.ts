/**
 * Composable dashboards: a named set of widgets on a 12-column grid, personal or shared (`/api/v1/dashboards`), and
 * the JSON a dashboard is exported as and imported from (`{format: 'thingwire-dashboard', version: 1, name, widgets}`).
 * The schemas check shapes; {@link widgetProblems} checks what a schema cannot say (fits the grid, what each widget
 * type needs, unique ids). Shared by the server (validation, OpenAPI) and the browser (types, the import check).
 */
import { Type, type Static } from '@sinclair/typebox';
import { DEVICE_NAME_PATTERN, PRODUCT_KEY_PATTERN } from '../products/identity.ts';

/** Columns of the grid. */
export const GRID_COLUMNS = 12;
/** Rows a dashboard may reach (a row is about 80 px). */
export const GRID_ROWS = 200;
/** The most widgets one dashboard holds. */
export const MAX_WIDGETS = 50;
/** The most series one chart draws (device × property). */
export const MAX_SERIES = 8;
/** The most devices whose values one dashboard shows live (what the device feed watches for one page). */
export const MAX_WATCHED_DEVICES = 100;
/** The most devices a status map shows. */
export const MAX_MAP_DEVICES = 500;

export const WIDGET_TYPES = ['value', 'gauge', 'chart', 'status-map', 'alerts', 'rate'] as const;
export type WidgetType = (typeof WIDGET_TYPES)[number];

/** One device property a widget shows. */
export const WidgetSeries = Type.Object({
  productKey: Type.String({ pattern: PRODUCT_KEY_PATTERN }),
  deviceName: Type.String({ pattern: DEVICE_NAME_PATTERN }),
  property: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'The property identifier' }),
}, { additionalProperties: false });

export const Widget = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_-]+$', description: 'Unique within the dashboard' }),
  type: Type.Unsafe<WidgetType>({ type: 'string', enum: [...WIDGET_TYPES], description: 'value | gauge | chart | status-map | alerts | rate' }),
  title: Type.String({ maxLength: 80, description: 'Empty: a title made from what it shows' }),
  x: Type.Integer({ minimum: 0, maximum: GRID_COLUMNS - 1, description: 'Column of its left edge, 0–11' }),
  y: Type.Integer({ minimum: 0, maximum: GRID_ROWS - 1, description: 'Row of its top edge' }),
  w: Type.Integer({ minimum: 1, maximum: GRID_COLUMNS, description: 'Width in columns; x + w ≤ 12' }),
  h: Type.Integer({ minimum: 1, maximum: 12, description: 'Height in rows' }),
  series: Type.Optional(Type.Array(WidgetSeries, { maxItems: MAX_SERIES, description: 'value and gauge: one; chart: 1–8' })),
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'status-map: the tag whose values group the devices' })),
  productKey: Type.Optional(Type.String({ pattern: PRODUCT_KEY_PATTERN, description: 'status-map: only this product\'s devices' })),
}, { additionalProperties: false });

export const Widgets = Type.Array(Widget, { maxItems: MAX_WIDGETS });
export const DashboardName = Type.String({ minLength: 1, maxLength: 80 });

export const Dashboard = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  owner: Type.String({ description: 'The username of who created it' }),
  name: Type.String(),
  shared: Type.Boolean({ description: 'Visible to every signed-in user; changed by its owner or an admin' }),
  widgets: Widgets,
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  canEdit: Type.Boolean({ description: 'Whether the caller may change it' }),
});

/** A dashboard in the list: without its widgets. */
export const DashboardSummary = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  owner: Type.String(),
  name: Type.String(),
  shared: Type.Boolean(),
  widgetCount: Type.Integer({ minimum: 0 }),
  updatedAt: Type.String({ format: 'date-time' }),
  canEdit: Type.Boolean(),
});

export const NewDashboard = Type.Object({ name: DashboardName, widgets: Type.Optional(Widgets) }, { additionalProperties: false });
export const DashboardPatch = Type.Object({ name: Type.Optional(DashboardName), widgets: Type.Optional(Widgets) }, { additionalProperties: false });

export const DASHBOARD_FORMAT = 'thingwire-dashboard';

/** The export file, and what import takes. */
export const DashboardFile = Type.Object({
  format: Type.Literal(DASHBOARD_FORMAT),
  version: Type.Literal(1),
  name: DashboardName,
  widgets: Widgets,
}, { additionalProperties: false });

export type WidgetSeries = Static<typeof WidgetSeries>;
export type Widget = Static<typeof Widget>;
export type Dashboard = Static<typeof Dashboard>;
export type DashboardSummary = Static<typeof DashboardSummary>;
export type NewDashboard = Static<typeof NewDashboard>;
export type DashboardPatch = Static<typeof DashboardPatch>;
export type DashboardFile = Static<typeof DashboardFile>;

/** One problem of a widget list, as the API's 422 `details` hold them. */
export interface WidgetProblem {
  path: string;
  message: string;
}

/**
 * What the schema cannot check: each widget inside the grid, ids unique, what its type needs (value and gauge one
 * series, a chart 1–8, a status map a tag; the others no series), and at most {@link MAX_WATCHED_DEVICES} devices.
 */
export function widgetProblems(widgets: readonly Widget[], base = '/widgets'): WidgetProblem[] {
  const problems: WidgetProblem[] = [];
  const ids = new Set<string>();
  widgets.forEach((w, i) => {
    const at = `${base}/${i}`;
    if (ids.has(w.id)) problems.push({ path: `${at}/id`, message: `is used by another widget (${w.id})` });
    ids.add(w.id);
    if (w.x + w.w > GRID_COLUMNS) problems.push({ path: `${at}/w`, message: `reaches past the grid's ${GRID_COLUMNS} columns (x + w = ${w.x + w.w})` });
    if (w.y + w.h > GRID_ROWS) problems.push({ path: `${at}/h`, message: `reaches past row ${GRID_ROWS}` });
    const series = w.series?.length ?? 0;
    if ((w.type === 'value' || w.type === 'gauge') && series !== 1) problems.push({ path: `${at}/series`, message: `a ${w.type} widget shows exactly one property` });
    if (w.type === 'chart' && (series < 1 || series > MAX_SERIES)) problems.push({ path: `${at}/series`, message: `a chart draws 1 to ${MAX_SERIES} properties` });
    if ((w.type === 'status-map' || w.type === 'alerts' || w.type === 'rate') && series > 0) problems.push({ path: `${at}/series`, message: `a ${w.type} widget takes no series` });
    if (w.type === 'status-map' && w.tag === undefined) problems.push({ path: `${at}/tag`, message: 'a status map needs the tag to group devices by' });
    if (w.type !== 'status-map' && (w.tag !== undefined || w.productKey !== undefined)) {
      problems.push({ path: `${at}/${w.tag !== undefined ? 'tag' : 'productKey'}`, message: 'only a status map takes a tag or product' });
    }
  });
  const devices = new Set(widgets.flatMap((w) => (w.series ?? []).map((s) => `${s.productKey}/${s.deviceName}`)));
  if (devices.size > MAX_WATCHED_DEVICES) {
    problems.push({ path: base, message: `shows the values of ${devices.size} devices; a dashboard shows at most ${MAX_WATCHED_DEVICES} live` });
  }
  return problems;
}
