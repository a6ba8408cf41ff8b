/**
 * The real peers the network core nodes talk to in the browser test: an MQTT broker (aedes, with a user and
 * password), an HTTP server and a forward proxy that echo what they received, a WebSocket server, TCP and UDP
 * servers, and free ports for the nodes that listen. Started once, on first use, on loopback; closed after the file.
 */
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll } from 'vitest';
import { WebSocketServer } from 'ws';
import { freePort, freeUdpPort } from '../../server/testing/mqtt-devices.ts';

export const MQTT_USER = 'e2e';
export const MQTT_PASSWORD = 'e2e-secret';

/** What a peer received: MQTT publishes, HTTP requests, WebSocket and socket data, in order. */
export interface PeerLog {
  mqtt: { topic: string; payload: string }[];
  http: { via: 'server' | 'proxy' | 'tls'; method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[];
  /** The targets (host:port) the proxy opened tunnels to. */
  tunnels: string[];
  ws: { data: string; authorization: string | undefined }[];
  tcp: string[];
  udp: string[];
}

export interface Peers {
  log: PeerLog;
  mqttPort: number;
  httpPort: number;
  proxyPort: number;
  /** An HTTPS server for localhost with a self-signed certificate ({@link Peers.certificate}, its own CA). */
  httpsPort: number;
  certificate: string;
  wsPort: number;
  tcpOutPort: number;
  tcpRequestPort: number;
  udpOutPort: number;
  /** Free ports for nodes that listen (tcp in, udp in). */
  tcpInPort: number;
  udpInPort: number;
  /** Connected clients of the broker that signed in as {@link MQTT_USER} (the nodes' and the test's). */
  mqttClients(): number;
  wsConnections(): number;
  tcpConnections(): number;
}

let started: Promise<Peers> | undefined;
const closers: (() => Promise<void> | void)[] = [];

afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

const listen = async (server: net.Server | http.Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
};

async function start(): Promise<Peers> {
  const log: PeerLog = { mqtt: [], http: [], tunnels: [], ws: [], tcp: [], udp: [] };

  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker();
  let signedIn = 0;
  broker.authenticate = (client, username, password, done) => {
    const ok = username === MQTT_USER && password?.toString() === MQTT_PASSWORD;
    done(null, ok);
  };
  broker.on('clientReady', () => signedIn++);
  broker.on('clientDisconnect', () => signedIn--);
  const mqttServer = net.createServer(broker.handle);
  const mqttPort = await listen(mqttServer);
  closers.push(() => new Promise<void>((resolve) => broker.close(() => resolve())));
  const subscriber: MqttClient = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { username: MQTT_USER, password: MQTT_PASSWORD });
  closers.push(() => subscriber.endAsync(true));
  await subscriber.subscribeAsync('#');
  subscriber.on('message', (topic, payload) => log.mqtt.push({ topic, payload: payload.toString() }));

  const echo = (via: 'server' | 'proxy' | 'tls') => (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { via, method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      log.http.push(entry);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ via, method: entry.method, url: entry.url, authorization: req.headers.authorization ?? null, trace: req.headers['x-trace'] ?? null }));
    });
  };
  const httpPort = await listen(http.createServer(echo('server')));
  // A forward proxy: Node-RED's http request tunnels through it (CONNECT host:port); the proxy answers the tunnelled
  // request itself, saying so.
  const proxy = http.createServer(echo('proxy'));
  proxy.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    log.tunnels.push(req.url ?? '');
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) socket.unshift(head);
    proxy.emit('connection', socket);
  });
  const proxyPort = await listen(proxy);

  // A self-signed certificate for localhost (openssl, as on any Debian machine); the node trusts it as its CA.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-e2e-tls-'));
  closers.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost', '-days', '1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  const certificate = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  const httpsPort = await listen(https.createServer({ cert: certificate, key: fs.readFileSync(path.join(dir, 'key.pem')) }, echo('tls')));

  const wsHttp = http.createServer();
  const wss = new WebSocketServer({ server: wsHttp });
  wss.on('connection', (socket, req) => {
    socket.on('message', (data: Buffer) => log.ws.push({ data: data.toString(), authorization: req.headers.authorization }));
  });
  const wsPort = await listen(wsHttp);
  closers.push(() => {
    for (const client of wss.clients) client.terminate();
    wss.close();
  });

  const tcpSockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    tcpSockets.add(socket);
    socket.on('close', () => tcpSockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const tcpOutPort = await listen(net.createServer((socket) => {
    track(socket);
    socket.on('data', (data) => log.tcp.push(data.toString()));
  }));
  const tcpRequestPort = await listen(net.createServer((socket) => {
    track(socket);
    socket.on('data', (data) => socket.write(`pong:${data.toString()}\n`));
  }));
  closers.push(() => {
    for (const socket of tcpSockets) socket.destroy();
  });

  const udp = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  udp.on('message', (data) => log.udp.push(data.toString()));
  closers.push(() => new Promise<void>((resolve) => udp.close(resolve)));

  return {
    log, mqttPort, httpPort, proxyPort, httpsPort, certificate, wsPort, tcpOutPort, tcpRequestPort, udpOutPort: udp.address().port,
    tcpInPort: await freePort(), udpInPort: await freeUdpPort(),
    mqttClients: () => signedIn,
    wsConnections: () => wss.clients.size,
    tcpConnections: () => tcpSockets.size,
  };
}

/** The peers, started on first use. */
export function peers(): Promise<Peers> {
  started ??= start();
  return started;
}

/** The peers once started (in `vars`, `run`: after the first `fill` started them). */
let ready: Peers | undefined;
export async function startPeers(): Promise<Peers> {
  ready = await peers();
  return ready;
}
export function startedPeers(): Peers {
  if (!ready) throw new Error('the network peers were not started by a fill');
  return ready;
}
