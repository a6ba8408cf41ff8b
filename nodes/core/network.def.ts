/**
 * The core nodes of Node-RED's "network" palette category: mqtt, http, websocket, tcp and udp, with their config
 * nodes (mqtt-broker, tls-config, http proxy, websocket-listener, websocket-client), in Node-RED's palette order.
 * Defaults, ports, icons, colours and labels are Node-RED 4.1's (`@node-red/nodes/core/network/*.html`); `check`
 * reports what its editor's validators reject. Browser-safe.
 */
import { Type } from '@sinclair/typebox';
import { choice, defineNode, type AnyNodeDefinition } from '../kit/define-node.ts';
import type { PropertyProblem } from '../kit/typed-values.ts';
import { problemText, type ProblemText } from '../kit/problem-text.ts';
import { core, coreHelp, isNodeRedNumber, listOf, name, numberText } from './core-kit.def.ts';

const HTTP_COLOR = 'rgb(231, 231, 174)';
const WEBSOCKET_COLOR = 'rgb(215, 215, 160)';
const MQTT_COLOR = '#d8bfd8';
const SOCKET_COLOR = 'Silver';

/** Text of a stored value as Node-RED's label functions concatenate it. */
const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));
const nonEmpty = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

/** A number or the text of one, as Node-RED keeps numeric fields once its editor has written them. */
const numberOrText = (title: string, defaultValue: number | string, options: Record<string, unknown> = {}) =>
  Type.Union([Type.Number(), numberText(title, '')], { title, default: defaultValue, ...options });

/** A reference to a config node of `type`; `''` is "none", as Node-RED's editor stores it. */
const configRef = (title: string, type: string, withDefault = true) =>
  withDefault
    ? Type.String({ title, 'x-node-ref': type, default: '' })
    : Type.Optional(Type.String({ title, 'x-node-ref': type }));

const problem = (path: string, text: ProblemText): PropertyProblem => ({ path: `/${path}`, ...text });

// ----------------------------------------------------------------------------------------------------------- mqtt

/** Node-RED's `validateMQTTPublishTopic`: a topic to publish to has no wildcards or control characters. */
export function mqttPublishTopicProblem(topic: unknown): ProblemText | null {
  const t = text(topic);
  return t === '' || !/[+#\b\f\n\r\t\v\0]/.test(t) ? null : problemText('mqtt.publishTopic');
}

/** Node-RED's topic filter rule for `mqtt in`: levels of text, `+` for one level, a final `#` for the rest. */
const SUBSCRIBE_TOPIC = /^(#$|(\+|[^+#]*)(\/(\+|[^+#]*))*(\/(\+|#|[^+#]*))?$)/;
export function mqttSubscribeTopicProblem(topic: unknown): ProblemText | null {
  const t = text(topic);
  if (t === '') return problemText('mqtt.topicRequired');
  return SUBSCRIBE_TOPIC.test(t) ? null : problemText('mqtt.topicLevels');
}

const qos = ['0', '1', '2'] as const;
// Node-RED stores QoS and retain as text; a number or boolean (a hand-written flow) is read as its text.
const qosChoice = (title: string, defaultValue: string) => choice(qos, { title, default: defaultValue });
const retainChoice = (title: string) => choice(['false', 'true'], { title, default: 'false' });
/** The MQTT 5 properties of a birth, close or will message (`contentType`, `userProps`, `respTopic`, `correl`, `expiry`, `delay`). */
const v5Message = (title: string) =>
  Type.Object(
    {
      contentType: Type.Optional(Type.String({ title: 'Content Type' })),
      userProps: Type.Optional(Type.String({ title: 'User Properties' })),
      respTopic: Type.Optional(Type.String({ title: 'Response topic' })),
      correl: Type.Optional(Type.String({ title: 'Correlation Data' })),
      expiry: Type.Optional(Type.Union([Type.String(), Type.Number()], { title: 'Expiry (secs)' })),
      delay: Type.Optional(Type.Union([Type.String(), Type.Number()], { title: 'Delay' })),
    },
    { title, default: {} },
  );

/** The label Node-RED gives an unnamed broker: `clientid@host:port` (no port when the server is a URL). */
export function mqttBrokerLabel(node: Readonly<Record<string, unknown>>): string {
  const broker = nonEmpty(node['broker']) ? text(node['broker']) : 'undefined';
  let label = (nonEmpty(node['clientid']) ? `${text(node['clientid'])}@` : '') + broker;
  if (!broker.includes('://')) label += `:${nonEmpty(node['port']) && node['port'] !== 0 ? text(node['port']) : '1883'}`;
  return label;
}

export const mqttBroker = defineNode({
  ...core,
  type: 'mqtt-broker',
  label: 'mqtt-broker',
  category: 'config',
  color: MQTT_COLOR,
  icon: 'bridge.svg',
  inputs: 0,
  outputs: 0,
  isConfigNode: true,
  config: Type.Object({
    name: name(),
    broker: Type.String({ title: 'Server', description: 'Host name or IP, or a URL (mqtt://, mqtts://, ws://, wss://)', default: '', minLength: 1 }),
    port: numberOrText('Port', 1883),
    tls: configRef('TLS configuration', 'tls-config', false),
    clientid: Type.String({ title: 'Client ID', description: 'Required when the session is not clean', default: '' }),
    autoConnect: Type.Boolean({ title: 'Connect automatically', default: true }),
    usetls: Type.Boolean({ title: 'Use TLS', default: false }),
    // Node-RED 4 keeps these two in its defaults but no longer shows them (the protocol select replaced both).
    verifyservercert: Type.Boolean({ title: 'Verify server certificate (Node-RED < 1.0)', default: false }),
    compatmode: Type.Boolean({ title: 'MQTT 3.1 compatibility (Node-RED < 2.0)', default: false }),
    protocolVersion: choice([3, 4, 5], { title: 'Protocol', description: '3: MQTT 3.1, 4: 3.1.1, 5: 5', default: 4 }),
    keepalive: numberOrText('Keep Alive', 60),
    cleansession: Type.Boolean({ title: 'Use clean session', default: true }),
    autoUnsubscribe: Type.Boolean({ title: 'Automatically unsubscribe when disconnecting', default: true }),
    birthTopic: Type.String({ title: 'Birth topic', default: '' }),
    birthQos: qosChoice('Birth QoS', '0'),
    birthRetain: retainChoice('Birth retain'),
    birthPayload: Type.String({ title: 'Birth payload', default: '' }),
    birthMsg: v5Message('Birth message properties (MQTT 5)'),
    closeTopic: Type.String({ title: 'Close topic', default: '' }),
    closeQos: qosChoice('Close QoS', '0'),
    closeRetain: retainChoice('Close retain'),
    closePayload: Type.String({ title: 'Close payload', default: '' }),
    closeMsg: v5Message('Close message properties (MQTT 5)'),
    willTopic: Type.String({ title: 'Will topic', default: '' }),
    willQos: qosChoice('Will QoS', '0'),
    willRetain: retainChoice('Will retain'),
    willPayload: Type.String({ title: 'Will payload', default: '' }),
    willMsg: v5Message('Will message properties (MQTT 5)'),
    userProps: Type.String({ title: 'User Properties (MQTT 5, JSON)', default: '' }),
    sessionExpiry: Type.Union([Type.Number(), numberText('Session Expiry (secs)', '')], { title: 'Session Expiry (secs)', default: 0 }),
  }),
  credentials: Type.Object({
    user: Type.Optional(Type.String({ title: 'Username' })),
    password: Type.Optional(Type.String({ title: 'Password', 'x-secret': true })),
  }),
  labelOf: mqttBrokerLabel,
  check(node) {
    const problems: PropertyProblem[] = [];
    if (!isNodeRedNumber(node['port'], true)) problems.push(problem('port', problemText('port.notNumber')));
    if (node['keepalive'] !== undefined && !isNodeRedNumber(node['keepalive'], false)) problems.push(problem('keepalive', problemText('mqtt.keepalive')));
    const clean = node['cleansession'] === undefined || node['cleansession'] === true || node['cleansession'] === 'true';
    if (!clean && !nonEmpty(node['clientid'])) problems.push(problem('clientid', problemText('mqtt.clientId')));
    for (const section of ['birth', 'close', 'will']) {
      const message = mqttPublishTopicProblem(node[`${section}Topic`]);
      if (message) problems.push(problem(`${section}Topic`, message));
    }
    return problems;
  },
  help: coreHelp('A connection to an MQTT broker, shared by mqtt in and mqtt out nodes.'),
});

export const mqttIn = defineNode({
  ...core,
  type: 'mqtt in',
  label: 'mqtt',
  paletteLabel: 'mqtt in',
  category: 'network',
  color: MQTT_COLOR,
  icon: 'bridge.svg',
  inputs: 0,
  outputs: 1,
  config: Type.Object({
    name: name(),
    topic: Type.String({ title: 'Topic', description: 'Empty when the subscription is dynamic', default: '' }),
    qos: qosChoice('QoS', '2'),
    datatype: choice(['auto-detect', 'auto', 'buffer', 'utf8', 'json', 'base64'], { title: 'Output', default: 'auto-detect' }),
    broker: Type.String({ title: 'Server', 'x-node-ref': 'mqtt-broker', minLength: 1 }),
    nl: Type.Boolean({ title: 'Do not receive messages published by this client', default: false }),
    rap: Type.Boolean({ title: 'Keep retain flag of original publish', default: true }),
    rh: choice([0, 1, 2], { title: 'Retained message handling', description: 'Node-RED stores a choice as text ("1")', default: 0 }),
    inputs: choice([0, 1], { title: 'Dynamic subscription', description: '1: subscribe by input messages', default: 0 }),
  }),
  // Node-RED's label reads `topicType`, which its editor never stores: the topic, or "mqtt".
  labelOf: (node) => (nonEmpty(node['topic']) ? text(node['topic']) : 'mqtt'),
  check(node) {
    const dynamic = node['inputs'] === 1 || node['inputs'] === '1';
    const message = dynamic ? null : mqttSubscribeTopicProblem(node['topic']);
    return message ? [problem('topic', message)] : [];
  },
  help: coreHelp('Subscribes to an MQTT topic and outputs each message received.'),
});

export const mqttOut = defineNode({
  ...core,
  type: 'mqtt out',
  label: 'mqtt',
  paletteLabel: 'mqtt out',
  category: 'network',
  color: MQTT_COLOR,
  icon: 'bridge.svg',
  inputs: 1,
  outputs: 0,
  config: Type.Object({
    name: name(),
    topic: Type.String({ title: 'Topic', description: 'Empty: msg.topic', default: '' }),
    qos: choice(['', ...qos], { title: 'QoS', description: 'Empty: msg.qos', default: '' }),
    retain: choice(['', 'false', 'true'], { title: 'Retain', description: 'Empty: msg.retain', default: '' }),
    respTopic: Type.String({ title: 'Response topic (MQTT 5)', default: '' }),
    contentType: Type.String({ title: 'Content Type (MQTT 5)', default: '' }),
    userProps: Type.String({ title: 'User Properties (MQTT 5, JSON)', default: '' }),
    correl: Type.String({ title: 'Correlation Data (MQTT 5)', default: '' }),
    expiry: Type.Union([Type.String(), Type.Number()], { title: 'Expiry (secs, MQTT 5)', default: '' }),
    broker: Type.String({ title: 'Server', 'x-node-ref': 'mqtt-broker', minLength: 1 }),
  }),
  labelOf: (node) => (nonEmpty(node['topic']) ? text(node['topic']) : 'mqtt'),
  check(node) {
    const problems: PropertyProblem[] = [];
    const message = mqttPublishTopicProblem(node['topic']);
    if (message) problems.push(problem('topic', message));
    if (nonEmpty(node['expiry']) && !isNodeRedNumber(node['expiry'], true)) problems.push(problem('expiry', problemText('mqtt.expiry')));
    return problems;
  },
  help: coreHelp('Publishes each message to an MQTT topic.'),
});

// ----------------------------------------------------------------------------------------------------------- http

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

/** A path as Node-RED's labels show it below the root: always with one leading `/`. */
const rooted = (path: string) => (path.startsWith('/') ? path : `/${path}`);

export const httpIn = defineNode({
  ...core,
  type: 'http in',
  label: 'http',
  paletteLabel: 'http in',
  category: 'network',
  color: HTTP_COLOR,
  icon: 'white-globe.svg',
  inputs: 0,
  outputs: 1,
  config: Type.Object({
    name: name(),
    url: Type.String({ title: 'URL', description: 'Path below /nodes, e.g. /status or /devices/:id', default: '', minLength: 1 }),
    method: choice(['get', 'post', 'put', 'delete', 'patch'], { title: 'Method', default: 'get' }),
    upload: Type.Boolean({ title: 'Accept file uploads', default: false }),
    skipBodyParsing: Type.Boolean({ title: 'Do not parse request body', default: false }),
    swaggerDoc: Type.Optional(Type.String({ title: 'Docs', 'x-node-ref': 'swagger-doc' })),
    public: publicEndpoint('call it'),
  }),
  labelOf: (node) => (nonEmpty(node['url']) ? `[${text(node['method'])}] ${rooted(text(node['url']))}` : 'http'),
  help: coreHelp(`Creates an HTTP endpoint; answer each request with an **http response** node.\n${endpointHelp}`),
});

export const httpResponse = defineNode({
  ...core,
  type: 'http response',
  label: 'http',
  paletteLabel: 'http response',
  category: 'network',
  color: HTTP_COLOR,
  icon: 'white-globe.svg',
  inputs: 1,
  outputs: 0,
  config: Type.Object({
    name: name(),
    statusCode: Type.Union([numberText('Status code', ''), Type.Number()], { title: 'Status code', description: 'Empty: msg.statusCode, else 200', default: '' }),
    headers: Type.Record(Type.String(), Type.String(), { title: 'Headers', default: {} }),
  }),
  labelOf: (node) => `http${nonEmpty(node['statusCode']) ? ` (${text(node['statusCode'])})` : ''}`,
  check: (node) => (isNodeRedNumber(node['statusCode'], true) ? [] : [problem('statusCode', problemText('http.statusCode'))]),
  help: coreHelp('Answers the request an **http in** node received (`msg.res`) with `msg.payload`.'),
});

/** Node-RED's URL validator of http request and http proxy: a URL with a scheme must be http(s). */
export function httpUrlProblem(url: unknown, required: boolean): ProblemText | null {
  const v = text(url).trim();
  if (v === '') return required ? problemText('http.urlRequired') : null;
  return !v.includes('://') ? (required ? problemText('http.urlInvalid') : null) : v.startsWith('http') ? null : problemText('http.urlScheme');
}

const header = { keyType: Type.String(), keyValue: Type.String(), valueType: Type.String(), valueValue: Type.String() };

export const httpRequest = defineNode({
  ...core,
  type: 'http request',
  label: 'http request',
  category: 'network',
  color: HTTP_COLOR,
  icon: 'white-globe.svg',
  inputs: 1,
  outputs: 1,
  // Node-RED names the output by what the response body becomes.
  outputLabelsOf: (node) => [{ bin: 'binary buffer', obj: 'parsed JSON object' }[String(node['ret'])] ?? 'UTF8 string'],
  config: Type.Object({
    name: name(),
    method: choice(['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'use'], { title: 'Method', description: '"use": msg.method', default: 'GET' }),
    ret: choice(['txt', 'bin', 'obj'], { title: 'Return', default: 'txt' }),
    paytoqs: choice([false, true, 'ignore', 'query', 'body'], {
      title: 'Payload',
      description: 'GET: ignore msg.payload, append it as query parameters ("query" or true) or send it as the body',
      default: false,
    }),
    url: Type.String({ title: 'URL', description: 'Empty: msg.url', default: '' }),
    tls: configRef('TLS Configuration', 'tls-config'),
    persist: Type.Boolean({ title: 'Enable connection keep-alive', default: false }),
    proxy: configRef('Proxy Configuration', 'http proxy'),
    insecureHTTPParser: Type.Boolean({ title: 'Disable strict HTTP parsing', default: false }),
    authType: choice(['', 'basic', 'digest', 'bearer'], { title: 'Authentication type', default: '' }),
    senderr: Type.Boolean({ title: 'Only send non-2xx responses to Catch node', default: false }),
    headers: listOf('Headers', header, []),
  }),
  credentials: Type.Object({
    user: Type.Optional(Type.String({ title: 'Username' })),
    password: Type.Optional(Type.String({ title: 'Password or token', 'x-secret': true })),
  }),
  check(node) {
    const message = httpUrlProblem(node['url'], false);
    return message ? [problem('url', message)] : [];
  },
  help: coreHelp('Sends an HTTP request and outputs the response.'),
});

export const httpProxy = defineNode({
  ...core,
  type: 'http proxy',
  label: 'http proxy',
  category: 'config',
  color: HTTP_COLOR,
  icon: 'white-globe.svg',
  inputs: 0,
  outputs: 0,
  isConfigNode: true,
  config: Type.Object({
    name: name(),
    url: Type.String({ title: 'URL', description: 'http://hostname:port', default: '', minLength: 1 }),
    noproxy: Type.Array(Type.String(), { title: 'Ignore hosts', default: [] }),
  }),
  credentials: Type.Object({
    username: Type.Optional(Type.String({ title: 'Username' })),
    password: Type.Optional(Type.String({ title: 'Password', 'x-secret': true })),
  }),
  labelOf: (node) => (nonEmpty(node['url']) ? text(node['url']) : `http proxy:${text(node['id'])}`),
  check(node) {
    const message = httpUrlProblem(node['url'], true);
    return message && nonEmpty(node['url']) ? [problem('url', message)] : [];
  },
  help: coreHelp('An HTTP proxy for http request nodes, with hosts reached without it.'),
});

// ------------------------------------------------------------------------------------------------------ websocket

/** Node-RED refuses a WebSocket path inside its own debug socket's. */
const wsPath = (title: string, description: string) =>
  Type.String({ title, description, default: '', minLength: 1, pattern: '^((?!/debug/ws).)*$' });

export const websocketListener = defineNode({
  ...core,
  type: 'websocket-listener',
  label: 'websocket-listener',
  category: 'config',
  color: WEBSOCKET_COLOR,
  icon: 'white-globe.svg',
  inputs: 0,
  outputs: 0,
  isConfigNode: true,
  config: Type.Object({
    path: wsPath('Path', 'Below /nodes, e.g. /ws/alerts'),
    wholemsg: choice(['false', 'true'], { title: 'Send/Receive', description: '"false": payload; "true": entire message', default: 'false' }),
    public: publicEndpoint('connect'),
  }),
  labelOf: (node) => rooted(text(node['path'])),
  help: coreHelp(`A WebSocket endpoint for **websocket in** and **websocket out** nodes.\n${endpointHelp}`),
});

export const websocketClient = defineNode({
  ...core,
  type: 'websocket-client',
  label: 'websocket-client',
  category: 'config',
  color: WEBSOCKET_COLOR,
  icon: 'white-globe.svg',
  inputs: 0,
  outputs: 0,
  isConfigNode: true,
  config: Type.Object({
    path: wsPath('URL', 'ws://example.com/ws or wss://…'),
    tls: configRef('TLS Configuration', 'tls-config'),
    wholemsg: choice(['false', 'true'], { title: 'Send/Receive', description: '"false": payload; "true": entire message', default: 'false' }),
    hb: Type.Union([numberText('Send heartbeat', ''), Type.Number()], { title: 'Send heartbeat', description: 'Seconds; "0" or empty: none', default: '' }),
    subprotocol: Type.String({ title: 'Subprotocol', default: '' }),
    headers: listOf('Headers', header, []),
  }),
  labelOf: (node) => (nonEmpty(node['path']) ? text(node['path']) : undefined),
  check: (node) => (isNodeRedNumber(node['hb'], true) ? [] : [problem('hb', problemText('websocket.heartbeat'))]),
  help: coreHelp('A WebSocket connection to a server, for **websocket in** and **websocket out** nodes.'),
});

/** Node-RED's websocket in/out label: `[ws] ` and the label of the listener or client it uses. */
function websocketLabel(node: Readonly<Record<string, unknown>>, lookup?: (id: string) => Readonly<Record<string, unknown>> | undefined): string {
  const id = nonEmpty(node['client']) ? text(node['client']) : text(node['server']);
  const config = id ? lookup?.(id) : undefined;
  if (!config) return 'websocket';
  const label = config['type'] === websocketClient.type ? websocketClient.labelOf!(config) : websocketListener.labelOf!(config);
  return `[ws] ${label ?? ''}`;
}

/** The listener or client a websocket in/out node must have, in the mode its form shows. */
function websocketProblems(node: Readonly<Record<string, unknown>>): PropertyProblem[] {
  const client = nonEmpty(node['client']) && !nonEmpty(node['server']);
  if (client || nonEmpty(node['server'])) return [];
  return [problem('server', problemText('websocket.server'))];
}

const websocketConfig = () =>
  Type.Object({
    name: name(),
    server: configRef('Path', 'websocket-listener'),
    client: configRef('URL', 'websocket-client'),
  });

export const websocketIn = defineNode({
  ...core,
  type: 'websocket in',
  label: 'websocket',
  paletteLabel: 'websocket in',
  category: 'network',
  color: WEBSOCKET_COLOR,
  icon: 'white-globe.svg',
  inputs: 0,
  outputs: 1,
  config: websocketConfig(),
  labelOf: websocketLabel,
  check: websocketProblems,
  help: coreHelp('Outputs each message a WebSocket receives, as a listener or a client.'),
});

export const websocketOut = defineNode({
  ...core,
  type: 'websocket out',
  label: 'websocket',
  paletteLabel: 'websocket out',
  category: 'network',
  color: WEBSOCKET_COLOR,
  icon: 'white-globe.svg',
  inputs: 1,
  outputs: 0,
  config: websocketConfig(),
  labelOf: websocketLabel,
  check: websocketProblems,
  help: coreHelp('Sends each message over a WebSocket, as a listener (to every client, or the one in msg._session) or a client.'),
});

// ------------------------------------------------------------------------------------------------------- tcp, udp

const tcpTls = () => configRef('TLS Configuration', 'tls-config');
const tcpLabel = (host: unknown, port: unknown) => `tcp:${nonEmpty(host) ? `${text(host)}:` : ''}${text(port)}`;
const portText = (title: string) => Type.Union([Type.String({ title }), Type.Number()], { title, default: '' });

export const tcpIn = defineNode({
  ...core,
  type: 'tcp in',
  label: 'tcp',
  paletteLabel: 'tcp in',
  category: 'network',
  color: SOCKET_COLOR,
  icon: 'bridge-dash.svg',
  inputs: 0,
  outputs: 1,
  config: Type.Object({
    name: name(),
    server: choice(['server', 'client'], { title: 'Type', description: 'server: listen on the port; client: connect to host:port', default: 'server' }),
    host: Type.String({ title: 'at host', default: '' }),
    port: portText('Port'),
    datamode: choice(['stream', 'single'], { title: 'Output', default: 'stream' }),
    datatype: choice(['buffer', 'utf8', 'base64'], { title: 'Payload type', default: 'buffer' }),
    newline: Type.String({ title: 'delimited by', default: '' }),
    topic: Type.String({ title: 'Topic', default: '' }),
    trim: Type.Boolean({ title: 're-attach delimiter', default: false }),
    base64: Type.Boolean({ title: 'Base64 (deprecated)', default: false }),
    tls: tcpTls(),
  }),
  labelOf: (node) => tcpLabel(node['host'], node['port']),
  check(node) {
    const problems: PropertyProblem[] = [];
    if (node['server'] !== 'server' && !nonEmpty(node['host'])) problems.push(problem('host', problemText('tcp.host')));
    if (!isNodeRedNumber(node['port'], false)) problems.push(problem('port', problemText('port.notNumber')));
    return problems;
  },
  help: coreHelp('Listens on a TCP port, or connects to one, and outputs what arrives.'),
});

export const tcpOut = defineNode({
  ...core,
  type: 'tcp out',
  label: 'tcp',
  paletteLabel: 'tcp out',
  category: 'network',
  color: SOCKET_COLOR,
  icon: 'bridge-dash.svg',
  inputs: 1,
  outputs: 0,
  config: Type.Object({
    name: name(),
    host: Type.String({ title: 'at host', default: '' }),
    port: portText('Port'),
    beserver: choice(['server', 'client', 'reply'], { title: 'Type', description: 'reply: answer the tcp in connection the message came from', default: 'client' }),
    base64: Type.Boolean({ title: 'Decode Base64 message?', default: false }),
    end: Type.Boolean({ title: 'Close connection after each message is sent?', default: false }),
    tls: tcpTls(),
  }),
  labelOf: (node) => tcpLabel(node['host'], node['port']),
  check(node) {
    const problems: PropertyProblem[] = [];
    if (node['beserver'] === 'client' && !nonEmpty(node['host'])) problems.push(problem('host', problemText('tcp.host')));
    if (node['beserver'] !== 'reply' && !isNodeRedNumber(node['port'], false)) problems.push(problem('port', problemText('port.invalid')));
    return problems;
  },
  help: coreHelp('Sends each message over TCP: to a host, to the clients of a port it listens on, or back to a tcp in connection.'),
});

export const tcpRequest = defineNode({
  ...core,
  type: 'tcp request',
  label: 'tcp',
  paletteLabel: 'tcp request',
  category: 'network',
  color: SOCKET_COLOR,
  icon: 'bridge-dash.svg',
  inputs: 1,
  outputs: 1,
  config: Type.Object({
    name: name(),
    server: Type.String({ title: 'Server', description: 'Empty: msg.host', default: '' }),
    port: Type.Union([Type.String({ pattern: '^(\\d*|)$' }), Type.Integer({ minimum: 0 })], { title: 'Port', description: 'Empty: msg.port', default: '' }),
    out: choice(['time', 'char', 'count', 'sit', 'immed'], { title: 'Close', default: 'time' }),
    ret: choice(['buffer', 'string'], { title: 'Return', default: 'buffer' }),
    splitc: Type.String({ title: 'Close after', description: 'ms, a character or a count, by "Close"', default: '0' }),
    newline: Type.String({ title: 'delimited by', default: '' }),
    trim: Type.Boolean({ title: 're-attach delimiter', default: false }),
    tls: tcpTls(),
  }),
  labelOf: (node) => tcpLabel(node['server'], node['port']),
  help: coreHelp('Sends msg.payload to a TCP server and outputs its answer.'),
});

export const udpIn = defineNode({
  ...core,
  type: 'udp in',
  label: 'udp',
  paletteLabel: 'udp in',
  category: 'network',
  color: SOCKET_COLOR,
  icon: 'bridge-dash.svg',
  inputs: 0,
  outputs: 1,
  config: Type.Object({
    name: name(),
    iface: Type.String({ title: 'Local IF', default: '' }),
    port: portText('on Port'),
    ipv: choice(['udp4', 'udp6'], { title: 'using', default: 'udp4' }),
    multicast: choice(['false', 'true'], { title: 'Listen for', description: '"true": multicast messages of a group', default: 'false' }),
    group: Type.String({ title: 'Group', default: '' }),
    datatype: choice(['buffer', 'utf8', 'base64'], { title: 'Output', default: 'buffer' }),
  }),
  labelOf: (node) => (node['multicast'] === 'false' ? `udp ${text(node['port'])}` : `udp ${text(node['group'])}:${text(node['port'])}`),
  check(node) {
    const problems: PropertyProblem[] = [];
    if (!isNodeRedNumber(node['port'], false)) problems.push(problem('port', problemText('port.notNumber')));
    if (node['multicast'] === 'true' && !nonEmpty(node['group'])) problems.push(problem('group', problemText('udp.group')));
    return problems;
  },
  help: coreHelp('Listens on a UDP port and outputs each datagram.'),
});

export const udpOut = defineNode({
  ...core,
  type: 'udp out',
  label: 'udp',
  paletteLabel: 'udp out',
  category: 'network',
  color: SOCKET_COLOR,
  icon: 'bridge-dash.svg',
  inputs: 1,
  outputs: 0,
  config: Type.Object({
    name: name(),
    addr: Type.String({ title: 'Address', description: 'Empty: msg.ip', default: '' }),
    iface: Type.String({ title: 'Local IF', default: '' }),
    port: portText('to port'),
    ipv: choice(['udp4', 'udp6'], { title: 'IP version', default: 'udp4' }),
    outport: Type.Union([Type.String(), Type.Number()], { title: 'Local port', description: 'Empty: a random one', default: '' }),
    base64: Type.Boolean({ title: 'Decode Base64 encoded payload?', default: false }),
    multicast: choice(['false', 'broad', 'multi'], { title: 'Send a', default: 'false' }),
  }),
  labelOf: (node) => `udp ${text(node['addr'])}:${text(node['port'])}`,
  check(node) {
    const problems: PropertyProblem[] = [];
    if (nonEmpty(node['port']) && !isNodeRedNumber(node['port'], true)) problems.push(problem('port', problemText('port.notNumber')));
    if (nonEmpty(node['outport']) && !isNodeRedNumber(node['outport'], true)) problems.push(problem('outport', problemText('udp.localPort')));
    return problems;
  },
  help: coreHelp('Sends msg.payload as a UDP datagram to an address and port.'),
});

// ------------------------------------------------------------------------------------------------------------ tls

export const tlsConfig = defineNode({
  ...core,
  type: 'tls-config',
  label: 'TLS configuration',
  paletteLabel: 'tls-config',
  category: 'config',
  color: '#ddd',
  icon: 'font-awesome/fa-lock',
  inputs: 0,
  outputs: 0,
  isConfigNode: true,
  config: Type.Object({
    name: name(),
    cert: Type.String({ title: 'Certificate (path)', default: '' }),
    key: Type.String({ title: 'Private Key (path)', default: '' }),
    ca: Type.String({ title: 'CA Certificate (path)', default: '' }),
    certname: Type.String({ title: 'Certificate (uploaded file name)', default: '' }),
    keyname: Type.String({ title: 'Private Key (uploaded file name)', default: '' }),
    caname: Type.String({ title: 'CA Certificate (uploaded file name)', default: '' }),
    servername: Type.String({ title: 'Server Name', description: 'For SNI', default: '' }),
    verifyservercert: Type.Boolean({ title: 'Verify server certificate', default: true }),
    alpnprotocol: Type.String({ title: 'ALPN Protocol', default: '' }),
  }),
  credentials: Type.Object({
    certdata: Type.Optional(Type.String({ title: 'Certificate (uploaded)' })),
    keydata: Type.Optional(Type.String({ title: 'Private Key (uploaded)' })),
    cadata: Type.Optional(Type.String({ title: 'CA Certificate (uploaded)' })),
    passphrase: Type.Optional(Type.String({ title: 'Passphrase', 'x-secret': true })),
  }),
  labelOf: () => 'TLS configuration',
  check(node) {
    const cert = text(node['cert']);
    const key = text(node['key']);
    if (cert !== '' && key === '') return [problem('key', problemText('tls.key'))];
    if (key !== '' && cert === '') return [problem('cert', problemText('tls.cert'))];
    return [];
  },
  help: coreHelp('TLS settings (certificates, key, server name) for secure connections.'),
});

/** This category's nodes, in Node-RED's palette order (config nodes after the nodes that use them). */
export const networkNodes: readonly AnyNodeDefinition[] = [
  mqttIn, mqttOut, httpIn, httpResponse, httpRequest, websocketIn, websocketOut, tcpIn, tcpOut, tcpRequest, udpIn, udpOut,
  mqttBroker, tlsConfig, httpProxy, websocketListener, websocketClient,
];

