import net from 'node:net';
import { alinkSignature } from '../device-auth/alink-sign.ts';
import { FrameReader, frameOut, type CodecFramer } from '../tcp-ingress/tcp-framing.ts';
import type { TestDevice } from './mqtt-devices.ts';
import type { TestServer } from './test-server.ts';
import { until } from './until.ts';
import type { TcpFraming, TcpListenerConfig } from '../../domain/devices/tcp-listener-config.ts';

/** A TCP listener node as a flow holds it: the node's settings (seconds for the idle timeout). */
export type TcpListenerNode = Omit<TcpListenerConfig, 'idleTimeoutMs'> & { id: string; idleTimeoutSeconds: number };

/**
 * A flow with TCP listeners (each with these settings over the node's defaults; give each its own port, the pool keys
 * listeners by port) and device in → thing validate → telemetry store (answering 200 once stored): valid messages are
 * stored, invalid ones answered 422 by thing validate.
 */
export function tcpListenerFlow(listeners: (Partial<TcpListenerNode> & { id: string; port: number })[]): object[] {
  return [
    { id: 'tab', type: 'tab', label: 'devices' },
    ...listeners.map((l) => ({
      type: 'thing-tcp-listener', host: '127.0.0.1', framing: 'newline', fixedBytes: 20, maxFrameBytes: 65536, productKey: '',
      signInTimeoutMs: 10_000, maxPendingSignIns: 2000, idleTimeoutSeconds: 300, ratePerDevice: 0, maxWriteBufferBytes: 1024 * 1024,
      replyTimeoutMs: 5000, ...l,
    })),
    { id: 'in', type: 'device-in', z: 'tab', x: 100, y: 100, product: '', device: '', kinds: ['property.post', 'event.post'], dialect: 'any', wires: [['validate']] },
    { id: 'validate', type: 'thing-validate', z: 'tab', x: 250, y: 100, product: '', unknownProperties: 'reject', wires: [['store'], []] },
    { id: 'store', type: 'telemetry-store', z: 'tab', x: 400, y: 100, reply: true, wires: [[], []] },
  ];
}

/** Deploys the flows and resolves once every TCP listener in them listens. */
export async function deployTcpListeners(tw: TestServer, flows: object[]): Promise<void> {
  const res = await tw.request('POST', '/api/v1/flows', { token: tw.adminToken, body: { flows } });
  if (res.status !== 200) throw new Error(`deploy: ${JSON.stringify(res.body)}`);
  const count = flows.filter((n) => (n as { type?: string }).type === 'thing-tcp-listener').length;
  await until('the TCP listeners started', () => tw.app.tcpListeners.listeners().filter((l) => l.port).length, (n) => n === count, 15_000);
}

/** Alink sign-in fields for a device, signed with HMAC-SHA256 (what a TCP device's first frame carries as JSON). */
export function alinkSignIn(device: TestDevice, options: { clientId?: string; timestamp?: number; secret?: string } = {}) {
  const timestamp = String(options.timestamp ?? Date.now());
  const clientId = options.clientId ?? `${device.deviceName}-tcp`;
  const sign = alinkSignature('hmacsha256', options.secret ?? device.deviceSecret, { clientId, deviceName: device.deviceName, productKey: device.productKey, timestamp });
  return { productKey: device.productKey, deviceName: device.deviceName, clientId, timestamp, signmethod: 'hmacsha256', sign };
}

/**
 * A device's TCP connection as a test drives it: frames sent and read with the listener's framing (the codec's, for
 * `codec` framing, given as `codecFrame`), and whether the listener closed it.
 */
export class TcpTestDevice {
  readonly socket: net.Socket;
  readonly closed: Promise<void>;
  readonly #framing: TcpFraming;
  readonly #reader: FrameReader;
  readonly #frames: Buffer[] = [];
  #waiter: (() => void) | undefined;
  #ended = false;

  private constructor(socket: net.Socket, framing: TcpFraming, fixedBytes: number, codecFrame?: CodecFramer) {
    this.socket = socket;
    this.#framing = framing;
    this.#reader = new FrameReader(() => ({ framing, fixedBytes, maxFrameBytes: 16 * 1024 * 1024 }), codecFrame);
    socket.on('data', (chunk: Buffer) => {
      this.#reader.push(chunk);
      for (let step = this.#reader.next(); step.kind === 'frame'; step = this.#reader.next()) this.#frames.push(step.frame);
      this.#waiter?.();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.#ended = true;
      this.#waiter?.();
      resolve();
    }));
  }

  static connect(port: number, framing: TcpFraming, options: { fixedBytes?: number; codecFrame?: CodecFramer } = {}): Promise<TcpTestDevice> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1', noDelay: true }, () => resolve(new TcpTestDevice(socket, framing, options.fixedBytes ?? 0, options.codecFrame)));
      socket.once('error', reject);
    });
  }

  /** Sends one frame: an object as JSON, a string or bytes as they are, framed as the listener frames. */
  send(frame: object | string | Uint8Array): void {
    const bytes = frame instanceof Uint8Array ? frame : Buffer.from(typeof frame === 'string' ? frame : JSON.stringify(frame));
    this.socket.write(frameOut(this.#framing, bytes));
  }

  /** The next frame the listener sent; rejects when the connection closes first or nothing comes in time. */
  async next(timeoutMs = 15_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.#frames.length === 0) {
      if (this.#ended) throw new Error('the connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = undefined;
    }
    return this.#frames.shift()!;
  }

  async nextJson(timeoutMs?: number): Promise<Record<string, unknown>> {
    return JSON.parse((await this.next(timeoutMs)).toString('utf8')) as Record<string, unknown>;
  }

  end(): void {
    this.socket.destroy();
  }
}
