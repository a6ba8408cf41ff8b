/**
 * The copy-paste command lines of the connection panel: a `mosquitto_pub` property post with signed credentials, and
 * the device simulator (`npm run device`). Framework-free, tested in node.
 */
import type { TslDocument } from '../../../domain/thing-model/tsl-types.ts';
import { sampleValue } from './command-fields.ts';
import type { MqttEndpoint } from '../../../domain/devices/device-credential-schemas.ts';

/** POSIX shell single quoting: safe for any text, including `|`, `&` and `'`. */
export const shellQuote = (s: string) => (/^[A-Za-z0-9_./:@=+-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);

/** The alink property post topic of a device. */
export const propertyPostTopic = (productKey: string, deviceName: string) => `/sys/${productKey}/${deviceName}/thing/event/property/post`;

/** An alink property post with a plausible value for every property of the thing model (or a temperature). */
export function samplePropertyPost(tsl: TslDocument | null | undefined): string {
  const properties = tsl?.properties ?? [];
  const params = properties.length > 0
    ? Object.fromEntries(properties.map((p) => [p.identifier, sampleValue(p.dataType)]))
    : { temperature: 23.6 };
  return JSON.stringify({ id: '1', version: '1.0', params, method: 'thing.event.property.post' });
}

/** The endpoint mosquitto's clients can use: plain TCP first, else TLS (they do not speak WebSocket). */
export const mosquittoEndpoint = (endpoints: readonly MqttEndpoint[]) =>
  endpoints.find((e) => e.transport === 'mqtt') ?? endpoints.find((e) => e.transport === 'mqtts');

/**
 * `mosquitto_pub` posting the sample properties as the device. Without a password (not signed yet, or the user may
 * not sign) a placeholder stands in its place.
 */
export function mosquittoPubCommand(options: {
  endpoint: MqttEndpoint;
  clientId: string;
  username: string;
  password?: string;
  topic: string;
  payload: string;
}): string {
  const { endpoint } = options;
  const tls = endpoint.transport === 'mqtts' ? ' --cafile <the listener\'s CA certificate>' : '';
  return [
    `mosquitto_pub -h ${shellQuote(endpoint.host)} -p ${endpoint.port}${tls}`,
    `  -i ${shellQuote(options.clientId)} -u ${shellQuote(options.username)}`,
    `  -P ${options.password ? shellQuote(options.password) : "'<password>'"}`,
    `  -t ${shellQuote(options.topic)}`,
    `  -m ${shellQuote(options.payload)}`,
  ].join(' \\\n');
}

/**
 * The simulator started against this server. It always reads the thing model with an API token; with `secret` it
 * signs in with it, without one the token must be an admin's so it can reveal the secret itself.
 */
export function simulatorCommand(options: { productKey: string; deviceName: string; mqttUrl?: string; apiUrl: string; secret?: string }): string {
  const token = options.secret ? '<your API token>' : '<admin API token>';
  const args = [
    `THINGWIRE_TOKEN='${token}' npm run device --`,
    `  --product ${shellQuote(options.productKey)} --device ${shellQuote(options.deviceName)}`,
    `  ${options.mqttUrl ? `--mqtt ${shellQuote(options.mqttUrl)} ` : ''}--api ${shellQuote(options.apiUrl)}`,
  ];
  if (options.secret) args.push(`  --secret ${shellQuote(options.secret)}`);
  return args.join(' \\\n');
}

/** What an HTTP or CoAP sign-in needs of signed alink credentials; absent parts become placeholders. */
export interface SignInFields {
  productKey: string;
  deviceName: string;
  /** The signed client id (`{id}|securemode=…,signmethod=…,timestamp=…|`) or its form. */
  clientId: string;
  signMethod: string;
  timestamp?: number;
  password?: string;
}

/** The JSON body of `POST /auth` (HTTP and CoAP) for these credentials: the MQTT client id's parts, as fields. */
export function signInBody(fields: SignInFields): string {
  return JSON.stringify({
    productKey: fields.productKey,
    deviceName: fields.deviceName,
    clientId: fields.clientId.split('|')[0],
    timestamp: fields.timestamp === undefined ? '<unix ms>' : String(fields.timestamp),
    signmethod: fields.signMethod,
    sign: fields.password ?? '<password>',
  });
}

/** The token out of an `/auth` answer, in the shell. */
const TOKEN_OF = `sed -E 's/.*"token":"([^"]+)".*/\\1/'`;

/** A topic as a URL path: each level percent-encoded. */
const topicPath = (topic: string) => topic.split('/').map(encodeURIComponent).join('/');

/** `curl` signing in at an HTTP listener (`baseUrl`: its `…/device`) and posting `payload` on `topic` with the token. */
export function curlCommands(options: { baseUrl: string; signIn: SignInFields; topic: string; payload: string }): string {
  return [
    `TOKEN=$(curl -sS -X POST ${shellQuote(`${options.baseUrl}/auth`)} -H 'Content-Type: application/json' \\`,
    `  -d ${shellQuote(signInBody(options.signIn))} | ${TOKEN_OF})`,
    `curl -sS -X POST ${shellQuote(`${options.baseUrl}/topic${topicPath(options.topic)}`)} \\`,
    `  -H "password: $TOKEN" -H 'Content-Type: application/json' \\`,
    `  -d ${shellQuote(options.payload)}`,
  ].join('\n');
}

/** libcoap's client by its own name (Debian's libcoap3-bin names it `coap-client-notls`). */
export const COAP_CLIENT = 'coap-client';

/** libcoap's `coap-client` signing in at a CoAP listener (`url`: `coap://host:port`) and posting with the token (option 2088). */
export function coapCommands(options: { url: string; signIn: SignInFields; topic: string; payload: string }): string {
  return [
    `TOKEN=$(${COAP_CLIENT} -m post -t json -e ${shellQuote(signInBody(options.signIn))} \\`,
    `  ${shellQuote(`${options.url}/auth`)} | ${TOKEN_OF})`,
    `${COAP_CLIENT} -m post -t json -O 2088,"$TOKEN" \\`,
    `  -e ${shellQuote(options.payload)} \\`,
    `  ${shellQuote(`${options.url}/topic${topicPath(options.topic)}`)}`,
  ].join('\n');
}
