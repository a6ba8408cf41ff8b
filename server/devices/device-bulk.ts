import { Ajv } from 'ajv';
import { parse, type Info } from 'csv-parse/sync';
import { ApiError, badRequest } from '../errors.ts';
import { describeAjvErrors } from '../http/route-table.ts';
import { NewDevice, type DeviceRef, type Tags } from '../../domain/devices/device-schemas.ts';

/** The most devices one bulk request may create. */
export const MAX_BULK_DEVICES = 10_000;

/**
 * One thing wrong with one row of a bulk upload. `row` is, for CSV, the line of the file the row ends on (the header
 * is line 1), for JSON the index in `devices`. `field` is the column or field (`tags.room`), empty for the whole row.
 */
export interface RowProblem {
  row: number;
  field: string;
  message: string;
}

/** A row as read from the upload, not yet checked: `problems` holds what was wrong with it already while reading. */
export interface BulkRow {
  row: number;
  input: unknown;
  problems: RowProblem[];
}

/** What checking asks of the registry about rows that are well-formed. */
export interface BulkLookups {
  productExists(productKey: string): boolean;
  deviceExists(productKey: string, deviceName: string): boolean;
}

const CSV_COLUMNS = ['productKey', 'deviceName', 'description', 'tags'] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];

/** The rows of `{devices: [...]}`. */
export function rowsFromJson(devices: unknown[]): BulkRow[] {
  return devices.map((input, row) => ({ row, input, problems: [] }));
}

/**
 * The rows of a CSV upload: a header row naming columns among productKey, deviceName, description and tags (tags as
 * `key=value;key=value`), then one device per row. Empty cells count as absent.
 */
export function rowsFromCsv(text: string): BulkRow[] {
  let records: { record: string[]; info: Info }[];
  try {
    // `info: true` wraps each record with where it was read; csv-parse's types do not model that option.
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, info: true }) as unknown as typeof records;
  } catch (err) {
    throw new ApiError(400, 'malformed_csv', `The CSV could not be read: ${(err as Error).message}`);
  }
  const [header, ...body] = records;
  if (!header) return [];
  const headerProblems = checkHeader(header.record, header.info.lines);
  if (headerProblems.length > 0) return [{ row: header.info.lines, input: undefined, problems: headerProblems }];
  const columns = header.record as CsvColumn[];
  return body.map(({ record, info }) => {
    const row = info.lines;
    const problems: RowProblem[] = [];
    if (record.length !== columns.length) {
      problems.push({ row, field: '', message: `has ${record.length} cells; the header has ${columns.length}` });
    }
    const input: Record<string, unknown> = {};
    columns.forEach((column, i) => {
      const cell = record[i];
      if (cell === undefined || cell === '') return;
      if (column !== 'tags') input[column] = cell;
      else {
        const tags = parseTagsCell(cell);
        if (typeof tags === 'string') problems.push({ row, field: 'tags', message: tags });
        else input.tags = tags;
      }
    });
    return { row, input, problems };
  });
}

/**
 * The devices the rows name (product key and device name both given as text): what {@link BulkLookups.deviceExists}
 * will be asked about, to look up beforehand in a few statements. None for an upload {@link checkBulkRows} refuses
 * for its size.
 */
export function namedDevices(rows: readonly BulkRow[]): DeviceRef[] {
  if (rows.length > MAX_BULK_DEVICES) return [];
  const refs: DeviceRef[] = [];
  for (const { input, problems } of rows) {
    const { productKey, deviceName } = (input ?? {}) as { productKey?: unknown; deviceName?: unknown };
    if (problems.length === 0 && typeof productKey === 'string' && typeof deviceName === 'string') refs.push({ productKey, deviceName });
  }
  return refs;
}

/**
 * Checks every row against the device schema and the registry (product exists, name not taken, not repeated in the
 * upload) and returns the devices to create, or every problem of every row. Nothing is created here.
 */
export function checkBulkRows(rows: BulkRow[], lookups: BulkLookups): { devices: NewDevice[]; problems: RowProblem[] } {
  if (rows.length === 0) throw badRequest('The upload holds no devices.');
  if (rows.length > MAX_BULK_DEVICES) {
    throw new ApiError(
      422, 'too_many_devices',
      `One upload creates at most ${MAX_BULK_DEVICES.toLocaleString('en')} devices; this one has ${rows.length.toLocaleString('en')}. Split it.`,
    );
  }
  const devices: NewDevice[] = [];
  const problems: RowProblem[] = [];
  const products = new Map<string, boolean>();
  const firstRowOfName = new Map<string, number>();
  for (const { row, input, problems: readProblems } of rows) {
    problems.push(...readProblems);
    if (readProblems.length > 0) continue;
    const productExists = (productKey: string) => {
      let exists = products.get(productKey);
      if (exists === undefined) products.set(productKey, (exists = lookups.productExists(productKey)));
      return exists;
    };
    if (!validateNewDevice(input)) {
      const rowProblems = schemaProblems(row);
      // Say everything wrong with the row at once: an unknown product too, when the key itself is well-formed.
      const productKey = (input as { productKey?: unknown }).productKey;
      if (typeof productKey === 'string' && !rowProblems.some((p) => p.field === 'productKey') && !productExists(productKey)) {
        rowProblems.push({ row, field: 'productKey', message: `product "${productKey}" does not exist` });
      }
      problems.push(...rowProblems);
      continue;
    }
    const { productKey, deviceName } = input;
    if (!productExists(productKey)) {
      problems.push({ row, field: 'productKey', message: `product "${productKey}" does not exist` });
      continue;
    }
    if (deviceName !== undefined) {
      // Keyed by JSON so no product key / device name pair can collide with another.
      const key = JSON.stringify([productKey, deviceName]);
      const first = firstRowOfName.get(key);
      if (first !== undefined) {
        problems.push({ row, field: 'deviceName', message: `"${deviceName}" is already in this upload at row ${first}` });
        continue;
      }
      firstRowOfName.set(key, row);
      if (lookups.deviceExists(productKey, deviceName)) {
        problems.push({ row, field: 'deviceName', message: `product "${productKey}" already has a device named "${deviceName}"` });
        continue;
      }
    }
    devices.push(input);
  }
  return { devices, problems };
}

// The same schema as `POST /devices`, so a row is accepted exactly when the single-device route would accept it.
const validateNewDevice = new Ajv({ allErrors: true, strict: true }).compile<NewDevice>(NewDevice);

function schemaProblems(row: number): RowProblem[] {
  // `propertyNames` wraps the pattern error of the same key, which already says what is wrong.
  const errors = (validateNewDevice.errors ?? []).filter((e) => e.keyword !== 'propertyNames');
  return describeAjvErrors(errors).map(({ path, message }, i) => {
    const key = errors[i]?.propertyName;
    return {
      row,
      field: path.split('/').filter(Boolean).join('.'),
      message: key === undefined ? message : `key "${key}" ${message}`,
    };
  });
}

function checkHeader(header: string[], row: number): RowProblem[] {
  const problems: RowProblem[] = [];
  const seen = new Set<string>();
  for (const name of header) {
    if (!(CSV_COLUMNS as readonly string[]).includes(name)) {
      problems.push({ row, field: name, message: `is not a known column; the columns are ${CSV_COLUMNS.join(', ')}` });
    } else if (seen.has(name)) {
      problems.push({ row, field: name, message: 'appears twice in the header' });
    }
    seen.add(name);
  }
  if (!seen.has('productKey')) problems.push({ row, field: 'productKey', message: 'the header needs a productKey column' });
  return problems;
}

/** `key=value;key=value` (a trailing `;` is fine) as tags, or what is wrong with it. */
function parseTagsCell(cell: string): Tags | string {
  // A Map, not an object literal: a key such as `__proto__` must become a tag, not a prototype.
  const tags = new Map<string, string>();
  for (const entry of cell.split(';')) {
    if (entry.trim() === '') continue;
    const eq = entry.indexOf('=');
    if (eq < 0) return `"${entry.trim()}" is not key=value (write tags as key=value;key=value)`;
    const key = entry.slice(0, eq).trim();
    if (tags.has(key)) return `the key "${key}" appears twice`;
    tags.set(key, entry.slice(eq + 1).trim());
  }
  return Object.fromEntries(tags);
}
