/**
 * The node definitions' text in Simplified Chinese, beside the English the definitions keep (the Node-RED runtime and
 * the generated Node-RED `.html` read the English; only our editor shows the Chinese). Looked up by node type, field
 * name and choice value; a missing entry falls back to the English. `node-text.test.ts` checks that every label,
 * field title and description and help of every definition has its Chinese.
 *
 * Browser-safe and locale-free: the editor passes the locale it speaks (`currentLocale()`).
 */
import type { AnyNodeDefinition } from '../kit/define-node.ts';
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

/**
 * A node's output labels in `locale`: the Chinese of the definition's fixed `outputLabels` when `labels` are those;
 * labels made from a node's config (a switch's rules) stay as they are.
 */
export function outputLabelsIn(
  definition: { type: string; outputLabels?: readonly string[] | undefined },
  labels: readonly string[],
  locale: string,
): readonly string[] {
  if (!isZh(locale) || labels !== definition.outputLabels) return labels;
  return nodesZh[definition.type]?.outputLabels ?? labels;
}

const helpByEnglish = new WeakMap<readonly AnyNodeDefinition[], Map<string, string>>();

/**
 * The help of a node type in `locale`, found by its English text (the properties panel hands over the help markdown
 * alone); the English when it is not one of `definitions`' help or has no Chinese.
 */
export function helpIn(markdown: string, locale: string, definitions: readonly AnyNodeDefinition[]): string {
  if (!isZh(locale)) return markdown;
  let byEnglish = helpByEnglish.get(definitions);
  if (!byEnglish) {
    byEnglish = new Map();
    for (const definition of definitions) {
      const zh = nodeHelpZh(definition.type);
      if (zh) byEnglish.set(definition.help, zh);
    }
    helpByEnglish.set(definitions, byEnglish);
  }
  return byEnglish.get(markdown) ?? markdown;
}
