/**
 * The problems node checks report (a config value the runtime would reject), as a stable code and its parameters
 * beside the English sentence. The runtime, the deploy check and the tests read the English `message`; our editor
 * shows the problem in its own language from `code` and `params` (`nodes/i18n/problem-zh.def.ts`). Every code and its
 * English are here, so a code cannot be used without its English; the Chinese table lists the same codes (a missing
 * one is a type error). Browser-safe and locale-free.
 */

/** A problem's text: a code, its parameters, and the English sentence made of them. */
export interface ProblemText {
  code: ProblemCode;
  params: ProblemParams;
  message: string;
}

/** A parameter: a value (a property name, a number, text quoted from the config) or a problem it explains. */
export type ProblemParam = string | number | ProblemText | undefined;
export type ProblemParams = Readonly<Record<string, ProblemParam>>;

/**
 * Where a JSON-Schema problem is: the top-level property (`undefined` for the config as a whole), its schema title
 * (the English the sentence names it by) and the rest of the path (`[0].t`).
 */
export interface SchemaLabel {
  property?: string | undefined;
  title?: string | undefined;
  suffix?: string | undefined;
}

/** `Rules[0].t`, or `Config` for the config as a whole. */
export function schemaLabel(p: SchemaLabel): string {
  return p.title === undefined ? 'Config' : `${p.title}${p.suffix ?? ''}`;
}

/** ` (got "x")`: the value a schema problem found, when it has one. */
const got = (p: { got?: string | undefined }) => (p.got === undefined ? '' : ` (got ${p.got})`);

/** Whole-number words of JSON-Schema types, as the English names them: `a whole number or a string`. */
export function schemaTypesEnglish(types: string): string {
  return types
    .split(',')
    .map((t) => (t === 'integer' ? 'a whole number' : /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`))
    .join(' or ');
}

type Detail = { detail: ProblemText };

/** Every problem code and its English; a code's parameters are its function's argument. */
const english = {
  // Typed values (`typed-values.ts`) and property paths.
  'typed.property': (p: { type: string; text: string } & Detail) => `${p.type}.${p.text}: ${p.detail.message}`,
  'typed.notNumber': (p: { text: string }) => `"${p.text}" is not a number`,
  'typed.notBoolean': (p: { text: string }) => `"${p.text}" is not true or false`,
  'typed.invalidJson': (p: { error: string }) => `not valid JSON: ${p.error}`,
  'typed.bufferNotJson': () => 'not a buffer: write a JSON array of bytes, e.g. [1, 2, 255]',
  'typed.bufferBytes': () => 'not a buffer: write a JSON array of bytes (0–255), e.g. [1, 2, 255]',
  'typed.invalidRegex': (p: { error: string }) => `not a valid regular expression: ${p.error}`,
  'typed.emptyExpression': () => 'an empty expression',
  'typed.noEnvVar': () => 'names no environment variable',
  'path.empty': () => 'no property named',
  'path.leadingDot': () => 'a property cannot start with "."',
  'path.strayBracket': () => 'a "]" without its "["',
  'path.emptyName': () => 'an empty name between two dots',
  'path.spaces': () => 'spaces need brackets: a["b c"]',
  'path.unclosedQuote': () => 'an unclosed quote',
  'path.unclosedBracket': () => 'an unclosed "["',
  'path.trailingDot': () => 'a property cannot end with "."',

  // Config versions and JSON-Schema problems (`config-validator.ts`).
  'config.versionInvalid': (p: { got: string }) => `config version must be a whole number from 1, got ${p.got}`,
  'config.versionNewer': (p: { version: number; max: number }) =>
    `config version ${p.version} was saved by a newer release of this node (this one understands up to ${p.max})`,
  'config.noMigration': (p: { from: number; to: number }) => `no migration from config version ${p.from} to ${p.to}`,
  'config.migrationFailed': (p: { from: number; error: string }) => `migrating config from version ${p.from} failed: ${p.error}`,
  'schema.required': (p: SchemaLabel) => `${schemaLabel(p)} is required`,
  'schema.type': (p: SchemaLabel & { types: string; got?: string }) => `${schemaLabel(p)} must be ${schemaTypesEnglish(p.types)}${got(p)}`,
  'schema.choice': (p: SchemaLabel & { choices: string; got?: string }) => `${schemaLabel(p)} must be one of ${p.choices}${got(p)}`,
  'schema.noForm': (p: SchemaLabel & { got?: string }) => `${schemaLabel(p)} does not match any allowed form${got(p)}`,
  'schema.const': (p: SchemaLabel & { value: string; got?: string }) => `${schemaLabel(p)} must be ${p.value}${got(p)}`,
  /** Any other keyword: Ajv's English (`must be >= 1`) and Ajv's `params` (`limit`, `comparison`, `pattern`…). */
  'schema.keyword': (p: SchemaLabel & { keyword: string; ajv: string; got?: string } & Record<string, ProblemParam>) =>
    `${schemaLabel(p)} ${p.ajv}${got(p)}`,

  // Checks of the core nodes (`nodes/core/*.def.ts`), in Node-RED's words.
  'msgProperty': (p: { prop: string } & Detail) => `msg.${p.prop}: ${p.detail.message}`,
  'rule': (p: { n: number } & Detail) => `rule ${p.n}: ${p.detail.message}`,
  'property.required': () => 'Property is required',
  'inject.propertyName': (p: { n: number }) => `Property ${p.n} needs a name`,
  'inject.repeat': () => 'Invalid repeat value: seconds from 0 to 2147483',
  'inject.onceDelay': () => 'The delay before the first message must be a number of seconds',
  'debug.jsonata': (p: Detail) => `Invalid JSONata expression: ${p.detail.message}`,
  'complete.scope': () => 'scope undefined: select the nodes to watch',
  'linkCall.target': () => 'link undefined: choose the link in node to call',
  'linkCall.timeout': () => 'The timeout must be a number of seconds',
  'function.codeError': () => 'Error in JavaScript code',
  'function.outputs': () => 'Outputs must be a whole number from 0 to 500',
  'function.timeout': () => 'Timeout must be a number of seconds (0: none)',
  'function.libVariable': (p: { name: string }) => `Invalid module variable name: ${p.name}`,
  'function.libReserved': (p: { name: string }) => `Reserved variable name: ${p.name}`,
  'function.libModule': () => 'Module name is empty',
  'range.inputFrom': () => 'input from: not a number',
  'range.inputTo': () => 'input to: not a number',
  'range.targetFrom': () => 'target from: not a number',
  'range.targetTo': () => 'target to: not a number',
  'delay.delay': () => 'Invalid delay value',
  'delay.rate': () => 'Invalid rate value',
  'delay.randomFirst': () => 'Invalid first random value',
  'delay.randomLast': () => 'Invalid last random value',
  'delay.rateUnits': () => 'Invalid rate unit value',
  'trigger.send': (p: Detail) => `Send: ${p.detail.message}`,
  'trigger.thenSend': (p: Detail) => `then send: ${p.detail.message}`,
  'trigger.duration': () => 'duration: not a number',
  'rbe.gap': () => 'value change: a number, or a percentage (10%)',
  'port.notNumber': () => 'Port must be a number',
  'port.invalid': () => 'Invalid port number',
  'mqtt.keepalive': () => 'Keep Alive must be a number',
  'mqtt.clientId': () => 'Missing Client ID: a session that is not clean needs one',
  'mqtt.publishTopic': () => 'Invalid topic specified: no + or # wildcards when publishing',
  'mqtt.topicRequired': () => 'Invalid topic specified: a topic to subscribe to is required',
  'mqtt.topicLevels': () => 'Invalid topic specified: + and # stand for whole levels (a/+/c, a/#)',
  'mqtt.expiry': () => 'Expiry must be a number of seconds',
  'http.statusCode': () => 'Status code must be a number',
  'http.urlRequired': () => 'A URL is required (http://hostname:port)',
  'http.urlInvalid': () => 'Invalid URL: write http://hostname:port',
  'http.urlScheme': () => 'Invalid URL: only http:// and https:// URLs',
  'websocket.heartbeat': () => 'Send heartbeat must be a number of seconds',
  'websocket.server': () => 'Missing server configuration: pick or add a websocket-listener (or switch to "Connect to" and pick a client)',
  'tcp.host': () => 'Host name is required to connect',
  'udp.group': () => 'Invalid multicast group',
  'udp.localPort': () => 'Local port must be a number',
  'tls.key': () => 'Private key not specified',
  'tls.cert': () => 'Certificate not specified',
  'split.length': () => 'Split using: a fixed length is a whole number',
  'join.count': (p: { value: string; min: number }) => `After a number of message parts: "${p.value}" is not a number of at least ${p.min}`,
  'join.timeout': (p: { value: string; min: number }) => `After a timeout: "${p.value}" is not a number of at least ${p.min}`,
  'batch.count': () => 'Invalid count',
  'batch.overlap': () => 'Invalid overlap',
  'batch.interval': () => 'Invalid interval',
  'csv.separator': () => 'Separator: one or two characters',
  'watch.files': () => 'File(s): name at least one file or directory',
} satisfies Record<string, (params: never) => string>;

/** A problem's stable code. */
export type ProblemCode = keyof typeof english;

/** The parameters of a code (`undefined` for a code without any). */
export type ProblemParamsOf<C extends ProblemCode> = Parameters<(typeof english)[C]>[0];

/** Every code, for tests. */
export const PROBLEM_CODES = Object.keys(english) as ProblemCode[];

/** A problem's text from its code and parameters. */
export function problemText<C extends ProblemCode>(
  code: C,
  ...params: ProblemParamsOf<C> extends undefined ? [] : [ProblemParamsOf<C>]
): ProblemText {
  const values = (params[0] ?? {}) as ProblemParams;
  const message = (english[code] as (p: ProblemParams) => string)(values);
  return { code, params: values, message };
}

/** A problem at a JSON pointer into the node (`/payload`), with its text. */
export function problemAt(path: string, text: ProblemText): { path: string } & ProblemText {
  return { path, ...text };
}
