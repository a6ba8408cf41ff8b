import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ListenerPool } from '../ingress/listener-pool.ts';
import { TokenIngress, answer, type IngressAnswer, type Peer, type TokenIngressDeps } from '../ingress/token-ingress.ts';
import type { HttpListenerConfig } from '../../domain/devices/http-listener-config.ts';

/** The HTTP listener's path on the platform's HTTP port when its node says nothing else. */
export const HTTP_INGRESS_PATH = '/device';
const MAX_AUTH_BYTES = 8 * 1024;
/** The longest a poll may wait for commands (`?wait=`), in seconds. */
export const MAX_POLL_WAIT_SECONDS = 60;

export const httpRestartKey = (c: HttpListenerConfig) => JSON.stringify([c.port, c.host, c.path]);

/**
 * Device ingress over HTTP, after Alibaba IoT's HTTP access (docs/protocol.md "HTTP devices"), framing the requests of
 * a {@link TokenIngress}: `POST {path}/auth` signs in, `POST {path}/topic/{topic}` posts one uplink (token in the
 * `password` header) and is answered with the device's reply envelope, the verdict's code as the HTTP status;
 * `GET {path}/commands[?wait=s]` reads the device's waiting commands.
 *
 * An HTTP listener node owns one: on the platform's HTTP port (`port` 0: {@link HttpListenerPool.route} hands it the
 * requests under its path) or on a port of its own.
 */
export class HttpListener {
  readonly ingress: TokenIngress;
  readonly #router = express.Router();
  #config: HttpListenerConfig;
  #readBody!: express.RequestHandler;
  #server: http.Server | undefined;

  constructor(config: HttpListenerConfig, deps: TokenIngressDeps) {
    this.#config = config;
    this.ingress = new TokenIngress('http', deps, config);
    this.config = config;
    const readAuth = express.raw({ type: () => true, limit: MAX_AUTH_BYTES });
    const inner = express.Router();
    inner.post('/auth', (req, res, next) => readAuth(req, res, (err?: unknown) => {
      if (err) return next(err);
      this.ingress.signIn(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), peerOf(req)).then((a) => send(res, a), next);
    }));
    inner.use('/topic', (req, res, next) => {
      if (req.method !== 'POST') return send(res, answer(405, 'POST a device message'));
      this.#post(req, res, next);
    });
    inner.get('/commands', (req, res, next) => this.#poll(req, res, next));
    inner.use((req, res) => send(res, answer(404, `no device route ${req.method} ${req.baseUrl}${req.path}`)));
    inner.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
      // The body reader's refusals (too large, an encoding it cannot inflate, a broken stream) say their status.
      const status = (err as { status?: number }).status;
      if (status && status >= 400 && status < 500) return send(res, answer(status, (err as Error).message));
      deps.logger.error({ err }, 'http device request failed');
      send(res, answer(500, 'platform error'));
    });
    this.#router.use(config.path, inner);
  }

  get config(): HttpListenerConfig {
    return this.#config;
  }

  /** Settings but the port, host and path apply at once. */
  set config(config: HttpListenerConfig) {
    this.#config = config;
    this.ingress.settings = config;
    // Bodies are read as bytes whatever their content type: the dialect decodes them, as it decodes MQTT payloads.
    this.#readBody = express.raw({ type: () => true, limit: config.maxBodyBytes });
  }

  /** The port it listens on: its own, or undefined on the platform's. */
  get port(): number | undefined {
    return (this.#server?.address() as AddressInfo | null)?.port;
  }

  /** The requests under its path, when it is on the platform's port. */
  handle(req: Request, res: Response, next: NextFunction): void {
    this.#router(req, res, next);
  }

  async start(): Promise<void> {
    if (this.#config.port === 0) return;
    const app = express();
    app.disable('x-powered-by');
    app.use(this.#router);
    app.use((req, res) => send(res, answer(404, `no device route ${req.method} ${req.path}: this port serves ${this.#config.path}`)));
    const server = http.createServer(app);
    // Devices post small bodies and hold no connection between posts.
    server.requestTimeout = 30_000 + MAX_POLL_WAIT_SECONDS * 1000;
    server.headersTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#config.port, this.#config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
  }

  async stop(): Promise<void> {
    this.ingress.close();
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  #post(req: Request, res: Response, next: NextFunction): void {
    let topicPath: string;
    try {
      topicPath = decodeURIComponent(req.path);
    } catch {
      return send(res, answer(400, 'topic is not valid percent-encoding'));
    }
    // The body is read only once the token and topic passed (it waits in the socket meanwhile).
    this.ingress.acceptPost(req.get('password'), topicPath, peerOf(req), (a) => send(res, a)).then((post) => {
      if (!post) return;
      this.#readBody(req, res, (err?: unknown) => {
        if (err) {
          if ((err as { type?: string }).type !== 'entity.too.large') return next(err);
          return post.refuse(413, `body exceeds the limit of ${this.#config.maxBodyBytes} bytes`, (a) => send(res, a));
        }
        post.take(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), (a) => send(res, a));
      });
    }, next);
  }

  #poll(req: Request, res: Response, next: NextFunction): void {
    const wait = typeof req.query.wait === 'string' ? Number(req.query.wait) : 0;
    if (!Number.isFinite(wait) || wait < 0 || wait > MAX_POLL_WAIT_SECONDS) {
      return send(res, answer(400, `wait must be 0..${MAX_POLL_WAIT_SECONDS} seconds`));
    }
    this.ingress.poll(req.get('password'), peerOf(req), wait * 1000, (a) => send(res, a)).then((polled) => {
      if (typeof polled !== 'function') return send(res, polled);
      // A client that gives up before the answer: what would have gone to it waits for the next poll.
      if (res.destroyed) polled();
      else res.once('close', polled);
    }, next);
  }
}

/** The HTTP listeners the HTTP listener nodes own, kept across deploys (see {@link ListenerPool}). */
export class HttpListenerPool extends ListenerPool<HttpListenerConfig, HttpListener> {
  /** Requests on the platform's HTTP port under the path of a listener there; others go on. */
  route(req: Request, res: Response, next: NextFunction): void {
    const listener = this.listeners().find((l) => l.config.port === 0);
    if (listener) return listener.handle(req, res, next);
    // Devices still posting to the default path get a device's answer, not the web UI.
    if (req.path === HTTP_INGRESS_PATH || req.path.startsWith(`${HTTP_INGRESS_PATH}/`)) {
      return send(res, answer(404, `no HTTP listener serves ${HTTP_INGRESS_PATH} on this port: deploy a flow with an HTTP listener node`));
    }
    next();
  }
}

export function createHttpListenerPool(deps: TokenIngressDeps, logger: TokenIngressDeps['logger'], graceMs?: number): HttpListenerPool {
  return new HttpListenerPool('http', (config) => new HttpListener(config, deps), httpRestartKey, logger, graceMs);
}

const peerOf = (req: Request): Peer => ({ address: req.ip ?? req.socket.remoteAddress ?? 'unknown', secure: req.secure });

function send(res: Response, a: IngressAnswer): void {
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  if (a.retryAfter) res.setHeader('Retry-After', String(a.retryAfter));
  res.status(a.code).type('application/json').send(a.body);
}
