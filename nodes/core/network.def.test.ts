/**
 * The network core nodes' labels and checks, as Node-RED 4.1's label functions and editor validators make them.
 */
import { describe, expect, it } from 'vitest';
import type { AnyNodeDefinition } from '../kit/define-node.ts';
import { validateNodeConfig } from '../kit/config-validator.ts';
import { isNodeRedNumber } from './core-kit.def.ts';
import {
  httpIn, httpProxy, httpRequest, httpResponse, mqttBroker, mqttIn, mqttOut, mqttPublishTopicProblem, mqttSubscribeTopicProblem, tcpIn,
  networkNodes, tcpOut, tcpRequest, tlsConfig, udpIn, udpOut, websocketClient, websocketIn, websocketListener, websocketOut,
} from './network.def.ts';

const paths = (problems: readonly { path: string }[]) => problems.map((p) => p.path);

describe('network node labels', () => {
  it('mqtt: the topic, else "mqtt"; a broker as clientid@host:port', () => {
    expect(mqttIn.labelOf!({ topic: 'sensors/#' })).toBe('sensors/#');
    expect(mqttIn.labelOf!({ topic: '' })).toBe('mqtt');
    expect(mqttOut.labelOf!({})).toBe('mqtt');
    expect(mqttBroker.labelOf!({ broker: 'localhost', port: 1883 })).toBe('localhost:1883');
    expect(mqttBroker.labelOf!({ broker: 'localhost', port: '', clientid: 'gw' })).toBe('gw@localhost:1883');
    expect(mqttBroker.labelOf!({ broker: 'mqtts://broker.example', port: 8883 })).toBe('mqtts://broker.example');
    expect(mqttBroker.labelOf!({})).toBe('undefined:1883');
  });

  it('http: "[method] /path", "http (code)", "http request"', () => {
    expect(httpIn.labelOf!({ method: 'get', url: '/hello' })).toBe('[get] /hello');
    expect(httpIn.labelOf!({ method: 'post', url: 'hello' })).toBe('[post] /hello');
    expect(httpIn.labelOf!({ method: 'get', url: '' })).toBe('http');
    expect(httpResponse.labelOf!({ statusCode: '404' })).toBe('http (404)');
    // An http request's output is named by what the body becomes.
    expect(['txt', 'bin', 'obj', undefined].map((ret) => httpRequest.outputLabelsOf!({ ret })?.[0])).toEqual(['UTF8 string', 'binary buffer', 'parsed JSON object', 'UTF8 string']);
    expect(httpResponse.labelOf!({ statusCode: '' })).toBe('http');
    expect(httpRequest.labelOf).toBeUndefined();
    expect(httpRequest.label).toBe('http request');
    expect(httpProxy.labelOf!({ id: 'p1', url: '' })).toBe('http proxy:p1');
    expect(tlsConfig.labelOf!({})).toBe('TLS configuration');
  });

  it('websocket in/out: "[ws] " and the label of the listener or client they use', () => {
    const nodes: Record<string, Record<string, unknown>> = {
      l1: { id: 'l1', type: 'websocket-listener', path: 'ws/alerts' },
      c1: { id: 'c1', type: 'websocket-client', path: 'ws://example.com/feed' },
    };
    const lookup = (id: string) => nodes[id];
    expect(websocketIn.labelOf!({ server: 'l1', client: '' }, lookup)).toBe('[ws] /ws/alerts');
    expect(websocketOut.labelOf!({ server: '', client: 'c1' }, lookup)).toBe('[ws] ws://example.com/feed');
    expect(websocketIn.labelOf!({ server: 'gone' }, lookup)).toBe('websocket');
    expect(websocketListener.labelOf!({ path: '/ws/a' })).toBe('/ws/a');
    expect(websocketClient.labelOf!({ path: 'wss://x/y' })).toBe('wss://x/y');
  });

  it('tcp and udp: host and port', () => {
    expect(tcpIn.labelOf!({ host: '', port: '1234' })).toBe('tcp:1234');
    expect(tcpOut.labelOf!({ host: 'plc.local', port: '502' })).toBe('tcp:plc.local:502');
    expect(tcpRequest.labelOf!({ server: '10.0.0.2', port: '80' })).toBe('tcp:10.0.0.2:80');
    expect(udpIn.labelOf!({ multicast: 'false', port: '5000' })).toBe('udp 5000');
    expect(udpIn.labelOf!({ multicast: 'true', group: '225.0.18.83', port: '5000' })).toBe('udp 225.0.18.83:5000');
    expect(udpOut.labelOf!({ addr: '10.0.0.9', port: '7' })).toBe('udp 10.0.0.9:7');
  });
});

describe('network node checks', () => {
  it('mqtt topics: no wildcards to publish; whole-level wildcards to subscribe', () => {
    expect(mqttPublishTopicProblem('a/b')).toBeNull();
    expect(mqttPublishTopicProblem('')).toBeNull();
    expect(mqttPublishTopicProblem('a/+/b')?.message).toMatch(/Invalid topic/);
    expect(mqttSubscribeTopicProblem('a/+/c')).toBeNull();
    expect(mqttSubscribeTopicProblem('#')).toBeNull();
    expect(mqttSubscribeTopicProblem('a/#')).toBeNull();
    expect(mqttSubscribeTopicProblem('a/b#')?.message).toMatch(/Invalid topic/);
    expect(mqttSubscribeTopicProblem('')?.message).toMatch(/required/);
    expect(paths(mqttIn.check!({ topic: '', inputs: 1 }))).toEqual([]);
    expect(paths(mqttIn.check!({ topic: '', inputs: 0 }))).toEqual(['/topic']);
    expect(paths(mqttOut.check!({ topic: 'x/#' }))).toEqual(['/topic']);
  });

  it('mqtt-broker: numbers, a client id for sessions that are not clean, publishable birth/close/will topics', () => {
    expect(mqttBroker.check!({ broker: 'h', port: 1883, keepalive: 60, cleansession: true })).toEqual([]);
    expect(mqttBroker.check!({ broker: 'h', port: '${MQTT_PORT}', keepalive: '60' })).toEqual([]);
    expect(paths(mqttBroker.check!({ port: 'x', keepalive: 'y', cleansession: false, clientid: '', willTopic: 'a/#' }))).toEqual([
      '/port', '/keepalive', '/clientid', '/willTopic',
    ]);
  });

  it('http: a URL with a scheme is http(s); the status code is a number', () => {
    expect(httpRequest.check!({ url: 'https://x' })).toEqual([]);
    expect(httpRequest.check!({ url: 'example.com/x' })).toEqual([]);
    expect(httpRequest.check!({ url: '' })).toEqual([]);
    expect(paths(httpRequest.check!({ url: 'ftp://x' }))).toEqual(['/url']);
    expect(paths(httpProxy.check!({ url: 'socks://x' }))).toEqual(['/url']);
    expect(httpResponse.check!({ statusCode: '' })).toEqual([]);
    expect(paths(httpResponse.check!({ statusCode: 'ok' }))).toEqual(['/statusCode']);
  });

  it('websocket in/out need their listener (or their client, in client mode)', () => {
    expect(websocketIn.check!({ server: 'l1', client: '' })).toEqual([]);
    expect(websocketOut.check!({ server: '', client: 'c1' })).toEqual([]);
    expect(paths(websocketIn.check!({ server: '', client: '' }))).toEqual(['/server']);
  });

  it('tcp and udp: a host to connect to, number ports, a multicast group', () => {
    expect(tcpIn.check!({ server: 'server', port: '1234' })).toEqual([]);
    expect(paths(tcpIn.check!({ server: 'client', host: '', port: 'x' }))).toEqual(['/host', '/port']);
    expect(tcpOut.check!({ beserver: 'reply', port: '' })).toEqual([]);
    expect(paths(tcpOut.check!({ beserver: 'client', host: '', port: '' }))).toEqual(['/host', '/port']);
    expect(paths(udpIn.check!({ multicast: 'true', group: '', port: '5000' }))).toEqual(['/group']);
    expect(udpOut.check!({ port: '', outport: '' })).toEqual([]);
  });

  it('tls-config: a certificate and a key go together', () => {
    expect(tlsConfig.check!({ cert: '', key: '' })).toEqual([]);
    expect(paths(tlsConfig.check!({ cert: '/etc/c.pem', key: '' }))).toEqual(['/key']);
    expect(paths(tlsConfig.check!({ cert: '', key: '/etc/k.pem' }))).toEqual(['/cert']);
  });

  it('numbers as Node-RED accepts them: text, numbers, ${ENV} references', () => {
    expect(isNodeRedNumber('1883', false)).toBe(true);
    expect(isNodeRedNumber(1883, false)).toBe(true);
    expect(isNodeRedNumber('${PORT}', false)).toBe(true);
    expect(isNodeRedNumber('', false)).toBe(false);
    expect(isNodeRedNumber('', true)).toBe(true);
    expect(isNodeRedNumber('12a', true)).toBe(false);
  });
});

/**
 * Nodes as stock Node-RED 4.1 exports them (a broker added from a node's form gets no verifyservercert, an empty
 * sessionExpiry and port text; an http request saved once has paytoqs "ignore"; old flows have numbers where the
 * editor now writes text): each must import without a problem.
 */
const stockNodes: Record<string, unknown>[] = [
  {
    id: 'b1', type: 'mqtt-broker', name: '', broker: 'localhost', port: '1883', clientid: '', autoConnect: true, usetls: false, protocolVersion: '4',
    keepalive: '60', cleansession: true, autoUnsubscribe: true, birthTopic: '', birthQos: '0', birthRetain: 'false', birthPayload: '', birthMsg: {},
    closeTopic: '', closeQos: '0', closeRetain: 'false', closePayload: '', closeMsg: {}, willTopic: '', willQos: '0', willRetain: 'false', willPayload: '',
    willMsg: {}, userProps: '', sessionExpiry: '',
  },
  { id: 'b2', type: 'mqtt-broker', broker: 'mqtts://broker.example', port: 8883, tls: 't1', usetls: true, protocolVersion: 5, keepalive: 15, compatmode: false, birthMsg: { contentType: 'text/plain', expiry: '60' }, willMsg: { delay: '5' } },
  { id: 'm1', type: 'mqtt in', name: '', topic: 'a/+/c', qos: '2', datatype: 'auto-detect', broker: 'b1', nl: false, rap: true, rh: 0, inputs: 0 },
  { id: 'm2', type: 'mqtt in', topic: '', qos: '1', datatype: 'json', broker: 'b1', rh: '1', inputs: 1 },
  { id: 'm3', type: 'mqtt out', name: '', topic: '', qos: '', retain: '', respTopic: '', contentType: '', userProps: '', correl: '', expiry: '', broker: 'b1' },
  { id: 'h1', type: 'http in', name: '', url: '/hello', method: 'get', upload: false, swaggerDoc: '' },
  { id: 'h2', type: 'http response', name: '', statusCode: '', headers: { 'content-type': 'text/plain' } },
  {
    id: 'h3', type: 'http request', name: '', method: 'GET', ret: 'txt', paytoqs: 'ignore', url: 'https://example.com', tls: '', persist: false, proxy: '',
    insecureHTTPParser: false, authType: '', senderr: false, headers: [{ keyType: 'other', keyValue: 'X-A', valueType: 'msg', valueValue: 'a' }],
  },
  { id: 'h4', type: 'http request', method: 'use', ret: 'obj', paytoqs: true, url: '', authType: 'bearer' },
  { id: 'p1', type: 'http proxy', name: '', url: 'http://proxy:3128', noproxy: ['localhost'] },
  { id: 't1', type: 'tls-config', name: '', cert: '', key: '', ca: '', certname: 'c.pem', keyname: 'k.pem', caname: '', servername: '', verifyservercert: true, alpnprotocol: '' },
  { id: 'w1', type: 'websocket-listener', path: '/ws/a', wholemsg: 'false' },
  { id: 'w2', type: 'websocket-client', path: 'wss://x/y', tls: '', wholemsg: 'true', hb: '0', subprotocol: '', headers: [] },
  { id: 'w3', type: 'websocket in', name: '', server: 'w1', client: '' },
  { id: 'w4', type: 'websocket out', name: '', server: '', client: 'w2' },
  { id: 'c1', type: 'tcp in', name: '', server: 'client', host: 'plc', port: '502', datamode: 'single', datatype: 'base64', newline: '', topic: '', trim: false, base64: false, tls: '' },
  { id: 'c2', type: 'tcp out', name: '', host: '', port: '', beserver: 'reply', base64: false, end: false, tls: '' },
  { id: 'c3', type: 'tcp request', name: '', server: '', port: '', out: 'sit', ret: 'string', splitc: ' ', newline: '\\n', trim: true, tls: '' },
  { id: 'u1', type: 'udp in', name: '', iface: '', port: '5000', ipv: 'udp6', multicast: 'true', group: '225.0.18.83', datatype: 'buffer' },
  { id: 'u2', type: 'udp out', name: '', addr: '', iface: '', port: '', ipv: 'udp4', outport: '', base64: false, multicast: 'broad' },
];

describe('nodes as Node-RED writes them', () => {
  const byType = new Map<string, AnyNodeDefinition>(networkNodes.map((d) => [d.type, d]));
  it.each(stockNodes.map((n) => [`${String(n['type'])} ${String(n['id'])}`, n] as const))('%s imports without a problem', (_name, node) => {
    const definition = byType.get(String(node['type']))!;
    const result = validateNodeConfig(definition, node);
    expect(result.ok ? [] : result.problems).toEqual([]);
    expect(definition.check?.(node) ?? []).toEqual([]);
  });
});
