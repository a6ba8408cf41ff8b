import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import compression from 'compression';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { AuthService, type AuthServiceOptions } from './auth/auth-service.ts';
import type { Principal } from '../domain/auth/permissions.ts';
import { registerAuthRoutes, requestToken } from './auth/auth-routes.ts';
import { rolePermissions } from '../domain/auth/permissions.ts';
import type { ThingwireConfig } from './config.ts';
import { openDatabase, type Db } from './db/database.ts';
import { PostgresSql, postgresUrlWith, SqliteSql, type SqlDatabase } from './db/sql.ts';
import { migratePostgres } from './db/migrate.ts';
import { migrations } from './db/migrations/index.ts';
import { ClusterNode } from './cluster/cluster-node.ts';
import { sweepLostNodes } from './cluster/node-liveness.ts';
import { ALERT_TRANSITION_EVENT } from './alerts/alert-engine.ts';
import type { AlertTransition } from '../domain/alerts/alert-service.ts';
import type { NotificationOutcome } from '../domain/notify/notify-service.ts';
import { ApiError, clientError, internalError, sendApiError } from './errors.ts';
import { createMetrics } from './http/metrics.ts';
import { openApiDocument } from './http/openapi.ts';
import { RouteTable } from './http/route-table.ts';
import { refuseUpgrade } from './http/socket-access.ts';
import { uiRoutes } from './http/ui.ts';
import { adminApiGate } from './node-red/admin-api-gate.ts';
import { BUILT_IN_CODE_NODE_TYPES } from '../domain/flows/code-nodes.ts';
import { FLOW_ENDPOINT_ROOT, FlowEndpoints } from './node-red/flow-endpoints.ts';
import { registerFlowRoutes } from './node-red/flow-routes.ts';
import { startFlowRuntime, type NodeRed } from './node-red/flow-runtime.ts';
import type { FlowNode } from '../domain/flows/flow-json.ts';
import { FlowService, PLATFORM_ACTOR } from './node-red/flow-service.ts';
import { LIVE_PATH, LIVE_SHARED_EVENT, LiveSocket, type LiveBatch } from './node-red/live-socket.ts';
import type { ThingwireServices } from '../domain/platform-services.ts';
import { OutboundPolicy } from './outbound/outbound-policy.ts';
import { SecretBox } from './secrets/secret-box.ts';
import { registerNodes } from '../nodes/kit/register-nodes.ts';
import { implementations } from '../nodes/index.ts';
import { checkFlowNodeConfig, nodeTypeCatalog, upgradeFlowNode } from '../nodes/definitions.ts';
import { registerPaletteRoutes } from './node-red/palette-routes.ts';
import { createRegistry, type Registry } from './registry.ts';
import { DeviceAuthenticator } from './device-auth/device-authenticator.ts';
import { SingletonWork, SOLE_NODE } from './cluster/singleton-work.ts';
import { DeviceHub, type DeviceHubOptions } from './device-hub/device-hub.ts';
import { RECEIPT_WINDOW_MS } from './device-hub/uplink-receipts.ts';
import { SignInBans } from './device-auth/sign-in-bans.ts';
import { forgetInitialPassword, initialPasswordUser, writeInitialPassword } from './auth/initial-password.ts';
import { checkPortsFree, listenerPortsIn, StartupError } from './http/port-check.ts';
import { registerDeviceHubRoutes } from './device-hub/device-hub-routes.ts';
import { registerGatewayRoutes } from './gateway/gateway-routes.ts';
import { GatewayService } from './gateway/gateway-service.ts';
import { registerDeviceHubMetrics } from './device-hub/device-hub-metrics.ts';
import { MqttListenerPool } from './mqtt/mqtt-listener-pool.ts';
import { AlertEngine } from './alerts/alert-engine.ts';
import { registerAlertRoutes } from './alerts/alert-routes.ts';
import { alertRuleSummaries } from './alerts/alert-rules.ts';
import { AlertStore } from './alerts/alert-store.ts';
import { thingModelEventTypes } from '../domain/alerts/event-types.ts';
import { WebhookOutbox, type WebhookOutboxOptions } from './notify/webhook-outbox.ts';
import { registerNotifyRoutes } from './notify/notify-routes.ts';
import type { Duplex } from 'node:stream';
import { IngressGate } from './ingress/ingress-gate.ts';
import { registerIngressMetrics, registerSignInMetrics, telemetryCommitObserver } from './ingress/ingress-metrics.ts';
import { TELEMETRY_DB_FILE } from './telemetry/sqlite-telemetry.ts';
import { PostgresTelemetry } from './telemetry/postgres-telemetry.ts';
import { SqliteTelemetryThread } from './telemetry/sqlite-telemetry-thread.ts';
import { openTdengineTelemetry } from './telemetry/tdengine-telemetry.ts';
import { TelemetryService, type TelemetryServiceOptions } from './telemetry/telemetry-service.ts';
import type { TelemetryBackend } from './telemetry/telemetry-store.ts';
import { registerTelemetryRoutes } from './telemetry/telemetry-routes.ts';
import { registerDeviceCredentialRoutes } from './device-auth/device-credentials-routes.ts';
import { DEVICE_FEED_PATH, DeviceFeed } from './live/device-feed.ts';
import { registerOverviewRoutes } from './live/overview-routes.ts';
import { thingModelCommandCheck } from '../domain/thing-model/command-check.ts';
import { OtaStore } from './ota/ota-store.ts';
import { FirmwareFiles } from './ota/firmware-files.ts';
import { DownloadTokens } from './ota/download-tokens.ts';
import { OtaService, type OtaServiceOptions } from './ota/ota-service.ts';
import { registerOtaRoutes } from './ota/ota-routes.ts';
import { FIRMWARE_DOWNLOAD_PATH, firmwareDownload } from './ota/firmware-download.ts';
import { AlertFeed } from './live/alert-feed.ts';
import { OtaFeed } from './live/ota-feed.ts';
import { createHttpListenerPool, type HttpListenerPool } from './http-ingress/http-ingress.ts';
import { createCoapListenerPool, type CoapListenerPool } from './coap-ingress/coap-listener.ts';
import { createUdpListenerPool, type UdpListenerPool } from './udp-ingress/udp-listener.ts';
import { registerUdpMetrics } from './udp-ingress/udp-metrics.ts';
import { registerCodecMetrics } from './codecs/codec-metrics.ts';
import { createTcpListenerPool, type TcpListenerPool } from './tcp-ingress/tcp-listener.ts';
import { registerTcpMetrics } from './tcp-ingress/tcp-metrics.ts';
import { DeviceTokens } from './ingress/device-tokens.ts';
import { CodecSandbox } from './codecs/codec-sandbox.ts';
import { CodecStore } from './codecs/codec-store.ts';
import { registerCodecRoutes } from './codecs/codec-routes.ts';
import { rawUplinkDecoder } from './codecs/raw-uplinks.ts';
import type { TokenIngressDeps } from './ingress/token-ingress.ts';
import { ModbusStore } from './modbus/modbus-store.ts';
import { ModbusService } from './modbus/modbus-service.ts';
import { registerModbusRoutes } from './modbus/modbus-routes.ts';
import { registerDashboardRoutes } from './dashboards/dashboard-routes.ts';
import { DashboardStore } from './dashboards/dashboard-store.ts';
import { registerModbusMetrics } from './modbus/modbus-metrics.ts';
import { savedDocument, sqlFlowStorage } from './node-red/sql-flow-storage.ts';

const version = (JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** A running Thingwire: the HTTP server and what tests and `main.ts` need to reach inside it. */
export interface Thingwire {
  server: http.Server;
  url: string;
  /** Where flow HTTP endpoints are served: `<url>/nodes`, or on their own port with `--flow-http-port`. */
  flowEndpointsUrl: string;
  /** `thingwire.db` (single node; a cluster node has none and throws). */
  db: Db;
  /** The stores' database: `thingwire.db`, or the cluster's PostgreSQL. */
  sql: SqlDatabase;
  auth: AuthService;
  registry: Registry;
  hub: DeviceHub;
  /** The deployed flows: deploy, check, and (cluster) load again what another node deployed. */
  flows: FlowService;
  mqttListeners: MqttListenerPool;
  /** HTTP device listeners (`/device` on the HTTP port in the shipped pipeline), owned by HTTP listener nodes. */
  httpListeners: HttpListenerPool;
  /** CoAP device listeners (UDP 5683 in the shipped pipeline), owned by CoAP listener nodes. */
  coapListeners: CoapListenerPool;
  /** UDP device listeners, owned by UDP listener nodes (none in the shipped pipeline). */
  udpListeners: UdpListenerPool;
  /** TCP device listeners, owned by TCP listener nodes. */
  tcpListeners: TcpListenerPool;
  alerts: AlertEngine;
  notify: WebhookOutbox;
  telemetry: TelemetryService;
  ota: OtaService;
  /** Backpressure from storage to the listeners. */
  gate: IngressGate;
  red: NodeRed;
  /** Products' codecs: drafts, published versions, and the sandbox they run in (created on first use). */
  codecs: CodecStore;
  /** Modbus: point tables and device connections, and the pollers (owned by Modbus poller nodes). */
  modbus: ModbusService;
  /** Set on the first start only: the admin password that was generated (print it once). */
  /** Set on the first start: the admin created, with its generated password and the file keeping it until first sign-in. */
  firstAdmin: { username: string; generatedPassword?: string; passwordFile?: string } | null;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Sign-in tuning: scrypt parameters (tests pass cheap ones), and (tests) the hash gate and login limiter. */
  auth?: Pick<AuthServiceOptions, 'hashParams' | 'hashGate' | 'loginLimiter'>;
  /** Deploy flows/device-pipeline.json on the first start of a data dir (default true). */
  installDefaultFlows?: boolean;
  /** Device hub tuning (reply timeout, how many device messages may wait for flows). */
  hub?: Omit<DeviceHubOptions, 'pressure'>;
  /** Telemetry tuning: the group commit's limits, and (tests) a wrapper around the backend to make it slow. */
  telemetry?: {
    writer?: TelemetryServiceOptions['writer'];
    wrapBackend?: (backend: TelemetryBackend) => TelemetryBackend;
  };
  /** Webhook outbox tuning (tests): the wait before a failed delivery is tried again (default from 2.5 s). */
  notify?: Pick<WebhookOutboxOptions, 'backoff'>;
  /** Test hooks: a faster campaign timer, a clock. */
  ota?: Pick<OtaServiceOptions, 'tickMs' | 'now'>;
  /**
   * Where the flows live: Node-RED's files in `<dataDir>/node-red` (default), or the platform database (cluster mode,
   * where every node runs the flows of one database).
   */
  flowStorage?: 'files' | 'database';
}

/**
 * The composition root: opens the data dir, builds the platform services, starts the flow runtime and the HTTP
 * server. Everything is created here and passed down; nothing is a module-level singleton except Node-RED itself.
 */
export async function startThingwire(
  config: ThingwireConfig,
  logger: Logger,
  options: StartOptions = {},
): Promise<Thingwire> {
  keepDataPrivate(config.dataDir);
  // First start of this data dir: no flows saved yet. Later starts keep whatever the user deployed, even nothing.
  const flowsFile = path.join(config.dataDir, 'node-red', 'flows.json');
  const dbFile = path.join(config.dataDir, 'thingwire.db');
  const cluster = config.cluster;
  // Cluster mode: the platform's tables and the flows are in PostgreSQL, shared by every node.
  const clusterSql = cluster ? await openClusterDatabase(config, logger) : undefined;
  const flowsInDatabase = clusterSql !== undefined || options.flowStorage === 'database';
  const savedFlows = clusterSql
    ? await claimFirstStart(clusterSql)
    : flowsInDatabase ? await flowsInDatabaseFile(dbFile) : fs.existsSync(flowsFile) ? readJson(flowsFile) ?? [] : undefined;
  const firstFlows = savedFlows === undefined;
  const installDefaults = firstFlows && (options.installDefaultFlows ?? true);
  // Every port this start will bind, checked before anything is created: a busy port fails here in one line, not after
  // the first admin's password was printed for an account whose start then failed.
  const portOffset = cluster?.listenerPortOffset ?? 0;
  const listenerPorts = (firstFlows ? [] : listenerPortsIn(savedFlows)).map((p) => (p.port === 0 ? p : { ...p, port: p.port + portOffset }));
  await checkPortsFree([
    { port: config.port, host: config.host, what: 'HTTP (--port)' },
    ...(config.flowHttpPort ? [{ port: config.flowHttpPort, host: config.host, what: 'flow endpoints (--flow-http-port)' }] : []),
    ...(installDefaults ? [{ port: config.mqttPort && config.mqttPort + portOffset, host: '0.0.0.0', what: 'MQTT (--mqtt-port)' }] : listenerPorts),
  ]);
  // (A cluster node that started beside the first sees no flows yet: the first installs them.)
  const flowsYetToCome = clusterSql !== undefined && Array.isArray(savedFlows) && savedFlows.length === 0;
  if (!firstFlows && !flowsYetToCome && config.mqttPortGiven && !listenerPorts.some((p) => p.port === config.mqttPort)) {
    logger.warn(
      { mqttPort: config.mqttPort, listenerPorts: listenerPorts.map((p) => p.port) },
      '--mqtt-port applies to the first start only: the MQTT listener now takes its port from its node in the flows (edit it there)',
    );
  }
  // The keys are made with the database. A database whose keys are gone holds secrets nothing can open any more: a new
  // key would have every device refused (and its address banned), so the start stops and says what to restore.
  // (A cluster's database is not a file here: every node must have the keys folder the cluster was made with.)
  const sealedWith: [string, string][] = clusterSql ? [] : [['secret.key', dbFile], ['node-red-credentials.key', flowsInDatabase ? dbFile : flowsFile]];
  for (const [key, holder] of sealedWith) {
    const keyFile = path.join(config.dataDir, 'keys', key);
    if (fs.existsSync(holder) && !fs.existsSync(keyFile)) {
      throw new StartupError(
        `${keyFile} is missing, but ${holder} holds secrets sealed with it: restore the keys folder from the backup you took ` +
          'with the data (docs/operations.md "Backup")',
      );
    }
  }
  // The stores' database: `thingwire.db` through the asynchronous interface, or the cluster's PostgreSQL (and no file).
  const db = clusterSql ? undefined : openDatabase(dbFile, logger.child({ subsystem: 'db' }));
  const sql: SqlDatabase = clusterSql ?? new SqliteSql(db!);
  const secrets = SecretBox.fromKeyFile(path.join(config.dataDir, 'keys', 'secret.key'));
  // Whose first password the data dir still keeps (a start before this one may have written it): read once, not per
  // sign-in.
  let initialPasswordOf = initialPasswordUser(config.dataDir);
  const auth = new AuthService(sql, logger.child({ subsystem: 'auth' }), config.sessionTtlHours * 3_600_000, {
    ...options.auth,
    permissions: rolePermissions({ engineersDeployCode: config.engineersDeployCode }),
    onSignIn: (username) => {
      if (username !== initialPasswordOf) return;
      forgetInitialPassword(config.dataDir);
      initialPasswordOf = undefined;
    },
  });
  const registry = createRegistry(sql, secrets, logger, { nodeId: cluster?.nodeId });
  await registry.load();
  // One sandbox for the server, created on first use: loading QuickJS is ~50 ms and most servers never run a codec.
  let codecSandbox: Promise<CodecSandbox> | undefined;
  const codecs = new CodecStore(sql, registry.products, () => {
    codecSandbox ??= CodecSandbox.create().catch((err: unknown) => {
      codecSandbox = undefined;
      throw err;
    });
    return codecSandbox;
  }, registry.events);
  await codecs.load();
  registry.reloadOn('codec.published', (e) => codecs.reload(e.productKey));
  registry.events.on('product.changed', ({ productKey, change }) => {
    if (change === 'deleted') {
      codecs.forget(productKey).catch((err: unknown) => logger.error({ err, productKey }, 'freeing the deleted product\'s codec failed'));
    }
  });

  const gate = new IngressGate();
  const telemetryLogger = logger.child({ subsystem: 'telemetry' });
  const opened: TelemetryBackend = config.telemetry === 'tdengine'
    ? await openTdengineTelemetry(config.tdengine!)
    : config.telemetry === 'postgres'
      ? await PostgresTelemetry.open(config.postgres!.url, telemetryLogger, { password: config.postgres!.password })
      : await SqliteTelemetryThread.open(path.join(config.dataDir, TELEMETRY_DB_FILE), telemetryLogger);
  const backend = options.telemetry?.wrapBackend?.(opened) ?? opened;
  const metrics = createMetrics();
  const telemetry = await TelemetryService.start({
    backend, writer: { observe: telemetryCommitObserver(metrics.registry), ...options.telemetry?.writer }, thingModels: registry.thingModels, events: registry.events, gate, logger: telemetryLogger,
    retention: () => registry.products.retentionPolicies(),
  });

  const hub = new DeviceHub(sql, registry.devices, registry.events, logger.child({ subsystem: 'device-hub' }), {
    // Every command (API, device out nodes) is checked against the product's published thing model before it is sent.
    checkCommand: thingModelCommandCheck(registry.thingModels),
    ...options.hub,
    pressure: (busy, reason) => {
      gate.setBusy('flows', busy, reason);
      logger[busy ? 'warn' : 'info']({ reason }, busy ? 'flows are behind: devices are slowed down' : 'flows caught up');
    },
  });
  await hub.recover();
  // Verdicts of stored messages were committed with their rows: a device resending one after a crash gets its answer.
  if (backend.recentReceipts) hub.loadReceipts(await backend.recentReceipts(Date.now() - RECEIPT_WINDOW_MS));
  const authenticator = new DeviceAuthenticator({
    credentialsFor: (productKey, deviceName) => registry.devices.credentialsFor(productKey, deviceName),
    productAuth: (productKey) => registry.products.auth(productKey),
  });
  // WebSocket paths other parts claim on the HTTP port (MQTT over WebSocket at `/mqtt`).
  type UpgradeHandler = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;
  const upgrades = new Map<string, UpgradeHandler>();
  // Two rules, built once: the lookup per uplink allocates nothing.
  const maxAheadMs = config.maxClockSkewSeconds * 1000;
  const clockRules = { refuse: { maxAheadMs, future: 'refuse' }, clamp: { maxAheadMs, future: 'clamp' } } as const;
  // Raw uplinks (alink up_raw) of products with a published codec are decoded by it before they reach flows.
  hub.decodeRawWith(rawUplinkDecoder({
    hub, codecs, logger: logger.child({ subsystem: 'codecs' }),
    clockRule: (productKey) => clockRules[registry.products.futureTimes(productKey)],
  }));
  const bans = new SignInBans({ maxFailures: config.signInMaxFailures, banMs: config.signInBanSeconds * 1000, logger: logger.child({ subsystem: 'device-auth' }) });
  const gateways = new GatewayService({
    hub, authenticator, topology: registry.topology, events: registry.events, logger: logger.child({ subsystem: 'gateways' }),
    nodeType: (productKey) => registry.products.nodeType(productKey),
    clockRule: (productKey) => clockRules[registry.products.futureTimes(productKey)],
  });
  const mqttListeners = new MqttListenerPool(
    {
      hub, authenticator, gate, bans, gateways, logger: logger.child({ subsystem: 'mqtt' }),
      ...(cluster ? { cluster: { nodeId: cluster.nodeId, redisUrl: cluster.redisUrl } } : {}),
      clockRule: (productKey) => clockRules[registry.products.futureTimes(productKey)],
      registerUpgrade: (path, handler) => {
        upgrades.set(path, handler);
        return () => {
          if (upgrades.get(path) === handler) upgrades.delete(path);
        };
      },
    },
    logger.child({ subsystem: 'mqtt' }),
  );
  // Devices that sign in for a token instead of holding a connection (HTTP, CoAP): the same checks as MQTT's.
  const tokenIngressDeps: TokenIngressDeps = {
    hub, authenticator, gate, bans,
    logger: logger.child({ subsystem: 'token-ingress' }),
    credentialsFor: (productKey, deviceName) => registry.devices.credentialsFor(productKey, deviceName),
    tokens: new DeviceTokens(secrets.derive('http-device-token')),
    clockRule: (productKey) => clockRules[registry.products.futureTimes(productKey)],
    nodeType: (productKey) => registry.products.nodeType(productKey),
    // A balancer may send each post of a device to another node: its limit is counted in Redis (the cluster node is
    // up before any listener starts).
    ...(cluster ? { sharedRate: (device: string, rate: number) => clusterNode!.rates.take(device, rate) } : {}),
  };
  const httpListeners = createHttpListenerPool(tokenIngressDeps, logger.child({ subsystem: 'http-ingress' }));
  const coapListeners = createCoapListenerPool(tokenIngressDeps, logger.child({ subsystem: 'coap-ingress' }));
  const udpListeners = createUdpListenerPool({ ...tokenIngressDeps, codecs }, logger.child({ subsystem: 'udp-ingress' }));
  // Devices that hold a TCP connection and send frames (JSON, or bytes a product codec reads).
  const tcpLogger = logger.child({ subsystem: 'tcp-ingress' });
  const tcpListeners = createTcpListenerPool({
    hub, authenticator, gate, bans, logger: tcpLogger,
    clockRule: (productKey) => clockRules[registry.products.futureTimes(productKey)],
    nodeType: (productKey) => registry.products.nodeType(productKey),
    codecFor: async (productKey) => {
      const published = await codecs.published(productKey);
      return published && { sandbox: published.sandbox, productKey };
    },
  }, tcpLogger);


  const alerts = new AlertEngine(new AlertStore(sql), {
    logger: logger.child({ subsystem: 'alerts' }),
    eventTypeOf: thingModelEventTypes(registry.thingModels),
  });
  const notify = new WebhookOutbox(sql, secrets, logger.child({ subsystem: 'notify' }), { ...options.notify, outbound: OutboundPolicy.fromConfig(config) });
  // Firmware URLs name the address devices reach us at; known once the server listens, unless configured.
  let publicUrl = config.publicUrl;
  // In a cluster an image is also kept in PostgreSQL, for the nodes that did not take its upload.
  const firmwareFiles = new FirmwareFiles(config.dataDir, config.firmwareMaxMb * 1024 * 1024, clusterSql);
  const ota = new OtaService({
    store: new OtaStore(sql), files: firmwareFiles, tokens: new DownloadTokens(secrets.derive('ota-download-token')),
    // In a cluster the campaign loop runs on the leader and pushes to devices wherever they are connected.
    hub: cluster ? { observe: (listener) => hub.observe(listener), ...hub.clusterWide() } : hub,
    registryEvents: registry.events, productExists: (pk) => registry.products.exists(pk), publicUrl: () => publicUrl ?? '',
    audit: (actor, action, target, details) => auth.audit(actor, action, target, details), logger: logger.child({ subsystem: 'ota' }),
    ...options.ota,
  });


  for (const pool of [mqttListeners, httpListeners, coapListeners, udpListeners, tcpListeners]) pool.portOffset = portOffset;
  const clusterNode = cluster && clusterSql ? await ClusterNode.start({
    nodeId: cluster.nodeId, redisUrl: cluster.redisUrl, postgresUrl: postgresUrlWith(config.postgres!.url, config.postgres!.password),
    registry,
    reload: async () => {
      await registry.load();
      await codecs.load();
    },
    held: () => hub.held(),
    commands: {
      sendHere: (command) => hub.sendCommandHere(command),
      defaultTimeoutMs: options.hub?.commandTimeoutMs ?? 10_000,
    },
    logger,
  }) : undefined;
  if (clusterNode) {
    hub.reportPresenceTo(clusterNode.presence);
    // A device's message answered on one node and sent again through another is answered as the repeat it is.
    hub.shareReceiptsThrough(clusterNode.receipts);
    hub.routeCommandsThrough(clusterNode.commands);
    // An alert raised or cleared on one node: the others' rules know it is open, and their live views show it.
    clusterNode.bus.share<AlertTransition>(ALERT_TRANSITION_EVENT, alerts.shared, (transition) => alerts.follow(transition));
    // A user's access changed on one node: the others check their live sockets again.
    clusterNode.bus.share<{ userId: number }>('access-changed', auth.events, (event) => void auth.events.emit('access-changed', event));
    // A notification queued on one node: the leader, which delivers, looks at once (it also polls every second).
    clusterNode.bus.share('queued', notify.events, () => notify.wake());
    // The leader's outcomes reach the notify node that sent the notification, on whichever node (its status counts).
    clusterNode.bus.share<NotificationOutcome>('notify.outcome', notify.events, (outcome) => notify.followOutcome(outcome));
  }
  // Work one node of a cluster runs at a time; a single node always runs it.
  const singletons = new SingletonWork(clusterNode?.leader ?? SOLE_NODE, [
    { name: 'telemetry retention', start: () => telemetry.retention.start(), stop: () => telemetry.retention.stop() },
    alerts.waitSweep(),
    { name: 'webhook delivery', start: () => notify.startDelivery(), stop: () => notify.stopDelivery() },
    { name: 'OTA dispatch', start: () => ota.startDispatch(), stop: () => ota.stopDispatch() },
    ...(clusterNode ? [sweepLostNodes({
      liveness: clusterNode.liveness,
      // A lost node's devices: their routes in Redis, and their status in the registry.
      devices: {
        heldBy: async () => new Map([...await clusterNode.presence.heldBy(), ...await registry.devices.heldBy()]),
        markOffline: async (node) => {
          await clusterNode.presence.forgetNode(node);
          return registry.devices.markOffline(node);
        },
      },
      logger: logger.child({ subsystem: 'cluster' }),
      lost: (node, devices) => hub.lostWithNode(node, devices),
    })] : []),
  ], logger.child({ subsystem: 'cluster' }));


  const modbusStore = new ModbusStore(sql, registry.products, registry.thingModels);
  // In a cluster every node runs the Modbus poller nodes of the flows, and only the leader polls: a device is read
  // once, and by another node when the leader dies.
  const pollGate = clusterNode ? { get open() { return gate.open && clusterNode.leader.leading; } } : gate;
  const modbus = new ModbusService({ store: modbusStore, hub, gate: pollGate, registryEvents: registry.events, logger: logger.child({ subsystem: 'modbus' }) });

  const services: ThingwireServices = {
    thingModels: registry.thingModels,
    deviceHub: hub,
    mqttListeners,
    httpListeners,
    coapListeners,
    udpListeners,
    tcpListeners,
    modbusPollers: modbus,
    alerts,
    notify,
    telemetry,
    ota,
  };

  /**
   * Who sent a request, from the credentials a way in accepts: the API and live sockets take the bearer header, the
   * session cookie and `access_token` (browsers cannot set headers on a WebSocket); flow endpoints not the query (it
   * would be logged); Node-RED's admin API only the bearer header.
   */
  const caller = (accepts: { cookie: boolean; query: boolean }) => async (req: http.IncomingMessage): Promise<Principal | undefined> => {
    const t = requestToken(req as Request) ?? (accepts.query ? queryToken(req) : undefined);
    return t && (accepts.cookie || t.via === 'header') ? auth.resolveToken(t.token) : undefined;
  };
  const authenticate = caller({ cookie: true, query: true });

  const api = express();
  // Idle keep-alive connections are closed by the client, not by us: a server that closes one (Node's default is
  // after 5 s) can do so just as the client reuses it, and that request fails with ECONNRESET. Clients and proxies
  // give up idle connections sooner (fetch after 4 s, load balancers after 60 s).
  const server = http.createServer({ keepAliveTimeout: 65_000 });
  const flowEvents = new EventEmitter();
  const flowRuntime = await startFlowRuntime({
    dataDir: config.dataDir, logger,
    thingwire: { services, registerNodes: (RED) => registerNodes(RED, implementations) },
    resolveToken: (token) => auth.resolveToken(token),
    hostNodes: config.hostNodes,
    flowEnv: config.flowEnv,
    ...(flowsInDatabase ? { storage: sqlFlowStorage(sql, { onFlowsSaved: () => flowEvents.emit(FLOWS_DEPLOYED, {}) }) } : {}),
  });
  const flowEndpoints = new FlowEndpoints({
    authenticate, authenticateRequest: caller({ cookie: true, query: false }), allowedOrigins: config.corsOrigins, nodeApp: flowRuntime.nodeApp, upgrades: flowRuntime.upgrades,
    sandbox: config.flowHttpPort === undefined,
  });
  const flows = new FlowService(flowRuntime.red, logger.child({ subsystem: 'flows' }), checkFlowNodeConfig, {
    codeTypes: new Set([...BUILT_IN_CODE_NODE_TYPES, ...config.codeNodeTypes]),
    upgradeNode: upgradeFlowNode,
    audit: (actor, action, target, details) => auth.audit(actor, action, target, details),
  });
  // Which flow endpoints are public follows what runs: set from the started flows before a deploy is answered.
  const onFlowsStarted = (event: { config?: { flows?: FlowNode[] } }) => {
    if (Array.isArray(event?.config?.flows)) flowEndpoints.update(event.config.flows);
  };
  flowRuntime.red.events.on('flows:started', onFlowsStarted);
  flowEndpoints.update((await flows.get()).flows);
  // A deploy on one node of a cluster is loaded by the others, from the database it was saved to.
  clusterNode?.bus.share(FLOWS_DEPLOYED, flowEvents, async () => void (await flows.reload()));
  if (installDefaults) {
    const defaults = JSON.parse(fs.readFileSync(new URL('../flows/device-pipeline.json', import.meta.url), 'utf8')) as { type: string; port?: number }[];
    for (const node of defaults) {
      if (node.type === 'thing-mqtt-listener') node.port = config.mqttPort;
      if (node.type === 'thing-coap-listener') node.port = config.coapPort;
    }
    await flows.deploy(defaults, undefined, { ...PLATFORM_ACTOR, username: 'thingwire (first start)' });
  } else {
    await flows.upgradeStored();
  }
  const live = new LiveSocket({
    events: flowRuntime.red.events, logger: logger.child({ subsystem: 'live' }), authenticate, allowedOrigins: config.corsOrigins,
    authEvents: auth.events, ...(cluster ? { nodeId: cluster.nodeId } : {}),
  });
  // The editor on any node shows every node's debug messages and statuses, each labelled with its node.
  clusterNode?.bus.share<LiveBatch>(LIVE_SHARED_EVENT, live.shared, (batch) => live.follow(batch));
  const deviceFeed = new DeviceFeed({
    hub, thingModels: registry.thingModels, logger: logger.child({ subsystem: 'device-feed' }), authenticate, allowedOrigins: config.corsOrigins,
    authEvents: auth.events,
  });

  const otaFeed = new OtaFeed({ ota, feed: deviceFeed });
  const alertFeed = new AlertFeed({ alerts, feed: deviceFeed });

  const table = new RouteTable();
  registerAuthRoutes(table, auth, config.sessionTtlHours);
  registry.registerRoutes(table, auth);
  registerCodecRoutes(table, codecs, auth);
  registerModbusRoutes(table, modbusStore, modbus, auth);
  registerDeviceHubRoutes(table, hub, registry.devices, auth);
  registerGatewayRoutes(table, { hub, devices: registry.devices, topology: registry.topology, auth });
  registerDeviceCredentialRoutes(table, {
    devices: registry.devices, products: registry.products, listeners: mqttListeners, auth,
    requestListeners: () => [
      ...httpListeners.listeners().flatMap((l) => {
        // A port of its own counts once it is listening.
        if (l.config.port !== 0 && !l.port) return [];
        return [{ transport: 'http' as const, port: l.config.port === 0 ? undefined : l.port, path: l.config.path }];
      }),
      ...coapListeners.listeners().flatMap((l) => (l.port ? [{ transport: 'coap' as const, port: l.port, path: '' }] : [])),
      ...tcpListeners.listeners().flatMap((l) => (l.port ? [{ transport: 'tcp' as const, port: l.port, path: '', framing: l.config.framing }] : [])),
      ...udpListeners.listeners().flatMap((l) => (l.port ? [{ transport: 'udp' as const, port: l.port, path: '' }] : [])),
    ],
  });
  registerTelemetryRoutes(table, backend, registry.devices, registry.thingModels, { products: registry.products });
  registerAlertRoutes(table, alerts, auth, async () => {
    const [{ flows: deployed }, openCountsByRule] = await Promise.all([flows.get(), alerts.openCountsByRule()]);
    return alertRuleSummaries(deployed, { runningRuleIds: alerts.runningRuleIds(), openCountsByRule });
  });
  registerOverviewRoutes(table, { devices: registry.devices, hub, alerts, rate: () => deviceFeed.rate() });
  registerNotifyRoutes(table, notify, auth);
  registerOtaRoutes(table, ota, registry.devices);
  registerFlowRoutes(table, flows);
  registerPaletteRoutes(table, nodeTypeCatalog, flows);
  registerDashboardRoutes(table, new DashboardStore(sql), auth);
  table.add({
    method: 'get', path: '/openapi.json', access: 'public', tag: 'meta', summary: 'This API, as OpenAPI 3.1',
    handler: () => openApiDocument(table, version),
  });

  registerDeviceHubMetrics(metrics.registry, hub);
  registerModbusMetrics(metrics.registry, modbus);
  registerIngressMetrics(metrics.registry, gate, telemetry.writer);
  registerSignInMetrics(metrics.registry, bans, () => mqttListeners.listeners());
  registerUdpMetrics(metrics.registry, () => udpListeners.listeners());
  registerCodecMetrics(metrics.registry, () => codecs.stats());
  registerTcpMetrics(metrics.registry, () => tcpListeners.listeners());
  api.disable('x-powered-by');
  // X-Forwarded-For is believed only from the proxies named: anyone else could pick their own address and escape
  // the per-address sign-in limit.
  api.set('trust proxy', config.trustProxy.length ? config.trustProxy : false);
  api.use(securityHeaders, cors(config.corsOrigins), metrics.middleware);
  api.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', version, uptimeSeconds: Math.round(process.uptime()) });
  });
  api.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  const v1 = express.Router();
  v1.use(express.json({ limit: '2mb' }), express.text({ type: ['text/csv', 'text/plain'], limit: '10mb' }));
  v1.use(csrfGuard(config.corsOrigins));
  table.mount(v1, authenticate);
  v1.use((req, _res, next) => next(new ApiError(404, 'not_found', `No API route ${req.method} ${req.baseUrl}${req.path}. See /api/v1/openapi.json.`)));
  // JSON answers (device lists, telemetry, flows) shrink five- to tenfold: brotli at its fast setting, gzip else.
  api.use('/api/v1', compression({ threshold: 1024 }), v1);
  // Devices, not users: no session, no CSRF guard, their own body limit (an HTTP listener node's, under its path).
  api.use((req, res, next) => httpListeners.route(req, res, next));
  api.get(FIRMWARE_DOWNLOAD_PATH, firmwareDownload(ota, firmwareFiles, logger.child({ subsystem: 'ota' })));
  api.use(uiRoutes());
  api.use(errorHandler(logger.child({ subsystem: 'http' })));

  // Node-RED keeps its own Express 4 app; it is reached by path prefix (docs/architecture.md "How Node-RED is embedded": its http-in node breaks under an
  // Express 5 host app).
  // Node-RED's admin API takes only a bearer token (its adminAuth), so the gate in front of it does too.
  const adminApi = adminApiGate(caller({ cookie: false, query: false }), flows, flowRuntime.adminApp, logger.child({ subsystem: 'http' }));
  // Flow endpoints share the UI's port (sandboxed) unless they have their own (`--flow-http-port`).
  const flowServer = config.flowHttpPort === undefined ? undefined : http.createServer();
  const isFlowPath = (url: string) => /^\/nodes(\/|\?|$)/i.test(url);
  server.on('request', (req, res) => {
    const url = req.url ?? '/';
    if (/^\/red(\/|\?|$)/i.test(url)) adminApi(req, res);
    else if (isFlowPath(url)) {
      if (flowServer) sendApiError(res, flowEndpointsElsewhere(flowServer));
      else flowEndpoints.handleRequest(req, res);
    } else api(req, res);
  });
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (path === LIVE_PATH) live.handleUpgrade(req, socket, head);
    else if (path === DEVICE_FEED_PATH) deviceFeed.handleUpgrade(req, socket, head);
    else if (upgrades.has(path)) upgrades.get(path)!(req, socket, head);
    else if (isFlowPath(path)) {
      if (flowServer) refuseUpgrade(socket, flowEndpointsElsewhere(flowServer));
      else flowEndpoints.handleUpgrade(req, socket, head);
    } else refuseUpgrade(socket, noWebSocketAt(path));
  });
  const listen = (s: http.Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, config.host, () => resolve((s.address() as AddressInfo).port));
    });
  // Once everything else runs, and before anyone can sign in: a start that failed before leaves no account behind whose
  // password scrolled away (the ports were checked first, so listening is what is left).
  const firstAdmin: Thingwire['firstAdmin'] = await auth.ensureFirstAdmin(config.adminPassword);
  if (firstAdmin?.generatedPassword) {
    firstAdmin.passwordFile = writeInitialPassword(config.dataDir, firstAdmin.username, firstAdmin.generatedPassword);
    initialPasswordOf = firstAdmin.username;
  }
  const port = await listen(server, config.port);
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${host}:${port}`;
  publicUrl ??= url;
  let flowEndpointsUrl = `${url}${FLOW_ENDPOINT_ROOT}`;
  if (flowServer) {
    flowServer.on('request', (req, res) => {
      if (isFlowPath(req.url ?? '/')) flowEndpoints.handleRequest(req, res);
      else sendApiError(res, flowEndpointsOnly());
    });
    flowServer.on('upgrade', (req, socket, head) => {
      if (isFlowPath(req.url ?? '/')) flowEndpoints.handleUpgrade(req, socket, head);
      else refuseUpgrade(socket, flowEndpointsOnly());
    });
    flowEndpointsUrl = `http://${host}:${await listen(flowServer, config.flowHttpPort!)}${FLOW_ENDPOINT_ROOT}`;
  }
  logger.info({ url, flowEndpoints: flowEndpointsUrl, dataDir: config.dataDir }, 'Thingwire started');

  let closing: Promise<void> | undefined;
  return {
    server, url, flowEndpointsUrl, sql, auth,
    get db(): Db {
      if (!db) throw new Error('a cluster node keeps its data in PostgreSQL: it has no thingwire.db (use sql)');
      return db;
    }, registry, hub, flows, mqttListeners, httpListeners, coapListeners, udpListeners, tcpListeners, alerts, notify, telemetry, ota, gate, red: flowRuntime.red, codecs, modbus, firstAdmin,
    close: () =>
      (closing ??= (async () => {
        // Take nothing new, let what devices already sent run through the flows to storage (and be answered), then
        // stop: a message a device was told was taken is in the database after a restart.
        gate.shut();
        // Polling stops with the other ways in: what it already read runs through the flows below.
        modbus.close();
        await drain(hub, telemetry, logger);
        live.close();
        otaFeed.close();
        alertFeed.close();
        deviceFeed.close();
        flowRuntime.red.events.off('flows:started', onFlowsStarted);
        await flowRuntime.red.stop();
        await singletons.close();
        await clusterNode?.close();
        await telemetry.close();
        await notify.close();
        await alerts.close();
        await ota.close();
        await mqttListeners.closeAll();
        await httpListeners.closeAll();
        await coapListeners.closeAll();
        await udpListeners.closeAll();
        await tcpListeners.closeAll();
        gateways.close();
        await hub.close();
        if (codecSandbox) await codecSandbox.then((sandbox) => sandbox.dispose(), () => undefined);
        for (const s of flowServer ? [server, flowServer] : [server]) {
          s.closeAllConnections();
          await new Promise<void>((resolve) => s.close(() => resolve()));
        }
        db?.close();
        await clusterSql?.close();
      })()),
  };
}

/**
 * Waits until no uplink waits for a flow's answer and the telemetry queue is empty, twice in a row 20 ms apart (a
 * message may be between nodes), for at most `limitMs`.
 */
async function drain(hub: DeviceHub, telemetry: TelemetryService, logger: Logger, limitMs = 10_000): Promise<void> {
  const started = Date.now();
  const until = started + limitMs;
  const atStart = { pendingReplies: hub.stats().pendingReplies, queuedRows: telemetry.queuedRows() };
  let quietChecks = 0;
  while (quietChecks < 2) {
    if (Date.now() > until) {
      logger.warn({ pendingReplies: hub.stats().pendingReplies, queuedRows: telemetry.queuedRows() }, 'shutdown: flows did not drain in time');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    quietChecks = hub.stats().pendingReplies === 0 && telemetry.writer.idle ? quietChecks + 1 : 0;
  }
  logger.info({ ...atStart, ms: Date.now() - started }, 'shutdown: messages in flight were stored and answered');
}

/** `/nodes` on the UI's port when flow endpoints have their own: say where they went. */
function flowEndpointsElsewhere(flowServer: http.Server): ApiError {
  const port = (flowServer.address() as AddressInfo | null)?.port;
  return new ApiError(404, 'not_found', `Flow endpoints are served on port ${port} (--flow-http-port), not on this one.`);
}

/** The answer of the flow port (`--flow-http-port`) off `/nodes`. */
const flowEndpointsOnly = () => new ApiError(404, 'not_found', `This port serves flow endpoints only, below ${FLOW_ENDPOINT_ROOT}/.`);

/** The answer to a WebSocket upgrade at a path nothing serves. */
const noWebSocketAt = (path: string) =>
  new ApiError(404, 'not_found', `No WebSocket endpoint at ${path}: the live feeds, MQTT over WebSocket listeners and flows' endpoints (below ${FLOW_ENDPOINT_ROOT}/) are.`);

/**
 * Keeps the data dir to the user running Thingwire: the database holds password hashes and sealed secrets, the keys
 * open them, flows.json holds what flows do. Files created from here on are 0600 (dirs 0700); what an older release
 * left readable is made private on start.
 */
function keepDataPrivate(dataDir: string): void {
  process.umask(0o077);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const walk = (dir: string) => {
    fs.chmodSync(dir, 0o700);
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      // Node-RED's own node_modules and lib folders are code, not data: only its files at the top are ours to close.
      if (entry.isDirectory() && ['node-red', 'keys'].includes(entry.name) && dir === dataDir) walk(full);
      else if (entry.isFile()) fs.chmodSync(full, 0o600);
    }
  };
  walk(dataDir);
}

function queryToken(req: http.IncomingMessage): { token: string; via: 'query' } | undefined {
  // Browsers cannot set headers on a WebSocket handshake; scripts may pass the token in the query instead.
  const token = new URL(req.url ?? '/', 'http://x').searchParams.get('access_token');
  return token ? { token, via: 'query' } : undefined;
}

function securityHeaders(_req: Request, res: Response, next: NextFunction) {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'same-origin');
  next();
}

/** Cross-origin access only for the configured origins; never a wildcard. */
function cors(origins: string[]) {
  const allowed = new Set(origins);
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (origin && allowed.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      if (req.method === 'OPTIONS') {
        res.setHeader('Access-Control-Allow-Methods', 'GET,POST,PUT,PATCH,DELETE');
        res.setHeader('Access-Control-Allow-Headers', 'Authorization,Content-Type');
        res.status(204).end();
        return;
      }
    }
    next();
  };
}

/**
 * The session cookie is SameSite=Strict; on top of that, a state-changing request authenticated by cookie must come
 * from our own origin (or a configured one). Bearer-token requests are not exposed to CSRF.
 */
function csrfGuard(origins: string[]) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(req.method) || req.headers.authorization) return next();
    const origin = req.headers.origin;
    if (!origin || !req.headers.cookie) return next();
    let sameHost = false;
    try {
      sameHost = new URL(origin).host === req.headers.host;
    } catch {
      // unparsable origin: treated as foreign
    }
    if (sameHost || origins.includes(origin)) return next();
    next(new ApiError(403, 'cross_origin_refused', `Requests from ${origin} are not allowed. Add it to THINGWIRE_CORS_ORIGINS if it is yours.`));
  };
}

function errorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    let known = clientError(err);
    if (!known) {
      logger.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
      known = internalError();
    }
    if (!res.headersSent) sendApiError(res, known);
  };
}

/** The shared event a deploy travels as to the other nodes of a cluster. */
const FLOWS_DEPLOYED = 'flows.deployed';

/** The cluster's PostgreSQL, migrated: every node applies what is missing, one at a time (migratePostgres locks). */
async function openClusterDatabase(config: ThingwireConfig, logger: Logger): Promise<PostgresSql> {
  const { url, password } = config.postgres!;
  const sql = PostgresSql.connect(url, { password, max: 20, applicationName: `thingwire ${config.cluster!.nodeId}` });
  try {
    await migratePostgres(sql, migrations, logger.child({ subsystem: 'db' }));
  } catch (err) {
    await sql.close();
    throw new StartupError(`the cluster's PostgreSQL at ${url} could not be reached or migrated: ${(err as Error).message}`);
  }
  return sql;
}

/**
 * The cluster's saved flows; undefined for the one node that starts the cluster first (it installs the default
 * flows). Nodes starting together race for that by a row, not by reading: exactly one inserts it.
 */
async function claimFirstStart(sql: PostgresSql): Promise<unknown> {
  const { changes } = await sql.run(
    "INSERT INTO flow_documents (name, body, updated_at) VALUES ('flows', '[]', ?) ON CONFLICT (name) DO NOTHING", [new Date().toISOString()],
  );
  return changes === 1 ? undefined : await savedDocument(sql, 'flows');
}

/** The flows saved in the database file, undefined when none were (or there is no database yet). */
async function flowsInDatabaseFile(file: string): Promise<unknown> {
  if (!fs.existsSync(file)) return undefined;
  // Read-only, before the database is opened (and migrated) for the start itself.
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return await savedDocument(new SqliteSql(db), 'flows');
  } catch {
    // A database from before flows could be stored in it.
    return undefined;
  } finally {
    db.close();
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
