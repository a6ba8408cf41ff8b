/**
 * The point table as the Modbus tab edits it: one row of text fields per point, turned into the `PointInput`s the
 * server takes, and every problem `checkPointTable` (the server's own check) and the published thing model find, by
 * row and field, so each shows under the row and at the field at fault while the user types. Pure, no React.
 */
import { t } from './modbus.messages.ts';
import { pointProblemText } from './point-problems.messages.ts';
import {
  checkPointTableCoded, pointCount, type ByteOrder, type CodedPointProblem, type ModbusPoint, type PointProblem, type PointType, type WordOrder,
} from '../../../domain/modbus/point-table.ts';

/**
 * A problem of the table: the check's (with its code and params, said in the language shown by `pointProblemText`),
 * the server's (its English words) or the tab's own (already in the language shown).
 */
export type TableProblem = PointProblem & Partial<Pick<CodedPointProblem, 'code' | 'params'>>;

export const POINT_TYPES: readonly PointType[] = ['bool', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64', 'string'];

/** The Modbus functions a point reads with, and the key of each one's option text. */
export const FUNCTIONS = [
  ['1', 'fn.1'], ['2', 'fn.2'], ['3', 'fn.3'], ['4', 'fn.4'],
] as const satisfies readonly (readonly [value: string, labelKey: string])[];

/** "point 2 (setpoint)", as the point table's problems name a point (`pointLabel` of the domain, in the language shown). */
const pointName = (index: number, property?: string): string =>
  // The number as the domain writes it (no grouping), so both kinds of problem name a point alike.
  property === undefined ? t('point.label', { n: String(index + 1) }) : t('point.labelWith', { n: String(index + 1), property });

/** One point as its row's controls hold it: numbers as typed, so a half-typed one is shown as it is. */
export interface PointRow {
  /** Stable across edits, for React. */
  key: number;
  property: string;
  function: string;
  address: string;
  /** Registers a string spans; for other types the count follows from the type. */
  count: string;
  type: PointType;
  byteOrder: ByteOrder;
  wordOrder: WordOrder;
  scale: string;
  offset: string;
  writable: boolean;
}

/** A property of the published thing model, as much as the table needs of it. */
export interface ModelProperty {
  identifier: string;
  accessMode: string;
}

let nextKey = 1;

export function rowFromPoint(point: ModbusPoint): PointRow {
  return {
    key: nextKey++, property: point.property, function: String(point.function), address: String(point.address),
    count: point.type === 'string' ? String(point.count) : '', type: point.type, byteOrder: point.byteOrder,
    wordOrder: point.wordOrder, scale: String(point.scale), offset: String(point.offset), writable: point.writable,
  };
}

/** A new row: a holding register after the last one the table uses, for the first property not mapped yet. */
export function newRow(rows: readonly PointRow[], properties: readonly ModelProperty[] | null): PointRow {
  const used = new Set(rows.map((r) => r.property));
  let address = 0;
  for (const row of rows) {
    if (row.function !== '3') continue;
    const start = Number(row.address);
    const count = pointCount({ function: 3, type: row.type, count: row.count === '' ? undefined : Number(row.count) }) ?? 1;
    if (Number.isInteger(start)) address = Math.max(address, start + count);
  }
  return {
    key: nextKey++, property: properties?.find((p) => !used.has(p.identifier))?.identifier ?? '', function: '3',
    address: String(Math.min(address, 65_535)), count: '', type: 'uint16', byteOrder: 'big', wordOrder: 'big', scale: '1', offset: '0', writable: false,
  };
}

/** A number field's value: left out when empty, a number when it reads as one, else the text (for the check to name). */
function numberField(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : trimmed;
}

/** The point a row sends: what the server checks and stores. */
export function pointInput(row: PointRow): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    property: row.property, function: numberField(row.function), address: numberField(row.address),
    count: row.type === 'string' ? numberField(row.count) : undefined, type: row.type, byteOrder: row.byteOrder,
    wordOrder: row.wordOrder, scale: numberField(row.scale), offset: numberField(row.offset), writable: row.writable,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/**
 * Every problem of the table: `checkPointTable`'s, and a property the published thing model lacks or cannot write
 * (what the server refuses too). `properties` null: no thing model is published, so properties are not checked here.
 */
export function tableProblems(rows: readonly PointRow[], properties: readonly ModelProperty[] | null): TableProblem[] {
  const outcome = checkPointTableCoded(rows.map(pointInput));
  // A row whose property is not chosen yet is told so, not that "" is no identifier.
  const problems: TableProblem[] = outcome.ok ? [] : outcome.problems.map(({ code, params, ...p }) => (p.field === 'property' && rows[p.index]?.property === ''
    ? { ...p, message: t('point.chooseProperty', { point: pointName(p.index) }) }
    : { ...p, code, params }));
  if (properties) {
    const byId = new Map(properties.map((p) => [p.identifier, p]));
    rows.forEach((row, index) => {
      if (row.property === '') return;
      const property = byId.get(row.property);
      const at = { index, property: row.property };
      if (!property) {
        problems.push({ ...at, field: 'property', message: t('point.noProperty', { point: pointName(index, row.property), property: row.property }) });
      } else if (row.writable && property.accessMode !== 'rw') {
        problems.push({ ...at, field: 'writable', message: t('point.readOnly', { point: pointName(index, row.property), property: row.property }) });
      }
    });
  }
  return problems.sort((a, b) => a.index - b.index);
}

/** The problems of one row in the language shown, and the fields they are about. */
export function rowProblems(problems: readonly TableProblem[], index: number): { messages: string[]; fields: Set<string> } {
  const own = problems.filter((p) => p.index === index);
  return { messages: [...new Set(own.map(pointProblemText))], fields: new Set(own.map((p) => p.field || 'property')) };
}

/** Whether a field applies to a row: count to strings, byte order to registers, word order to values of several registers, writable to functions 1 and 3. */
export function applies(row: PointRow, field: 'count' | 'byteOrder' | 'wordOrder' | 'writable'): boolean {
  const bits = row.function === '1' || row.function === '2';
  switch (field) {
    case 'count': return row.type === 'string';
    case 'byteOrder': return !bits && row.type !== 'bool';
    case 'wordOrder': return !bits && ['int32', 'uint32', 'float32', 'float64'].includes(row.type);
    case 'writable': return row.function === '1' || row.function === '3';
  }
}
