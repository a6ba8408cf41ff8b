import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OutboundPolicy, OutboundRefusedError } from './outbound-policy.ts';
import { outboundRequest } from './outbound-request.ts';

/** A real peer on 127.0.0.1: answers by path, and records what arrived. */
interface Arrival {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
const arrivals: Arrival[] = [];
let server: http.Server;
let port: number;
let hang: http.ServerResponse | undefined;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      arrivals.push({ method: req.method!, path: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const [path, query] = (req.url ?? '').split('?');
      if (path === '/redirect') res.writeHead(Number(new URLSearchParams(query).get('status') ?? 302), { location: new URLSearchParams(query).get('to')! }).end();
      else if (path === '/big') res.end('x'.repeat(10_000));
      else if (path === '/hang') hang = res;
      else res.end(`${req.method} ${req.url}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  arrivals.length = 0;
});

const secure = new OutboundPolicy();
const loopbackAllowed = new OutboundPolicy({ allowCidrs: ['127.0.0.1/32'] });
const redirect = (to: string, status = 302) => `http://127.0.0.1:${port}/redirect?status=${status}&to=${encodeURIComponent(to)}`;

describe('outboundRequest', () => {
  it('refuses a loopback IP literal without connecting', async () => {
    await expect(outboundRequest(`http://127.0.0.1:${port}/`, { policy: secure })).rejects.toThrow(
      new OutboundRefusedError(
        'address_refused',
        'refused: webhook address 127.0.0.1 is a loopback address; allow it with --webhook-allow-cidrs 127.0.0.1/32 or --allow-private-webhooks',
      ),
    );
    expect(arrivals).toEqual([]);
  });

  it('judges a host name by the address it resolves to, when it connects', async () => {
    const refused = outboundRequest(`http://localhost:${port}/`, { policy: secure });
    await expect(refused).rejects.toBeInstanceOf(OutboundRefusedError);
    await expect(refused).rejects.toThrow(/^refused: webhook address (127\.0\.0\.1|::1) \(localhost\) is a loopback address; /);
    expect(arrivals).toEqual([]);
  });

  it('sends to an allow-listed address, by literal or by name, and answers the status and body', async () => {
    const response = await outboundRequest(`http://localhost:${port}/in?x=1`, {
      policy: loopbackAllowed, method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Site': 'plant-3' }, body: '{"t":21.5}',
    });
    expect(response).toMatchObject({ status: 200, statusText: 'OK', url: `http://localhost:${port}/in?x=1`, truncated: false });
    expect(response.body.toString()).toBe('POST /in?x=1');
    expect(arrivals).toMatchObject([{ method: 'POST', path: '/in?x=1', body: '{"t":21.5}', headers: { 'x-site': 'plant-3', 'content-length': '10' } }]);
  });

  it('keeps the start of the body only', async () => {
    const response = await outboundRequest(`http://127.0.0.1:${port}/big`, { policy: loopbackAllowed, maxBodyBytes: 100 });
    expect(response.body.toString()).toBe('x'.repeat(100));
    expect(response.truncated).toBe(true);
  });

  it('answers a redirect as it came by default, without following it', async () => {
    const response = await outboundRequest(redirect('/elsewhere'), { policy: loopbackAllowed, method: 'POST', body: '{}' });
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/elsewhere');
    expect(arrivals).toHaveLength(1);
  });

  it('follows up to maxRedirects, continuing a 303 as a GET without the body', async () => {
    const response = await outboundRequest(redirect('/final', 303), { policy: loopbackAllowed, method: 'POST', body: '{"a":1}', maxRedirects: 1 });
    expect(response).toMatchObject({ status: 200, url: `http://127.0.0.1:${port}/final` });
    expect(arrivals.map((a) => [a.method, a.path.split('?')[0], a.body])).toEqual([['POST', '/redirect', '{"a":1}'], ['GET', '/final', '']]);

    arrivals.length = 0;
    const twice = await outboundRequest(redirect(redirect('/final')), { policy: loopbackAllowed, maxRedirects: 1 });
    expect(twice.status).toBe(302);
    expect(arrivals).toHaveLength(2);
  });

  it('checks every redirect as it checked the first address', async () => {
    // The classic way round a check made on the configured URL only: a public receiver redirecting to the metadata service.
    const refused = outboundRequest(redirect('http://169.254.169.254/latest/meta-data/'), { policy: loopbackAllowed, maxRedirects: 3 });
    await expect(refused).rejects.toThrow('refused: webhook address 169.254.169.254 is a link-local address;');
    const byName = outboundRequest(redirect(`http://localhost:${port}/`), { policy: loopbackAllowed, maxRedirects: 1 });
    await expect(byName).resolves.toMatchObject({ status: 200 });
  });

  it('drops the credentials of one origin when a redirect leads to another', async () => {
    await outboundRequest(redirect(`http://localhost:${port}/other`, 307), {
      policy: loopbackAllowed, method: 'POST', body: '{}', headers: { Authorization: 'Bearer t0k3n', 'X-Site': 'plant-3' }, maxRedirects: 1,
    });
    const [first, second] = arrivals;
    expect(first!.headers.authorization).toBe('Bearer t0k3n');
    expect(second).toMatchObject({ method: 'POST', path: '/other', body: '{}', headers: { 'x-site': 'plant-3' } });
    expect(second!.headers.authorization).toBeUndefined();
  });

  it('stops when its signal aborts', async () => {
    const controller = new AbortController();
    const pending = outboundRequest(`http://127.0.0.1:${port}/hang`, { policy: loopbackAllowed, signal: controller.signal });
    await expect.poll(() => arrivals.length).toBe(1);
    controller.abort();
    await expect(pending).rejects.toThrow(expect.objectContaining({ name: 'AbortError' }));
    hang?.end();
  });
});
