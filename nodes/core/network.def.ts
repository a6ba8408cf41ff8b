/** The core nodes of Node-RED's "network" palette category: http request/in/response, websocket, mqtt. Browser-safe. */
import { Type } from '@sinclair/typebox';
import { choice, defineNode, type AnyNodeDefinition } from '../kit/define-node.ts';
import { core, coreHelp, listOf, name, numberText } from './core-kit.def.ts';

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

/** This category's nodes, in Node-RED's palette order. */
export const networkNodes: readonly AnyNodeDefinition[] = [mqttIn, mqttOut, mqttBroker, httpIn, httpResponse, httpRequest, websocketListener];
