/**
 * The node definitions' text in Simplified Chinese, beside the English the definitions keep (the Node-RED runtime and
 * the generated Node-RED `.html` read the English; only our editor shows the Chinese). Looked up by node type, field
 * name and choice value; a missing entry falls back to the English. `node-text.test.ts` checks that every label,
 * field title and description and help of every definition has its Chinese.
 *
 * Browser-safe and locale-free: the editor passes the locale it speaks (`currentLocale()`).
 */
import { coreNodesZh } from './core-zh.def.ts';
import { coreHelpZh } from './core-help-zh.def.ts';
import { thingwireNodesZh } from './thingwire-zh.def.ts';

/** A field's Chinese: its title, or `[title, description]`. */
export type FieldZh = string | readonly [title: string, description: string];

/** One node type's Chinese. */
export interface NodeZh {
  /** The canvas label (Node-RED keeps most core node labels, `inject`, `debug`, in English in its Chinese editor). */
  label: string;
  paletteLabel?: string;
  /** Help markdown, in the same subset as the English. */
  help?: string;
  /** By field name (config and credentials properties). */
  fields: Readonly<Record<string, FieldZh>>;
  /** The definition's fixed `outputLabels` (port tooltips), in order. */
  outputLabels?: readonly string[];
  /** Labels of a select's choices, by field name and then by value (as `String(value)`). */
  choices?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** Field titles many nodes share, used when a node's own table has no entry for the field. */
export const commonFieldsZh: Readonly<Record<string, string>> = {
  Name: '名称',
  Topic: '主题',
  Port: '端口',
  Property: '属性',
  Output: '输出',
  Outputs: '输出数',
  Headers: '请求头',
  URL: 'URL',
  Path: '路径',
  Method: '方法',
  Username: '用户名',
  Password: '密码',
  'TLS Configuration': 'TLS 配置',
  'TLS configuration': 'TLS 配置',
  Encoding: '编码',
  Filename: '文件名',
  'Filename: type': '文件名：类型',
  Action: '操作',
  Mode: '模式',
  Rules: '规则',
  Server: '服务器',
  Return: '返回',
  'Property type': '属性类型',
  'Output as': '输出为',
  Timeout: '超时',
  'Timeout (seconds)': '超时（秒）',
  'Timeout (ms)': '超时（毫秒）',
  Product: '产品',
  Device: '设备',
  Message: '消息',
  Host: '主机',
  'at host': '主机',
  Topics: '主题',
  Units: '单位',
  'Local IF': '本地网卡',
  'delimited by': '分隔符',
  're-attach delimiter': '重新附加分隔符',
  'Property name for HTML content': 'HTML 内容的属性名',
};

/** Palette category names, as Node-RED's Chinese editor names its own. */
export const categoriesZh: Readonly<Record<string, string>> = {
  device: '设备',
  'thing model': '物模型',
  storage: '存储',
  alerts: '告警',
  notify: '通知',
  ota: 'OTA 升级',
  config: '配置',
  common: '通用',
  function: '功能',
  network: '网络',
  sequence: '序列',
  parser: '解析',
};

const nodesZh: Readonly<Record<string, NodeZh>> = { ...thingwireNodesZh, ...coreNodesZh };

/** Whether a locale speaks Chinese. */
function isZh(locale: string): boolean {
  return locale === 'zh-CN' || locale.startsWith('zh');
}

/** A node type's Chinese, if any. */
export function nodeTextZh(type: string): NodeZh | undefined {
  return nodesZh[type];
}

/** The help markdown of a node type in Chinese, if written. */
export function nodeHelpZh(type: string): string | undefined {
  return nodesZh[type]?.help ?? coreHelpZh[type];
}

/** The label a node type is shown by, in `locale`: its palette label (or label when `palette` is false). */
export function nodeTypeLabelIn(
  type: string,
  english: { label: string; paletteLabel?: string | undefined },
  locale: string,
  palette = true,
): string {
  const fallback = palette ? (english.paletteLabel ?? english.label) : english.label;
  if (!isZh(locale)) return fallback;
  const zh = nodesZh[type];
  if (!zh) return fallback;
  return palette ? (zh.paletteLabel ?? zh.label) : zh.label;
}

/** A palette category's name in `locale`. */
export function categoryIn(category: string, locale: string): string {
  return isZh(locale) ? (categoriesZh[category] ?? category) : category;
}

/** The title and description of a field of a node type in Chinese (`undefined` where none is written). */
export function fieldTextZh(type: string, name: string, englishTitle: string): { title?: string; description?: string } {
  const entry = nodesZh[type]?.fields[name];
  if (typeof entry === 'string') return { title: entry };
  if (entry) return { title: entry[0], description: entry[1] };
  const common = commonFieldsZh[englishTitle];
  return common === undefined ? {} : { title: common };
}

/** A field's title, description and choice labels in `locale`, from the English the schema holds. */
export function localizeField<F extends { name: string; title: string; description?: string; choices?: { value: unknown; label: string }[] }>(
  type: string,
  field: F,
  locale: string,
): F {
  if (!isZh(locale)) return field;
  const text = fieldTextZh(type, field.name, field.title);
  const choiceText = nodesZh[type]?.choices?.[field.name];
  return {
    ...field,
    ...(text.title !== undefined ? { title: text.title } : {}),
    ...(text.description !== undefined && field.description !== undefined ? { description: text.description } : {}),
    ...(choiceText && field.choices
      ? { choices: field.choices.map((choice) => ({ ...choice, label: choiceText[String(choice.value)] ?? choice.label })) }
      : {}),
  };
}

/** The words of port labels the core nodes make from their config (`outputLabelsOf`), in Chinese. */
const portWordsZh: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'http request': { 'binary buffer': '二进制 buffer', 'parsed JSON object': '解析后的 JSON 对象', 'UTF8 string': 'UTF8 字符串' },
  'file in': {
    'UTF8 string': 'UTF8 字符串',
    'UTF8 strings': 'UTF8 字符串（每行一条）',
    'binary buffers': '二进制 buffer 流',
    'binary buffer': '二进制 buffer',
  },
};

/** The value types an inject's port label names (`payload: timestamp`). */
const injectTypesZh: Readonly<Record<string, string>> = {
  'flow context': '流上下文', 'global context': '全局上下文', string: '字符串', number: '数字', boolean: '布尔值',
  object: '对象', buffer: 'buffer', timestamp: '时间戳', 'env variable': '环境变量', array: '数组',
  'Invalid JSON Object': '无效的 JSON 对象',
};

/** A switch's operators, which start its port labels (`is between 1 & 5`); longest first. */
const switchOperatorsZh: readonly (readonly [string, string])[] = (
  [
    ['has key', '拥有键'], ['is between', '介于'], ['contains', '包含'], ['matches regex', '匹配正则表达式'], ['is true', '为真'],
    ['is false', '为假'], ['is null', '为 null'], ['is not null', '非 null'], ['is of type', '类型是'], ['is empty', '为空'],
    ['is not empty', '非空'], ['head', '开头'], ['index between', '索引介于'], ['tail', '结尾'], ['JSONata exp', 'JSONata 表达式'],
    ['otherwise', '其他情况'],
  ] as const
).toSorted((a, b) => b[0].length - a[0].length);

/** A port label a core node made from its config, in Chinese (its data, a property or value, stays). */
function configPortLabelZh(type: string, label: string): string {
  const words = portWordsZh[type]?.[label];
  if (words !== undefined) return words;
  if (type === 'inject') {
    return label
      .split('\n')
      .map((line) => {
        const colon = line.lastIndexOf(': ');
        const zh = colon < 0 ? undefined : injectTypesZh[line.slice(colon + 2)];
        return zh === undefined ? line : `${line.slice(0, colon)}: ${zh}`;
      })
      .join('\n');
  }
  if (type === 'switch') {
    const operator = switchOperatorsZh.find(([en]) => label === en || label.startsWith(`${en} `));
    if (operator) return `${operator[1]}${label.slice(operator[0].length).replace(' & ', ' 与 ')}`;
  }
  return label;
}

/**
 * A node's output labels in `locale`: the Chinese of the definition's fixed `outputLabels` when `labels` are those;
 * of labels made from a node's config, the words the core nodes use are translated (an inject's value types, a
 * switch's operators, http request's and read file's output kinds); the data in them stays as it is.
 */
export function outputLabelsIn(
  definition: { type: string; outputLabels?: readonly string[] | undefined },
  labels: readonly string[],
  locale: string,
): readonly string[] {
  if (!isZh(locale)) return labels;
  if (labels === definition.outputLabels) return nodesZh[definition.type]?.outputLabels ?? labels;
  return labels.map((label) => configPortLabelZh(definition.type, label));
}

/** The help of a node type in `locale`: its Chinese when there is one, else the definition's English. */
export function helpIn(definition: { type: string; help: string }, locale: string): string {
  return (isZh(locale) && nodeHelpZh(definition.type)) || definition.help;
}
