import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import mqttPacket, { type IConnackPacket, type IConnectPacket, type IPublishPacket, type Packet } from 'mqtt-packet';
import type { Logger } from 'pino';
import { lengthSize, writeLength } from './mqtt-wire.ts';

/**
 * MQTT 5 in front of aedes.
 *
 * aedes 1.2 speaks MQTT 3.1 and 3.1.1 only: a v5 CONNECT is refused with return code 1 and every packet it writes is
 * in v4 format. {@link bridgeMqtt5} looks at the first packet of each connection: 3.1/3.1.1 connections are handed to
 * aedes as they are, v5 connections get a translating stream between the socket and aedes. The v5 features aedes
 * cannot act on (properties, subscription options, session expiry, enhanced authentication) are dropped or refused
 * here, so a v5 device sees a correct, if plain, MQTT 5 server.
 */

/** Settings of {@link bridgeMqtt5}; every field has a default. */
export interface Mqtt5BridgeOptions {
  /** How long a new connection may take to send its CONNECT before it is closed, in ms. Default 10 000. */
  connectTimeoutMs?: number;
  /**
   * Topic aliases a v5 client may define (the Topic Alias Maximum announced in CONNACK); 0 turns aliases off.
   * Each alias holds a topic in memory for the life of the connection. Default 16 (Mosquitto's default is 10).
   */
  topicAliasMaximum?: number;
  /**
   * Bytes the bridge may hold for a v5 client that does not read fast enough; past it the connection is dropped.
   * Default 8 MiB.
   */
  maxOutboundBufferBytes?: number;
  /** Debug-level notes on refused and broken connections (never payloads). */
  logger?: Pick<Logger, 'debug'>;
  /** Largest packet (remaining length) a v5 client may send before CONNACK; larger is refused with 0x95. Default 64 KiB. */
  maxConnectBytes?: number;
  /**
   * Largest packet a v5 client may send once connected, announced in CONNACK as the Maximum Packet Size; larger is
   * answered DISCONNECT 0x95 as soon as its header is read, before its body is buffered. Default 256 MB (no limit).
   */
  maxPacketBytes?: () => number;
}

/** Why the bridge closed a v5 connection; aedes sees it as the connection's error (`clientError`/`connectionError`). */
export type Mqtt5BridgeErrorCode =
  | 'malformed_packet'
  | 'protocol_error'
  | 'topic_alias_invalid'
  | 'bad_authentication_method'
  | 'outbound_overflow'
  | 'packet_too_large'
  | 'broker_output_invalid';

/** An error the bridge raised on a v5 connection, with a stable {@link Mqtt5BridgeErrorCode}. */
export class Mqtt5BridgeError extends Error {
  override name = 'Mqtt5BridgeError';
  constructor(
    readonly code: Mqtt5BridgeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Serves a new connection with aedes whatever MQTT version it speaks. Call it for every accepted socket (TCP, TLS or a
 * WebSocket stream) with `handle` = `(stream) => broker.handle(stream)`.
 *
 * Waits for the first bytes of the CONNECT. Protocol level 3 or 4 (and anything that is not a CONNECT, which aedes
 * refuses as before): `handle(socket)` with the very same socket and its bytes put back, so 3.1.1 devices cost nothing
 * after the first packet. Level 5: `handle(stream)` with a stream that speaks 3.1.1 to aedes and MQTT 5 to the
 * client, once the whole CONNECT is in. That stream exposes the socket's `remoteAddress`/`remotePort` and carries
 * over a `thingwireProtocol` tag set on the socket, so aedes hooks can read them from `client.conn` either way.
 *
 * Never throws and never leaves an `'error'` event unhandled; a connection that sends no CONNECT within
 * `connectTimeoutMs` is closed.
 */
export function bridgeMqtt5(socket: Duplex, handle: (stream: Duplex) => void, options: Mqtt5BridgeOptions = {}): void {
  const settings: Settings = {
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    topicAliasMaximum: Math.min(options.topicAliasMaximum ?? 16, 0xffff),
    maxOutboundBufferBytes: options.maxOutboundBufferBytes ?? 8 * 1024 * 1024,
    maxConnectBytes: options.maxConnectBytes ?? 64 * 1024,
    maxPacketBytes: options.maxPacketBytes ?? (() => MAX_REMAINING_LENGTH),
    logger: options.logger ?? SILENT,
  };
  // Without TCP_NODELAY p50 latency is 20–30 ms. The listener sets it too; the bridge must not lose it.
  (socket as Partial<Socket>).setNoDelay?.(true);

  let head: Buffer | undefined;
  // aedes's own connect timeout only starts once it has the stream, so until then the bridge keeps the clock.
  const connectTimer = setTimeout(() => {
    settings.logger.debug({ remoteAddress: remoteAddressOf(socket) }, 'mqtt connection sent no CONNECT in time');
    stopPeeking();
    socket.destroy();
  }, settings.connectTimeoutMs);
  const onError = (err: Error) => {
    settings.logger.debug({ err: err.message }, 'mqtt connection failed before CONNECT');
    clearTimeout(connectTimer);
    stopPeeking();
    socket.destroy();
  };
  const onEnd = () => {
    clearTimeout(connectTimer);
    stopPeeking();
    socket.destroy();
  };
  const onReadable = () => {
    for (let chunk: Buffer | null; (chunk = socket.read() as Buffer | null) !== null; ) {
      head = head ? Buffer.concat([head, chunk]) : chunk;
      const level = connectLevel(head);
      if (level === undefined) continue;
      stopPeeking();
      if (level === 5) {
        new Mqtt5Connection(socket, head, handle, settings, connectTimer);
      } else {
        clearTimeout(connectTimer);
        socket.unshift(head);
        handOver(socket, socket, handle, settings);
      }
      return;
    }
  };
  function stopPeeking(): void {
    socket.off('readable', onReadable);
    socket.off('error', onError);
    socket.off('end', onEnd);
    socket.off('close', onEnd);
  }
  socket.on('readable', onReadable);
  socket.on('error', onError);
  socket.on('end', onEnd);
  socket.on('close', onEnd);
}

interface Settings {
  connectTimeoutMs: number;
  maxConnectBytes: number;
  maxPacketBytes: () => number;
  topicAliasMaximum: number;
  maxOutboundBufferBytes: number;
  logger: Pick<Logger, 'debug'>;
}

const SILENT: Pick<Logger, 'debug'> = { debug: () => {} };

/**
 * The protocol level byte of the CONNECT at the start of `buf`; `undefined` while more bytes are needed, -1 when the
 * bytes are not the start of a CONNECT. Needs at most 14 bytes (fixed header, 4-byte length, "MQIsdp", level), so
 * peeking never buffers more than one read.
 */
function connectLevel(buf: Buffer): number | undefined {
  if (buf[0] !== 0x10) return -1;
  let at = 1;
  for (let lengthBytes = 1; ; lengthBytes++) {
    const byte = buf[at++];
    if (byte === undefined) return undefined;
    if ((byte & 0x80) === 0) break;
    if (lengthBytes === 4) return -1;
  }
  if (buf.length < at + 2) return undefined;
  const nameLength = buf.readUInt16BE(at);
  if (nameLength !== 4 && nameLength !== 6) return -1;
  return buf[at + 2 + nameLength];
}

function handOver(stream: Duplex, socket: Duplex, handle: (stream: Duplex) => void, settings: Settings): boolean {
  try {
    handle(stream);
    return true;
  } catch (err) {
    // A throwing handler would otherwise surface as an uncaught exception from a socket event.
    settings.logger.debug({ err: (err as Error).message }, 'mqtt connection handler threw');
    stream.destroy();
    socket.destroy();
    return false;
  }
}

function remoteAddressOf(socket: Duplex): string | undefined {
  return (socket as Partial<Socket>).remoteAddress;
}

/** MQTT 3.1.1 CONNACK return code → MQTT 5 CONNACK reason code, by index (MQTT 5 §3.2.2.2). */
const CONNACK_REASON: readonly number[] = [0x00, 0x84, 0x85, 0x88, 0x86, 0x87];
const UNSPECIFIED_ERROR = 0x80;
const MALFORMED_PACKET = 0x81;
const PROTOCOL_ERROR = 0x82;
const IMPLEMENTATION_ERROR = 0x83;
const NOT_AUTHORIZED = 0x87;
const BAD_AUTHENTICATION_METHOD = 0x8c;
const TOPIC_ALIAS_INVALID = 0x94;
const DISCONNECT_WITH_WILL = 0x04;
const SUBACK_FAILURE_V4 = 0x80;
/** Which of the bridge's own reason codes a CONNACK may carry (0x94 topic alias invalid is DISCONNECT-only). */
const PACKET_TOO_LARGE = 0x95;
const CONNACK_CAN_CARRY = new Set([MALFORMED_PACKET, PROTOCOL_ERROR, IMPLEMENTATION_ERROR, BAD_AUTHENTICATION_METHOD, PACKET_TOO_LARGE]);

const V4 = { protocolVersion: 4 } as const;
const V5 = { protocolVersion: 5 } as const;
const PINGREQ = Buffer.from([0xc0, 0x00]);
/** After aedes closes, the client gets this long to read what is left before the socket is destroyed. */
const CLOSE_GRACE_MS = 2_000;

/** Listener tags on the socket that aedes hooks read from `client.conn` (see mqtt-listener.ts). */
const CARRIED_TAGS = ['thingwireProtocol', 'thingwireAdmission'] as const;

const PUBLISH_TYPE = 3;
const PUBACK_TYPE = 4;
const PUBREC_TYPE = 5;
const PUBREL_TYPE = 6;
const PUBCOMP_TYPE = 7;
const PINGREQ_TYPE = 12;
const PINGRESP_TYPE = 13;
/** The largest remaining length MQTT can express (4 length bytes). */
const MAX_REMAINING_LENGTH = 268_435_455;

/**
 * Cuts a byte stream into whole MQTT packets (fixed header and body) without decoding them. A packet that fits in
 * one chunk is passed on as a view of it; one spread over several chunks is joined once when its last byte is in.
 * Nothing is allocated ahead of the bytes arriving, so a header that announces 256 MB costs nothing by itself.
 */
class PacketFramer {
  readonly #onPacket: (packet: Buffer, headerLength: number) => void;
  /** Asked per packet: a larger remaining length is refused before its body is buffered. */
  readonly #maxSize: (() => number) | undefined;
  readonly #onTooLarge: ((size: number) => void) | undefined;
  #refused = false;
  /** Bytes of a fixed header not complete yet (at most 4). */
  #head: Buffer | undefined;
  #partial: { chunks: Buffer[]; buffered: number; size: number; headerLength: number } | undefined;

  constructor(onPacket: (packet: Buffer, headerLength: number) => void, limit?: { maxSize: () => number; onTooLarge: (size: number) => void }) {
    this.#onPacket = onPacket;
    this.#maxSize = limit?.maxSize;
    this.#onTooLarge = limit?.onTooLarge;
  }

  /**
   * False when the bytes cannot be MQTT (a reserved packet type, wrong header flags, a remaining length over 4
   * bytes); the stream is then unusable. Checking the first byte refuses garbage before waiting for the length it
   * seems to announce.
   */
  feed(chunk: Buffer): boolean {
    if (this.#refused) return true;
    let at = 0;
    const partial = this.#partial;
    if (partial) {
      const missing = partial.size - partial.buffered;
      if (chunk.length < missing) {
        partial.chunks.push(chunk);
        partial.buffered += chunk.length;
        return true;
      }
      partial.chunks.push(chunk.subarray(0, missing));
      this.#partial = undefined;
      this.#onPacket(Buffer.concat(partial.chunks, partial.size), partial.headerLength);
      at = missing;
    }
    if (this.#head) {
      chunk = Buffer.concat([this.#head, chunk.subarray(at)]);
      this.#head = undefined;
      at = 0;
    }
    while (at < chunk.length) {
      if (!validFirstByte(chunk[at]!)) return false;
      let remaining = 0;
      let i = at + 1;
      for (let shift = 0; ; shift += 7) {
        if (shift > 21) return false;
        const byte = chunk[i++];
        if (byte === undefined) {
          this.#head = chunk.subarray(at);
          return true;
        }
        remaining += (byte & 0x7f) * 2 ** shift;
        if ((byte & 0x80) === 0) break;
      }
      const headerLength = i - at;
      if (this.#maxSize && remaining > this.#maxSize()) {
        this.#refused = true;
        this.#onTooLarge!(remaining);
        return true;
      }
      const end = i + remaining;
      if (end <= chunk.length) {
        this.#onPacket(chunk.subarray(at, end), headerLength);
        at = end;
        continue;
      }
      this.#partial = { chunks: [chunk.subarray(at)], buffered: chunk.length - at, size: end - at, headerLength };
      return true;
    }
    return true;
  }
}

/** Header flags each packet type must carry (MQTT 5 §2.1.3, same in 3.1.1); PUBLISH's vary but QoS 3 is invalid. */
const REQUIRED_FLAGS: readonly number[] = [-1, 0, 0, -1, 0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, 0];

function validFirstByte(byte: number): boolean {
  const type = byte >> 4;
  if (type === PUBLISH_TYPE) return ((byte >> 1) & 3) !== 3;
  return (byte & 0x0f) === REQUIRED_FLAGS[type];
}

/**
 * Decodes one whole packet with mqtt-packet. A parser per call rather than per connection: only the rare packets
 * (CONNECT, SUBSCRIBE, PUBLISH with properties…) come here, and an idle connection then holds no parser state.
 */
function decode(packet: Buffer, protocolVersion: 4 | 5): Packet {
  const parser = mqttPacket.parser({ protocolVersion });
  let decoded: Packet | undefined;
  let error: Error | undefined;
  parser.on('packet', (p: Packet) => (decoded = p));
  parser.on('error', (err: Error) => (error ??= err));
  // Besides 'error' events, a few truncated fields throw from mqtt-packet's buffer reads.
  parser.parse(packet);
  if (error) throw error;
  if (!decoded) throw new Error('incomplete packet');
  return decoded;
}

/** Where topic (and message id) end in a PUBLISH body; undefined if the packet is too short for them. */
function publishVariableHeaderEnd(packet: Buffer, headerLength: number): number | undefined {
  if (packet.length < headerLength + 2) return undefined;
  const qos = (packet[0]! >> 1) & 3;
  if (qos === 3) return undefined;
  const end = headerLength + 2 + packet.readUInt16BE(headerLength) + (qos > 0 ? 2 : 0);
  return end <= packet.length ? end : undefined;
}

/**
 * A v5 PUBLISH without properties as v4 bytes: the same packet minus its zero property length. Anything else (a
 * topic alias, other properties, an empty topic, a malformed packet) is left to the decoding path: undefined.
 */
function publishV5ToV4(packet: Buffer, headerLength: number): Buffer | undefined {
  if (packet.length < headerLength + 2 || packet.readUInt16BE(headerLength) === 0) return undefined;
  const end = publishVariableHeaderEnd(packet, headerLength);
  if (end === undefined || packet[end] !== 0) return undefined;
  const remaining = packet.length - headerLength - 1;
  const v4 = Buffer.allocUnsafe(1 + lengthSize(remaining) + remaining);
  v4[0] = packet[0]!;
  let at = writeLength(v4, 1, remaining);
  at += packet.copy(v4, at, headerLength, end);
  packet.copy(v4, at, end + 1);
  return v4;
}

/** A v4 PUBLISH as v5 bytes: the same packet with a zero property length after the topic and message id. */
function publishV4ToV5(packet: Buffer, headerLength: number): Buffer | undefined {
  const end = publishVariableHeaderEnd(packet, headerLength);
  const remaining = packet.length - headerLength + 1;
  if (end === undefined || remaining > MAX_REMAINING_LENGTH) return undefined;
  const v5 = Buffer.allocUnsafe(1 + lengthSize(remaining) + remaining);
  v5[0] = packet[0]!;
  let at = writeLength(v5, 1, remaining);
  at += packet.copy(v5, at, headerLength, end);
  v5[at++] = 0;
  packet.copy(v5, at, end);
  return v5;
}

/**
 * One MQTT 5 connection as aedes sees it: the stream aedes reads 3.1.1 packets from and writes 3.1.1 packets to.
 * PUBLISH without properties is rewritten byte for byte (the two versions differ by one property-length byte); every
 * other packet is decoded with mqtt-packet and encoded again in the other version.
 */
class Mqtt5Connection extends Duplex {
  /** Set by the listener before the bridge runs; carried over so aedes hooks see it on `client.conn`. */
  thingwireProtocol?: string;
  /** The listener's sign-in bookkeeping for the socket, carried over like the protocol tag. */
  thingwireAdmission?: unknown;

  readonly #socket: Duplex;
  readonly #handle: (stream: Duplex) => void;
  readonly #settings: Settings;
  readonly #connectTimer: NodeJS.Timeout;
  // Framers cut whole packets out of each byte stream. The hot ones (PUBLISH, acknowledgements, pings) are rewritten
  // as bytes; the rest are decoded by mqtt-packet and encoded again.
  readonly #fromClientFramer = new PacketFramer((packet, headerLength) => this.#fromClientPacket(packet, headerLength), {
    maxSize: () => (this.#connackSent ? this.#settings.maxPacketBytes() : this.#settings.maxConnectBytes),
    onTooLarge: (size) => this.#fail(PACKET_TOO_LARGE, 'packet_too_large', `packet of ${size} bytes exceeds the limit`),
  });
  /** PUBACKs the listener gave a reason code other than success, by packet id (see setPubackReason). */
  readonly #pubackReasons = new Map<number, number>();
  readonly #fromBrokerFramer = new PacketFramer((packet, headerLength) => this.#fromBrokerPacket(packet, headerLength));
  /** Topic alias → topic, as defined by this client's PUBLISHes (aliases are per connection and per direction). */
  readonly #aliases = new Map<number, string>();
  /** UNSUBSCRIBE message id → topic count: a v5 UNSUBACK needs one reason code per topic, a v4 one has none. */
  readonly #unsubscribeCounts = new Map<number, number>();
  /** QoS 2 message ids the client will not finish (refused PUBREC, dropped as too large): the bridge answers aedes's PUBREL. */
  readonly #settledLocally = new Set<number>();
  /** v5 packets for the client, collected while one batch of aedes's writes is translated. */
  #toClient: Buffer[] = [];
  /** aedes's write callback, held while the socket is full so aedes sees the backpressure. */
  #heldWrite: (() => void) | undefined;
  #maxPacketSize = 0;
  #assignedClientId: string | undefined;
  #connectSeen = false;
  #connackSent = false;
  /** The client's bytes are waiting for aedes to read what the bridge pushed already. */
  #inboundPaused = false;
  /** Nothing more goes to aedes (the client disconnected or half-closed). */
  #inboundEnded = false;
  /** The client half-closed: its last packets may still be on their way through aedes. */
  #peerEnded = false;
  #closing = false;

  constructor(socket: Duplex, head: Buffer, handle: (stream: Duplex) => void, settings: Settings, connectTimer: NodeJS.Timeout) {
    // allowHalfOpen false: once aedes has read the client's last packet, its writable side ends too.
    super({ allowHalfOpen: false });
    this.#socket = socket;
    this.#handle = handle;
    this.#settings = settings;
    this.#connectTimer = connectTimer;
    for (const tag of CARRIED_TAGS) {
      const value = (socket as Duplex & Partial<Record<typeof tag, string>>)[tag];
      if (value !== undefined) (this as Record<typeof tag, unknown>)[tag] = value;
    }

    // aedes listens for errors once it has the stream; this one covers the time before and after it.
    this.on('error', (err: Error) => settings.logger.debug({ err: err.message, code: (err as Mqtt5BridgeError).code }, 'mqtt5 connection closed'));

    socket.on('readable', this.#pumpInbound);
    socket.on('end', this.#onSocketEnd);
    socket.on('drain', this.#onSocketDrain);
    socket.on('error', this.#onSocketError);
    socket.on('close', this.#onSocketClose);
    this.#parseFromClient(head);
    this.#pumpInbound();
  }

  get remoteAddress(): string | undefined {
    return remoteAddressOf(this.#socket);
  }

  get remotePort(): number | undefined {
    return (this.#socket as Partial<Socket>).remotePort;
  }

  get remoteFamily(): string | undefined {
    return (this.#socket as Partial<Socket>).remoteFamily;
  }

  /** aedes keeps writing while it waits for 'drain' (one write per delivery), so the buffer is bounded here. */
  override write(chunk: unknown, encoding?: BufferEncoding | ((error: Error | null | undefined) => void), cb?: (error: Error | null | undefined) => void): boolean {
    const ok = super.write(chunk, encoding as BufferEncoding, cb);
    if (!ok && this.writableLength + this.#socket.writableLength > this.#settings.maxOutboundBufferBytes) {
      this.#abort(new Mqtt5BridgeError('outbound_overflow', `more than ${this.#settings.maxOutboundBufferBytes} bytes waiting for a slow client`));
    }
    return ok;
  }

  override _read(): void {
    if (!this.#inboundPaused) return;
    this.#inboundPaused = false;
    this.#pumpInbound();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#fromBrokerBytes([chunk], callback);
  }

  /** mqtt-packet writes one packet as several small chunks inside cork()/uncork(): they arrive here together. */
  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    this.#fromBrokerBytes(
      chunks.map((c) => c.chunk),
      callback,
    );
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#endSocket();
    callback();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.#closing = true;
    clearTimeout(this.#connectTimer);
    this.#heldWrite = undefined;
    const socket = this.#socket;
    socket.off('readable', this.#pumpInbound);
    socket.off('drain', this.#onSocketDrain);
    socket.off('end', this.#onSocketEnd);
    if ((err as Mqtt5BridgeError | null)?.code === 'outbound_overflow') socket.destroy();
    else this.#endSocket();
    callback(err);
  }

  // --- client → aedes -------------------------------------------------------------------------------------------

  readonly #pumpInbound = (): void => {
    for (let chunk: Buffer | null; !this.#inboundPaused && !this.#closing && (chunk = this.#socket.read() as Buffer | null) !== null; ) {
      this.#parseFromClient(chunk);
    }
  };

  #parseFromClient(chunk: Buffer): void {
    if (!this.#fromClientFramer.feed(chunk)) this.#fail(MALFORMED_PACKET, 'malformed_packet', 'bytes that are not an MQTT packet header');
  }

  #fromClientPacket(packet: Buffer, headerLength: number): void {
    if (this.#closing || this.#inboundEnded) return;
    if (this.#connectSeen) {
      switch (packet[0]! >> 4) {
        case PUBLISH_TYPE: {
          const v4 = publishV5ToV4(packet, headerLength);
          if (v4) return this.#pushToBroker(v4);
          break;
        }
        case PUBACK_TYPE:
        case PUBREC_TYPE:
        case PUBREL_TYPE:
        case PUBCOMP_TYPE:
          return this.#ackToBroker(packet, headerLength);
        case PINGREQ_TYPE:
          if (packet.length === 2) return this.#pushToBroker(PINGREQ);
          break;
      }
    }
    let decoded: Packet;
    try {
      decoded = decode(packet, 5);
    } catch (err) {
      return this.#fail(MALFORMED_PACKET, 'malformed_packet', (err as Error).message);
    }
    this.#fromClient(decoded);
  }

  /** v5 PUBACK/PUBREC/PUBREL/PUBCOMP carry an optional reason code and properties after the id; v4 ones end there. */
  #ackToBroker(packet: Buffer, headerLength: number): void {
    const remaining = packet.length - headerLength;
    if (remaining < 2) return this.#fail(MALFORMED_PACKET, 'malformed_packet', 'acknowledgement without a packet identifier');
    if (remaining === 2) return this.#pushToBroker(packet);
    // A v5 client refuses a QoS 2 message with PUBREC ≥ 0x80 and will not answer a PUBREL for it. Other reason codes
    // have no v4 form; a failed PUBACK still ends the exchange, which is all aedes needs.
    if (packet[0]! >> 4 === PUBREC_TYPE && packet[headerLength + 2]! >= 0x80) this.#settledLocally.add(packet.readUInt16BE(headerLength));
    this.#pushToBroker(Buffer.from([packet[0]!, 2, packet[headerLength]!, packet[headerLength + 1]!]));
  }

  #fromClient(packet: Packet): void {
    if (this.#closing || this.#inboundEnded) return;
    switch (packet.cmd) {
      case 'connect':
        return this.#onConnect(packet);
      case 'publish':
        return this.#onPublish(packet);
      case 'subscribe':
        // No Local, Retain As Published and Retain Handling have no v4 form; the granted QoS comes back in SUBACK.
        return this.#toBroker({
          cmd: 'subscribe',
          messageId: packet.messageId,
          subscriptions: packet.subscriptions.map(({ topic, qos }) => ({ topic, qos })),
        });
      case 'unsubscribe':
        if (packet.messageId !== undefined) this.#unsubscribeCounts.set(packet.messageId, packet.unsubscriptions.length);
        return this.#toBroker({ cmd: 'unsubscribe', messageId: packet.messageId, unsubscriptions: packet.unsubscriptions });
      case 'disconnect':
        return this.#onDisconnect(packet.reasonCode ?? 0);
      case 'auth':
        // Enhanced authentication is refused at CONNECT, so an AUTH is always out of place. 0x8C (bad authentication
        // method) is a CONNACK code only: MQTT 5 §3.14.2.1 does not allow it in DISCONNECT, and clients (mqtt.js
        // among them) reject such a DISCONNECT as malformed.
        return this.#fail(PROTOCOL_ERROR, 'bad_authentication_method', 'AUTH packet: enhanced authentication is not supported');
      default:
        return this.#fail(PROTOCOL_ERROR, 'protocol_error', `a client may not send ${packet.cmd}`);
    }
  }

  #onConnect(packet: IConnectPacket): void {
    if (this.#connectSeen) return this.#fail(PROTOCOL_ERROR, 'protocol_error', 'second CONNECT');
    this.#connectSeen = true;
    clearTimeout(this.#connectTimer);
    const properties = packet.properties;
    if (properties?.authenticationMethod !== undefined) {
      return this.#fail(BAD_AUTHENTICATION_METHOD, 'bad_authentication_method', `authentication method ${properties.authenticationMethod} is not supported`);
    }
    this.#maxPacketSize = properties?.maximumPacketSize ?? 0;
    // v5 lets the server name a client that sent no id and tells it the name in CONNACK; 3.1.1 cannot tell it, so
    // the bridge names it (the way aedes would) to be able to.
    if (!packet.clientId) this.#assignedClientId = `aedes_${randomUUID()}`;
    const will = packet.will;
    const connect: IConnectPacket = {
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId: this.#assignedClientId ?? packet.clientId,
      // Session expiry is not carried: a v5 clean start maps to a v4 clean session.
      clean: packet.clean ?? true,
      keepalive: packet.keepalive ?? 0,
      // v5 allows a password without a user name, 3.1.1 does not: an empty user name carries it.
      username: packet.username ?? (packet.password !== undefined ? '' : undefined),
      password: packet.password,
      will: will && { topic: will.topic, payload: will.payload, qos: will.qos ?? 0, retain: will.retain ?? false },
    };
    if (!handOver(this, this.#socket, this.#handle, this.#settings)) return;
    this.#toBroker(connect);
  }

  #onPublish(packet: IPublishPacket): void {
    let topic = packet.topic;
    const alias = packet.properties?.topicAlias;
    if (alias !== undefined) {
      if (alias === 0 || alias > this.#settings.topicAliasMaximum) {
        return this.#fail(TOPIC_ALIAS_INVALID, 'topic_alias_invalid', `topic alias ${alias} outside 1..${this.#settings.topicAliasMaximum}`);
      }
      if (topic === '') {
        const known = this.#aliases.get(alias);
        if (known === undefined) return this.#fail(PROTOCOL_ERROR, 'protocol_error', `PUBLISH with an empty topic and unknown topic alias ${alias}`);
        topic = known;
      } else {
        this.#aliases.set(alias, topic);
      }
    } else if (topic === '') {
      return this.#fail(PROTOCOL_ERROR, 'protocol_error', 'PUBLISH with an empty topic and no topic alias');
    }
    this.#toBroker({ cmd: 'publish', topic, payload: packet.payload, qos: packet.qos, retain: packet.retain, dup: packet.dup, messageId: packet.messageId });
  }

  #onDisconnect(reasonCode: number): void {
    if (reasonCode !== 0) this.#settings.logger.debug({ reasonCode, remoteAddress: this.remoteAddress }, 'mqtt5 client disconnected with a reason code');
    if (reasonCode === DISCONNECT_WITH_WILL) {
      // A v4 DISCONNECT discards the will. Ending the stream instead makes aedes publish it, as v5 asks here.
      this.#endInbound();
      return;
    }
    this.#toBroker({ cmd: 'disconnect' });
    this.#inboundEnded = true;
  }

  #toBroker(packet: Packet): void {
    let bytes: Buffer;
    try {
      bytes = mqttPacket.generate(packet, V4);
    } catch (err) {
      // What v5 allows and 3.1.1 cannot encode (e.g. a topic filter list that is empty).
      return this.#fail(PROTOCOL_ERROR, 'protocol_error', (err as Error).message);
    }
    this.#pushToBroker(bytes);
  }

  #pushToBroker(bytes: Buffer): void {
    if (this.#closing || this.#inboundEnded) return;
    // Past aedes's read buffer, stop reading the socket so TCP slows the client down.
    if (!this.push(bytes)) this.#inboundPaused = true;
  }

  #endInbound(): void {
    if (this.#inboundEnded || this.#closing) return;
    this.#inboundEnded = true;
    this.push(null);
  }

  readonly #onSocketEnd = (): void => {
    this.#peerEnded = true;
    this.#endInbound();
  };

  readonly #onSocketError = (err: Error): void => {
    if (!this.destroyed) this.destroy(err);
  };

  readonly #onSocketClose = (): void => {
    if (this.destroyed) return;
    // A client that closes right after its last PUBLISH (mosquitto_pub does) is gone before aedes has read it; the
    // stream stays up until aedes has, as it would with the socket itself, but not forever.
    if (!this.#peerEnded || this.readableEnded) return void this.destroy();
    const timer = setTimeout(() => this.destroy(), CLOSE_GRACE_MS);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
  };

  readonly #onSocketDrain = (): void => {
    const release = this.#heldWrite;
    this.#heldWrite = undefined;
    release?.();
  };

  // --- aedes → client -------------------------------------------------------------------------------------------

  #fromBrokerBytes(chunks: Buffer[], callback: () => void): void {
    if (this.#closing) return callback();
    if (!this.#fromBrokerFramer.feed(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))) {
      this.#abort(new Mqtt5BridgeError('broker_output_invalid', 'bytes that are not an MQTT packet header'));
    }
    if (this.#closing) return callback();
    const batch = this.#toClient;
    this.#toClient = [];
    const socket = this.#socket;
    if (batch.length === 0 || !socket.writable) return callback();
    let ok = true;
    if (batch.length === 1) {
      ok = socket.write(batch[0]);
    } else {
      socket.cork();
      for (const bytes of batch) ok = socket.write(bytes);
      socket.uncork();
    }
    if (ok) callback();
    else this.#heldWrite = callback;
  }

  #fromBrokerPacket(packet: Buffer, headerLength: number): void {
    if (this.#closing) return;
    switch (packet[0]! >> 4) {
      case PUBLISH_TYPE: {
        const v5 = publishV4ToV5(packet, headerLength);
        if (v5) return this.#publishToClient(v5, packet, headerLength);
        break;
      }
      case PUBACK_TYPE: {
        const reason = packet.length === 4 ? this.#pubackReasons.get(packet.readUInt16BE(2)) : undefined;
        if (reason === undefined) return void this.#toClient.push(packet);
        this.#pubackReasons.delete(packet.readUInt16BE(2));
        return void this.#toClient.push(Buffer.from([PUBACK_TYPE << 4, 3, packet[2]!, packet[3]!, reason]));
      }
      case PUBREL_TYPE:
        if (packet.length === 4 && this.#settledLocally.delete(packet.readUInt16BE(2))) {
          return this.#pushToBroker(Buffer.from([PUBCOMP_TYPE << 4, 2, packet[2]!, packet[3]!]));
        }
      // falls through: a v4 acknowledgement is a valid v5 one (reason code 0 may be left out, §3.4.2.1)
      case PUBREC_TYPE:
      case PUBCOMP_TYPE:
      case PINGRESP_TYPE:
        this.#toClient.push(packet);
        return;
    }
    let decoded: Packet;
    try {
      decoded = decode(packet, 4);
    } catch (err) {
      return this.#abort(new Mqtt5BridgeError('broker_output_invalid', (err as Error).message));
    }
    this.#fromBroker(decoded);
  }

  #fromBroker(packet: Packet): void {
    switch (packet.cmd) {
      case 'connack': {
        const reasonCode = CONNACK_REASON[packet.returnCode ?? 0] ?? UNSPECIFIED_ERROR;
        this.#connackSent = true;
        return this.#sendToClient({ cmd: 'connack', reasonCode, sessionPresent: packet.sessionPresent, properties: reasonCode === 0 ? this.#connackProperties() : undefined });
      }
      case 'suback':
        // aedes answers 0x80 when authorizeSubscribe refuses a topic; in v5 that is "not authorized".
        return this.#sendToClient({
          cmd: 'suback',
          messageId: packet.messageId,
          granted: (packet.granted as number[]).map((code) => (code === SUBACK_FAILURE_V4 ? NOT_AUTHORIZED : code)),
        });
      case 'unsuback': {
        const count = (packet.messageId !== undefined && this.#unsubscribeCounts.get(packet.messageId)) || 1;
        if (packet.messageId !== undefined) this.#unsubscribeCounts.delete(packet.messageId);
        return this.#sendToClient({ cmd: 'unsuback', messageId: packet.messageId, granted: new Array<number>(count).fill(0) });
      }
      default:
        // PUBLISH, acknowledgements and PINGRESP were rewritten as bytes; aedes sends nothing else.
        return this.#abort(new Mqtt5BridgeError('broker_output_invalid', `aedes sent ${packet.cmd}`));
    }
  }

  #connackProperties(): NonNullable<IConnackPacket['properties']> {
    return {
      ...(this.#settings.topicAliasMaximum > 0 && { topicAliasMaximum: this.#settings.topicAliasMaximum }),
      ...(this.#assignedClientId && { assignedClientIdentifier: this.#assignedClientId }),
      // So that a v5 client refuses to send what would be refused anyway (§3.2.2.3.6).
      maximumPacketSize: Math.min(this.#settings.maxPacketBytes() + 5, MAX_REMAINING_LENGTH),
      // aedes 1.2 has neither; saying so keeps v5 clients from relying on them.
      sharedSubscriptionAvailable: false,
      subscriptionIdentifiersAvailable: false,
    };
  }

  #publishToClient(v5: Buffer, v4: Buffer, headerLength: number): void {
    if (this.#maxPacketSize === 0 || v5.length <= this.#maxPacketSize) {
      this.#toClient.push(v5);
      return;
    }
    // MQTT 5 §3.1.2.11.4: a message larger than the client's Maximum Packet Size is discarded as if it had been
    // delivered, so aedes gets the acknowledgements the client will never send.
    const qos = (v4[0]! >> 1) & 3;
    const topicLength = v4.readUInt16BE(headerLength);
    const topic = v4.toString('utf8', headerLength + 2, headerLength + 2 + topicLength);
    this.#settings.logger.debug({ topic, bytes: v5.length, maximumPacketSize: this.#maxPacketSize }, 'mqtt5 message too large for the client: dropped');
    if (qos === 0) return;
    const messageId = v4.readUInt16BE(headerLength + 2 + topicLength);
    if (qos === 2) this.#settledLocally.add(messageId);
    this.#toBroker({ cmd: qos === 1 ? 'puback' : 'pubrec', messageId });
  }

  #sendToClient(packet: Packet): void {
    try {
      this.#toClient.push(mqttPacket.generate(packet, V5));
    } catch (err) {
      this.#abort(new Mqtt5BridgeError('broker_output_invalid', (err as Error).message));
    }
  }

  // --- closing --------------------------------------------------------------------------------------------------

  /** Tells the client why (CONNACK before the session exists, DISCONNECT after), then closes both sides. */
  /** The listener's verdict for a QoS 1 publish, carried by the PUBACK aedes is about to send for it. */
  pubackReason(messageId: number, reasonCode: number): void {
    if (reasonCode === 0) this.#pubackReasons.delete(messageId);
    else this.#pubackReasons.set(messageId, reasonCode);
  }

  #fail(reasonCode: number, code: Mqtt5BridgeErrorCode, message: string): void {
    if (this.#closing) return;
    const socket = this.#socket;
    if (socket.writable) {
      // Before CONNACK only CONNACK may carry the reason, and its code list is shorter than DISCONNECT's.
      const packet: Packet = this.#connackSent
        ? { cmd: 'disconnect', reasonCode }
        : { cmd: 'connack', reasonCode: CONNACK_CAN_CARRY.has(reasonCode) ? reasonCode : PROTOCOL_ERROR, sessionPresent: false };
      socket.write(mqttPacket.generate(packet, V5));
    }
    this.destroy(new Mqtt5BridgeError(code, message));
  }

  /** Closes both sides without a word to the client (its socket is stuck, or aedes misbehaved). */
  #abort(err: Mqtt5BridgeError): void {
    if (this.#closing) return;
    this.destroy(err);
  }

  /** Ends the socket after what is queued, and destroys it if the client does not take it in time. */
  #endSocket(): void {
    const socket = this.#socket;
    if (socket.destroyed) return;
    // Keep reading (and dropping) so the client's FIN is seen and the socket can close.
    socket.resume();
    if (!socket.writableEnded) socket.end();
    const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  }
}

/**
 * Gives the PUBACK of a QoS 1 publish an MQTT 5 reason code (0x87 not authorised, 0x97 quota exceeded, …) when the
 * connection is an MQTT 5 one; false for 3.1.1 connections, which have no negative acknowledgement.
 */
export function setPubackReason(conn: Duplex, messageId: number, reasonCode: number): boolean {
  if (!(conn instanceof Mqtt5Connection)) return false;
  conn.pubackReason(messageId, reasonCode);
  return true;
}
