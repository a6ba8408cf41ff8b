import { randomBytes } from 'node:crypto';
import type { Dialect } from '../../domain/devices/thing-message.ts';
import type { DeviceCredentials } from '../devices/device-store.ts';
import { DEVICE_NAME_PATTERN, PRODUCT_KEY_PATTERN } from '../../domain/products/identity.ts';
import type { ProductAuth } from '../../domain/products/product-schemas.ts';
import { DEFAULT_PRODUCT_AUTH } from '../products/product-store.ts';
import { alinkSignContent, parseAlinkClientId } from './alink-sign.ts';
import { hexMatches, hmac, isSignMethod, type SignMethod } from './hmac.ts';
import { NonceCache, parseThingsPassword, thingsSignature } from './things-sign.ts';

/** A product's sign-in settings as the authenticator reads them; an absent field takes its product default. */
export type ProductSignIn = Partial<Pick<ProductAuth, 'signMethods' | 'timestampWindowSeconds' | 'requireTimestamp'>>;

/** Where the authenticator reads devices and products: the registry's stores, or a stub in tests. */
export interface DeviceAuthLookup {
  /** The device's plain secret and enabled flag; undefined for an unknown device. A database read in a cluster. */
  credentialsFor(productKey: string, deviceName: string): DeviceCredentials | undefined | Promise<DeviceCredentials | undefined>;
  /** The product's sign-in settings; undefined for an unknown product. */
  productAuth(productKey: string): ProductSignIn | undefined;
}

/** Options of a {@link DeviceAuthenticator}. */
export interface DeviceAuthenticatorOptions {
  /** Server time in ms; default `Date.now`. */
  now?: () => number;
  /** Most things nonces remembered for replay detection; default 100,000 (a few MB). */
  maxNonces?: number;
}

/** What a CONNECT presents. */
export interface DeviceConnectRequest {
  clientId: string;
  username?: string;
  password?: Buffer | string;
  /** Whether the connection is TLS (MQTTS, WSS). */
  secure: boolean;
}

/**
 * Why a sign-in was refused. For logs and the connection history only: the device is always answered CONNACK
 * "not authorized" (return code 5) whatever the reason, so it cannot learn whether a device exists (docs/protocol.md "Refused sign-ins").
 */
export type DeviceAuthRefusal =
  | 'unknown-device'
  | 'bad-signature'
  | 'stale-timestamp'
  | 'missing-timestamp'
  | 'replayed-nonce'
  | 'disabled'
  | 'signmethod-not-allowed'
  | 'malformed';

/**
 * The outcome of a sign-in. `clientId` is the device's own id: alink's `{id}` part, things' device name. A refusal
 * carries the dialect the attempt's shape used (for the connection history) once the credentials named a device.
 */
export type DeviceAuthResult =
  | { ok: true; productKey: string; deviceName: string; dialect: Dialect; clientId: string }
  | { ok: false; reason: DeviceAuthRefusal; productKey?: string; deviceName?: string; dialect?: Dialect };

const PRODUCT_KEY = new RegExp(PRODUCT_KEY_PATTERN);
const DEVICE_NAME = new RegExp(DEVICE_NAME_PATTERN);
const UNIX_MS = /^\d{1,16}$/;

/**
 * Signs in for devices nobody knows: the HMAC is computed all the same, so the time a refusal takes does not tell an
 * unknown device from a known one with a wrong signature. Random per process, so no password can ever match it.
 */
const DUMMY_SECRET = randomBytes(32).toString('hex');

/**
 * Checks the signature of a device CONNECT in either dialect (docs/protocol.md "Alink sign-in" and "Things
 * sign-in"). Synchronous and allocation-light: it runs for every CONNECT, reconnect storms included.
 *
 * The dialect follows from the shape: a username `{dn}&{pk}` is alink; otherwise username = pk, clientId = dn and a
 * password with two dots is things.
 */
export class DeviceAuthenticator {
  readonly #lookup: DeviceAuthLookup;
  readonly #now: () => number;
  readonly #nonces: NonceCache;

  constructor(lookup: DeviceAuthLookup, options: DeviceAuthenticatorOptions = {}) {
    this.#lookup = lookup;
    this.#now = options.now ?? Date.now;
    this.#nonces = new NonceCache(options.maxNonces);
  }

  /** Verifies a CONNECT; refusals carry the identity when the request named one. */
  async authenticate(request: DeviceConnectRequest): Promise<DeviceAuthResult> {
    const { username, clientId } = request;
    const password = typeof request.password === 'string' ? request.password : request.password?.toString('utf8');
    if (username === undefined || password === undefined || typeof clientId !== 'string') return refuse('malformed');
    // securemode=2 is what alink devices send on TLS and 3 on TCP; it only describes the transport the device
    // believes it uses, and refusing on a mismatch would only break devices behind TLS-terminating proxies, so
    // `request.secure` is deliberately not compared with it.
    const amp = username.indexOf('&');
    return amp >= 0
      ? this.#alink(clientId, username.slice(amp + 1), username.slice(0, amp), password)
      : this.#things(clientId, username, password);
  }

  async #alink(clientIdText: string, productKey: string, deviceName: string, password: string): Promise<DeviceAuthResult> {
    if (!PRODUCT_KEY.test(productKey) || !DEVICE_NAME.test(deviceName)) return refuse('malformed');
    const clientId = parseAlinkClientId(clientIdText);
    const timestamp = clientId?.timestamp;
    if (!clientId?.signmethod || (timestamp !== undefined && !UNIX_MS.test(timestamp))) {
      return refuse('malformed', productKey, deviceName, 'alink');
    }
    const method = clientId.signmethod;
    if (!isSignMethod(method)) return refuse('signmethod-not-allowed', productKey, deviceName, 'alink');

    const product = this.#lookup.productAuth(productKey);
    const device = product && await this.#lookup.credentialsFor(productKey, deviceName);
    const expected = hmac(method, device?.secret ?? DUMMY_SECRET, alinkSignContent({
      clientId: clientId.id, deviceName, productKey, timestamp,
    }));
    const signatureMatches = hexMatches(expected, password);

    const refusal = this.#check(product, device, method, signatureMatches, timestamp === undefined ? undefined : Number(timestamp));
    if (refusal) return refuse(refusal, productKey, deviceName, 'alink');
    return { ok: true, productKey, deviceName, dialect: 'alink', clientId: clientId.id };
  }

  async #things(deviceName: string, productKey: string, passwordText: string): Promise<DeviceAuthResult> {
    if (!PRODUCT_KEY.test(productKey) || !DEVICE_NAME.test(deviceName)) return refuse('malformed');
    const password = parseThingsPassword(passwordText);
    if (!password) return refuse('malformed', productKey, deviceName, 'things');

    const product = this.#lookup.productAuth(productKey);
    const device = product && await this.#lookup.credentialsFor(productKey, deviceName);
    const expected = thingsSignature(deviceName, password.nonce, password.timestamp, device?.secret ?? DUMMY_SECRET);
    const signatureMatches = hexMatches(expected, password.signature);

    const timestampMs = Number(password.timestamp) * 1000;
    const refusal = this.#check(product, device, 'hmacsha1', signatureMatches, timestampMs);
    if (refusal) return refuse(refusal, productKey, deviceName, 'things');
    // Only a verified sign-in reaches the cache, so nobody can fill it with a device's nonces without its secret.
    // The key cannot collide across devices: neither pk nor dn may contain "/".
    const windowMs = (product!.timestampWindowSeconds ?? DEFAULT_PRODUCT_AUTH.timestampWindowSeconds) * 1000;
    if (!this.#nonces.claim(`${productKey}/${deviceName}/${password.nonce}`, timestampMs + windowMs, this.#now())) {
      return refuse('replayed-nonce', productKey, deviceName, 'things');
    }
    return { ok: true, productKey, deviceName, dialect: 'things', clientId: deviceName };
  }

  /**
   * The checks both dialects share, in the order that makes the logged reason most useful: the signature before the
   * timestamp (a stale timestamp is only worth reporting for a device that proved its identity), and `disabled` last,
   * so it is only logged for a sign-in that would otherwise have succeeded.
   */
  #check(
    product: ProductSignIn | undefined,
    device: DeviceCredentials | undefined,
    method: SignMethod,
    signatureMatches: boolean,
    timestampMs: number | undefined,
  ): DeviceAuthRefusal | undefined {
    if (!product || !device) return 'unknown-device';
    if (!(product.signMethods ?? DEFAULT_PRODUCT_AUTH.signMethods).includes(method)) return 'signmethod-not-allowed';
    if (!signatureMatches) return 'bad-signature';
    if (timestampMs === undefined) {
      if (product.requireTimestamp ?? DEFAULT_PRODUCT_AUTH.requireTimestamp) return 'missing-timestamp';
    } else {
      const windowMs = (product.timestampWindowSeconds ?? DEFAULT_PRODUCT_AUTH.timestampWindowSeconds) * 1000;
      if (Math.abs(this.#now() - timestampMs) > windowMs) return 'stale-timestamp';
    }
    if (!device.enabled) return 'disabled';
    return undefined;
  }
}

const refuse = (reason: DeviceAuthRefusal, productKey?: string, deviceName?: string, dialect?: Dialect): DeviceAuthResult =>
  productKey === undefined ? { ok: false, reason } : { ok: false, reason, productKey, deviceName, dialect };
