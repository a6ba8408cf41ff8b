/**
 * The problems node checks report, in Simplified Chinese, by their code (`nodes/kit/problem-text.ts` holds the codes
 * and the English the runtime keeps). The editor shows a problem with {@link problemTextIn}; every code must have its
 * Chinese here (a missing one is a type error, and `problem-zh.test.ts` checks them).
 *
 * Browser-safe and locale-free: the editor passes the locale it speaks (`currentLocale()`).
 */
import type { ProblemCode, ProblemParam, ProblemParams, ProblemParamsOf, ProblemText, SchemaLabel } from '../kit/problem-text.ts';
import { fieldTextZh } from './node-text.def.ts';

/** What a Chinese message may ask of the lookup: the Chinese of a problem it explains, a field's Chinese title. */
interface Render {
  /** A nested problem in Chinese. */
  detail(problem: ProblemText): string;
  /** The label of a JSON-Schema problem: the field's Chinese title (`规则[0].t`), `配置` for the config as a whole. */
  label(p: SchemaLabel): string;
}

type ZhTable = { [C in ProblemCode]: (p: NonNullable<ProblemParamsOf<C>>, r: Render) => string };

/** A space after text that ends in a Latin letter, digit or bracket, before Chinese follows (`URL 不能为空`). */
const sp = (text: string) => (/[\w\])"'.]$/.test(text) ? `${text} ` : text);

/** `（当前为 "x"）`: the value a schema problem found. */
const got = (p: { got?: string | undefined }) => (p.got === undefined ? '' : `（当前为 ${p.got === 'nothing' ? '空' : p.got}）`);

const typeZh: Readonly<Record<string, string>> = {
  integer: '整数',
  number: '数字',
  string: '字符串',
  boolean: '布尔值',
  object: '对象',
  array: '数组',
  null: 'null',
};

const typesZh = (types: string) =>
  types
    .split(',')
    .map((t) => typeZh[t] ?? t)
    .join('或');

const text = (value: ProblemParam) => (value === undefined ? '' : typeof value === 'object' ? value.message : String(value));

const comparisonZh: Readonly<Record<string, string>> = { '>=': '不能小于', '>': '应大于', '<=': '不能大于', '<': '应小于' };

/** What Ajv's other keywords say, from Ajv's `params`. */
function keywordZh(p: SchemaLabel & { keyword: string; ajv: string; got?: string } & Record<string, ProblemParam>, label: string): string {
  const at = sp(label);
  switch (p.keyword) {
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${at}${comparisonZh[text(p['comparison'])] ?? `须 ${text(p['comparison'])}`} ${text(p['limit'])}${got(p)}`;
    case 'minLength':
      return `${at}不能少于 ${text(p['limit'])} 个字符${got(p)}`;
    case 'maxLength':
      return `${at}不能多于 ${text(p['limit'])} 个字符${got(p)}`;
    case 'minItems':
      return `${at}不能少于 ${text(p['limit'])} 项${got(p)}`;
    case 'maxItems':
      return `${at}不能多于 ${text(p['limit'])} 项${got(p)}`;
    case 'minProperties':
      return `${at}不能少于 ${text(p['limit'])} 个属性${got(p)}`;
    case 'maxProperties':
      return `${at}不能多于 ${text(p['limit'])} 个属性${got(p)}`;
    case 'pattern':
      return `${at}须匹配模式 "${text(p['pattern'])}"${got(p)}`;
    case 'format':
      return `${at}须符合格式 "${text(p['format'])}"${got(p)}`;
    case 'multipleOf':
      return `${at}须为 ${text(p['multipleOf'])} 的倍数${got(p)}`;
    case 'additionalProperties':
      return `${at}不能有其他属性（${text(p['additionalProperty'])}）`;
    case 'uniqueItems':
      return `${at}不能有重复项（第 ${text(p['j'])} 项与第 ${text(p['i'])} 项相同）`;
    default:
      return `${at}无效：${p.ajv}${got(p)}`;
  }
}

const zh: ZhTable = {
  'typed.property': (p, r) => `${p.type}.${p.text}：${r.detail(p.detail)}`,
  'typed.notNumber': (p) => `「${p.text}」不是数字`,
  'typed.notBoolean': (p) => `「${p.text}」不是 true 或 false`,
  'typed.invalidJson': (p) => `不是有效的 JSON：${p.error}`,
  'typed.bufferNotJson': () => '不是 buffer：请写成字节的 JSON 数组，如 [1, 2, 255]',
  'typed.bufferBytes': () => '不是 buffer：请写成字节（0–255）的 JSON 数组，如 [1, 2, 255]',
  'typed.invalidRegex': (p) => `不是有效的正则表达式：${p.error}`,
  'typed.emptyExpression': () => '表达式为空',
  'typed.noEnvVar': () => '未指定环境变量',
  'path.empty': () => '未指定属性',
  'path.leadingDot': () => '属性不能以「.」开头',
  'path.strayBracket': () => '「]」缺少对应的「[」',
  'path.emptyName': () => '两个点之间的名称为空',
  'path.spaces': () => '含空格的名称须写在方括号中：a["b c"]',
  'path.unclosedQuote': () => '引号未闭合',
  'path.unclosedBracket': () => '「[」未闭合',
  'path.trailingDot': () => '属性不能以「.」结尾',

  'config.versionInvalid': (p) => `配置版本须为从 1 开始的整数，当前为 ${p.got}`,
  'config.versionNewer': (p) => `配置版本 ${p.version} 由此节点的较新版本保存（当前版本最高支持 ${p.max}）`,
  'config.noMigration': (p) => `没有从配置版本 ${p.from} 到 ${p.to} 的迁移`,
  'config.migrationFailed': (p) => `从配置版本 ${p.from} 迁移失败：${p.error}`,
  'schema.required': (p, r) => `${sp(r.label(p))}不能为空`,
  'schema.type': (p, r) => `${sp(r.label(p))}应为${typesZh(p.types)}${got(p)}`,
  'schema.choice': (p, r) => `${sp(r.label(p))}应为以下之一：${p.choices}${got(p)}`,
  'schema.noForm': (p, r) => `${sp(r.label(p))}不符合任何允许的格式${got(p)}`,
  'schema.const': (p, r) => `${sp(r.label(p))}应为 ${p.value}${got(p)}`,
  'schema.keyword': (p, r) => keywordZh(p, r.label(p)),

  'msgProperty': (p, r) => `msg.${p.prop}：${r.detail(p.detail)}`,
  'rule': (p, r) => `规则 ${p.n}：${r.detail(p.detail)}`,
  'property.required': () => '属性不能为空',
  'inject.propertyName': (p) => `属性 ${p.n} 需要名称`,
  'inject.repeat': () => '重复间隔无效：应为 0 到 2147483 秒',
  'inject.onceDelay': () => '首次发送前的延迟应为秒数',
  'debug.jsonata': (p, r) => `JSONata 表达式无效：${r.detail(p.detail)}`,
  'complete.scope': () => '未指定范围：请选择要监视的节点',
  'linkCall.target': () => '未指定链接：请选择要调用的 link in 节点',
  'linkCall.timeout': () => '超时应为秒数',
  'function.codeError': () => 'JavaScript 代码有错误',
  'function.outputs': () => '输出数应为 0 到 500 的整数',
  'function.timeout': () => '超时应为秒数（0：不限）',
  'function.libVariable': (p) => `模块变量名无效：${p.name}`,
  'function.libReserved': (p) => `变量名已被保留：${p.name}`,
  'function.libModule': () => '模块名为空',
  'range.inputFrom': () => '输入范围起点：不是数字',
  'range.inputTo': () => '输入范围终点：不是数字',
  'range.targetFrom': () => '目标范围起点：不是数字',
  'range.targetTo': () => '目标范围终点：不是数字',
  'delay.delay': () => '延时值无效',
  'delay.rate': () => '速率值无效',
  'delay.randomFirst': () => '随机延时的起点无效',
  'delay.randomLast': () => '随机延时的终点无效',
  'delay.rateUnits': () => '速率单位值无效',
  'trigger.send': (p, r) => `发送：${r.detail(p.detail)}`,
  'trigger.thenSend': (p, r) => `然后发送：${r.detail(p.detail)}`,
  'trigger.duration': () => '时长：不是数字',
  'rbe.gap': () => '值的变化：应为数字或百分比（10%）',
  'port.notNumber': () => '端口应为数字',
  'port.invalid': () => '端口号无效',
  'mqtt.keepalive': () => '保持连接时间应为数字',
  'mqtt.clientId': () => '缺少客户端 ID：不使用新会话时必须填写',
  'mqtt.publishTopic': () => '主题无效：发布时不能使用 + 或 # 通配符',
  'mqtt.topicRequired': () => '主题无效：须填写要订阅的主题',
  'mqtt.topicLevels': () => '主题无效：+ 和 # 须占据整个层级（a/+/c、a/#）',
  'mqtt.expiry': () => '过期时间应为秒数',
  'http.statusCode': () => '状态码应为数字',
  'http.urlRequired': () => '须填写 URL（http://hostname:port）',
  'http.urlInvalid': () => 'URL 无效：请写成 http://hostname:port',
  'http.urlScheme': () => 'URL 无效：仅支持 http:// 和 https://',
  'websocket.heartbeat': () => '心跳间隔应为秒数',
  'websocket.server': () => '缺少服务端配置：请选择或添加 websocket-listener（或切换为「连接到」并选择客户端）',
  'tcp.host': () => '连接时须填写主机名',
  'udp.group': () => '组播组无效',
  'udp.localPort': () => '本地端口应为数字',
  'tls.key': () => '未指定私钥',
  'tls.cert': () => '未指定证书',
  'split.length': () => '拆分依据：固定长度应为整数',
  'join.count': (p) => `达到一定数量的消息部分后：「${p.value}」不是不小于 ${p.min} 的数字`,
  'join.timeout': (p) => `超时后：「${p.value}」不是不小于 ${p.min} 的数字`,
  'batch.count': () => '消息数无效',
  'batch.overlap': () => '重叠数无效',
  'batch.interval': () => '间隔无效',
  'csv.separator': () => '分隔符：应为一到两个字符',
  'watch.files': () => '文件：请至少指定一个文件或目录',
};

/** The Chinese of a code with its parameters; `type` is the node type the problem is about (for field titles). */
export function problemZh(code: ProblemCode, params: ProblemParams, type?: string): string {
  const render: Render = {
    detail: (problem) => problemZh(problem.code, problem.params, type),
    label(p) {
      if (p.title === undefined) return '配置';
      const title = p.property === undefined || type === undefined ? undefined : fieldTextZh(type, p.property, p.title).title;
      return `${title ?? p.title}${p.suffix ?? ''}`;
    },
  };
  return (zh[code] as (p: ProblemParams, r: Render) => string)(params, render);
}

/** Whether a locale speaks Chinese. */
function isZh(locale: string): boolean {
  return locale === 'zh-CN' || locale.startsWith('zh');
}

/**
 * A problem's message in `locale`: the Chinese of its code, else (English locale, a problem without a code or a code
 * this build does not know) its English `message`. `type` is the node type it is about.
 */
export function problemTextIn(
  problem: { message: string; code?: string | undefined; params?: ProblemParams | undefined },
  locale: string,
  type?: string,
): string {
  if (!isZh(locale) || problem.code === undefined || !Object.hasOwn(zh, problem.code)) return problem.message;
  return problemZh(problem.code as ProblemCode, problem.params ?? {}, type);
}
