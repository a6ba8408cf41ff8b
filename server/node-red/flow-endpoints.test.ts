import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.ts';
import { echoed, openWebSocket, type UpgradeRefused } from '../testing/websockets.ts';

let tw: TestServer;
let engineer: string;
let sessionCookie: string;

/** http in → change (payload = the request headers as the flow sees them) → http response with the given headers. */
const echo = (id: string, url: string, extra: object = {}, responseHeaders: Record<string, string> = {}) => [
  { id: `${id}-in`, type: 'http in', z: 'tabe', x: 100, y: 100, url, method: 'get', wires: [[`${id}-ch`]], ...extra },
  {
    id: `${id}-ch`, type: 'change', z: 'tabe', x: 250, y: 100, wires: [[`${id}-out`]],
    rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'req.headers', tot: 'msg' }],
  },
  { id: `${id}-out`, type: 'http response', z: 'tabe', x: 400, y: 100, statusCode: '', headers: responseHeaders, wires: [] },
];

const flows = [
  { id: 'tabe', type: 'tab', label: 'Endpoints' },
  ...echo('private', '/private'),
  { id: 'post-in', type: 'http in', z: 'tabe', x: 100, y: 200, url: '/private', method: 'post', wires: [['post-out']] },
  { id: 'post-out', type: 'http response', z: 'tabe', x: 400, y: 200, statusCode: '201', headers: {}, wires: [] },
  ...echo('public', '/public/:id', { public: true }),
  // A flow that tries to lift the sandbox and to plant a session cookie on whoever opens it.
  ...echo('sneaky', '/sneaky', { public: true }, {
    'Content-Security-Policy': "default-src 'self' 'unsafe-inline'",
    'X-Content-Type-Options': 'none',
    'Set-Cookie': 'thingwire_session=tws_planted; Path=/',
  }),
  { id: 'wsl', type: 'websocket-listener', path: '/ws/echo', wholemsg: 'false' },
  { id: 'wsl-pub', type: 'websocket-listener', path: '/ws/open', wholemsg: 'false', public: true },
  { id: 'ws-in', type: 'websocket in', z: 'tabe', x: 100, y: 300, server: 'wsl', client: '', wires: [['ws-out']] },
  { id: 'ws-out', type: 'websocket out', z: 'tabe', x: 300, y: 300, server: 'wsl', client: '', wires: [] },
  { id: 'wsp-in', type: 'websocket in', z: 'tabe', x: 100, y: 400, server: 'wsl-pub', client: '', wires: [['wsp-out']] },
  { id: 'wsp-out', type: 'websocket out', z: 'tabe', x: 300, y: 400, server: 'wsl-pub', client: '', wires: [] },
];

beforeAll(async () => {
  tw = await startTestServer();
  engineer = await tw.tokenFor('engineer');
  const { rev } = (await tw.request('GET', '/api/v1/flows', { token: engineer })).body;
  const res = await tw.request('POST', '/api/v1/flows', { token: engineer, body: { flows, rev } });
  if (res.status !== 200) throw new Error(JSON.stringify(res.body));
  const login = await tw.request('POST', '/api/v1/auth/login', { body: { username: 'engineer1', password: 'engineer-password-1' } });
  sessionCookie = login.headers.get('set-cookie')!.split(';')[0]!;
});
afterAll(() => tw?.close());

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${tw.url}/nodes${path}`, { headers });

describe('flow endpoints (/nodes)', () => {
  it('answers 401 in the API envelope to anonymous callers of an endpoint not marked public', async () => {
    const res = await get('/private');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    // Paths no flow serves are no different: nothing is learnt about what exists.
    expect((await get('/nowhere')).status).toBe(401);
  });

  it('serves signed-in users (session cookie or API token) and names them to the flow, never handing it their credentials', async () => {
    const token = (await tw.request('POST', '/api/v1/auth/tokens', { token: engineer, body: { name: 'script', role: 'operator' } })).body.token;
    for (const [how, headers] of [
      ['API token', { authorization: `Bearer ${token}` }],
      ['session cookie', { cookie: `theme=dark; ${sessionCookie}` }],
    ] as const) {
      const res = await get('/private', { ...headers, 'x-thingwire-role': 'admin' });
      expect(res.status, how).toBe(200);
      const seen = (await res.json()) as Record<string, string>;
      expect(seen['authorization'], how).toBeUndefined();
      expect(seen['cookie'] ?? '', how).not.toContain('thingwire_session');
      expect(seen['x-thingwire-user'], how).toBe('engineer1');
      expect(seen['x-thingwire-role'], how).toBe(how === 'API token' ? 'operator' : 'engineer');
    }
    expect(((await (await get('/private', { cookie: `theme=dark; ${sessionCookie}` })).json()) as Record<string, string>)['cookie']).toBe('theme=dark');
  });

  it('serves a public endpoint to anyone, and drops caller headers a client made up', async () => {
    const res = await get('/public/42', { 'x-thingwire-user': 'admin', 'x-thingwire-role': 'admin' });
    expect(res.status).toBe(200);
    const seen = (await res.json()) as Record<string, string>;
    expect(seen['x-thingwire-user']).toBeUndefined();
    expect(seen['x-thingwire-role']).toBeUndefined();
    // Express's own matching: case and a trailing slash do not make another endpoint.
    expect((await get('/PUBLIC/42/')).status).toBe(200);
    expect((await get('/public/42/more')).status).toBe(401);
  });

  it('sandboxes every answer on the UI\'s origin, whatever headers the flow sets, and never sets the session cookie', async () => {
    for (const res of [await get('/sneaky'), await get('/public/1'), await get('/private'), await get('/private', { authorization: `Bearer ${engineer}` })]) {
      expect(res.headers.get('content-security-policy'), res.url).toBe('sandbox');
      expect(res.headers.get('x-content-type-options'), res.url).toBe('nosniff');
      expect(res.headers.get('set-cookie') ?? '', res.url).not.toContain('thingwire_session');
    }
  });

  it('refuses a cookie-authenticated write from another origin, as the API does', async () => {
    const post = (origin: string) => fetch(`${tw.url}/nodes/private`, { method: 'POST', headers: { cookie: sessionCookie, origin, 'content-type': 'application/json' }, body: '{}' });
    const foreign = await post('https://evil.example');
    expect(foreign.status).toBe(403);
    expect((await post(tw.url)).status).toBe(201);
  });

  it('asks WebSocket endpoints for credentials unless public, and passes messages once admitted', async () => {
    const open = (path: string, query = '', headers: Record<string, string> = {}) => openWebSocket(`${tw.url.replace('http', 'ws')}/nodes${path}${query}`, headers);
    await expect(open('/ws/echo')).rejects.toThrow('HTTP 401');
    const signedIn = await open('/ws/echo', `?access_token=${engineer}`);
    expect(await echoed(signedIn, 'hello')).toBe('hello');
    signedIn.close();
    const anyone = await open('/ws/open');
    expect(await echoed(anyone, 'hi')).toBe('hi');
    anyone.close();
    // The session cookie (a browser on the UI's origin) and a bearer token are taken as for HTTP endpoints.
    const browser = await open('/ws/echo', '', { cookie: sessionCookie, origin: tw.url });
    expect(await echoed(browser, 'from the UI')).toBe('from the UI');
    browser.close();
    const script = await open('/ws/echo', '', { authorization: `Bearer ${engineer}` });
    expect(await echoed(script, 'from a script')).toBe('from a script');
    script.close();
    // A page elsewhere cannot ride a visitor's session (cross-site WebSocket hijacking).
    await expect(open('/ws/echo', '', { cookie: sessionCookie, origin: 'https://evil.example' })).rejects.toThrow('HTTP 403');
  });

  it('answers an upgrade no flow takes with a status at once, asking anonymous callers to sign in first', async () => {
    const refusal = (path: string, headers: Record<string, string> = {}) =>
      openWebSocket(`${tw.url.replace('http', 'ws')}${path}`, headers).then(
        (ws) => {
          ws.terminate();
          throw new Error(`${path} opened`);
        },
        (err: UpgradeRefused) => err,
      );
    const status = async (path: string, headers: Record<string, string> = {}) => (await refusal(path, headers)).status;
    const bearer = { authorization: `Bearer ${engineer}` };
    // Nothing is learnt about which paths exist without signing in.
    expect(await status('/nodes/ws/nowhere')).toBe(401);
    const missing = await refusal('/nodes/ws/nowhere', bearer);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).error).toEqual({ code: 'not_found', message: expect.stringContaining('/nodes/ws/nowhere') });
    // Node-RED matches a listener's path exactly.
    expect(await status('/nodes/ws/echo/', bearer)).toBe(404);
    expect(await status('/nodes/WS/open')).toBe(401);
    // Not below /nodes: no flow, and no other endpoint either.
    expect(await status('/ws/echo', bearer)).toBe(404);
  });
});
