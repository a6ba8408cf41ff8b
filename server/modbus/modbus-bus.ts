import fs from 'node:fs';
import net from 'node:net';
import modbusSerial from 'modbus-serial';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import type { Logger } from 'pino';
import type { ModbusConnection, ModbusFailure } from '../../domain/modbus/modbus-api.ts';
import type { ModbusFunction } from '../../domain/modbus/point-table.ts';
import type { ModbusWrite } from './point-codec.ts';

/** One request on a bus, to one unit (slave). */
export type BusRequest =
  | { unitId: number; read: { function: ModbusFunction; address: number; quantity: number } }
  | { unitId: number; write: ModbusWrite };

/** Registers (functions 3/4) or bits (1/2) a read answered; nothing for a write. Or why it failed. */
export type BusResult = { ok: true; data: number[] | boolean[] } | { ok: false; failure: ModbusFailure };

// The package is CommonJS whose `module.exports.default` is itself: the class, however it is imported.
const ModbusClient = (modbusSerial as unknown as { default: new () => ModbusRTU }).default;

/** The Modbus exceptions by code (Modbus Application Protocol V1.1b3, 7), as messages name them. */
const EXCEPTION_NAMES: Record<number, string> = {
  1: 'illegal function', 2: 'illegal data address', 3: 'illegal data value', 4: 'slave device failure', 5: 'acknowledge',
  6: 'slave device busy', 8: 'memory parity error', 10: 'gateway path unavailable', 11: 'gateway target device failed to respond',
};

/** "exception 2: illegal data address". */
export function exceptionMessage(code: number): string {
  return `exception ${code}: ${EXCEPTION_NAMES[code] ?? 'unknown exception'}`;
}

/** After a failed connect, requests fail at once for this long instead of each trying again (a dead gateway, many units). */
const CONNECT_RETRY_MS = 1000;
/** Requests a bus holds waiting for their turn; beyond it they fail at once rather than pile up behind a slow line. */
const MAX_QUEUED = 10_000;

/** Which bus a connection uses: devices sharing it share one client (one socket, one serial port). */
export function busKey(c: ModbusConnection): string {
  return c.transport === 'rtu' ? `rtu:${c.path}` : `${c.transport}:${c.host}:${c.port ?? 502}`;
}

/** Where a connection's device is, as the connection history shows it: `host:port unit 1`, `/dev/ttyUSB0 unit 3`. */
export function remoteAddressOf(c: ModbusConnection): string {
  return `${c.transport === 'rtu' ? c.path : `${c.host}:${c.port ?? 502}`} unit ${c.unitId}`;
}

interface Queued {
  request: BusRequest;
  timeoutMs: number;
  resolve(result: BusResult): void;
}

interface InFlight {
  settle(result: BusResult): void;
}

/**
 * One Modbus line: a TCP connection (to a device or a gateway) or a serial port, and the client on it. Requests wait
 * their turn: a serial line and RTU over TCP carry one at a time (their frames have no transaction id), Modbus TCP up
 * to `maxInFlight`. It connects on the first request and again after the line is lost. Every request ends, with the
 * answer or a {@link ModbusFailure}; nothing the other side sends (garbage, half a frame, a reset) throws out of here.
 */
export class ModbusBus {
  /** Requests at once on Modbus TCP; serial and RTU over TCP ignore it (always one). */
  maxInFlight = 1;
  readonly #queue: Queued[] = [];
  readonly #inFlight = new Set<InFlight>();
  #client: ModbusRTU | undefined;
  #connecting: Promise<ModbusRTU> | undefined;
  #connectFailed: { at: number; error: unknown } | undefined;
  #closed = false;

  constructor(
    readonly key: string,
    /** The settings of the first device that opened it (a serial line has one baud rate for every device on it). */
    readonly connection: ModbusConnection,
    private readonly logger: Logger,
  ) {}

  /** Sends a request when its turn comes; resolves with the answer or the failure, never rejects. */
  request(request: BusRequest, timeoutMs: number): Promise<BusResult> {
    if (this.#closed) return Promise.resolve(failed('connect', 'the Modbus line was closed'));
    if (this.#queue.length >= MAX_QUEUED) return Promise.resolve(failed('connect', `${MAX_QUEUED} requests already wait for this line`));
    return new Promise((resolve) => {
      this.#queue.push({ request, timeoutMs, resolve });
      this.#pump();
    });
  }

  /** Requests waiting for their turn, and on the wire. */
  get load(): { queued: number; inFlight: number } {
    return { queued: this.#queue.length, inFlight: this.#inFlight.size };
  }

  /** Closes the line; what waits or is in flight fails. */
  close(): void {
    this.#closed = true;
    for (const q of this.#queue.splice(0)) q.resolve(failed('connect', 'the Modbus line was closed'));
    this.#drop('the Modbus line was closed');
  }

  /**
   * RTU frames on a serial line are told apart by silence: 3.5 characters (11 bits each) between them, 1.75 ms above
   * 19,200 baud (Modbus over Serial Line V1.02, 2.5.1.1). A slave that is still listening would take a request sent
   * sooner as the end of the last one.
   */
  get #frameGapMs(): number {
    if (this.connection.transport !== 'rtu') return 0;
    const baud = this.connection.baudRate ?? 9600;
    return Math.ceil(baud > 19_200 ? 1.75 : (3.5 * 11 * 1000) / baud);
  }

  get #limit(): number {
    return this.connection.transport === 'tcp' ? Math.max(1, this.maxInFlight) : 1;
  }

  #pump(): void {
    while (!this.#closed && this.#queue.length > 0 && this.#inFlight.size < this.#limit) {
      const next = this.#queue.shift()!;
      const flight = this.#start(next);
      this.#inFlight.add(flight);
    }
  }

  #start(q: Queued): InFlight {
    let done = false;
    // The timeout counts from the moment the request leaves the queue, connecting included.
    const timer = setTimeout(() => {
      flight.settle(failed('timeout', `timeout after ${q.timeoutMs} ms`));
      this.#afterNonsense();
    }, q.timeoutMs);
    const flight: InFlight = {
      settle: (result) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.#inFlight.delete(flight);
        q.resolve(result);
        // The next request goes out on a later tick (a callback of the library must not send from inside itself),
        // and on a serial line after the silence that ends a frame.
        if (this.#frameGapMs > 0) setTimeout(() => this.#pump(), this.#frameGapMs);
        else setImmediate(() => this.#pump());
      },
    };
    this.#connect(q.timeoutMs).then(
      (client) => {
        if (done) return;
        try {
          send(client, q.request, (err, data) => {
            const result = err ? failureOf(err) : { ok: true as const, data: data ?? [] };
            flight.settle(result);
            if (!result.ok && result.failure.kind === 'protocol') this.#afterNonsense();
          });
        } catch (err) {
          flight.settle(failureOf(err));
        }
      },
      (err: unknown) => flight.settle({ ok: false, failure: connectFailure(err) }),
    );
    return flight;
  }

  /**
   * A request timed out or was answered with nonsense. A serial frame still arriving would be read as the next
   * request's answer, so what the port buffered is dropped before the next request anyway (see {@link send}); a TCP
   * connection holding bytes that are no whole frame is out of step for good and is reconnected.
   */
  #afterNonsense(): void {
    const port = this.#client && (this.#client as unknown as { _port?: { _clientRcvData?: Buffer } })._port;
    if (this.connection.transport === 'tcp' && port?._clientRcvData && port._clientRcvData.length > 0) {
      this.logger.debug({ bus: this.key }, 'Modbus TCP connection out of step after a timeout: reconnecting');
      this.#drop('connection reset after a half answer');
    }
  }

  #connect(timeoutMs: number): Promise<ModbusRTU> {
    const open = this.#client;
    if (open?.isOpen) return Promise.resolve(open);
    // Closed without saying so (some ports only report an error): what was in flight on it will not be answered.
    if (open) this.#drop('connection lost');
    const recent = this.#connectFailed;
    if (recent && Date.now() - recent.at < CONNECT_RETRY_MS) return Promise.reject(recent.error);
    this.#connecting ??= this.#open(Math.max(timeoutMs, 1000)).then(
      (client) => {
        this.#connecting = undefined;
        this.#connectFailed = undefined;
        return client;
      },
      (err: unknown) => {
        this.#connecting = undefined;
        this.#connectFailed = { at: Date.now(), error: err };
        throw err;
      },
    );
    return this.#connecting;
  }

  async #open(timeoutMs: number): Promise<ModbusRTU> {
    const c = this.connection;
    if (c.transport === 'rtu') {
      // A path is whatever a user with devices:write typed: only a character device (a serial port) is ever opened.
      const stat = fs.statSync(c.path!, { throwIfNoEntry: false });
      if (!stat) throw new ConnectError(`${c.path} does not exist`);
      if (!stat.isCharacterDevice()) throw new ConnectError(`${c.path} is not a serial device`);
    }
    const client = new ModbusClient();
    // Serial port errors are reported on the client; without a listener an EventEmitter would throw them.
    client.on('error', (err: unknown) => {
      this.logger.debug({ bus: this.key, err }, 'Modbus line error');
      if (this.#client === client) this.#drop(`line error: ${errorText(err)}`);
    });
    const lost = () => {
      if (this.#client === client) this.#drop('connection lost');
    };
    client.on('close', lost);
    const opening = c.transport === 'tcp'
      ? client.connectTCP(c.host!, { port: c.port ?? 502 })
      : c.transport === 'rtu-over-tcp'
        ? client.connectTelnet(c.host!, { port: c.port ?? 502 })
        : client.connectRTUBuffered(c.path!, {
          baudRate: c.baudRate ?? 9600, parity: c.parity ?? 'none', dataBits: c.dataBits ?? 8, stopBits: c.stopBits ?? 1,
        });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ConnectError(`could not connect within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([opening, timedOut]);
    } catch (err) {
      destroy(client);
      throw err instanceof ConnectError ? err : new ConnectError(errorText(err));
    } finally {
      clearTimeout(timer);
    }
    if (this.#closed) {
      destroy(client);
      throw new ConnectError('the Modbus line was closed');
    }
    this.#client = client;
    // A reset reaches the TCP ports as an error first, after which they stay silent about the close: the socket says it.
    const socket = (client as unknown as { _port?: { _client?: unknown } })._port?._client;
    if (socket instanceof net.Socket) socket.once('close', lost);
    this.logger.debug({ bus: this.key }, 'Modbus line open');
    return client;
  }

  /** Forgets the client (closing it), failing what is in flight on it; the next request connects again. */
  #drop(reason: string): void {
    const client = this.#client;
    this.#client = undefined;
    for (const flight of [...this.#inFlight]) flight.settle(failed('connect', reason));
    if (client) destroy(client);
  }
}

class ConnectError extends Error {}

/** Sends one request with the library's low-level calls, which take the unit id per request (the bus is shared). */
function send(client: ModbusRTU, request: BusRequest, done: (err: unknown, data?: number[] | boolean[]) => void): void {
  // What a serial or RTU-over-TCP port buffered since the last answer (a late frame, noise) is not this request's answer.
  const port = (client as unknown as { _port?: { _buffer?: Buffer } })._port;
  if (port && Buffer.isBuffer(port._buffer)) port._buffer = Buffer.alloc(0);
  const unit = request.unitId;
  const answer = (err: unknown, res?: { data?: number[] | boolean[] }) => done(err, res?.data);
  if ('read' in request) {
    const { function: fn, address, quantity } = request.read;
    if (fn === 1) client.writeFC1(unit, address, quantity, answer);
    else if (fn === 2) client.writeFC2(unit, address, quantity, answer);
    else if (fn === 3) client.writeFC3(unit, address, quantity, answer);
    else client.writeFC4(unit, address, quantity, answer);
    return;
  }
  const w = request.write;
  const wrote = (err: unknown) => done(err, []);
  if (w.function === 5) client.writeFC5(unit, w.address, w.bits[0]!, wrote);
  else if (w.function === 15) client.writeFC15(unit, w.address, w.bits, wrote);
  else if (w.function === 6) client.writeFC6(unit, w.address, w.words[0]!, wrote);
  else if (w.function === 16) client.writeFC16(unit, w.address, w.words, wrote);
}

function failed(kind: ModbusFailure['kind'], message: string): { ok: false; failure: ModbusFailure } {
  return { ok: false, failure: { kind, message } };
}

/** What the library's error means: the slave's exception, the port not open, or an answer that made no sense. */
function failureOf(err: unknown): { ok: false; failure: ModbusFailure } {
  const e = err as { modbusCode?: unknown; errno?: unknown; message?: unknown } | undefined;
  if (typeof e?.modbusCode === 'number') {
    return { ok: false, failure: { kind: 'exception', message: exceptionMessage(e.modbusCode), exceptionCode: e.modbusCode } };
  }
  if (e?.errno === 'ECONNREFUSED') return failed('connect', `not connected: ${errorText(err)}`);
  if (e?.errno === 'ETIMEDOUT') return failed('timeout', 'timeout');
  return failed('protocol', `the answer made no sense: ${errorText(err)}`);
}

function connectFailure(err: unknown): ModbusFailure {
  return { kind: 'connect', message: `cannot connect: ${errorText(err)}` };
}

function errorText(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown } | undefined;
  const message = typeof e?.message === 'string' && e.message ? e.message : String(err);
  return typeof e?.code === 'string' && !message.includes(e.code) ? `${e.code} ${message}` : message;
}

function destroy(client: ModbusRTU): void {
  try {
    (client as unknown as { removeAllListeners(event: string): void }).removeAllListeners('close');
    // Still listening for errors: a socket being torn down may report one more. A serial port has no destroy: closed.
    const port = (client as unknown as { _port?: { destroy?: unknown } })._port;
    if (typeof port?.destroy === 'function') client.destroy(() => {});
    else client.close(() => {});
  } catch {
    // already gone
  }
}

/**
 * The open lines, one per {@link busKey}: the pollers and "read now" share them, so a serial port is opened once and
 * a device read now waits its turn behind the polls on its line. A line closes when its last user lets go.
 */
export class ModbusBuses {
  readonly #buses = new Map<string, { bus: ModbusBus; users: number }>();

  constructor(private readonly logger: Logger) {}

  acquire(connection: ModbusConnection): ModbusBus {
    const key = busKey(connection);
    let entry = this.#buses.get(key);
    if (!entry) {
      entry = { bus: new ModbusBus(key, connection, this.logger), users: 0 };
      this.#buses.set(key, entry);
    }
    entry.users += 1;
    return entry.bus;
  }

  release(bus: ModbusBus): void {
    const entry = this.#buses.get(bus.key);
    if (!entry || entry.bus !== bus) return;
    entry.users -= 1;
    if (entry.users > 0) return;
    this.#buses.delete(bus.key);
    bus.close();
  }

  /** The lines open now, with what they hold. */
  lines(): ModbusBus[] {
    return [...this.#buses.values()].map((e) => e.bus);
  }

  closeAll(): void {
    for (const { bus } of this.#buses.values()) bus.close();
    this.#buses.clear();
  }
}
