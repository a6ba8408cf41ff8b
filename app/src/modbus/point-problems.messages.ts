/**
 * The point table's problems (domain/modbus/point-table.ts) and a CSV import's (domain/modbus/point-table-csv.ts) in
 * the language shown: the domain gives each problem a code and its params and keeps the English for the server; this
 * catalog says it in both languages. The English here is the domain's, word for word
 * (point-problems.messages.test.ts checks it).
 */
import { translator } from '../i18n/messages.ts';
import { t } from './modbus.messages.ts';
import type { PointProblemCode } from '../../../domain/modbus/point-table.ts';
import type { CsvProblemCode } from '../../../domain/modbus/point-table-csv.ts';

type Params = Readonly<Record<string, string>>;

/** A point's problem as the tab holds it: the check's own (with code and params), or the server's or the tab's words. */
export interface ShownPointProblem {
  index: number;
  property?: string;
  message: string;
  code?: PointProblemCode;
  params?: Params;
}

/** A CSV import's problem: the import's own (with code and params), or the tab's words. */
export interface ShownCsvProblem {
  line: number;
  message: string;
  code?: CsvProblemCode;
  params?: Params;
  point?: ShownPointProblem;
}

/** Each point problem's words after "point 3 (temperature): ". */
const pointProblems = {
  notList: { en: 'a point table must be a list of points', zh: '点位表必须是点位的列表' },
  notObject: { en: 'must be an object', zh: '必须是对象' },
  missing: { en: '{field} is missing', zh: '缺少 {field}' },
  unknownField: { en: '{field} is not a point table field', zh: '{field} 不是点位表的字段' },
  // TypeBox's own words, for what the other codes do not cover.
  schema: { en: '{field}: {detail}', zh: '{field}：{detail}' },
  propertyInvalid: {
    en: 'property must be a thing model identifier: a letter, then up to 31 letters, digits or underscores',
    zh: 'property 必须是物模型标识符：以字母开头，后跟最多 31 个字母、数字或下划线',
  },
  functionInvalid: { en: 'function must be 1, 2, 3 or 4', zh: 'function 必须为 1、2、3 或 4' },
  addressInvalid: { en: 'address must be a whole number from 0 to 65535', zh: 'address 必须是 0 到 65535 之间的整数' },
  countInvalid: { en: 'count must be a whole number from 1 to {max}', zh: 'count 必须是 1 到 {max} 之间的整数' },
  typeInvalid: {
    en: 'type must be one of bool, int16, uint16, int32, uint32, float32, float64, string',
    zh: 'type 必须是 bool、int16、uint16、int32、uint32、float32、float64、string 之一',
  },
  byteOrderInvalid: { en: 'byteOrder must be big or little', zh: 'byteOrder 必须为 big 或 little' },
  wordOrderInvalid: { en: 'wordOrder must be big or little', zh: 'wordOrder 必须为 big 或 little' },
  notNumber: { en: '{field} must be a number', zh: '{field} 必须是数字' },
  writableInvalid: { en: 'writable must be true or false', zh: 'writable 必须为 true 或 false' },
  // {other}: the point that maps it first ("point 1 (temperature)").
  duplicateProperty: { en: '"{property}" is already mapped by {other}', zh: '“{property}”已由{other}映射' },
  bitsNeedBool: {
    en: 'function {function} reads single bits, so its type must be bool, not {type}',
    zh: '功能码 {function} 读取单个位，因此类型必须为 bool，而不是 {type}',
  },
  stringNeedsCount: {
    en: 'a string needs a count: the number of registers it spans (2 characters each)',
    zh: 'string 类型需要填写 count：它占用的寄存器数（每个寄存器 2 个字符）',
  },
  countMismatchBits: {
    en: '{type} spans {derived, plural, one {# bit} other {# bits}}, not {count}; leave count out',
    zh: '{type} 占用 {derived} 位，而不是 {count}；请不要填写 count',
  },
  countMismatchRegisters: {
    en: '{type} spans {derived, plural, one {# register} other {# registers}}, not {count}; leave count out',
    zh: '{type} 占用 {derived} 个寄存器，而不是 {count}；请不要填写 count',
  },
  scaleZero: {
    en: 'scale 0 would read every value as the offset; use 1 for none',
    zh: 'scale 为 0 会把每个值都读成 offset；不缩放请用 1',
  },
  readOnlyFunction: {
    en: 'function {function} is read-only in Modbus; only coils (1) and holding registers (3) can be written',
    zh: '功能码 {function} 在 Modbus 中是只读的；只有线圈（1）和保持寄存器（3）可以写入',
  },
  writeTooLong: {
    en: 'a write carries at most {max} registers, so a writable point cannot span {count}',
    zh: '一次写入最多 {max} 个寄存器，因此可写点位不能占用 {count} 个',
  },
  pastEnd: { en: 'spans {count} from {address}, past the last address 65535', zh: '从 {address} 起占用 {count} 个，超出了最后一个地址 65535' },
  // {span}, {otherSpan}: `span.one` or `span.range`; {other}: the point it overlaps.
  overlap: { en: '{span} of function {function} overlaps {other} at {otherSpan}', zh: '功能码 {function} 的{span} 与{other}的{otherSpan} 重叠' },
} as const satisfies Record<PointProblemCode, { en: string; zh: string }>;

/** Each CSV problem's words after "line 3: " (`point`: the point's problem, said as above). */
const csvProblems = {
  'csv.emptyFile': { en: 'the file is empty; it needs a header row', zh: '文件为空，需要一行表头' },
  'csv.notColumn': { en: '"{column}" is not a column; the columns are {columns}', zh: '“{column}”不是有效的列；可用的列为 {columns}' },
  'csv.duplicateColumn': { en: 'the column "{column}" appears twice', zh: '列“{column}”出现了两次' },
  'csv.missingColumn': { en: 'the column "{column}" is missing', zh: '缺少列“{column}”' },
  'csv.cellCount': { en: 'has {cells} cells; the header has {header}', zh: '有 {cells} 个单元格，而表头有 {header} 个' },
  'csv.cellNotNumber': { en: '{column} must be a number, not "{cell}"', zh: '{column} 必须是数字，而不是“{cell}”' },
  'csv.cellNotBoolean': { en: '{column} must be true or false, not "{cell}"', zh: '{column} 必须为 true 或 false，而不是“{cell}”' },
  'csv.unclosedQuote': { en: 'a quoted cell is never closed', zh: '带引号的单元格没有闭合' },
  'csv.point': { en: '{message}', zh: '{message}' },
} as const satisfies Record<`csv.${CsvProblemCode}`, { en: string; zh: string }>;

export const tpp = translator({
  ...pointProblems,
  ...csvProblems,
  'point.problem': { en: '{point}: {message}', zh: '{point}：{message}' },
  'overlap.many': {
    en: '{span} of function {function} overlap {other} at {otherSpan}',
    zh: '功能码 {function} 的{span} 与{other}的{otherSpan} 重叠',
  },
  'schema.bare': { en: '{detail}', zh: '{detail}' },
  'span.one': { en: 'address {first}', zh: '地址 {first}' },
  'span.range': { en: 'addresses {first}..{last}', zh: '地址 {first}..{last}' },
  'csv.line': { en: 'line {line}: {message}', zh: '第 {line} 行：{message}' },
});

/** "point 3 (temperature)", as the tab names a point (one-based, digits as the domain writes them). */
function pointName(n: string | undefined, property?: string): string {
  return property === undefined ? t('point.label', { n }) : t('point.labelWith', { n, property });
}

function span(first: string | undefined, last: string | undefined): string {
  return first === last ? tpp('span.one', { first }) : tpp('span.range', { first, last });
}

/** A point problem's words after the point's name, from its code and params. */
function pointWords(code: PointProblemCode, params: Params): string {
  switch (code) {
    case 'schema':
      return params.field ? tpp('schema', params) : tpp('schema.bare', params);
    case 'duplicateProperty':
      return tpp(code, { ...params, other: pointName(params.other, params.property) });
    case 'overlap':
      return tpp(params.address === params.last ? 'overlap' : 'overlap.many', {
        ...params,
        span: span(params.address, params.last),
        other: pointName(params.other, params.otherProperty),
        otherSpan: span(params.otherAddress, params.otherLast),
      });
    default:
      return tpp(code, params);
  }
}

/** A point's problem in the language shown: the check's from its code and params; any other as it came. */
export function pointProblemText(problem: ShownPointProblem): string {
  const { code, params = {} } = problem;
  if (code === undefined || !(code in pointProblems)) return problem.message;
  const words = pointWords(code, params);
  if (problem.index < 0) return words;
  return tpp('point.problem', { point: pointName(String(problem.index + 1), problem.property), message: words });
}

/** A CSV import's problem in the language shown: the import's from its code and params; any other as it came. */
export function csvProblemText(problem: ShownCsvProblem): string {
  const { code, params = {} } = problem;
  if (code === undefined || !(`csv.${code}` in csvProblems)) return problem.message;
  const words = code === 'point' && problem.point ? pointProblemText(problem.point) : tpp(`csv.${code}`, params);
  return tpp('csv.line', { line: String(problem.line), message: words });
}
