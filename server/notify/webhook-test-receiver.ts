/**
 * A real HTTP webhook receiver on loopback for tests, and waits on the outbox's events: requests are awaited (never
 * slept for) and answered as each test says.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Notification, NotificationAttempt } from '../../domain/notify/notify-schemas.ts';
import type { WebhookOutbox } from './webhook-outbox.ts';

/** One request as the receiver got it. */
export interface ReceivedWebhook {
  /** `Date.now()` when its body had arrived. */
  at: number;
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The raw body, as a receiver must verify it. */
  body: string;
}

/** How to answer one request; a promise that never settles leaves the request hanging. */
export type WebhookAnswer = { status: number; body?: string; headers?: Record<string, string> };

export interface WebhookTestReceiver {
  url: string;
  port: number;
  /** Every request so far, in arrival order. */
  requests: ReceivedWebhook[];
  /** The request with index `n` (0-based), once it has arrived. */
  request(n: number, timeoutMs?: number): Promise<ReceivedWebhook>;
  /** Drops open connections (hanging requests included) and stops listening. */
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 (`port` 0: any free one) and answers request `n` with `answer(request, n)`; by default 200
 * `ok`.
 */
export async function startWebhookReceiver(
  answer: (request: ReceivedWebhook, n: number) => WebhookAnswer | Promise<WebhookAnswer> = () => ({ status: 200, body: 'ok' }),
  port = 0,
): Promise<WebhookTestReceiver> {
  const requests: ReceivedWebhook[] = [];
  const waiters: { n: number; resolve: (request: ReceivedWebhook) => void }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received: ReceivedWebhook = {
        at: Date.now(), method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'),
      };
      const n = requests.push(received) - 1;
      for (const waiter of waiters.filter((w) => w.n === n)) waiter.resolve(received);
      void Promise.resolve(answer(received, n)).then(({ status, body = '', headers = {} }) => {
        if (!res.writableEnded && !res.destroyed) res.writeHead(status, headers).end(body);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/hook`,
    port: bound,
    requests,
    request(n, timeoutMs = 5000) {
      const arrived = requests[n];
      if (arrived) return Promise.resolve(arrived);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`request ${n} did not reach the receiver within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ n, resolve: (request) => (clearTimeout(timer), resolve(request)) });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on (taken, then freed), for a receiver that is down. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The notification once it is delivered or failed; rejects after `timeoutMs`. */
export function settlement(outbox: WebhookOutbox, id: string, timeoutMs = 5000): Promise<Notification> {
  return new Promise((resolve, reject) => {
    const listener = (notification: Notification) => {
      if (notification.id !== id) return;
      stop();
      resolve(notification);
    };
    const stop = () => {
      clearTimeout(timer);
      outbox.events.off('delivered', listener);
      outbox.events.off('failed', listener);
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`notification ${id} was neither delivered nor failed within ${timeoutMs} ms`));
    }, timeoutMs);
    outbox.events.on('delivered', listener);
    outbox.events.on('failed', listener);
  });
}

/** The next attempt at notification `id` once it is logged; rejects after `timeoutMs`. */
export function nextAttempt(
  outbox: WebhookOutbox,
  id: string,
  timeoutMs = 5000,
): Promise<{ notification: Notification; attempt: NotificationAttempt }> {
  return new Promise((resolve, reject) => {
    const listener = (event: { notification: Notification; attempt: NotificationAttempt }) => {
      if (event.notification.id !== id) return;
      clearTimeout(timer);
      outbox.events.off('attempt', listener);
      resolve(event);
    };
    const timer = setTimeout(() => {
      outbox.events.off('attempt', listener);
      reject(new Error(`no attempt at notification ${id} within ${timeoutMs} ms`));
    }, timeoutMs);
    outbox.events.on('attempt', listener);
  });
}
