import type { Logger } from 'pino';
import type { DeviceAuthenticator, DeviceConnectRequest } from '../device-auth/device-authenticator.ts';
import type { SignInBans } from '../device-auth/sign-in-bans.ts';
import type { DeviceHub } from '../device-hub/device-hub.ts';
import type { Dialect, IngressProtocol } from '../../domain/devices/thing-message.ts';

/** What a sign-in needs from the platform, whichever listener it comes through. */
export interface SignInDeps {
  hub: DeviceHub;
  authenticator: DeviceAuthenticator;
  logger: Logger;
  bans?: SignInBans;
  /** The product's node type: a sub-device's sign-in is refused (it is reached through its gateway). */
  nodeType?(productKey: string): 'direct' | 'gateway' | 'sub-device' | undefined;
}

/** Who is asking: the address bans are counted against, and whether it came over TLS/DTLS. */
export interface SignInPeer {
  address: string;
  secure: boolean;
}

export type SignInResult =
  | { ok: true; productKey: string; deviceName: string; dialect: Dialect; clientId: string }
  /**
   * 400: the fields have no shape; 401: not authorized (one answer whatever the reason, as CONNACK 5 on MQTT, so
   * nobody learns whether a device exists; the real reason is in the device's connection history); 429: the address
   * is banned for failed sign-ins.
   */
  | { ok: false; code: 400 | 401 | 429; message: string; retryAfter?: number };

/** Sign-in refusals that count towards an address's ban, as on MQTT. */
const GUESSING: ReadonlySet<string> = new Set(['bad-signature', 'unknown-device', 'malformed']);
/** What may go into an alink client id parameter without changing how the rest parses. */
const PARAM = /^[A-Za-z0-9]{1,32}$/;
const DIGITS = /^\d{1,16}$/;

export const SIGN_IN_FIELDS = '{productKey, deviceName, clientId, timestamp, signmethod, sign} or {productKey, deviceName, password}';

/**
 * Signs a device in from the fields of an HTTP/CoAP `/auth` body, a TCP login frame or a UDP auth datagram (docs/
 * protocol.md "HTTP devices"): the same signature as an MQTT CONNECT, in either dialect. A refusal is recorded in the
 * device's connection history with its real reason, and guessing (bad signatures, unknown devices) counts towards
 * the address's ban.
 */
export async function signInDevice(deps: SignInDeps, body: unknown, peer: SignInPeer, protocol: IngressProtocol): Promise<SignInResult> {
  if (deps.bans?.banned(peer.address)) return { ok: false, code: 429, message: 'too many failed sign-ins from this address', retryAfter: 60 };
  const connect = connectRequest(body, peer.secure);
  if (!connect) return { ok: false, code: 400, message: `expected ${SIGN_IN_FIELDS}` };
  let result;
  try {
    result = await deps.authenticator.authenticate(connect);
  } catch (err) {
    deps.logger.error({ err }, 'device authentication failed');
    result = { ok: false as const, reason: 'malformed' as const };
  }
  // As on MQTT: a sub-device's topics are its gateway's to publish on, so it gets no session of its own.
  if (result.ok && deps.nodeType?.(result.productKey) === 'sub-device') {
    void deps.hub.recordRefused({
      productKey: result.productKey, deviceName: result.deviceName, remoteAddress: peer.address, protocol,
      dialect: result.dialect, clientId: connect.clientId, reason: 'sub-device: it connects through its gateway (combine/login)',
    });
    return { ok: false, code: 401, message: 'not authorized' };
  }
  if (!result.ok) {
    const b = body as { productKey?: unknown; deviceName?: unknown };
    void deps.hub.recordRefused({
      productKey: result.productKey ?? (typeof b.productKey === 'string' ? b.productKey : undefined),
      deviceName: result.deviceName ?? (typeof b.deviceName === 'string' ? b.deviceName : undefined),
      remoteAddress: peer.address, protocol, dialect: result.dialect, clientId: connect.clientId, reason: result.reason,
    });
    if (GUESSING.has(result.reason)) deps.bans?.failed(peer.address);
    return { ok: false, code: 401, message: 'not authorized' };
  }
  return { ok: true, productKey: result.productKey, deviceName: result.deviceName, dialect: result.dialect, clientId: result.clientId };
}

/** What sign-in fields ask, in the shape the authenticator reads from a CONNECT; undefined when they have no shape. */
function connectRequest(body: unknown, secure: boolean): DeviceConnectRequest | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.productKey !== 'string' || typeof b.deviceName !== 'string') return undefined;
  if (typeof b.sign === 'string') {
    // Alink: the same fields and content as the MQTT client id `{id}|signmethod=…,timestamp=…|`.
    const clientId = b.clientId ?? '';
    const timestamp = typeof b.timestamp === 'number' ? String(b.timestamp) : b.timestamp;
    if (typeof clientId !== 'string' || /[|,]/.test(clientId)) return undefined;
    if (typeof b.signmethod !== 'string' || !PARAM.test(b.signmethod)) return undefined;
    if (timestamp !== undefined && (typeof timestamp !== 'string' || !DIGITS.test(timestamp))) return undefined;
    const params = [`signmethod=${b.signmethod}`];
    if (timestamp !== undefined) params.push(`timestamp=${timestamp}`);
    return { clientId: `${clientId}|${params.join(',')}|`, username: `${b.deviceName}&${b.productKey}`, password: b.sign, secure };
  }
  if (typeof b.password === 'string') {
    // Things: `{nonce}.{unix s}.{signature}`, client id = dn, username = pk.
    if (b.productKey.includes('&')) return undefined;
    return { clientId: b.deviceName, username: b.productKey, password: b.password, secure };
  }
  return undefined;
}
