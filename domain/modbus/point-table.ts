/**
 * A product's Modbus point table: which registers or coils of a slave hold which thing model property, and how to
 * read their bits as a value. Pure and browser-safe, so the product screens' editor shows the server's own problems
 * under the row before saving. The codec that turns registers into values is server/modbus/point-codec.ts.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { TSL_IDENTIFIER } from '../thing-model/tsl-problems.ts';

/** Modbus's own limits on one read request (Modbus Application Protocol V1.1b3, 6.1–6.4). */
export const MODBUS_MAX_READ_REGISTERS = 125;
export const MODBUS_MAX_READ_BITS = 2000;
/** One write-multiple-registers request (function 16) carries at most 123 registers. */
export const MODBUS_MAX_WRITE_REGISTERS = 123;

export const ModbusFunction = Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3), Type.Literal(4)], {
  description: 'Read function: 1 coils, 2 discrete inputs (bool only), 3 holding registers, 4 input registers',
});

export const PointType = Type.Union([
  Type.Literal('bool'), Type.Literal('int16'), Type.Literal('uint16'), Type.Literal('int32'), Type.Literal('uint32'),
  Type.Literal('float32'), Type.Literal('float64'), Type.Literal('string'),
], { description: 'How the registers read as a value; bool from a register is "not zero"' });

export const ByteOrder = Type.Union([Type.Literal('big'), Type.Literal('little')], {
  description: 'Bytes within each 16-bit register: big (Modbus standard, AB) or little (BA). Default big',
  default: 'big',
});

export const WordOrder = Type.Union([Type.Literal('big'), Type.Literal('little')], {
  description: 'Registers of a 32- or 64-bit value: big (high register first, ABCD) or little (low first, CDAB). Default big',
  default: 'big',
});

/** One point as a user writes it: order, scale and offset may be left out and take their defaults. */
export const PointInput = Type.Object({
  property: Type.String({ pattern: TSL_IDENTIFIER.source, description: 'Identifier of the thing model property' }),
  function: ModbusFunction,
  address: Type.Integer({ minimum: 0, maximum: 65_535, description: 'Zero-based address (register 40001 is 0 with function 3)' }),
  count: Type.Optional(Type.Integer({
    minimum: 1, maximum: MODBUS_MAX_READ_REGISTERS,
    description: 'Registers (or bits) the point spans; derived from the type, required for string',
  })),
  type: PointType,
  byteOrder: Type.Optional(ByteOrder),
  wordOrder: Type.Optional(WordOrder),
  scale: Type.Optional(Type.Number({ default: 1, description: 'value = raw × scale + offset. Default 1' })),
  offset: Type.Optional(Type.Number({ default: 0, description: 'value = raw × scale + offset. Default 0' })),
  writable: Type.Optional(Type.Boolean({ description: 'Property sets write it (functions 1 and 3 only). Default false' })),
}, { additionalProperties: false });

export const PointTableInput = Type.Array(PointInput, { maxItems: 10_000 });

export type ModbusFunction = Static<typeof ModbusFunction>;
export type PointType = Static<typeof PointType>;
export type ByteOrder = Static<typeof ByteOrder>;
export type WordOrder = Static<typeof WordOrder>;
export type PointInput = Static<typeof PointInput>;

/** A checked point with every default filled in and its count derived: what the codec works with. */
export interface ModbusPoint {
  property: string;
  function: ModbusFunction;
  address: number;
  /** Registers for functions 3/4, bits for 1/2. */
  count: number;
  type: PointType;
  byteOrder: ByteOrder;
  wordOrder: WordOrder;
  scale: number;
  offset: number;
  writable: boolean;
}

/** One thing wrong with one point of a table, naming it so the user finds the row. */
export interface PointProblem {
  /** Zero-based position in the table. */
  index: number;
  /** The point's property, when it has one that is a string. */
  property?: string;
  /** The field at fault (`address`, `count`, …); empty for the point as a whole. */
  field: string;
  message: string;
}

export type PointTableOutcome = { ok: true; points: ModbusPoint[] } | { ok: false; problems: PointProblem[] };

/**
 * A {@link PointProblem} with what it says as data: a stable `code` and its `params` (text as the English message
 * writes it), so a screen can say it in its own language. `message` stays the English the server answers with:
 * {@link pointLabel} and the code's English, built from the same params.
 */
export interface CodedPointProblem extends PointProblem {
  code: PointProblemCode;
  params: PointProblemParams;
}

export type PointProblemParams = Readonly<Record<string, string>>;

export type CodedPointTableOutcome = { ok: true; points: ModbusPoint[] } | { ok: false; problems: CodedPointProblem[] };

/**
 * Every problem of a point, by code, in English (without the "point 3 (temperature): " the message starts with).
 * `field` is a point table field's name; numbers are written as digits. `schema` is TypeBox's own words (`detail`),
 * for what the other codes do not cover.
 */
const ENGLISH = {
  notList: () => 'a point table must be a list of points',
  notObject: () => 'must be an object',
  missing: (p: PointProblemParams) => `${p.field} is missing`,
  unknownField: (p: PointProblemParams) => `${p.field} is not a point table field`,
  schema: (p: PointProblemParams) => (p.field ? `${p.field}: ${p.detail}` : `${p.detail}`),
  propertyInvalid: () => 'property must be a thing model identifier: a letter, then up to 31 letters, digits or underscores',
  functionInvalid: () => 'function must be 1, 2, 3 or 4',
  addressInvalid: () => 'address must be a whole number from 0 to 65535',
  countInvalid: (p: PointProblemParams) => `count must be a whole number from 1 to ${p.max}`,
  typeInvalid: () => 'type must be one of bool, int16, uint16, int32, uint32, float32, float64, string',
  byteOrderInvalid: () => 'byteOrder must be big or little',
  wordOrderInvalid: () => 'wordOrder must be big or little',
  notNumber: (p: PointProblemParams) => `${p.field} must be a number`,
  writableInvalid: () => 'writable must be true or false',
  /** `other`: the one-based number of the point that maps the property first. */
  duplicateProperty: (p: PointProblemParams) => `"${p.property}" is already mapped by point ${p.other} (${p.property})`,
  bitsNeedBool: (p: PointProblemParams) => `function ${p.function} reads single bits, so its type must be bool, not ${p.type}`,
  stringNeedsCount: () => 'a string needs a count: the number of registers it spans (2 characters each)',
  countMismatchBits: (p: PointProblemParams) =>
    `${p.type} spans ${p.derived} bit${p.derived === '1' ? '' : 's'}, not ${p.count}; leave count out`,
  countMismatchRegisters: (p: PointProblemParams) =>
    `${p.type} spans ${p.derived} register${p.derived === '1' ? '' : 's'}, not ${p.count}; leave count out`,
  scaleZero: () => 'scale 0 would read every value as the offset; use 1 for none',
  readOnlyFunction: (p: PointProblemParams) =>
    `function ${p.function} is read-only in Modbus; only coils (1) and holding registers (3) can be written`,
  writeTooLong: (p: PointProblemParams) =>
    `a write carries at most ${p.max} registers, so a writable point cannot span ${p.count}`,
  pastEnd: (p: PointProblemParams) => `spans ${p.count} from ${p.address}, past the last address 65535`,
  /**
   * `address`..`last` of `function` overlaps the span `otherAddress`..`otherLast` of point `other` (one-based), whose
   * property is `otherProperty`.
   */
  overlap: (p: PointProblemParams) =>
    `${span(p.address, p.last)} of function ${p.function} ${p.address === p.last ? 'overlaps' : 'overlap'} `
      + `point ${p.other} (${p.otherProperty}) at ${span(p.otherAddress, p.otherLast)}`,
} satisfies Record<string, (params: PointProblemParams) => string>;

export type PointProblemCode = keyof typeof ENGLISH;

/** Every code {@link checkPointTableCoded} can give, for a screen's catalog to be checked against. */
export const POINT_PROBLEM_CODES = Object.keys(ENGLISH) as readonly PointProblemCode[];

/** A problem's English words (without the point's label), from its code and params. */
export function pointProblemEnglish(code: PointProblemCode, params: PointProblemParams): string {
  return ENGLISH[code](params);
}

/** Registers a type takes; undefined for string, whose length the user gives. */
const REGISTERS: Record<Exclude<PointType, 'string'>, number> = {
  bool: 1, int16: 1, uint16: 1, int32: 2, uint32: 2, float32: 2, float64: 4,
};

/** The name Modbus tools (Modbus Poll, pymodbus, Node-RED's modbus nodes) give a byte/word order pair. */
export function orderName(byteOrder: ByteOrder, wordOrder: WordOrder): 'ABCD' | 'CDAB' | 'BADC' | 'DCBA' {
  if (byteOrder === 'big') return wordOrder === 'big' ? 'ABCD' : 'CDAB';
  return wordOrder === 'big' ? 'BADC' : 'DCBA';
}

/** "point 3 (temperature)": how every message names its point; index one-based, as the editor numbers rows. */
export function pointLabel(index: number, property?: string): string {
  return property === undefined ? `point ${index + 1}` : `point ${index + 1} (${property})`;
}

/** The registers (functions 3/4) or bits (1/2) a point occupies, from its type. */
export function pointCount(point: Pick<PointInput, 'function' | 'type' | 'count'>): number | undefined {
  if (point.type === 'string') return point.count;
  if (point.function === 1 || point.function === 2) return 1;
  return REGISTERS[point.type];
}

/**
 * Checks a point table as a user would want it checked, and lists every problem at once: the schema, bool only on
 * functions 1/2, a string's count, a count that disagrees with the type, writes only to coils and holding registers,
 * one point per property, and no two points of one function sharing a register or bit (which is almost always a
 * typo in the address, and would report one register as two properties). On success the points come back with their
 * defaults filled in.
 */
export function checkPointTable(input: unknown): PointTableOutcome {
  const outcome = checkPointTableCoded(input);
  if (outcome.ok) return outcome;
  return { ok: false, problems: outcome.problems.map(({ code, params, ...problem }) => problem) };
}

/** {@link checkPointTable} with each problem's code and params, for a screen that says them in its own language. */
export function checkPointTableCoded(input: unknown): CodedPointTableOutcome {
  if (!Array.isArray(input)) {
    return { ok: false, problems: [{ index: -1, field: '', code: 'notList', params: {}, message: pointProblemEnglish('notList', {}) }] };
  }
  const problems: CodedPointProblem[] = [];
  const points: ModbusPoint[] = [];
  // Every point whose span is known, with its row, so overlaps are reported alongside the other problems.
  const spans: { point: ModbusPoint; index: number }[] = [];
  const firstUse = new Map<string, number>();
  input.forEach((raw: unknown, index) => {
    const property = isRecord(raw) && typeof raw.property === 'string' ? raw.property : undefined;
    const add = (field: string, code: PointProblemCode, params: PointProblemParams = {}) =>
      problems.push(codedProblem(index, property, field, code, params));
    const schemaError = Value.Errors(PointInput, raw).First();
    if (schemaError) {
      const field = schemaError.path.split('/')[1] ?? '';
      add(field, ...schemaProblem(field, schemaError.message));
      return;
    }
    const point = raw as PointInput;
    if (firstUse.has(point.property)) {
      add('property', 'duplicateProperty', { property: point.property, other: String(firstUse.get(point.property)! + 1) });
    } else firstUse.set(point.property, index);
    const bits = point.function === 1 || point.function === 2;
    if (bits && point.type !== 'bool') {
      add('type', 'bitsNeedBool', { function: String(point.function), type: point.type });
    }
    if (point.type === 'string' && point.count === undefined) {
      add('count', 'stringNeedsCount');
    }
    const derived = pointCount(point);
    if (point.type !== 'string' && point.count !== undefined && point.count !== derived) {
      add('count', bits ? 'countMismatchBits' : 'countMismatchRegisters', { type: point.type, derived: String(derived), count: String(point.count) });
    }
    if (point.scale === 0) add('scale', 'scaleZero');
    if (point.writable && point.function !== 1 && point.function !== 3) {
      add('writable', 'readOnlyFunction', { function: String(point.function) });
    }
    if (point.writable && !bits && (derived ?? 0) > MODBUS_MAX_WRITE_REGISTERS) {
      add('count', 'writeTooLong', { max: String(MODBUS_MAX_WRITE_REGISTERS), count: String(derived) });
    }
    if (derived !== undefined && point.address + derived > 65_536) {
      add('address', 'pastEnd', { count: String(derived), address: String(point.address) });
    }
    const checked: ModbusPoint = {
      property: point.property, function: point.function, address: point.address, count: derived ?? 1, type: point.type,
      byteOrder: point.byteOrder ?? 'big', wordOrder: point.wordOrder ?? 'big', scale: point.scale ?? 1,
      offset: point.offset ?? 0, writable: point.writable ?? false,
    };
    points.push(checked);
    if (derived !== undefined) spans.push({ point: checked, index });
  });
  problems.push(...overlaps(spans));
  return problems.length === 0 ? { ok: true, points } : { ok: false, problems: problems.sort((a, b) => a.index - b.index) };
}

/** Points of one function that share a register or bit, each reported once against the point it collides with. */
function overlaps(spans: { point: ModbusPoint; index: number }[]): CodedPointProblem[] {
  const problems: CodedPointProblem[] = [];
  const order = [...spans].sort((a, b) => a.point.function - b.point.function || a.point.address - b.point.address);
  // The point reaching furthest so far in this function: an overlap with any earlier point implies one with it.
  let reach: { point: ModbusPoint; index: number } | undefined;
  for (const entry of order) {
    if (reach && reach.point.function === entry.point.function
      && entry.point.address < reach.point.address + reach.point.count) {
      const { point, index } = entry;
      problems.push(codedProblem(index, point.property, 'address', 'overlap', {
        address: String(point.address), last: String(point.address + point.count - 1), function: String(point.function),
        other: String(reach.index + 1), otherProperty: reach.point.property,
        otherAddress: String(reach.point.address), otherLast: String(reach.point.address + reach.point.count - 1),
      }));
    }
    if (!reach || reach.point.function !== entry.point.function
      || entry.point.address + entry.point.count > reach.point.address + reach.point.count) reach = entry;
  }
  return problems;
}

function span(first: string | undefined, last: string | undefined): string {
  return first === last ? `address ${first}` : `addresses ${first}..${last}`;
}

function codedProblem(
  index: number, property: string | undefined, field: string, code: PointProblemCode, params: PointProblemParams,
): CodedPointProblem {
  return {
    index, ...(property === undefined ? {} : { property }), field, code, params,
    message: `${pointLabel(index, property)}: ${pointProblemEnglish(code, params)}`,
  };
}

/** TypeBox's messages, said about the field a user edits. */
function schemaProblem(field: string, message: string): [PointProblemCode, PointProblemParams?] {
  if (field !== '' && message.startsWith('Expected required property')) return ['missing', { field }];
  if (message.startsWith('Unexpected property')) return ['unknownField', { field }];
  switch (field) {
    case '': return message === 'Expected object' ? ['notObject'] : ['schema', { field, detail: message }];
    case 'property': return ['propertyInvalid'];
    case 'function': return ['functionInvalid'];
    case 'address': return ['addressInvalid'];
    case 'count': return ['countInvalid', { max: String(MODBUS_MAX_READ_REGISTERS) }];
    case 'type': return ['typeInvalid'];
    case 'byteOrder': return ['byteOrderInvalid'];
    case 'wordOrder': return ['wordOrderInvalid'];
    case 'scale': case 'offset': return ['notNumber', { field }];
    case 'writable': return ['writableInvalid'];
    default: return ['schema', { field, detail: message }];
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
