import os from 'node:os';
import path from 'node:path';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { parseCidr } from './outbound/outbound-policy.ts';

/** Everything the process can be told at start. Flags win over environment variables, which win over defaults. */
export interface ThingwireConfig {
  /** HTTP port for the API, management UI, Node-RED admin API (`/red`) and flow HTTP endpoints (`/nodes`). */
  port: number;
  host: string;
  /** Holds the SQLite file, the Node-RED user dir and generated keys. */
  dataDir: string;
  /** Initial admin password for the first start; when absent a random one is generated and printed once. */
  adminPassword?: string;
  logLevel: string;
  /** Browser origins allowed to call the API cross-origin. Empty: same-origin only (never a wildcard). */
  corsOrigins: string[];
  sessionTtlHours: number;
  /** MQTT port of the listener installed with the default flows on first start (0: any free port). */
  mqttPort: number;
  /** Whether --mqtt-port / THINGWIRE_MQTT_PORT was given (it applies to the first start only: said when it no longer does). */
  mqttPortGiven: boolean;
  /** UDP port of the CoAP listener installed with the default flows on first start (0: any free port). */
  coapPort: number;
  /** Log lines as JSON or for a person; undefined: pretty when stdout is a terminal. */
  logFormat: 'json' | 'pretty' | undefined;
  /** Telemetry in TDengine (taosAdapter's REST URL) instead of the embedded SQLite file. */
  tdengine?: { url: string; user?: string; password?: string; database?: string };
  /** Where telemetry goes: `telemetry.db` in the data dir, PostgreSQL (`postgres`), or TDengine. */
  telemetry: 'sqlite' | 'postgres' | 'tdengine';
  /** PostgreSQL, for `--telemetry postgres` and `--cluster`: the URL without its password, and the password apart. */
  postgres?: { url: string; password?: string };
  /**
   * Cluster mode: this node is one of several on one PostgreSQL (`postgres`: every table of `thingwire.db`, and the
   * flows) and one Redis (what nodes share live). `nodeId` names the node, unique in the cluster and the same across
   * its restarts; `listenerPortOffset` is added to every device listener's port (several nodes on one host).
   */
  cluster?: { nodeId: string; redisUrl: string; listenerPortOffset: number };
  /**
   * Proxies whose `X-Forwarded-For` is believed (Express's `trust proxy`: `loopback`, addresses, CIDRs). Empty: the
   * socket's address is the client's, whatever a header says.
   */
  trustProxy: string[];
  /** Install Node-RED's host nodes (`exec`, `file`, `file in`, `watch`); off means they are not installed at all. */
  hostNodes: boolean;
  /** Let engineers deploy code-bearing nodes too (`flows:code`); off: admins only. */
  engineersDeployCode: boolean;
  /** Node types counted as code-bearing besides the built-in ones (contrib nodes that run code or touch the host). */
  codeNodeTypes: string[];
  /** Serve flow HTTP endpoints (`/nodes`) on this port instead of the main one (0: any free port). */
  flowHttpPort?: number;
  /** Environment variables flows may read besides those named `FLOW_*`. */
  flowEnv: string[];
  /** Webhooks (and other outbound requests) may reach private, loopback and link-local addresses. */
  allowPrivateWebhooks: boolean;
  /** Private ranges outbound requests may reach, as CIDRs (`10.1.0.0/16`, `127.0.0.1/32`). */
  webhookAllowCidrs: string[];
  /**
   * How far (seconds) a device time may be ahead of the server clock; further ahead, a post is refused or its time
   * clamped to the receive time, as the product's `futureTimes` says.
   */
  maxClockSkewSeconds: number;
  /** The address devices reach the platform at, without a trailing slash (firmware URLs); undefined: the UI's address. */
  publicUrl?: string;
  /** Largest firmware image accepted, in MB. */
  firmwareMaxMb: number;
  /** Failed device sign-ins from one address within a minute that ban it; 0 turns bans off. */
  signInMaxFailures: number;
  /** How long such a ban lasts, in seconds. */
  signInBanSeconds: number;
}

/** The configuration table the README documents: flag, environment variable, default. */
export const configOptions = [
  { flag: 'port', env: 'THINGWIRE_PORT', default: '1880', doc: 'HTTP port (API, UI, /red, /nodes)' },
  { flag: 'host', env: 'THINGWIRE_HOST', default: '0.0.0.0', doc: 'address to bind' },
  { flag: 'data-dir', env: 'THINGWIRE_DATA_DIR', default: './data', doc: 'SQLite file, Node-RED user dir, keys' },
  // Environment only: a password on the command line would show in `ps`.
  { flag: null, env: 'THINGWIRE_ADMIN_PASSWORD', default: '(generated, printed once)', doc: 'password of the first admin, used on first start only' },
  { flag: 'log-level', env: 'THINGWIRE_LOG_LEVEL', default: 'info', doc: 'pino level: trace, debug, info, warn, error' },
  { flag: 'log-format', env: 'THINGWIRE_LOG_FORMAT', default: '(pretty on a terminal, else json)', doc: 'json (one JSON object per line, for log collectors) or pretty (one readable line per entry)' },
  { flag: 'cors-origins', env: 'THINGWIRE_CORS_ORIGINS', default: '(none)', doc: 'comma-separated origins allowed cross-origin' },
  { flag: 'mqtt-port', env: 'THINGWIRE_MQTT_PORT', default: '1883', doc: 'MQTT port of the listener the first start installs (later: edit the listener node)' },
  { flag: 'coap-port', env: 'THINGWIRE_COAP_PORT', default: '5683', doc: 'UDP port of the CoAP listener the first start installs (later: edit the listener node)' },
  { flag: 'tdengine-url', env: 'THINGWIRE_TDENGINE_URL', default: '(none: SQLite)', doc: 'store telemetry in TDengine via taosAdapter REST, e.g. http://tdengine:6041' },
  { flag: null, env: 'THINGWIRE_TDENGINE_USER', default: 'root', doc: 'TDengine user' },
  { flag: null, env: 'THINGWIRE_TDENGINE_PASSWORD', default: 'taosdata', doc: 'TDengine password (environment only)' },
  { flag: 'tdengine-database', env: 'THINGWIRE_TDENGINE_DATABASE', default: 'thingwire', doc: 'TDengine database (created if missing)' },
  { flag: 'telemetry', env: 'THINGWIRE_TELEMETRY', default: '(sqlite; postgres with --cluster; tdengine with --tdengine-url)', doc: 'where telemetry is stored: sqlite (telemetry.db in the data dir), postgres (--postgres-url) or tdengine (--tdengine-url)' },
  { flag: 'postgres-url', env: 'THINGWIRE_POSTGRES_URL', default: '(none)', doc: 'PostgreSQL for --telemetry postgres, e.g. postgres://thingwire@db:5432/thingwire (tables in its telemetry schema)' },
  { flag: null, env: 'THINGWIRE_POSTGRES_PASSWORD', default: '(none)', doc: 'PostgreSQL password (environment only)' },
  { flag: 'cluster', env: 'THINGWIRE_CLUSTER', default: 'off', boolean: true, doc: 'run as one node of a cluster: platform data and flows in PostgreSQL (--postgres-url), live state in Redis (--redis-url)' },
  { flag: 'redis-url', env: 'THINGWIRE_REDIS_URL', default: '(none)', doc: 'Redis for --cluster, e.g. redis://redis:6379' },
  { flag: 'node-id', env: 'THINGWIRE_NODE_ID', default: '(the host name)', doc: 'this node\'s name in the cluster: unique, and the same across its restarts' },
  { flag: 'listener-port-offset', env: 'THINGWIRE_LISTENER_PORT_OFFSET', default: '0', doc: 'added to every device listener port of the flows, for several cluster nodes on one host' },
  { flag: 'session-ttl-hours', env: 'THINGWIRE_SESSION_TTL_HOURS', default: '12', doc: 'lifetime of a login session' },
  { flag: 'trust-proxy', env: 'THINGWIRE_TRUST_PROXY', default: '(none)', doc: 'comma-separated proxies whose X-Forwarded-For is believed: loopback, addresses or CIDRs' },
  { flag: 'host-nodes', env: 'THINGWIRE_HOST_NODES', default: 'off', boolean: true, doc: 'install the exec, file, file in and watch nodes (host access; admins deploy them)' },
  { flag: 'engineers-deploy-code', env: 'THINGWIRE_ENGINEERS_DEPLOY_CODE', default: 'off', boolean: true, doc: 'let engineers add and change code nodes (function, exec, …): host access' },
  { flag: 'code-node-types', env: 'THINGWIRE_CODE_NODE_TYPES', default: '(none)', doc: 'comma-separated node types to treat as code nodes besides function, exec, file, file in, watch' },
  { flag: 'flow-http-port', env: 'THINGWIRE_FLOW_HTTP_PORT', default: '(none: /nodes on --port)', doc: 'serve flow endpoints (/nodes) on their own port, where pages may run scripts' },
  { flag: 'flow-env', env: 'THINGWIRE_FLOW_ENV', default: '(none)', doc: 'comma-separated environment variables flows may read besides FLOW_*' },
  { flag: 'allow-private-webhooks', env: 'THINGWIRE_ALLOW_PRIVATE_WEBHOOKS', default: 'off', boolean: true, doc: 'let webhooks reach loopback, link-local and private addresses' },
  { flag: 'webhook-allow-cidrs', env: 'THINGWIRE_WEBHOOK_ALLOW_CIDRS', default: '(none)', doc: 'comma-separated private ranges webhooks may reach, e.g. 10.1.0.0/16' },
  { flag: 'max-clock-skew', env: 'THINGWIRE_MAX_CLOCK_SKEW', default: '300', doc: 'seconds a device time may be ahead of the server clock; further ahead, posts are refused (400) or clamped to the receive time, per product (futureTimes)' },
  { flag: 'sign-in-max-failures', env: 'THINGWIRE_SIGN_IN_MAX_FAILURES', default: '20', doc: 'failed device sign-ins from one address within a minute that get it banned; 0: no bans' },
  { flag: 'sign-in-ban', env: 'THINGWIRE_SIGN_IN_BAN', default: '300', doc: 'seconds a banned address has its device connections closed as they arrive' },
  { flag: 'public-url', env: 'THINGWIRE_PUBLIC_URL', default: '(the UI address)', doc: 'the http(s) address devices reach this server at; firmware download URLs start with it, e.g. https://iot.example.com' },
  { flag: 'firmware-max-mb', env: 'THINGWIRE_FIRMWARE_MAX_MB', default: '64', doc: 'largest firmware image an upload may be, in MB' },
] as const satisfies readonly ConfigOption[];

interface ConfigOption {
  flag: string | null;
  env: string;
  default: string;
  doc: string;
  /** A switch: `--flag` alone turns it on; the environment variable takes true/false, 1/0, on/off. */
  boolean?: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): ThingwireConfig {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(
      configOptions.flatMap((o: ConfigOption) => (o.flag ? [[o.flag, { type: o.boolean ? ('boolean' as const) : ('string' as const) }]] : [])),
    ),
    strict: true,
  });
  const pick = (flag: string | null, envName: string): string | undefined => {
    const fromFlag = flag ? values[flag] : undefined;
    return typeof fromFlag === 'string' ? fromFlag : env[envName] || undefined;
  };
  const bool = (flag: string, envName: string): boolean => {
    if (values[flag] === true) return true;
    const raw = env[envName]?.trim().toLowerCase();
    if (!raw) return false;
    if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
    if (['0', 'false', 'off', 'no'].includes(raw)) return false;
    throw new ConfigError(`${envName} must be true or false, got "${env[envName]}"`);
  };
  const list = (flag: string, envName: string): string[] =>
    (pick(flag, envName) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const oneOf = <const T extends string>(flag: string, envName: string, allowed: readonly T[]): T | undefined => {
    const raw = pick(flag, envName)?.trim().toLowerCase();
    if (raw === undefined || raw === '') return undefined;
    if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(`--${flag} / ${envName} must be one of ${allowed.join(', ')}, got "${raw}"`);
    return raw as T;
  };
  const int = (flag: string, envName: string, fallback: number, min: number, max: number): number => {
    const raw = pick(flag, envName);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new ConfigError(`--${flag} / ${envName} must be an integer from ${min} to ${max}, got "${raw}"`);
    }
    return n;
  };
  return {
    port: int('port', 'THINGWIRE_PORT', 1880, 0, 65535),
    host: pick('host', 'THINGWIRE_HOST') ?? '0.0.0.0',
    dataDir: path.resolve(pick('data-dir', 'THINGWIRE_DATA_DIR') ?? 'data'),
    adminPassword: pick(null, 'THINGWIRE_ADMIN_PASSWORD'),
    logLevel: pick('log-level', 'THINGWIRE_LOG_LEVEL') ?? 'info',
    corsOrigins: list('cors-origins', 'THINGWIRE_CORS_ORIGINS').filter((s) => s !== '*'),
    sessionTtlHours: int('session-ttl-hours', 'THINGWIRE_SESSION_TTL_HOURS', 12, 1, 24 * 90),
    mqttPort: int('mqtt-port', 'THINGWIRE_MQTT_PORT', 1883, 0, 65535),
    mqttPortGiven: pick('mqtt-port', 'THINGWIRE_MQTT_PORT') !== undefined,
    coapPort: int('coap-port', 'THINGWIRE_COAP_PORT', 5683, 0, 65535),
    logFormat: oneOf('log-format', 'THINGWIRE_LOG_FORMAT', ['json', 'pretty'] as const),
    tdengine: tdengineOf(pick('tdengine-url', 'THINGWIRE_TDENGINE_URL'), {
      user: pick(null, 'THINGWIRE_TDENGINE_USER'),
      password: pick(null, 'THINGWIRE_TDENGINE_PASSWORD'),
      database: pick('tdengine-database', 'THINGWIRE_TDENGINE_DATABASE'),
    }),
    ...telemetryOf(
      pick('telemetry', 'THINGWIRE_TELEMETRY'),
      pick('postgres-url', 'THINGWIRE_POSTGRES_URL'),
      pick(null, 'THINGWIRE_POSTGRES_PASSWORD'),
      pick('tdengine-url', 'THINGWIRE_TDENGINE_URL') !== undefined,
      bool('cluster', 'THINGWIRE_CLUSTER'),
    ),
    trustProxy: list('trust-proxy', 'THINGWIRE_TRUST_PROXY').map((p) => checkedProxy(p)),
    hostNodes: bool('host-nodes', 'THINGWIRE_HOST_NODES'),
    engineersDeployCode: bool('engineers-deploy-code', 'THINGWIRE_ENGINEERS_DEPLOY_CODE'),
    codeNodeTypes: list('code-node-types', 'THINGWIRE_CODE_NODE_TYPES'),
    flowHttpPort: pick('flow-http-port', 'THINGWIRE_FLOW_HTTP_PORT') === undefined ? undefined : int('flow-http-port', 'THINGWIRE_FLOW_HTTP_PORT', 0, 0, 65535),
    flowEnv: list('flow-env', 'THINGWIRE_FLOW_ENV'),
    allowPrivateWebhooks: bool('allow-private-webhooks', 'THINGWIRE_ALLOW_PRIVATE_WEBHOOKS'),
    webhookAllowCidrs: list('webhook-allow-cidrs', 'THINGWIRE_WEBHOOK_ALLOW_CIDRS').map((c) => checkedCidr(c)),
    maxClockSkewSeconds: int('max-clock-skew', 'THINGWIRE_MAX_CLOCK_SKEW', 300, 0, 31_536_000),
    signInMaxFailures: int('sign-in-max-failures', 'THINGWIRE_SIGN_IN_MAX_FAILURES', 20, 0, 1_000_000),
    signInBanSeconds: int('sign-in-ban', 'THINGWIRE_SIGN_IN_BAN', 300, 1, 86_400),
    publicUrl: publicUrlOf(pick('public-url', 'THINGWIRE_PUBLIC_URL')),
    ...clusterOf(bool('cluster', 'THINGWIRE_CLUSTER'), {
      postgresUrl: pick('postgres-url', 'THINGWIRE_POSTGRES_URL'),
      redisUrl: pick('redis-url', 'THINGWIRE_REDIS_URL'),
      nodeId: pick('node-id', 'THINGWIRE_NODE_ID') ?? os.hostname(),
      listenerPortOffset: int('listener-port-offset', 'THINGWIRE_LISTENER_PORT_OFFSET', 0, 0, 60_000),
    }),
    firmwareMaxMb: int('firmware-max-mb', 'THINGWIRE_FIRMWARE_MAX_MB', 64, 1, 4096),
  };
}

/** Environment variables that hold secrets; `main.ts` removes them from `process.env` once the config is read. */
export const secretEnvironment = ['THINGWIRE_ADMIN_PASSWORD', 'THINGWIRE_TDENGINE_PASSWORD', 'THINGWIRE_POSTGRES_PASSWORD'] as const;

const proxyNames = new Set(['loopback', 'linklocal', 'uniquelocal']);

function checkedProxy(value: string): string {
  if (proxyNames.has(value) || isIP(value) || parseCidr(value)) return value;
  throw new ConfigError(`--trust-proxy / THINGWIRE_TRUST_PROXY takes loopback, linklocal, uniquelocal, addresses or CIDRs; got "${value}"`);
}

function checkedCidr(value: string): string {
  if (parseCidr(value)) return value;
  throw new ConfigError(`--webhook-allow-cidrs / THINGWIRE_WEBHOOK_ALLOW_CIDRS takes CIDRs such as 10.1.0.0/16 or 127.0.0.1/32; got "${value}"`);
}


function clusterOf(
  on: boolean, given: { postgresUrl?: string; redisUrl?: string; nodeId: string; listenerPortOffset: number },
): Pick<ThingwireConfig, 'cluster'> {
  if (!on) {
    if (given.redisUrl !== undefined) throw new ConfigError('--redis-url / THINGWIRE_REDIS_URL is for cluster mode: add --cluster (THINGWIRE_CLUSTER=on).');
    return {};
  }
  if (given.postgresUrl === undefined) {
    throw new ConfigError('--cluster keeps the platform\'s data in PostgreSQL: give --postgres-url / THINGWIRE_POSTGRES_URL, e.g. postgres://thingwire@db:5432/thingwire.');
  }
  if (given.redisUrl === undefined) throw new ConfigError('--cluster needs Redis: give --redis-url / THINGWIRE_REDIS_URL, e.g. redis://redis:6379.');
  let parsed: URL | undefined;
  try {
    parsed = new URL(given.redisUrl);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')) {
    throw new ConfigError(`--redis-url / THINGWIRE_REDIS_URL must be a URL such as redis://redis:6379, got "${given.redisUrl}"`);
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(given.nodeId)) {
    throw new ConfigError(`--node-id / THINGWIRE_NODE_ID must be 1 to 63 letters, digits, dots, dashes or underscores, got "${given.nodeId}"`);
  }
  return { cluster: { nodeId: given.nodeId, redisUrl: given.redisUrl, listenerPortOffset: given.listenerPortOffset } };
}

function publicUrlOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.search || parsed.hash) {
    throw new ConfigError(`--public-url / THINGWIRE_PUBLIC_URL must be the http(s) address devices reach this server at, such as https://iot.example.com; got "${url}"`);
  }
  return url.replace(/\/+$/, '');
}

function tdengineOf(url: string | undefined, rest: { user?: string; password?: string; database?: string }): ThingwireConfig['tdengine'] {
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`--tdengine-url / THINGWIRE_TDENGINE_URL must be an http(s) URL such as http://localhost:6041, got "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`--tdengine-url / THINGWIRE_TDENGINE_URL must be an http(s) URL (taosAdapter's REST port, 6041), got "${url}"`);
  }
  if (parsed.username || parsed.password) {
    throw new ConfigError('Put TDengine credentials in THINGWIRE_TDENGINE_USER / THINGWIRE_TDENGINE_PASSWORD, not in the URL (it is logged).');
  }
  return { url: url.replace(/\/+$/, ''), ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) };
}

const TELEMETRY_BACKENDS = ['sqlite', 'postgres', 'tdengine'] as const;

/**
 * Where telemetry goes: as chosen, else TDengine when its URL is given, else `telemetry.db`, or in a cluster its
 * PostgreSQL: every node must read the same history, whichever node a device's messages reached.
 */
function telemetryOf(
  chosen: string | undefined, postgresUrl: string | undefined, postgresPassword: string | undefined, tdengineGiven: boolean, cluster: boolean,
): Pick<ThingwireConfig, 'telemetry' | 'postgres'> {
  const telemetry = chosen ?? (tdengineGiven ? 'tdengine' : cluster ? 'postgres' : 'sqlite');
  if (cluster && telemetry === 'sqlite') {
    throw new ConfigError(
      '--cluster with --telemetry sqlite would keep each node\'s telemetry in its own telemetry.db, and a device\'s history would depend on ' +
      'the node it reached: use --telemetry postgres (the cluster\'s default) or tdengine.',
    );
  }
  if (!(TELEMETRY_BACKENDS as readonly string[]).includes(telemetry)) {
    throw new ConfigError(`--telemetry / THINGWIRE_TELEMETRY must be one of ${TELEMETRY_BACKENDS.join(', ')}, got "${telemetry}"`);
  }
  if (telemetry === 'tdengine' && !tdengineGiven) throw new ConfigError('--telemetry tdengine needs --tdengine-url / THINGWIRE_TDENGINE_URL.');
  if (telemetry !== 'tdengine' && tdengineGiven) {
    throw new ConfigError(`--tdengine-url / THINGWIRE_TDENGINE_URL is given but --telemetry is ${telemetry}: drop one of them.`);
  }
  if (telemetry === 'postgres' && postgresUrl === undefined) {
    throw new ConfigError('--telemetry postgres needs --postgres-url / THINGWIRE_POSTGRES_URL, e.g. postgres://thingwire@db:5432/thingwire.');
  }
  return { telemetry: telemetry as ThingwireConfig['telemetry'], ...(postgresUrl === undefined ? {} : { postgres: postgresOf(postgresUrl, postgresPassword) }) };
}

function postgresOf(url: string, password: string | undefined): NonNullable<ThingwireConfig['postgres']> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`--postgres-url / THINGWIRE_POSTGRES_URL must be a URL such as postgres://thingwire@db:5432/thingwire, got "${url}"`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError(`--postgres-url / THINGWIRE_POSTGRES_URL must start with postgres://, got "${url}"`);
  }
  if (parsed.password) throw new ConfigError('Put the PostgreSQL password in THINGWIRE_POSTGRES_PASSWORD, not in the URL (it is logged).');
  return { url, ...(password === undefined ? {} : { password }) };
}
