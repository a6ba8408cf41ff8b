import type { Request } from 'express';
import type { AuthService } from '../auth/auth-service.ts';
import { signAlink } from './alink-sign.ts';
import type { SignMethod } from './hmac.ts';
import { ConnectionInfo, SignedCredentials, type MqttEndpoint } from '../../domain/devices/device-credential-schemas.ts';
import { DeviceParams } from '../../domain/devices/device-hub-schemas.ts';
import { notFound } from '../errors.ts';
import type { RouteTable } from '../http/route-table.ts';
import type { MqttListenerConfig } from '../../domain/devices/mqtt-listener-config.ts';
import type { ProductStore } from '../products/product-store.ts';
import type { DeviceStore } from '../devices/device-store.ts';

/** The order in which a sign method is chosen from those the product accepts: the strongest first. */
const SIGN_METHOD_PREFERENCE: readonly SignMethod[] = ['hmacsha256', 'hmacsha1', 'hmacmd5'];

/** What a running MQTT listener tells about where devices connect (server/mqtt/mqtt-listener.ts has it). */
export interface RunningListener {
  readonly ports: { tcp?: number; tls?: number };
  readonly config: MqttListenerConfig;
}

/**
 * A running listener of another transport: its own port (HTTP: undefined for the platform's HTTP port), for HTTP its
 * path, for TCP its framing.
 */
export interface RunningRequestListener {
  readonly transport: 'http' | 'coap' | 'tcp' | 'udp';
  readonly port: number | undefined;
  readonly path: string;
  readonly framing?: string;
}

/** What the credential routes read: devices and products, the running listeners, and the audit log. */
export interface DeviceCredentialDeps {
  devices: Pick<DeviceStore, 'credentialsFor'>;
  products: Pick<ProductStore, 'auth'>;
  listeners: { listeners(): RunningListener[] };
  /** The HTTP, CoAP, TCP and UDP listeners running now. */
  requestListeners?(): RunningRequestListener[];
  auth: Pick<AuthService, 'audit'>;
  /** Server time in ms; default Date.now. */
  now?: () => number;
}

/**
 * `/api/v1/devices/:productKey/:deviceName/{connection-info,credentials}`: where and as whom a device connects over
 * MQTT, and (engineers) freshly signed alink credentials. The secret never leaves the server: the password is signed
 * here, for the management screens' "connect a device by hand" panel.
 */
export function registerDeviceCredentialRoutes(table: RouteTable, deps: DeviceCredentialDeps): void {
  const now = deps.now ?? Date.now;
  const signIn = async (p: { productKey: string; deviceName: string }) => {
    const product = deps.products.auth(p.productKey);
    const device = product && (await deps.devices.credentialsFor(p.productKey, p.deviceName));
    if (!product || !device) throw notFound('Device', `${p.productKey}/${p.deviceName}`);
    const signMethod = SIGN_METHOD_PREFERENCE.find((m) => product.signMethods.includes(m)) ?? 'hmacsha256';
    return { secret: device.secret, signMethod, windowSeconds: product.timestampWindowSeconds };
  };

  table.add({
    method: 'get', path: '/devices/:productKey/:deviceName/connection-info', access: 'devices:read', tag: 'devices',
    summary: 'Where and as whom the device connects over MQTT: the running listeners as the caller reaches them, username, client id form (no password)',
    params: DeviceParams, response: ConnectionInfo,
    async handler({ params, req }) {
      const { signMethod, windowSeconds } = await signIn(params);
      return {
        username: `${params.deviceName}&${params.productKey}`,
        clientId: `${params.productKey}.${params.deviceName}|securemode=3,signmethod=${signMethod},timestamp={unix ms}|`,
        signMethod,
        timestampWindowSeconds: windowSeconds,
        endpoints: deviceEndpoints(req, deps.listeners.listeners(), deps.requestListeners?.() ?? []),
      };
    },
  });

  table.add({
    method: 'post', path: '/devices/:productKey/:deviceName/credentials', access: 'devices:write', tag: 'devices',
    summary:
      'Sign fresh alink MQTT credentials for the device on the server (the secret stays there), valid for the product\'s ' +
      'timestamp window; with the running listeners as the caller reaches them. Audited',
    params: DeviceParams, response: SignedCredentials,
    async handler({ params, req, principal }) {
      const { secret, signMethod, windowSeconds } = await signIn(params);
      const timestamp = now();
      const signed = signAlink({ ...params, deviceSecret: secret, timestamp, signmethod: signMethod });
      await deps.auth.audit(principal.username, 'device.credentials.sign', `${params.productKey}/${params.deviceName}`, { signMethod });
      return {
        ...signed,
        signMethod,
        timestamp,
        validUntil: new Date(timestamp + windowSeconds * 1000).toISOString(),
        endpoints: deviceEndpoints(req, deps.listeners.listeners(), deps.requestListeners?.() ?? []),
      };
    },
  });
}


/**
 * The listeners as the caller can reach them: the host name it used for this request (behind a proxy on loopback,
 * the forwarded one), the listeners' bound TCP and TLS ports, and WebSocket paths and HTTP device paths on the port
 * the request came in on.
 */
export function deviceEndpoints(req: Request, listeners: readonly RunningListener[], requestListeners: readonly RunningRequestListener[] = []): MqttEndpoint[] {
  // Express 5's req.host is the Host (or trusted X-Forwarded-Host) header with its port; hostname drops the port.
  const hostHeader = req.host ?? '';
  const host = (req.hostname || 'localhost').replace(/^\[(.*)\]$/, '$1');
  const inUrl = host.includes(':') ? `[${host}]` : host;
  const httpPort = Number(/:(\d+)$/.exec(hostHeader)?.[1] ?? (req.secure ? 443 : 80));
  const ws: 'ws' | 'wss' = req.secure ? 'wss' : 'ws';
  const endpoints: MqttEndpoint[] = [];
  for (const listener of listeners) {
    const { tcp, tls } = listener.ports;
    if (tcp) endpoints.push({ transport: 'mqtt', host, port: tcp, url: `mqtt://${inUrl}:${tcp}` });
    if (tls) endpoints.push({ transport: 'mqtts', host, port: tls, url: `mqtts://${inUrl}:${tls}` });
    // Only a listening TCP port says the listener started; its WebSocket path is registered in the same start.
    if (tcp && listener.config.wsPath) {
      endpoints.push({ transport: ws, host, port: httpPort, url: `${ws}://${inUrl}:${httpPort}${listener.config.wsPath}` });
    }
  }
  for (const listener of requestListeners) {
    if (listener.transport !== 'http') {
      const { transport, port, framing } = listener;
      if (port) endpoints.push({ transport, host, port, url: `${transport}://${inUrl}:${port}`, ...(framing ? { framing } : {}) });
      continue;
    }
    // On the platform's port it is reached as this request was (http or https); a port of its own is plain HTTP.
    const scheme = listener.port === undefined && req.secure ? 'https' : 'http';
    const port = listener.port ?? httpPort;
    endpoints.push({ transport: scheme, host, port, url: `${scheme}://${inUrl}:${port}${listener.path}` });
  }
  const rank = { mqtt: 0, mqtts: 1, ws: 2, wss: 3, http: 4, https: 5, coap: 6, tcp: 7, udp: 8 };
  return endpoints.sort((a, b) => rank[a.transport] - rank[b.transport] || a.port - b.port);
}
