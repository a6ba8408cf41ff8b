/**
 * The Node-RED core nodes our palette offers, declared like our own nodes so our editor renders, validates and
 * round-trips them. Node-RED ships their runtime and editor form; these definitions mirror Node-RED 4.1's own
 * `defaults` (node_modules/@node-red/nodes/core/**\/*.html): the same property names, default values (including
 * the strings Node-RED uses for numbers and flags) and option values. Schemas accept every form Node-RED itself
 * stores, because flows exported from stock Node-RED must import unchanged.
 */
import { Type, type SchemaOptions, type TSchema } from '@sinclair/typebox';
import { choice, defineNode, type AnyNodeDefinition } from '../kit/define-node.ts';

const core = { core: true, version: 1 } as const;

const name = (defaultName = '') => Type.String({ title: 'Name', default: defaultName });

/**
 * A number Node-RED keeps as text (`"5"`), or an `${ENV_VAR}` reference, which Node-RED resolves when the flow
 * starts; both pass its editor's number validator.
 */
const numberText = (title: string, defaultValue: string, options: SchemaOptions = {}) =>
  Type.String({
    title,
    default: defaultValue,
    pattern: '^\\s*(NaN|[+-]?[0-9]*\\.?[0-9]*([eE][-+]?[0-9]+)?|[+-]?0[xX][0-9a-fA-F]+|\\$\\{[^}]+\\})\\s*$',
    ...options,
  });

/** A checkbox whose Node-RED default is the string `"false"`/`"true"`; the editor stores booleans once edited. */
const flag = (title: string, defaultValue: boolean | 'true' | 'false') => Type.Boolean({ title, default: defaultValue });

/** The value types of Node-RED's typedInput that the core nodes offer. */
const typedValueTypes = ['msg', 'flow', 'global', 'str', 'num', 'bool', 'json', 'bin', 'date', 'jsonata', 'env', 're'] as const;

/** Scope of catch and status nodes: `null` all nodes, `"group"` the node's group, or the listed node ids. */
const scope = () =>
  Type.Union([Type.Null(), Type.Literal('group'), Type.Array(Type.String())], {
    title: 'Scope',
    description: 'null: all nodes; "group": nodes in the same group; a list: these node ids',
    default: null,
    'x-node-ref': '*',
  });

/** A loosely typed array of the objects an editor list stores (rules, headers, props): each item is open. */
const listOf = (title: string, item: Record<string, TSchema>, defaultValue: unknown[]) =>
  Type.Array(Type.Object(Object.fromEntries(Object.entries(item).map(([k, s]) => [k, Type.Optional(s)]))), {
    title,
    default: defaultValue,
  });

const coreHelp = (summary: string) =>
  `${summary}\n\nA Node-RED core node: see the Node-RED documentation for every option.`;

export const inject = defineNode({
  ...core,
  type: 'inject',
  label: 'inject',
  category: 'common',
  color: '#a6bbcf',
  icon: 'inject.svg',
  inputs: 0,
  outputs: 1,
  config: Type.Object({
    name: name(),
    // Node-RED keeps msg.payload and msg.topic in these fields; `props` lists them (without values) and any others.
    payloadType: choice(typedValueTypes, { title: 'Payload type', default: 'date', description: 'date: the time of the inject, in ms' }),
    payload: Type.String({ title: 'Payload', default: '', description: 'msg.payload, read as the payload type' }),
    topic: Type.String({ title: 'Topic', default: '', description: 'msg.topic' }),
    props: listOf('Message properties', { p: Type.String(), v: Type.String(), vt: Type.String() }, [
      { p: 'payload' },
      { p: 'topic', vt: 'str' },
    ]),
    repeat: numberText('Repeat (seconds)', '', { description: 'Empty: no repeat' }),
    crontab: Type.String({ title: 'Schedule (cron)', default: '' }),
    once: Type.Boolean({ title: 'Inject once after start', default: false }),
    onceDelay: Type.Union([Type.Number(), Type.Literal('')], { title: 'Delay before first (seconds)', default: 0.1 }),
  }),
  help: coreHelp('Injects a message into a flow by hand or on a schedule.'),
});

export const debug = defineNode({
  ...core,
  type: 'debug',
  label: 'debug',
  category: 'common',
  color: '#87a980',
  icon: 'debug.svg',
  inputs: 1,
  outputs: 0,
  config: Type.Object({
    name: name('_DEFAULT_'),
    active: Type.Boolean({ title: 'Active', default: true }),
    tosidebar: Type.Boolean({ title: 'To debug window', default: true }),
    console: Type.Boolean({ title: 'To system console', default: false }),
    tostatus: Type.Boolean({ title: 'To node status', default: false }),
    complete: Type.String({
      title: 'Output',
      description: '"false": msg.payload; "true": the whole message; else a msg property or JSONata expression',
      default: 'false',
      minLength: 1,
    }),
    targetType: Type.Optional(choice(['msg', 'full', 'jsonata'], { title: 'Output type' })),
    statusVal: Type.String({ title: 'Status value', default: '' }),
    statusType: choice(['auto', 'msg', 'jsonata', 'counter'], { title: 'Status type', default: 'auto' }),
  }),
  help: coreHelp('Shows messages in the debug sidebar, the log or the node status.'),
});

export const functionNode = defineNode({
  ...core,
  type: 'function',
  label: 'function',
  category: 'function',
  color: '#fdd0a2',
  icon: 'function.svg',
  inputs: 1,
  outputs: 1,
  config: Type.Object({
    name: name('_DEFAULT_'),
    func: Type.String({ title: 'On message', default: '\nreturn msg;' }),
    outputs: Type.Integer({ title: 'Outputs', default: 1, minimum: 0 }),
    timeout: Type.Union([Type.Number({ minimum: 0 }), Type.Literal('')], { title: 'Timeout (seconds)', default: 0 }),
    noerr: Type.Integer({ title: 'Syntax errors', description: 'Set by the editor; 0 when the code parses', default: 0 }),
    initialize: Type.String({ title: 'On start', default: '' }),
    finalize: Type.String({ title: 'On stop', default: '' }),
    libs: listOf('Modules', { var: Type.String(), module: Type.String() }, []),
  }),
  ui: {
    fields: {
      func: { widget: 'code', language: 'javascript' },
      initialize: { widget: 'code', language: 'javascript' },
      finalize: { widget: 'code', language: 'javascript' },
      noerr: { widget: 'hidden' },
    },
  },
  help: coreHelp('Runs JavaScript against each message.'),
});

export const change = defineNode({
  ...core,
  type: 'change',
  label: 'change',
  category: 'function',
  color: '#E2D96E',
  icon: 'swap.svg',
  inputs: 1,
  outputs: 1,
  config: Type.Object({
    name: name(),
    rules: listOf(
      'Rules',
      {
        t: choice(['set', 'change', 'delete', 'move']),
        p: Type.String(),
        pt: Type.String(),
        to: Type.String(),
        tot: Type.String(),
        from: Type.String(),
        fromt: Type.String(),
        dc: Type.Boolean(),
      },
      [{ t: 'set', p: 'payload', pt: 'msg', to: '', tot: 'str' }],
    ),
    action: Type.String({ title: 'Action (legacy)', default: '' }),
    property: Type.String({ title: 'Property (legacy)', default: '' }),
    from: Type.String({ title: 'From (legacy)', default: '' }),
    to: Type.String({ title: 'To (legacy)', default: '' }),
    reg: Type.Boolean({ title: 'Regular expression (legacy)', default: false }),
  }),
  help: coreHelp('Sets, changes, moves or deletes message, flow and global properties.'),
});

export const switchNode = defineNode({
  ...core,
  type: 'switch',
  label: 'switch',
  category: 'function',
  color: '#E2D96E',
  icon: 'switch.svg',
  inputs: 1,
  outputs: 1,
  config: Type.Object({
    name: name(),
    property: Type.String({ title: 'Property', default: 'payload', minLength: 1 }),
    propertyType: choice(['msg', 'flow', 'global', 'jsonata', 'env'], { title: 'Property type', default: 'msg' }),
    rules: listOf(
      'Rules',
      { t: Type.String(), v: Type.String(), vt: Type.String(), v2: Type.String(), v2t: Type.String(), case: Type.Boolean() },
      [{ t: 'eq', v: '', vt: 'str' }],
    ),
    checkall: choice(['true', 'false'], { title: 'Matching', description: '"true": all rules; "false": the first', default: 'true' }),
    repair: Type.Boolean({ title: 'Recreate message sequences', default: false }),
    outputs: Type.Integer({ title: 'Outputs', default: 1, minimum: 0 }),
  }),
  help: coreHelp('Routes each message to the outputs whose rule matches.'),
});

const timeUnits = ['milliseconds', 'seconds', 'minutes', 'hours', 'days'] as const;

export const delay = defineNode({
  ...core,
  type: 'delay',
  label: 'delay',
  category: 'function',
  color: '#E6E0F8',
  icon: 'timer.svg',
  inputs: 1,
  outputs: 1,
  config: Type.Object({
    name: name(),
    pauseType: choice(['delay', 'delayv', 'random', 'rate', 'queue', 'timed'], { title: 'Action', default: 'delay' }),
    timeout: numberText('Delay', '5', { minLength: 1 }),
    timeoutUnits: choice(timeUnits, { title: 'Delay units', default: 'seconds' }),
    rate: numberText('Rate', '1', { minLength: 1 }),
    nbRateUnits: Type.Optional(numberText('Per', '1')),
    rateUnits: choice(['second', 'minute', 'hour', 'day'], { title: 'Rate units', default: 'second' }),
    randomFirst: numberText('Random from', '1', { minLength: 1 }),
    randomLast: numberText('Random to', '5', { minLength: 1 }),
    randomUnits: choice(timeUnits, { title: 'Random units', default: 'seconds' }),
    drop: Type.Boolean({ title: 'Drop intermediate messages', default: false }),
    allowrate: Type.Boolean({ title: 'Allow msg.rate to override', default: false }),
    outputs: Type.Integer({ title: 'Outputs', default: 1, minimum: 1, maximum: 2 }),
  }),
  help: coreHelp('Delays messages or limits their rate.'),
});

const triggerValueTypes = ['val', 'str', 'num', 'bool', 'json', 'bin', 'date', 'env', 'flow', 'global', 'pay', 'nul'] as const;

export const trigger = defineNode({
  ...core,
  type: 'trigger',
  label: 'trigger',
  category: 'function',
  color: '#E6E0F8',
  icon: 'trigger.svg',
  inputs: 1,
  outputs: 1,
  config: Type.Object({
    name: name(),
    op1: Type.String({ title: 'Send', default: '1' }),
    op2: Type.String({ title: 'Then send', default: '0' }),
    op1type: choice(triggerValueTypes, { title: 'Send type', default: 'val' }),
    op2type: choice([...triggerValueTypes, 'payl'], { title: 'Then send type', default: 'val' }),
    duration: numberText('Duration', '250', { minLength: 1 }),
    extend: flag('Extend delay on new message', 'false'),
    overrideDelay: flag('Override delay with msg.delay', 'false'),
    units: choice(['ms', 's', 'min', 'hr'], { title: 'Units', default: 'ms' }),
    reset: Type.String({ title: 'Reset if msg.payload equals', default: '' }),
    bytopic: choice(['all', 'topic'], { title: 'Handling', default: 'all' }),
    topic: Type.String({ title: 'Topic property', default: 'topic', minLength: 1 }),
    outputs: Type.Integer({ title: 'Outputs', default: 1, minimum: 1, maximum: 2 }),
  }),
  help: coreHelp('Sends a message, then optionally a second one after a delay unless reset.'),
});

export const template = defineNode({
  ...core,
  type: 'template',
  label: 'template',
  category: 'function',
  color: 'rgb(243, 181, 103)',
  icon: 'template.svg',
  inputs: 1,
  outputs: 1,
  config: Type.Object({
    name: name(),
    field: Type.String({ title: 'Set property', default: 'payload' }),
    fieldType: choice(['msg', 'flow', 'global'], { title: 'Property type', default: 'msg' }),
    format: choice(['handlebars', 'html', 'json', 'javascript', 'css', 'markdown', 'php', 'python', 'sql', 'yaml', 'text'], {
      title: 'Syntax highlight',
      default: 'handlebars',
    }),
    syntax: choice(['mustache', 'plain'], { title: 'Format', default: 'mustache' }),
    template: Type.String({ title: 'Template', default: 'This is the payload: {{payload}} !' }),
    output: choice(['str', 'json', 'yaml'], { title: 'Output as', default: 'str' }),
  }),
  ui: { fields: { template: { widget: 'code', language: 'handlebars' } } },
  help: coreHelp('Sets a property from a mustache template.'),
});

export const json = defineNode({
  ...core,
  type: 'json',
  label: 'json',
  category: 'parser',
  color: '#DEBD5C',
  icon: 'parser-json.svg',
  inputs: 1,
  outputs: 1,
  config: Type.Object({
    name: name(),
    property: Type.String({ title: 'Property', default: 'payload', minLength: 1 }),
    action: choice(['', 'str', 'obj'], { title: 'Action', description: '"": convert both ways', default: '' }),
    pretty: Type.Boolean({ title: 'Format JSON string', default: false }),
  }),
  help: coreHelp('Converts between a JSON string and its object.'),
});

export const httpRequest = defineNode({
  ...core,
  type: 'http request',
  label: 'http request',
  category: 'network',
  color: 'rgb(231, 231, 174)',
  icon: 'white-globe.svg',
  inputs: 1,
  outputs: 1,
  config: Type.Object({
    name: name(),
    method: choice(['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'use'], {
      title: 'Method',
      description: '"use": msg.method',
      default: 'GET',
    }),
    ret: choice(['txt', 'bin', 'obj'], { title: 'Return', default: 'txt' }),
    paytoqs: choice([false, true, 'ignore', 'query', 'body'], {
      title: 'Payload',
      description: 'GET: append msg.payload as query parameters ("query" or true) or send it as the body',
      default: false,
    }),
    url: Type.String({ title: 'URL', default: '' }),
    tls: Type.Optional(Type.String({ title: 'TLS configuration', 'x-node-ref': 'tls-config' })),
    persist: Type.Boolean({ title: 'Keep connection alive', default: false }),
    proxy: Type.Optional(Type.String({ title: 'Proxy', 'x-node-ref': 'http proxy' })),
    insecureHTTPParser: Type.Boolean({ title: 'Insecure HTTP parser', default: false }),
    authType: choice(['', 'basic', 'digest', 'bearer'], { title: 'Authentication', default: '' }),
    senderr: Type.Boolean({ title: 'Only send non-2xx responses to Catch', default: false }),
    headers: listOf(
      'Headers',
      { keyType: Type.String(), keyValue: Type.String(), valueType: Type.String(), valueValue: Type.String() },
      [],
    ),
  }),
  credentials: Type.Object({
    user: Type.Optional(Type.String({ title: 'Username' })),
    password: Type.Optional(Type.String({ title: 'Password', 'x-secret': true })),
  }),
  help: coreHelp('Sends an HTTP request and outputs the response.'),
});

/**
 * Whether a flow endpoint may be called without signing in. Thingwire's own property on Node-RED's `http in` and
 * `websocket-listener` nodes (stock Node-RED ignores it): without it, `/nodes` asks for a session or API token.
 */
const publicEndpoint = (what: string) =>
  Type.Boolean({
    title: 'Public (no sign-in)',
    description: `Anyone who can reach the server may ${what}; otherwise callers need a Thingwire session or API token`,
    default: false,
  });

/**
 * Whether a flow node is an endpoint marked public (`public: true` on an `http in` node or a `websocket-listener`):
 * callable without signing in. The server's `/nodes` gate and the editor's *public* badge both ask this.
 */
export function isPublicEndpoint(node: { type: string; [property: string]: unknown }): boolean {
  return node['public'] === true && (node.type === httpIn.type || node.type === websocketListener.type);
}

const endpointHelp = `
### Who may call it
Flow endpoints are served below \`/nodes\` (or on their own port with \`--flow-http-port\`). By default a caller needs a
Thingwire session cookie or an API token (\`Authorization: Bearer …\`), and the flow sees who called in the
\`x-thingwire-user\` and \`x-thingwire-role\` request headers, never the caller's cookie or token. Tick **Public** for
an endpoint devices or other services call without a Thingwire account; it is then marked *public* on the canvas.

On the UI's own port every answer carries \`Content-Security-Policy: sandbox\`: a page served there cannot run scripts
as the UI. Serve real web pages from flows with \`--flow-http-port\`.`;

export const httpIn = defineNode({
  ...core,
  type: 'http in',
  label: 'http in',
  category: 'network',
  color: 'rgb(231, 231, 174)',
  icon: 'white-globe.svg',
  inputs: 0,
  outputs: 1,
  config: Type.Object({
    name: name(),
    method: choice(['get', 'post', 'put', 'delete', 'patch'], { title: 'Method', default: 'get' }),
    url: Type.String({ title: 'URL', description: 'Path below /nodes, e.g. /status or /devices/:id', minLength: 1, pattern: '^\\S+$' }),
    public: publicEndpoint('call it'),
    upload: Type.Boolean({ title: 'Accept file uploads', default: false }),
    skipBodyParsing: Type.Boolean({ title: 'Do not parse the body', default: false }),
    swaggerDoc: Type.Optional(Type.String({ title: 'Swagger doc', 'x-node-ref': 'swagger-doc' })),
  }),
  // A swagger doc is a config node of a contrib package this palette does not have; the reference is kept as is.
  ui: { order: ['method', 'url', 'public', 'name'], fields: { swaggerDoc: { widget: 'hidden' } } },
  labelOf: (node) => (typeof node['url'] === 'string' && node['url'] ? `[${String(node['method'] ?? 'get')}] ${node['url']}` : undefined),
  help: coreHelp(`Creates an HTTP endpoint; answer each request with an **http response** node.\n${endpointHelp}`),
});

export const httpResponse = defineNode({
  ...core,
  type: 'http response',
  label: 'http response',
  category: 'network',
  color: 'rgb(231, 231, 174)',
  icon: 'white-globe.svg',
  inputs: 1,
  outputs: 0,
  config: Type.Object({
    name: name(),
    statusCode: numberText('Status code', '', { description: 'Empty: msg.statusCode, else 200' }),
    headers: Type.Record(Type.String(), Type.String(), { title: 'Headers', default: {} }),
  }),
  help: coreHelp('Answers the request an **http in** node received (`msg.res`) with `msg.payload`.'),
});

export const websocketListener = defineNode({
  ...core,
  type: 'websocket-listener',
  label: 'websocket-listener',
  category: 'config',
  color: 'rgb(215, 215, 160)',
  icon: 'white-globe.svg',
  inputs: 0,
  outputs: 0,
  isConfigNode: true,
  config: Type.Object({
    path: Type.String({ title: 'Path', description: 'Below /nodes, e.g. /ws/alerts', minLength: 1 }),
    wholemsg: choice(['false', 'true'], { title: 'Send/receive', description: '"false": msg.payload; "true": the whole message', default: 'false' }),
    public: publicEndpoint('connect'),
  }),
  labelOf: (node) => (typeof node['path'] === 'string' && node['path'] ? node['path'] : undefined),
  help: coreHelp(`A WebSocket endpoint for **websocket in** and **websocket out** nodes.\n${endpointHelp}`),
});

const qos = ['0', '1', '2'] as const;

export const mqttBroker = defineNode({
  ...core,
  type: 'mqtt-broker',
  label: 'mqtt-broker',
  category: 'config',
  color: '#d8bfd8',
  icon: 'bridge.svg',
  inputs: 0,
  outputs: 0,
  isConfigNode: true,
  config: Type.Object({
    name: name(),
    broker: Type.String({ title: 'Server', default: '', minLength: 1 }),
    port: Type.Union([Type.Number(), Type.Literal('')], { title: 'Port', default: 1883 }),
    tls: Type.Optional(Type.String({ title: 'TLS configuration', 'x-node-ref': 'tls-config' })),
    clientid: Type.String({ title: 'Client ID', description: 'Required when the session is not clean', default: '' }),
    autoConnect: Type.Boolean({ title: 'Connect automatically', default: true }),
    usetls: Type.Boolean({ title: 'Use TLS', default: false }),
    verifyservercert: Type.Boolean({ title: 'Verify server certificate (legacy)', default: false }),
    compatmode: Type.Boolean({ title: 'Compatibility mode (legacy)', default: false }),
    protocolVersion: choice([3, 4, 5], { title: 'Protocol', description: '3: MQTT 3.1, 4: 3.1.1, 5: 5', default: 4 }),
    keepalive: Type.Number({ title: 'Keep alive (seconds)', default: 60 }),
    cleansession: Type.Boolean({ title: 'Clean session', default: true }),
    autoUnsubscribe: Type.Boolean({ title: 'Unsubscribe on disconnect', default: true }),
    birthTopic: Type.String({ title: 'Birth topic', default: '' }),
    birthQos: choice(qos, { title: 'Birth QoS', default: '0' }),
    birthRetain: choice(['false', 'true'], { title: 'Birth retain', default: 'false' }),
    birthPayload: Type.String({ title: 'Birth payload', default: '' }),
    birthMsg: Type.Object({}, { title: 'Birth message properties (MQTT 5)', default: {} }),
    closeTopic: Type.String({ title: 'Close topic', default: '' }),
    closeQos: choice(qos, { title: 'Close QoS', default: '0' }),
    closeRetain: choice(['false', 'true'], { title: 'Close retain', default: 'false' }),
    closePayload: Type.String({ title: 'Close payload', default: '' }),
    closeMsg: Type.Object({}, { title: 'Close message properties (MQTT 5)', default: {} }),
    willTopic: Type.String({ title: 'Will topic', default: '' }),
    willQos: choice(qos, { title: 'Will QoS', default: '0' }),
    willRetain: choice(['false', 'true'], { title: 'Will retain', default: 'false' }),
    willPayload: Type.String({ title: 'Will payload', default: '' }),
    willMsg: Type.Object({}, { title: 'Will message properties (MQTT 5)', default: {} }),
    userProps: Type.String({ title: 'User properties (MQTT 5, JSON)', default: '' }),
    sessionExpiry: Type.Union([Type.Number(), Type.Literal('')], { title: 'Session expiry (seconds)', default: 0 }),
  }),
  credentials: Type.Object({
    user: Type.Optional(Type.String({ title: 'Username' })),
    password: Type.Optional(Type.String({ title: 'Password', 'x-secret': true })),
  }),
  help: coreHelp('A connection to an MQTT broker, shared by mqtt in and mqtt out nodes.'),
});

export const mqttIn = defineNode({
  ...core,
  type: 'mqtt in',
  label: 'mqtt in',
  category: 'network',
  color: '#d8bfd8',
  icon: 'bridge.svg',
  inputs: 0,
  outputs: 1,
  config: Type.Object({
    name: name(),
    topic: Type.String({ title: 'Topic', description: 'Required unless the subscription is dynamic', default: '' }),
    qos: choice(qos, { title: 'QoS', default: '2' }),
    datatype: choice(['auto-detect', 'auto', 'buffer', 'utf8', 'json', 'base64'], { title: 'Output', default: 'auto-detect' }),
    broker: Type.String({ title: 'Server', 'x-node-ref': 'mqtt-broker', minLength: 1 }),
    nl: Type.Boolean({ title: 'No local (MQTT 5)', default: false }),
    rap: Type.Boolean({ title: 'Retain as published (MQTT 5)', default: true }),
    rh: choice([0, 1, 2], { title: 'Retain handling (MQTT 5)', default: 0 }),
    inputs: choice([0, 1], { title: 'Dynamic subscription', description: '1: subscribe by input messages', default: 0 }),
  }),
  help: coreHelp('Subscribes to an MQTT topic and outputs each message received.'),
});

export const mqttOut = defineNode({
  ...core,
  type: 'mqtt out',
  label: 'mqtt out',
  category: 'network',
  color: '#d8bfd8',
  icon: 'bridge.svg',
  inputs: 1,
  outputs: 0,
  config: Type.Object({
    name: name(),
    topic: Type.String({ title: 'Topic', description: 'Empty: msg.topic', default: '' }),
    qos: choice(['', ...qos], { title: 'QoS', description: 'Empty: msg.qos', default: '' }),
    retain: choice(['', 'false', 'true'], { title: 'Retain', description: 'Empty: msg.retain', default: '' }),
    respTopic: Type.String({ title: 'Response topic (MQTT 5)', default: '' }),
    contentType: Type.String({ title: 'Content type (MQTT 5)', default: '' }),
    userProps: Type.String({ title: 'User properties (MQTT 5, JSON)', default: '' }),
    correl: Type.String({ title: 'Correlation data (MQTT 5)', default: '' }),
    expiry: Type.String({ title: 'Message expiry (MQTT 5, seconds)', default: '' }),
    broker: Type.String({ title: 'Server', 'x-node-ref': 'mqtt-broker', minLength: 1 }),
  }),
  help: coreHelp('Publishes each message to an MQTT topic.'),
});

export const catchNode = defineNode({
  ...core,
  type: 'catch',
  label: 'catch',
  category: 'common',
  color: '#e49191',
  icon: 'alert.svg',
  inputs: 0,
  outputs: 1,
  config: Type.Object({
    name: name(),
    scope: scope(),
    uncaught: Type.Boolean({ title: 'Ignore errors handled by other Catch nodes', default: false }),
  }),
  help: coreHelp('Catches errors thrown by nodes in the same flow.'),
});

export const status = defineNode({
  ...core,
  type: 'status',
  label: 'status',
  category: 'common',
  color: '#94c1d0',
  icon: 'status.svg',
  inputs: 0,
  outputs: 1,
  config: Type.Object({ name: name(), scope: scope() }),
  help: coreHelp('Reports status changes of nodes in the same flow.'),
});

export const linkIn = defineNode({
  ...core,
  type: 'link in',
  label: 'link in',
  category: 'common',
  color: '#ddd',
  icon: 'link-out.svg',
  inputs: 0,
  outputs: 1,
  config: Type.Object({
    name: name('_DEFAULT_'),
    links: Type.Array(Type.String(), { title: 'Linked link out nodes', default: [], 'x-node-ref': 'link out' }),
  }),
  help: coreHelp('Receives messages from link out nodes, across flows.'),
});

export const linkOut = defineNode({
  ...core,
  type: 'link out',
  label: 'link out',
  category: 'common',
  color: '#ddd',
  icon: 'link-out.svg',
  inputs: 1,
  outputs: 0,
  config: Type.Object({
    name: name('_DEFAULT_'),
    mode: choice(['link', 'return'], { title: 'Mode', description: '"return": answer the calling link call node', default: 'link' }),
    links: Type.Array(Type.String(), { title: 'Linked link in nodes', default: [], 'x-node-ref': 'link in' }),
  }),
  help: coreHelp('Sends messages to link in nodes, across flows, or returns them to a link call node.'),
});

export const comment = defineNode({
  ...core,
  type: 'comment',
  label: 'comment',
  category: 'common',
  color: '#ffffff',
  icon: 'comment.svg',
  inputs: 0,
  outputs: 0,
  config: Type.Object({ name: name(), info: Type.String({ title: 'Text', default: '' }) }),
  ui: { fields: { info: { widget: 'textarea' } } },
  help: coreHelp('A note on the canvas; its text is markdown shown in the info sidebar.'),
});

/** Every curated core node, in palette order. */
export const coreNodeDefinitions: readonly AnyNodeDefinition[] = [
  inject,
  debug,
  functionNode,
  change,
  switchNode,
  delay,
  trigger,
  template,
  json,
  httpRequest,
  httpIn,
  httpResponse,
  websocketListener,
  mqttIn,
  mqttOut,
  mqttBroker,
  catchNode,
  status,
  linkIn,
  linkOut,
  comment,
];
