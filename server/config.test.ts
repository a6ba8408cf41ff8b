import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration', () => {
  it('defaults to embedded storage, and flags win over the environment', () => {
    const config = loadConfig(['--port', '8080'], { THINGWIRE_PORT: '9090' });
    expect(config).toMatchObject({ port: 8080, dataDir: path.resolve('data'), mqttPort: 1883 });
    expect(config.tdengine).toBeUndefined();
  });

  it('stores telemetry in TDengine when given its REST URL, with credentials from the environment only', () => {
    const config = loadConfig(['--tdengine-url', 'http://tdengine:6041/'], { THINGWIRE_TDENGINE_PASSWORD: 's3cret', THINGWIRE_TDENGINE_DATABASE: 'plant1' });
    expect(config.tdengine).toEqual({ url: 'http://tdengine:6041', password: 's3cret', database: 'plant1' });
  });

  it('stores telemetry in PostgreSQL with --telemetry postgres, its password from the environment only', () => {
    expect(loadConfig([], {}).telemetry).toBe('sqlite');
    expect(loadConfig(['--tdengine-url', 'http://tdengine:6041'], {}).telemetry).toBe('tdengine');
    const config = loadConfig(['--telemetry', 'postgres', '--postgres-url', 'postgres://thingwire@db:5432/iot'], { THINGWIRE_POSTGRES_PASSWORD: 'pw' });
    expect(config).toMatchObject({ telemetry: 'postgres', postgres: { url: 'postgres://thingwire@db:5432/iot', password: 'pw' } });
    expect(() => loadConfig(['--telemetry', 'postgres'], {})).toThrow(/needs --postgres-url/);
    expect(() => loadConfig(['--telemetry', 'postgres', '--postgres-url', 'postgres://u:pw@db/iot'], {})).toThrow(/THINGWIRE_POSTGRES_PASSWORD/);
    expect(() => loadConfig(['--telemetry', 'postgres', '--postgres-url', 'http://db/iot'], {})).toThrow(/postgres:\/\//);
    expect(() => loadConfig(['--telemetry', 'influx'], {})).toThrow(/one of sqlite, postgres, tdengine/);
    expect(() => loadConfig(['--telemetry', 'sqlite', '--tdengine-url', 'http://tdengine:6041'], {})).toThrow(/drop one/);
  });

  it('stores a cluster\'s telemetry where every node reads it: PostgreSQL unless TDengine is given, never each node\'s own file', () => {
    const cluster = ['--cluster', '--postgres-url', 'postgres://thingwire@db:5432/iot', '--redis-url', 'redis://redis:6379'];
    const env = { THINGWIRE_POSTGRES_PASSWORD: 'pw' };
    expect(loadConfig(cluster, env).telemetry).toBe('postgres');
    expect(loadConfig([...cluster, '--tdengine-url', 'http://tdengine:6041'], env).telemetry).toBe('tdengine');
    expect(() => loadConfig([...cluster, '--telemetry', 'sqlite'], env)).toThrow(/each node.*its own telemetry\.db.*--telemetry postgres/);
  });

  it('refuses a TDengine URL that is not http(s) or carries credentials, saying what to do', () => {
    expect(() => loadConfig([], { THINGWIRE_TDENGINE_URL: 'tdengine:6041' })).toThrow(ConfigError);
    expect(() => loadConfig([], { THINGWIRE_TDENGINE_URL: 'http://root:taosdata@tdengine:6041' })).toThrow(/THINGWIRE_TDENGINE_USER/);
  });

  it('reads the trust-model switches and lists, refusing what it cannot use with the option to fix', () => {
    const config = loadConfig(['--host-nodes', '--flow-env', 'TZ, SITE', '--webhook-allow-cidrs', '10.1.0.0/16,127.0.0.1/32'], {
      THINGWIRE_ENGINEERS_DEPLOY_CODE: 'true', THINGWIRE_TRUST_PROXY: 'loopback,192.0.2.10', THINGWIRE_FLOW_HTTP_PORT: '1881',
    });
    expect(config).toMatchObject({
      hostNodes: true, engineersDeployCode: true, allowPrivateWebhooks: false, flowEnv: ['TZ', 'SITE'],
      webhookAllowCidrs: ['10.1.0.0/16', '127.0.0.1/32'], trustProxy: ['loopback', '192.0.2.10'], flowHttpPort: 1881,
    });
    expect(loadConfig([], {})).toMatchObject({ hostNodes: false, engineersDeployCode: false, trustProxy: [], flowHttpPort: undefined });
    expect(() => loadConfig(['--webhook-allow-cidrs', '10.1.0.0/33'], {})).toThrow(/--webhook-allow-cidrs.*10\.1\.0\.0\/33/);
    expect(() => loadConfig(['--trust-proxy', 'everyone'], {})).toThrow(/--trust-proxy/);
    expect(() => loadConfig([], { THINGWIRE_HOST_NODES: 'maybe' })).toThrow(/THINGWIRE_HOST_NODES must be true or false/);
  });

  it('lets device clocks run up to 5 minutes ahead unless told otherwise, in whole seconds', () => {
    expect(loadConfig([], {}).maxClockSkewSeconds).toBe(300);
    expect(loadConfig(['--max-clock-skew', '30'], { THINGWIRE_MAX_CLOCK_SKEW: '60' }).maxClockSkewSeconds).toBe(30);
    expect(loadConfig([], { THINGWIRE_MAX_CLOCK_SKEW: '0' }).maxClockSkewSeconds).toBe(0);
    expect(loadConfig([], {})).toMatchObject({ signInMaxFailures: 20, signInBanSeconds: 300, logFormat: undefined });
    expect(loadConfig(['--log-format', 'json'], { THINGWIRE_LOG_FORMAT: 'pretty' }).logFormat).toBe('json');
    expect(() => loadConfig(['--log-format', 'xml'], {})).toThrow('--log-format / THINGWIRE_LOG_FORMAT must be one of json, pretty, got "xml"');
    expect(loadConfig(['--sign-in-max-failures', '0', '--sign-in-ban', '60'], {})).toMatchObject({ signInMaxFailures: 0, signInBanSeconds: 60 });
    expect(() => loadConfig(['--max-clock-skew', '5m'], {})).toThrow(/--max-clock-skew \/ THINGWIRE_MAX_CLOCK_SKEW must be an integer from 0 to 31536000, got "5m"/);
  });
});
