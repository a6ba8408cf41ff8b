import net, { type AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ListenerPool } from '../ingress/listener-pool.ts';
import { TcpConnection, type TcpConnectionHost, type TcpCounters, type TcpIngressDeps } from './tcp-connection.ts';
import type { TcpListenerConfig } from '../../domain/devices/tcp-listener-config.ts';

export type { TcpIngressDeps };

/** What needs a new server: the port and address, and how the stream is cut (connections keep their framing). */
export const tcpRestartKey = (c: TcpListenerConfig) =>
  JSON.stringify([c.port, c.host, c.framing, c.framing === 'fixed' ? c.fixedBytes : 0, c.framing === 'codec' ? c.productKey : '']);

/**
 * Device ingress over plain TCP (docs/protocol.md "TCP devices"): a server whose connections ({@link TcpConnection})
 * sign in with their first frame and then are their device's session. The listener admits connections under the
 * sign-in limits: an address banned for failed sign-ins, or a connection beyond `maxPendingSignIns` still signing in,
 * is closed as it arrives (counted); the others get `signInTimeoutMs` to sign in.
 *
 * Every setting but the port, address and framing applies at once to the connections open (a redeploy through the
 * pool changes `config` in place).
 */
export class TcpListener {
  config: TcpListenerConfig;
  readonly deps: TcpIngressDeps;
  readonly counters: TcpCounters = {
    signInTimeouts: 0, refusedPending: 0, signInsRefused: 0, framesTooLarge: 0, framesRefused: 0, idleTimeouts: 0, slowReaders: 0,
  };
  #server: net.Server | undefined;
  readonly #connections = new Set<TcpConnection>();
  readonly #pending = new Set<TcpConnection>();

  constructor(config: TcpListenerConfig, deps: TcpIngressDeps) {
    this.config = config;
    this.deps = deps;
  }

  /** The port it listens on (the one bound when the config said 0). */
  get port(): number | undefined {
    return (this.#server?.address() as AddressInfo | null)?.port;
  }

  /** Connections open now, signed in or not. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  async start(): Promise<void> {
    const server = net.createServer((socket) => this.#accept(socket));
    server.on('error', (err) => this.deps.logger.warn({ err }, 'tcp listener error'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // A fleet reconnecting at once arrives faster than the loop accepts: a deep backlog keeps them queued.
      server.listen({ port: this.config.port, host: this.config.host, backlog: 4096 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    this.deps.logger.info({ port: this.port, host: this.config.host, framing: this.config.framing }, 'tcp listener started');
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const connection of [...this.#connections]) connection.stop();
    await closed;
    this.deps.logger.info({ port: this.config.port }, 'tcp listener stopped');
  }

  #accept(socket: net.Socket): void {
    socket.on('error', () => {}); // a reset before the connection is handled must not end the process
    const full = this.#pending.size >= this.config.maxPendingSignIns;
    if (full || this.deps.bans?.banned(socket.remoteAddress ?? 'unknown')) {
      if (full) this.counters.refusedPending++;
      socket.destroy();
      return;
    }
    const host: TcpConnectionHost = {
      config: this.config, deps: this.deps, counters: this.counters,
      settled: (c) => this.#pending.delete(c),
      closed: (c) => this.#connections.delete(c),
    };
    // Read per use: a redeploy's settings apply to the connections open.
    Object.defineProperty(host, 'config', { get: () => this.config });
    const connection = new TcpConnection(host, socket);
    this.#connections.add(connection);
    this.#pending.add(connection);
    connection.start();
  }

  /** Counters for /metrics. */
  stats(): TcpCounters & { pendingSignIns: number; connections: number } {
    return { ...this.counters, pendingSignIns: this.#pending.size, connections: this.#connections.size };
  }
}

/** The TCP listeners the TCP listener nodes own, kept across deploys (see {@link ListenerPool}). */
export class TcpListenerPool extends ListenerPool<TcpListenerConfig, TcpListener> {}

export function createTcpListenerPool(deps: TcpIngressDeps, logger: Logger, graceMs?: number): TcpListenerPool {
  return new TcpListenerPool('tcp', (config) => new TcpListener(config, deps), tcpRestartKey, logger, graceMs);
}
