/**
 * `npm run sign -- --product pk --device dn --secret S [--dialect alink|things] [--signmethod hmacsha256]
 * [--host localhost] [--port 1883] [--client-id id]`: prints a device's MQTT credentials and copy-paste mosquitto
 * command lines, to try a device by hand without writing firmware.
 */
import { parseArgs } from 'node:util';
import { signAlink, type MqttCredentials } from '../server/device-auth/alink-sign.ts';
import { isSignMethod } from '../server/device-auth/hmac.ts';
import { signThings } from '../server/device-auth/things-sign.ts';
import { DEVICE_NAME_PATTERN, PRODUCT_KEY_PATTERN } from '../domain/products/identity.ts';

const USAGE = `Usage: npm run sign -- --product <productKey> --device <deviceName> --secret <deviceSecret>
         [--dialect alink|things] [--signmethod hmacsha256|hmacsha1|hmacmd5] [--host localhost] [--port 1883]
         [--client-id <id>]   (alink only; default {productKey}.{deviceName})
         [--format commands|env]
  commands (default): the credentials, and mosquitto_rr / mosquitto_pub / mosquitto_sub lines to paste
  env: MQTT_HOST, MQTT_PORT, MQTT_CLIENT_ID, MQTT_USERNAME, MQTT_PASSWORD and MQTT_TOPIC as shell assignments,
       for scripts: eval "$(npm run -s sign -- … --format env)"`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      product: { type: 'string' },
      device: { type: 'string' },
      secret: { type: 'string' },
      dialect: { type: 'string', default: 'alink' },
      signmethod: { type: 'string' },
      host: { type: 'string', default: 'localhost' },
      port: { type: 'string', default: '1883' },
      'client-id': { type: 'string' },
      format: { type: 'string', default: 'commands' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }));
} catch (err) {
  fail((err as Error).message);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const { product: productKey, device: deviceName, secret: deviceSecret, dialect, host } = values;
const missing = (['product', 'device', 'secret'] as const).filter((name) => !values[name]).map((name) => `--${name}`);
if (missing.length > 0) fail(`Missing ${missing.join(', ')}.`);
if (!new RegExp(PRODUCT_KEY_PATTERN).test(productKey!)) fail(`--product "${productKey}" is not a product key (${PRODUCT_KEY_PATTERN}).`);
if (!new RegExp(DEVICE_NAME_PATTERN).test(deviceName!)) fail(`--device "${deviceName}" is not a device name (${DEVICE_NAME_PATTERN}).`);
if (dialect !== 'alink' && dialect !== 'things') fail(`--dialect must be alink or things, not "${dialect}".`);
const signmethod = values.signmethod ?? (dialect === 'alink' ? 'hmacsha256' : 'hmacsha1');
if (!isSignMethod(signmethod)) fail(`--signmethod must be hmacsha256, hmacsha1 or hmacmd5, not "${signmethod}".`);
if (dialect === 'things' && signmethod !== 'hmacsha1') fail('things signing is always HMAC-SHA1: leave out --signmethod.');
if (dialect === 'things' && values['client-id'] !== undefined) fail('things devices sign in with their device name as client id: leave out --client-id.');
if (values.format !== 'commands' && values.format !== 'env') fail(`--format must be commands or env, not "${values.format}".`);
if (!/^\d{1,5}$/.test(values.port) || Number(values.port) < 1 || Number(values.port) > 65535) fail(`--port must be 1..65535, not "${values.port}".`);

const device = { productKey: productKey!, deviceName: deviceName!, deviceSecret: deviceSecret! };
const timestamp = Date.now();
// Every call signs anew: a things password carries a nonce that is accepted once, so each command line gets its own.
// alink signatures are deterministic for one timestamp, so its command lines share the printed credentials.
let credentials: () => MqttCredentials;
try {
  const clientId = values['client-id'];
  credentials = dialect === 'alink'
    ? () => signAlink({ ...device, clientId, timestamp, signmethod, securemode: values.port === '8883' ? 2 : 3 })
    : () => signThings(device);
  credentials();
} catch (err) {
  fail((err as Error).message);
}

const base = dialect === 'alink' ? `/sys/${productKey}/${deviceName}` : `${productKey}/${deviceName}`;
const postTopic = `${base}/thing/event/property/post`;
const request = dialect === 'alink'
  ? { id: '1', version: '1.0', params: { temperature: 23.6 }, method: 'thing.event.property.post' }
  : { id: '1', ack: 1, params: { temperature: 23.6 } };

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
const connect = () => {
  const { clientId, username, password } = credentials();
  return `-h ${quote(host)} -p ${values.port} -i ${quote(clientId)} -u ${quote(username)} -P ${quote(password)}`;
};

const shown = credentials();
if (values.format === 'env') {
  const vars = { MQTT_HOST: host, MQTT_PORT: values.port, MQTT_CLIENT_ID: shown.clientId, MQTT_USERNAME: shown.username, MQTT_PASSWORD: shown.password, MQTT_TOPIC: base };
  process.stdout.write(Object.entries(vars).map(([k, v]) => `${k}=${quote(v!)}\n`).join(''));
  process.exit(0);
}
const validity = dialect === 'alink'
  ? `valid while ${timestamp} (unix ms) is within the product's timestamp window of server time (default ±300 s)`
  : "each password is accepted once (its nonce) and while its timestamp is within the product's window (default ±300 s)";
process.stdout.write(`Device ${productKey}/${deviceName}, ${dialect} signing (${signmethod}); ${validity}.
  clientId  ${shown.clientId}
  username  ${shown.username}
  password  ${shown.password}

# Report a property and print the platform's reply, in one connection:
mosquitto_rr -V mqttv311 ${connect()} -t ${quote(postTopic)} -e ${quote(`${postTopic}_reply`)} -m ${quote(JSON.stringify(request))}

# Or report it with mosquitto_pub …
mosquitto_pub ${connect()} -t ${quote(postTopic)} -m ${quote(JSON.stringify(request))}

# … and watch replies and commands as the device would. A device has one connection: starting mosquitto_pub
# takes over from this one, which is why mosquitto_rr above is the way to see a reply.
mosquitto_sub ${connect()} -t ${quote(`${postTopic}_reply`)} -t ${quote(`${base}/thing/service/#`)} -v
`);
