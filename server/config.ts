import path from 'node:path';
import { parseArgs } from 'node:util';

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
  /** Telemetry in TDengine (taosAdapter's REST URL) instead of the embedded SQLite file. */
  tdengine?: { url: string; user?: string; password?: string; database?: string };
}

/** The configuration table the README documents: flag, environment variable, default. */
export const configOptions = [
  { flag: 'port', env: 'THINGWIRE_PORT', default: '1880', doc: 'HTTP port (API, UI, /red, /nodes)' },
  { flag: 'host', env: 'THINGWIRE_HOST', default: '0.0.0.0', doc: 'address to bind' },
  { flag: 'data-dir', env: 'THINGWIRE_DATA_DIR', default: './data', doc: 'SQLite file, Node-RED user dir, keys' },
  // Environment only: a password on the command line would show in `ps`.
  { flag: null, env: 'THINGWIRE_ADMIN_PASSWORD', default: '(generated, printed once)', doc: 'password of the first admin, used on first start only' },
  { flag: 'log-level', env: 'THINGWIRE_LOG_LEVEL', default: 'info', doc: 'pino level: trace, debug, info, warn, error' },
  { flag: 'cors-origins', env: 'THINGWIRE_CORS_ORIGINS', default: '(none)', doc: 'comma-separated origins allowed cross-origin' },
  { flag: 'mqtt-port', env: 'THINGWIRE_MQTT_PORT', default: '1883', doc: 'MQTT port of the listener the first start installs (later: edit the listener node)' },
  { flag: 'tdengine-url', env: 'THINGWIRE_TDENGINE_URL', default: '(none: SQLite)', doc: 'store telemetry in TDengine via taosAdapter REST, e.g. http://tdengine:6041' },
  { flag: null, env: 'THINGWIRE_TDENGINE_USER', default: 'root', doc: 'TDengine user' },
  { flag: null, env: 'THINGWIRE_TDENGINE_PASSWORD', default: 'taosdata', doc: 'TDengine password (environment only)' },
  { flag: 'tdengine-database', env: 'THINGWIRE_TDENGINE_DATABASE', default: 'thingwire', doc: 'TDengine database (created if missing)' },
  { flag: 'session-ttl-hours', env: 'THINGWIRE_SESSION_TTL_HOURS', default: '12', doc: 'lifetime of a login session' },
] as const;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): ThingwireConfig {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(configOptions.flatMap((o) => (o.flag ? [[o.flag, { type: 'string' as const }]] : []))),
    strict: true,
  });
  const pick = (flag: string | null, envName: string): string | undefined => {
    const fromFlag = flag ? values[flag] : undefined;
    return typeof fromFlag === 'string' ? fromFlag : env[envName] || undefined;
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
    corsOrigins: (pick('cors-origins', 'THINGWIRE_CORS_ORIGINS') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s && s !== '*'),
    sessionTtlHours: int('session-ttl-hours', 'THINGWIRE_SESSION_TTL_HOURS', 12, 1, 24 * 90),
    mqttPort: int('mqtt-port', 'THINGWIRE_MQTT_PORT', 1883, 0, 65535),
    tdengine: tdengineOf(pick('tdengine-url', 'THINGWIRE_TDENGINE_URL'), {
      user: pick(null, 'THINGWIRE_TDENGINE_USER'),
      password: pick(null, 'THINGWIRE_TDENGINE_PASSWORD'),
      database: pick('tdengine-database', 'THINGWIRE_TDENGINE_DATABASE'),
    }),
  };
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
