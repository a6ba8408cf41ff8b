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

  it('refuses a TDengine URL that is not http(s) or carries credentials, saying what to do', () => {
    expect(() => loadConfig([], { THINGWIRE_TDENGINE_URL: 'tdengine:6041' })).toThrow(ConfigError);
    expect(() => loadConfig([], { THINGWIRE_TDENGINE_URL: 'http://root:taosdata@tdengine:6041' })).toThrow(/THINGWIRE_TDENGINE_USER/);
  });
});
