import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HashParams } from '../auth/passwords.ts';
import type { Role } from '../../domain/auth/permissions.ts';
import { startThingwire, type StartOptions, type Thingwire } from '../app.ts';
import { loadConfig, type ThingwireConfig } from '../config.ts';
import { createLogger } from '../logger.ts';

/**
 * A JSON answer as the tests read it: untyped on purpose. Each test asserts the fields it expects; typing every
 * answer would restate the API's schemas in the tests, and a wrong guess would only be checked by those assertions.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the one place tests declare their loose JSON (above)
export type TestJson = any;

export interface ApiResponse<T = TestJson> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestServer {
  app: Thingwire;
  url: string;
  dataDir: string;
  /** Bearer token of the first admin. */
  adminToken: string;
  /** A bearer token of a (new, cached) user with this role. */
  tokenFor(role: Role): Promise<string>;
  /** Calls the API; a JSON body is sent as JSON, a string as-is (set the content type in headers). */
  request<T = TestJson>(method: string, path: string, options?: { token?: string | null; body?: unknown; headers?: Record<string, string> }): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

export const TEST_ADMIN_PASSWORD = 'test-admin-password';

/**
 * Cheap scrypt parameters (1 MiB, a few ms) for test servers: every test server creates and signs in an admin, and
 * hundreds of sign-ins at the production N=2^17 (~0.5 s each) would make the suite minutes slower while testing
 * nothing more. Tests of the real parameters pass `auth: { hashParams: defaultHashParams }`.
 */
export const TEST_HASH_PARAMS: HashParams = { N: 1 << 10, r: 8, p: 1 };

/** The configuration `npm start` would have with no flags, on loopback and free ports, with the test admin password. */
export function testConfig(overrides: Partial<ThingwireConfig> = {}): ThingwireConfig {
  return {
    ...loadConfig([], {}),
    port: 0, host: '127.0.0.1', adminPassword: TEST_ADMIN_PASSWORD, logLevel: process.env.THINGWIRE_TEST_LOG ?? 'silent',
    sessionTtlHours: 1, mqttPort: 0, coapPort: 0,
    ...overrides,
  };
}

/**
 * A real Thingwire on a loopback port with a temp data dir, for tests that drive it over HTTP. Node-RED is a
 * process-wide singleton: one test server per test file at a time (vitest runs each file in its own process).
 */
export async function startTestServer(options: { dataDir?: string; config?: Partial<ThingwireConfig> } & StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-test-'));
  const app = await startThingwire(
    testConfig({ dataDir, ...options.config }),
    createLogger(process.env.THINGWIRE_TEST_LOG ?? 'silent'),
    { ...options, installDefaultFlows: options.installDefaultFlows ?? false, auth: { hashParams: TEST_HASH_PARAMS, ...options.auth } },
  );
  const request: TestServer['request'] = async (method, p, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | undefined;
    if (typeof o.body === 'string') body = o.body;
    else if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(app.url + p, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    if (res.headers.get('content-type')?.includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, body: parsed as never, headers: res.headers };
  };
  const login = async (username: string, password: string) => {
    const res = await request('POST', '/api/v1/auth/login', { body: { username, password } });
    if (res.status !== 200) throw new Error(`login as ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token as string;
  };
  const adminToken = await login('admin', TEST_ADMIN_PASSWORD);
  const tokens = new Map<Role, Promise<string>>([['admin', Promise.resolve(adminToken)]]);
  return {
    app, url: app.url, dataDir, adminToken, request,
    tokenFor(role) {
      let t = tokens.get(role);
      if (!t) {
        t = (async () => {
          const password = `${role}-password-1`;
          const res = await request('POST', '/api/v1/users', { token: adminToken, body: { username: `${role}1`, password, role } });
          if (res.status !== 201) throw new Error(`creating ${role} failed: ${JSON.stringify(res.body)}`);
          return login(`${role}1`, password);
        })();
        tokens.set(role, t);
      }
      return t;
    },
    async close() {
      await app.close();
      if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
