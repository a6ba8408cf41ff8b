/**
 * The thing model check's problems (domain/thing-model/tsl-problems.ts) in the language shown: the domain gives each
 * problem a code and its params and keeps the English for the server; this catalog says it in both languages. The
 * English here is the domain's, word for word (tsl-problems.messages.test.ts checks it).
 */
import { translator } from '../i18n/messages.ts';
import { checkTslCoded, type TslDuplicateKind, type TslProblemCode } from '../../../domain/thing-model/tsl-problems.ts';

/** A problem as the screens hold it: the check's own (with code and params), or the server's or the form's words. */
export interface ShownTslProblem {
  path: string;
  message: string;
  code?: TslProblemCode;
  params?: Readonly<Record<string, string>>;
}

const problems = {
  notObject: {
    en: 'a thing model must be a JSON object with properties, services and events',
    zh: '物模型必须是包含 properties、services 和 events 的 JSON 对象',
  },
  notList: { en: '{key} must be a list', zh: '{key} 必须是列表' },
  propertyNotObject: { en: 'a property must be an object', zh: '属性必须是对象' },
  serviceNotObject: { en: 'a service must be an object', zh: '服务必须是对象' },
  eventNotObject: { en: 'an event must be an object', zh: '事件必须是对象' },
  accessMode: {
    en: 'accessMode must be "r" (read-only) or "rw" (read-write), not {value}',
    zh: 'accessMode 必须为 "r"（只读）或 "rw"（读写），而不是 {value}',
  },
  reservedService: {
    en: '"{id}" is reserved for the built-in property services; choose another',
    zh: '“{id}”是内置属性服务的保留标识符，请换一个',
  },
  reservedEvent: {
    en: '"{id}" is reserved for the built-in property post event; choose another',
    zh: '“{id}”是内置属性上报事件的保留标识符，请换一个',
  },
  method: { en: 'method must be "{expected}" (or left out), not {value}', zh: 'method 必须为 "{expected}"（或不填），而不是 {value}' },
  callType: { en: 'callType must be "sync" or "async", not {value}', zh: 'callType 必须为 "sync" 或 "async"，而不是 {value}' },
  eventType: {
    en: 'event type must be "info", "alert" or "error", not {value}',
    zh: '事件类型必须为 "info"、"alert" 或 "error"，而不是 {value}',
  },
  identifierMissing: { en: 'identifier is missing', zh: '缺少标识符' },
  identifierInvalid: {
    en: '{value} is not a valid identifier: use a letter, then up to 31 letters, digits or underscores',
    zh: '{value} 不是有效的标识符：须以字母开头，后跟最多 31 个字母、数字或下划线',
  },
  nameMissing: { en: 'name is missing', zh: '缺少名称' },
  paramsNotList: { en: '{key} must be a list of parameters', zh: '{key} 必须是参数列表' },
  paramNotObject: {
    en: 'a parameter must be an object with identifier, name and dataType',
    zh: '参数必须是包含 identifier、name 和 dataType 的对象',
  },
  builtinIdentifier: {
    en: 'the built-in {method} must have identifier "{expected}", not {value}',
    zh: '内置的 {method} 的标识符必须为 "{expected}"，而不是 {value}',
  },
  builtinNotProperty: {
    en: '{method} lists {value}, which is not a property of this thing model',
    zh: '{method} 列出的 {value} 不是此物模型的属性',
  },
  dataTypeNotObject: { en: 'dataType must be an object with type and specs', zh: 'dataType 必须是包含 type 和 specs 的对象' },
  unknownType: { en: 'unknown type {value}; use one of {types}', zh: '未知的数据类型 {value}；请使用以下之一：{types}' },
  dateSpecs: { en: 'date specs must be an empty object', zh: 'date 的 specs 必须是空对象' },
  nestedStruct: {
    en: 'a struct cannot contain another struct (Alibaba forbids nesting); flatten it',
    zh: '结构体不能包含另一个结构体（阿里云不允许嵌套），请将其展开',
  },
  numericSpecs: { en: '{type} specs must be an object with min, max and step', zh: '{type} 的 specs 必须是包含 min、max 和 step 的对象' },
  notNumber: { en: '{key} ({value}) is not a number', zh: '{key}（{value}）不是数字' },
  notWholeInt: { en: '{key} ({value}) must be a whole number for an int', zh: '{key}（{value}）必须是整数（int 类型）' },
  outsideInt32: { en: '{key} ({value}) is outside the int32 range {min}..{max}', zh: '{key}（{value}）超出了 int32 范围 {min}..{max}' },
  minAboveMax: { en: 'min ({min}) is greater than max ({max})', zh: 'min（{min}）大于 max（{max}）' },
  stepNotPositive: { en: 'step ({value}) must be greater than 0', zh: 'step（{value}）必须大于 0' },
  textSpecs: { en: 'text specs must be an object with length', zh: 'text 的 specs 必须是包含 length 的对象' },
  textLength: { en: 'length ({value}) must be a whole number from 1 to {max}', zh: 'length（{value}）必须是 1 到 {max} 之间的整数' },
  boolLabels: {
    en: 'bool needs labels for its values, e.g. {"0": "off", "1": "on"}',
    zh: 'bool 需要为取值设置标签，例如 {"0": "off", "1": "on"}',
  },
  enumLabels: {
    en: 'enum needs at least one value with its label, e.g. {"0": "auto", "1": "manual"}',
    zh: 'enum 至少需要一个带标签的取值，例如 {"0": "auto", "1": "manual"}',
  },
  boolValue: { en: 'bool values are 0 and 1 only; remove {value}', zh: 'bool 的取值只能是 0 和 1；请删除 {value}' },
  enumValue: {
    en: 'enum value {value} is not an integer; enum values are whole numbers with labels',
    zh: '枚举值 {value} 不是整数；枚举值须为带标签的整数',
  },
  labelNotText: { en: 'the label of {key} must be text, not {value}', zh: '{key} 的标签必须是文本，而不是 {value}' },
  boolLabelMissing: { en: 'bool needs a label for {key}', zh: 'bool 需要为 {key} 设置标签' },
  structFields: { en: 'a struct needs a list of at least one field', zh: '结构体至少需要一个字段' },
  arraySpecs: { en: 'array specs must be an object with size and item', zh: 'array 的 specs 必须是包含 size 和 item 的对象' },
  arraySizeMissing: {
    en: 'size is missing; set the maximum number of elements, 1 to {max}',
    zh: '缺少 size：请设置元素个数上限（1 到 {max}）',
  },
  arraySize: { en: 'size ({value}) must be a whole number from 1 to {max}', zh: 'size（{value}）必须是 1 到 {max} 之间的整数' },
  arrayItemMissing: {
    en: 'item is missing; give the element type, e.g. {"type": "int"}',
    zh: '缺少 item：请给出元素类型，例如 {"type": "int"}',
  },
  arrayItemType: { en: 'an array holds {types}, not {value}', zh: '数组元素只能是 {types}，而不是 {value}' },
  nestedStructArray: {
    en: 'a struct cannot contain an array of structs (Alibaba forbids nesting structs)',
    zh: '结构体不能包含结构体数组（阿里云不允许嵌套结构体）',
  },
  duplicateIdentifier: {
    en: 'duplicate {what} identifier "{id}" (already used at {first})',
    zh: '{what}标识符“{id}”重复（已在 {first} 使用）',
  },
} as const satisfies Record<TslProblemCode, { en: string; zh: string }>;

/** The catalog: each code's words (above), and `kind.*`, what a duplicateIdentifier's `what` names. */
export const tp = translator({
  ...problems,
  'kind.property': { en: 'property', zh: '属性' },
  'kind.service': { en: 'service', zh: '服务' },
  'kind.event': { en: 'event', zh: '事件' },
  'kind.input parameter': { en: 'input parameter', zh: '输入参数' },
  'kind.output parameter': { en: 'output parameter', zh: '输出参数' },
  'kind.struct field': { en: 'struct field', zh: '结构体字段' },
});

type Kind = `kind.${TslDuplicateKind}`;
const isKind = (key: string): key is Kind => key in tp.catalog;

/** A problem in the language shown: the check's from its code and params; any other (the server's) as it came. */
export function tslProblemText(problem: ShownTslProblem): string {
  const { code, params } = problem;
  if (code === undefined || !(code in problems)) return problem.message;
  if (code === 'duplicateIdentifier') {
    const what = params?.what ?? '';
    const kind = `kind.${what}`;
    return tp(code, { ...params, what: isKind(kind) ? tp(kind) : what });
  }
  return tp(code, params);
}

/**
 * What the screens show of `doc`: the check's problems in the language shown, then `others` (the form's, the
 * server's) except those that repeat one of the check's (the server answers with the same check, in English).
 */
export function shownTslProblems(doc: unknown, ...others: (readonly ShownTslProblem[])[]): { path: string; message: string }[] {
  const found = checkTslCoded(doc);
  const repeats = (other: ShownTslProblem) => found.some((p) => p.path === other.path && p.message === other.message);
  return [
    ...found.map((p) => ({ path: p.path, message: tslProblemText(p) })),
    ...others.flat().filter((other) => !repeats(other)).map((other) => ({ path: other.path, message: tslProblemText(other) })),
  ];
}
