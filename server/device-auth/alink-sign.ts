import { hmac, type SignMethod } from './hmac.ts';

/**
 * The parts of an alink MQTT client id `{id}|securemode=3,signmethod=hmacsha256,timestamp=…|` (docs/protocol.md
 * "CONNECT, alink signing"). Parameters other than these three (`_v=`, `lan=`, `gw=`, `ext=`, …) are accepted and
 * ignored: Link SDK versions add their own, and none of them is signed.
 */
export interface AlinkClientId {
  /** The device-chosen part before the first `|`; `''` when there is none, and then it is not signed. */
  id: string;
  securemode?: string;
  signmethod?: string;
  /** Unix ms as the device wrote it (digits); not signed when absent. */
  timestamp?: string;
}

/**
 * Splits an alink client id; undefined when it is not of the form `{id}` or `{id}|k=v,k=v|`. A missing closing `|` is
 * tolerated (hand-typed ids); text after it is not, nor is a parameter without `=`.
 */
export function parseAlinkClientId(clientId: string): AlinkClientId | undefined {
  const open = clientId.indexOf('|');
  if (open < 0) return { id: clientId };
  let close = clientId.indexOf('|', open + 1);
  if (close < 0) close = clientId.length;
  else if (close !== clientId.length - 1) return undefined;
  const parsed: AlinkClientId = { id: clientId.slice(0, open) };
  // indexOf walking rather than split(','): this runs for every CONNECT and most ids carry three parameters.
  for (let start = open + 1; start < close;) {
    let end = clientId.indexOf(',', start);
    if (end < 0 || end > close) end = close;
    if (end > start) {
      const eq = clientId.indexOf('=', start);
      if (eq < 0 || eq >= end) return undefined;
      const key = clientId.slice(start, eq);
      if (key === 'securemode') parsed.securemode = clientId.slice(eq + 1, end);
      else if (key === 'signmethod') parsed.signmethod = clientId.slice(eq + 1, end);
      else if (key === 'timestamp') parsed.timestamp = clientId.slice(eq + 1, end);
    }
    start = end + 1;
  }
  return parsed;
}

/** What an alink signature covers. */
export interface AlinkSignedFields {
  /** The `{id}` part of the client id; left out of the content when absent or empty. */
  clientId?: string;
  deviceName: string;
  productKey: string;
  /** Left out of the content when absent. */
  timestamp?: string;
}

/**
 * The signed content: `k+v` of the submitted fields sorted by name (`clientId`, `deviceName`, `productKey`,
 * `timestamp` is already that order). Shared by MQTT CONNECT and HTTP `/auth`, which sign the same fields.
 */
export function alinkSignContent(fields: AlinkSignedFields): string {
  let content = fields.clientId ? `clientId${fields.clientId}` : '';
  content += `deviceName${fields.deviceName}productKey${fields.productKey}`;
  if (fields.timestamp !== undefined) content += `timestamp${fields.timestamp}`;
  return content;
}

/** The alink signature of `fields` in lowercase hex (the platform compares either case). */
export const alinkSignature = (method: SignMethod, deviceSecret: string, fields: AlinkSignedFields): string =>
  hmac(method, deviceSecret, alinkSignContent(fields)).toString('hex');

/** What a device needs to sign in with alink signing. */
export interface AlinkSignInput {
  productKey: string;
  deviceName: string;
  deviceSecret: string;
  /** The `{id}` part; default `{pk}.{dn}` as the Link SDK does; `''` sends none. */
  clientId?: string;
  /** Unix ms; default now; `null` sends none (refused by products that require a timestamp). */
  timestamp?: number | string | null;
  /** Default `hmacsha256`. */
  signmethod?: SignMethod;
  /** `3` for TCP (the default), `2` for TLS: informational, the platform does not refuse on a mismatch. */
  securemode?: 2 | 3;
}

/** MQTT CONNECT credentials. */
export interface MqttCredentials {
  clientId: string;
  username: string;
  password: string;
}

/** Signs an alink CONNECT: for device simulators, tests and `npm run sign`. */
export function signAlink(input: AlinkSignInput): MqttCredentials {
  const id = input.clientId ?? `${input.productKey}.${input.deviceName}`;
  if (/[|,]/.test(id)) throw new Error(`client id "${id}" may not contain "|" or ","`);
  const timestamp = input.timestamp === null ? undefined : String(input.timestamp ?? Date.now());
  const signmethod = input.signmethod ?? 'hmacsha256';
  const params = [`securemode=${input.securemode ?? 3}`, `signmethod=${signmethod}`];
  if (timestamp !== undefined) params.push(`timestamp=${timestamp}`);
  return {
    clientId: `${id}|${params.join(',')}|`,
    username: `${input.deviceName}&${input.productKey}`,
    password: alinkSignature(signmethod, input.deviceSecret, {
      clientId: id, deviceName: input.deviceName, productKey: input.productKey, timestamp,
    }),
  };
}
