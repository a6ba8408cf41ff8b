import type { Static } from '@sinclair/typebox';
import { DeviceParams } from '../../domain/devices/device-hub-schemas.ts';
import { deviceMustExist, type DeviceStore } from '../devices/device-store.ts';
import { ApiError, badRequest, notFound } from '../errors.ts';
import type { RouteTable } from '../http/route-table.ts';
import { ProductParams } from '../../domain/products/product-schemas.ts';
import type { ProductStore } from '../products/product-store.ts';
import type { ThingModelStore } from '../thing-model/thing-model-store.ts';
import type { TslDataType, TslDocument } from '../../domain/thing-model/tsl-types.ts';
import { bucketLayout } from './telemetry-query.ts';
import { CsvQuery, EventList, EventsQuery, History, HistoryQuery, PropertyList, PropertyParams } from '../../domain/telemetry/telemetry-schemas.ts';
import type { EventQuery, HistoryQuery as BackendHistoryQuery, TelemetryBackend, TimeRange } from './telemetry-store.ts';
import { MAX_LIMIT, type EpochMs } from '../../domain/telemetry/telemetry-rows.ts';

/** Most lines one CSV export may have: the file is built in memory so that a refusal can still be a clear error. */
export const MAX_CSV_ROWS = 1_000_000;

const DAY = 86_400_000;

export interface TelemetryRouteOptions {
  /** Adds `GET /products/:productKey/events` (it needs the products to answer 404 for an unknown one). */
  products?: Pick<ProductStore, 'exists'>;
  /** Most lines a CSV export may have; {@link MAX_CSV_ROWS} by default. */
  maxCsvRows?: number;
}

/**
 * `/api/v1/devices/:productKey/:deviceName/{properties,events,telemetry.csv}` and
 * `/api/v1/products/:productKey/events`: a device's shadow, a property's history (raw or downsampled for charts),
 * events, and a CSV export of a range. Times in answers are ISO 8601; `from`/`to` take ISO 8601 or epoch ms.
 *
 * @param thingModels when given, each shadow property gets its `name` and `unit` from the published thing model, and
 *   properties come in the model's order.
 */
export function registerTelemetryRoutes(
  table: RouteTable,
  backend: TelemetryBackend,
  devices: Pick<DeviceStore, 'exists'>,
  thingModels?: Pick<ThingModelStore, 'publishedTsl'>,
  options: TelemetryRouteOptions = {},
): void {
  const maxCsvRows = options.maxCsvRows ?? MAX_CSV_ROWS;
  const labels = propertyLabels(thingModels);

  table.add({
    method: 'get', path: '/devices/:productKey/:deviceName/properties', access: 'devices:read', tag: 'telemetry',
    summary: 'The device shadow: each property\'s latest value and when it was measured, in thing model order',
    params: DeviceParams, response: PropertyList,
    async handler({ params }) {
      await deviceMustExist(devices, params);
      const latest = await backend.latest(params.productKey, params.deviceName);
      const known = labels(params.productKey);
      const items = inModelOrder(Object.keys(latest), known).map((identifier) => {
        const { value, time } = latest[identifier]!;
        const label = known.get(identifier);
        return { identifier, value, time: iso(time), ...(label && { name: label.name }), ...(label?.unit !== undefined && { unit: label.unit }) };
      });
      return { items };
    },
  });

  table.add({
    method: 'get', path: '/devices/:productKey/:deviceName/properties/:identifier/history', access: 'devices:read', tag: 'telemetry',
    summary:
      'A property\'s values over [from, to) (default: the last 24 h): raw points, or with buckets=N the range cut into N ' +
      'equal buckets with min/max/avg/count each, for charts (numeric properties only: 422 telemetry_not_numeric otherwise)',
    params: PropertyParams, query: HistoryQuery, response: History,
    async handler({ params, query }) {
      await deviceMustExist(devices, params);
      const base = { productKey: params.productKey, deviceName: params.deviceName, property: params.identifier, ...rangeOf(query) };
      if (query.buckets !== undefined) {
        const bucketQuery = { ...base, buckets: query.buckets };
        const buckets = await backend.historyBuckets(bucketQuery);
        return { bucketMs: bucketLayout(bucketQuery).width, items: buckets.map((b) => ({ ...b, time: iso(b.time) })) };
      }
      const points = await backend.history({ ...base, limit: query.limit, order: query.order });
      return { items: points.map((p) => ({ time: iso(p.time), value: p.value })) };
    },
  });

  const eventsOf = async (filter: Pick<EventQuery, 'productKey' | 'deviceName'>, query: Static<typeof EventsQuery>) => {
    const events = await backend.events({
      ...filter, ...rangeOf(query), eventId: query.eventId, type: query.type, limit: query.limit, order: query.order,
    });
    return { items: events.map((e) => ({ ...e, time: iso(e.time), receivedAt: iso(e.receivedAt) })) };
  };

  table.add({
    method: 'get', path: '/devices/:productKey/:deviceName/events', access: 'devices:read', tag: 'telemetry',
    summary: 'Events the device reported over [from, to) (default: the last 24 h), newest first unless order=asc; filter by eventId and type',
    params: DeviceParams, query: EventsQuery, response: EventList,
    async handler({ params, query }) {
      await deviceMustExist(devices, params);
      return eventsOf(params, query);
    },
  });

  const products = options.products;
  if (products) {
    table.add({
      method: 'get', path: '/products/:productKey/events', access: 'devices:read', tag: 'telemetry',
      summary: 'Events of all the product\'s devices over [from, to) (default: the last 24 h), newest first unless order=asc',
      params: ProductParams, query: EventsQuery, response: EventList,
      async handler({ params, query }) {
        if (!products.exists(params.productKey)) throw notFound('Product', params.productKey);
        return eventsOf({ productKey: params.productKey }, query);
      },
    });
  }

  table.add({
    method: 'get', path: '/devices/:productKey/:deviceName/telemetry.csv', access: 'devices:read', tag: 'telemetry',
    summary:
      'Download [from, to) (default: the last 24 h) as CSV: a column per property (default: every property the device ' +
      'has reported), a line per time, time in ISO 8601, struct and array values as JSON. Text starting with = + - @ ' +
      `tab or CR gets a leading ' so spreadsheets do not run it as a formula. At most ${maxCsvRows} lines ` +
      '(422 telemetry_export_too_large: export the range in parts)',
    params: DeviceParams, query: CsvQuery,
    async handler({ params, query, res }) {
      await deviceMustExist(devices, params);
      const range = rangeOf(query);
      const properties = query.properties
        ? [...new Set(query.properties.split(','))]
        : inModelOrder(Object.keys(await backend.latest(params.productKey, params.deviceName)), labels(params.productKey));
      const csv = await exportCsv(backend, { ...params, ...range }, properties, maxCsvRows);
      const name = [params.productKey, params.deviceName, fileTime(range.from), fileTime(range.to)].join('_');
      res.attachment(`${name.replace(/[^A-Za-z0-9_.@-]/g, '-')}.csv`).type('text/csv; charset=utf-8').send(csv);
      return undefined;
    },
  });
}

const iso = (ms: EpochMs) => new Date(ms).toISOString();
/** ISO 8601 basic format (no colons, which some file systems refuse). */
const fileTime = (ms: EpochMs) => iso(ms).replace(/[-:]/g, '').replace('.000Z', 'Z');

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;
/** What Date can represent. */
const MAX_TIME = 8.64e15;

/**
 * ISO 8601 (with a zone: a time without one would be read in the server's zone) or epoch ms. An unencoded `+` of a
 * zone offset reaches us as a space (`2024-05-01T08:00:00 08:00`); it is taken back rather than refused.
 */
function parseTime(name: 'from' | 'to', text: string): EpochMs {
  const restored = text.replace(/ (\d{2}:?\d{2})$/, '+$1');
  const ms = /^-?\d+$/.test(restored) ? Number(restored) : ISO_TIME.test(restored) ? Date.parse(restored) : NaN;
  if (!Number.isSafeInteger(ms) || Math.abs(ms) > MAX_TIME) {
    throw badRequest(
      `${name} "${text}" is not a time: send ISO 8601 with a zone (2024-05-01T08:00:00Z, 2024-05-01T16:00:00%2B08:00 or ` +
        '2024-05-01 for midnight UTC) or milliseconds since the epoch.',
    );
  }
  return ms;
}

/** The query's `[from, to)`: `to` defaults to now and `from` to a day before `to`. */
function rangeOf(query: { from?: string; to?: string }): TimeRange {
  const to = query.to === undefined ? Date.now() : parseTime('to', query.to);
  const from = query.from === undefined ? to - DAY : parseTime('from', query.from);
  if (from >= to) {
    throw badRequest(`from (${iso(from)}) must be before to (${iso(to)}): the range includes from and ends just before to.`);
  }
  return { from, to };
}

interface PropertyLabel {
  name: string;
  unit?: string;
  /** Position in the thing model. */
  index: number;
}

/**
 * The published thing model's name and unit of each property, per product; read once per published version (the
 * TSL is parsed only when the version changes).
 */
function propertyLabels(thingModels: Pick<ThingModelStore, 'publishedTsl'> | undefined): (productKey: string) => Map<string, PropertyLabel> {
  const none = new Map<string, PropertyLabel>();
  const cache = new Map<string, { version: number; labels: Map<string, PropertyLabel> }>();
  return (productKey) => {
    const published = thingModels?.publishedTsl(productKey);
    if (published === undefined) return none;
    const { version } = published;
    const cached = cache.get(productKey);
    if (cached?.version === version) return cached.labels;
    const tsl = JSON.parse(published.tsl) as TslDocument;
    const labels = new Map((tsl.properties ?? []).map((p, index): [string, PropertyLabel] => [
      p.identifier, { name: p.name, unit: unitOf(p.dataType), index },
    ]));
    cache.set(productKey, { version, labels });
    return labels;
  };
}

const unitOf = (dataType: TslDataType): string | undefined =>
  dataType.type === 'int' || dataType.type === 'float' || dataType.type === 'double' ? dataType.specs?.unit : undefined;

/** Properties the model defines in its order, then any others (from earlier versions) by identifier. */
function inModelOrder(identifiers: string[], labels: Map<string, PropertyLabel>): string[] {
  const rank = (id: string) => labels.get(id)?.index ?? Infinity;
  return identifiers.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** All of one time's values of a property (normally one; a device may report a property twice in a millisecond). */
interface TimeGroup {
  time: EpochMs;
  values: unknown[];
}

/**
 * A property's points over the range in time order, grouped by time, read MAX_LIMIT at a time. A full page may stop
 * partway through its last time's points, so those are left to the next page, which starts at that time: no point is
 * lost or read twice, whatever order the backend gives points of one time in.
 */
async function* timeGroups(backend: TelemetryBackend, query: Omit<BackendHistoryQuery, 'limit' | 'order'>): AsyncGenerator<TimeGroup> {
  let from = query.from;
  for (;;) {
    const page = await backend.history({ ...query, from, order: 'asc', limit: MAX_LIMIT });
    const full = page.length === MAX_LIMIT;
    const end = full ? page.findIndex((p) => p.time === page[page.length - 1]!.time) : page.length;
    if (end === 0) {
      throw new ApiError(422, 'telemetry_export_too_dense',
        `Property "${query.property}" has more than ${MAX_LIMIT} values at ${iso(page[0]!.time)}; they cannot be exported.`);
    }
    let group: TimeGroup | undefined;
    for (let i = 0; i < end; i++) {
      const { time, value } = page[i]!;
      if (group?.time !== time) {
        if (group) yield group;
        group = { time, values: [] };
      }
      group.values.push(value);
    }
    if (group) yield group;
    if (!full) return;
    from = page[end]!.time;
    // A big export reads many pages; other requests get their turn in between.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * The CSV of a device's properties over a range: a line per time, the properties' values merged by time (a
 * property's second value in one millisecond goes on a second line of that time, so nothing is dropped).
 */
async function exportCsv(
  backend: TelemetryBackend,
  range: TimeRange & { productKey: string; deviceName: string },
  properties: string[],
  maxRows: number,
): Promise<string> {
  const lines = [['time', ...properties].map(csvField).join(',')];
  const cursors = properties.map((property) => timeGroups(backend, { ...range, property }));
  const heads = await Promise.all(cursors.map((c) => c.next()));
  for (;;) {
    let time = Infinity;
    for (const h of heads) if (!h.done && h.value.time < time) time = h.value.time;
    if (time === Infinity) break;
    const columns = heads.map((h) => (!h.done && h.value.time === time ? h.value.values : []));
    const depth = Math.max(...columns.map((c) => c.length));
    if (lines.length - 1 + depth > maxRows) {
      throw new ApiError(422, 'telemetry_export_too_large',
        `The export would have more than ${maxRows} lines; export the range in parts (a narrower from/to each).`, { maxRows });
    }
    for (let k = 0; k < depth; k++) lines.push([iso(time), ...columns.map((c) => csvValue(c[k]))].join(','));
    for (let i = 0; i < cursors.length; i++) if (columns[i]!.length > 0) heads[i] = await cursors[i]!.next();
  }
  return lines.map((l) => `${l}\r\n`).join('');
}

/** Spreadsheets run a cell starting with one of these as a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

function csvValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return csvField(FORMULA_START.test(value) ? `'${value}` : value);
  return csvField(typeof value === 'object' ? JSON.stringify(value) : String(value));
}

/** RFC 4180: a field holding a comma, quote or line break is quoted, its quotes doubled. */
const csvField = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
