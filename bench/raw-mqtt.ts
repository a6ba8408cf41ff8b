/**
 * The benchmark's own MQTT 3.1.1 client: just CONNECT, SUBSCRIBE, PUBLISH (QoS 0 and 1) and the acks, packets
 * encoded straight into one buffer per write and the writes of one event-loop turn sent together. A load process of
 * mqtt.js clients ran out of CPU before Mosquitto did (its packet objects, streams and callbacks per message); this
 * one costs a few µs per message, so the figures measure the broker, not the generator.
 */
import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import { coalesceWrites, encodePublish } from '../server/mqtt/mqtt-wire.ts';

export interface RawMqttOptions {
  host: string;
  port: number;
  clientId: string;
  username?: string;
  password?: string;
  /** Seconds; the client sends nothing by itself, so keep it longer than the run. */
  keepalive: number;
  localAddress?: string;
  /** Rejects the connect after this long. */
  timeoutMs?: number;
}

const CONNACK = 2;
const PUBLISH = 3;
const PUBACK = 4;
const SUBACK = 9;

/** CONNACK return codes of MQTT 3.1.1, in words. */
const REFUSED = ['', 'unacceptable protocol version', 'identifier rejected', 'server unavailable', 'bad user name or password', 'not authorized'];

/** CONNECT and SUBSCRIBE, once per connection: mqtt-packet's encoder; PUBLISH, per message, is encoded by hand. */
const connectPacket = (o: RawMqttOptions): Buffer => mqttPacket.generate({
  cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: o.keepalive, clientId: o.clientId,
  ...(o.username !== undefined ? { username: o.username } : {}), ...(o.password !== undefined ? { password: Buffer.from(o.password) } : {}),
});

export class RawMqttClient {
  readonly socket: net.Socket;
  /** Called with each PUBLISH the server sends (QoS 1 ones are acknowledged first). */
  onPublish: (topic: string, payload: Buffer) => void = () => undefined;
  /** Called with the packet id of each PUBACK. */
  onPuback: (packetId: number) => void = () => undefined;
  #input: Buffer | undefined;
  #nextId = 0;
  #subscribed: (() => void) | undefined;
  #connected: { resolve(): void; reject(err: Error): void } | undefined;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    coalesceWrites(socket);
    socket.on('data', (chunk: Buffer) => this.#read(chunk));
  }

  static connect(o: RawMqttOptions): Promise<RawMqttClient> {
    const socket = net.connect({ host: o.host, port: o.port, ...(o.localAddress ? { localAddress: o.localAddress } : {}) });
    const client = new RawMqttClient(socket);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`no CONNACK in ${o.timeoutMs ?? 30_000} ms`)), o.timeoutMs ?? 30_000);
      const fail = (err: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      socket.once('error', fail);
      socket.once('close', () => fail(new Error('connection closed before CONNACK')));
      client.#connected = {
        resolve: () => {
          clearTimeout(timer);
          socket.removeAllListeners('error').removeAllListeners('close');
          socket.on('error', () => undefined); // a reset at the end of a run: the run's counts say what was lost
          resolve(client);
        },
        reject: fail,
      };
      socket.write(connectPacket(o));
    });
  }

  /** Subscribes to one filter and waits for the SUBACK. */
  subscribe(filter: string, qos: 0 | 1): Promise<void> {
    const buf = mqttPacket.generate({ cmd: 'subscribe', messageId: this.#packetId(), subscriptions: [{ topic: filter, qos }] });
    return new Promise((resolve) => {
      this.#subscribed = resolve;
      this.socket.write(buf);
    });
  }

  /**
   * Publishes `payload` (latin1/ASCII text) to `topic`; returns the packet id (QoS 1) that its PUBACK will carry, or 0.
   * Written with the other packets of this event-loop turn in one write.
   */
  publish(topic: string, payload: string, qos: 0 | 1): number {
    const id = qos ? this.#packetId() : 0;
    this.socket.write(encodePublish(topic, payload, qos, id));
    return id;
  }

  end(): void {
    this.socket.destroy();
  }

  #packetId(): number {
    this.#nextId = (this.#nextId % 65_535) + 1;
    return this.#nextId;
  }

  #read(chunk: Buffer): void {
    const buf = this.#input ? Buffer.concat([this.#input, chunk]) : chunk;
    let at = 0;
    while (at + 2 <= buf.length) {
      // Fixed header: type and flags, then the remaining length in 1–4 bytes.
      let length = 0;
      let multiplier = 1;
      let p = at + 1;
      let complete = false;
      while (p < buf.length && p < at + 5) {
        const byte = buf[p++]!;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete || p + length > buf.length) break;
      const type = buf[at]! >> 4;
      const flags = buf[at]! & 0x0f;
      switch (type) {
        case PUBLISH: {
          const topicLength = buf.readUInt16BE(p);
          const topic = buf.toString('utf8', p + 2, p + 2 + topicLength);
          let payloadAt = p + 2 + topicLength;
          const qos = (flags >> 1) & 3;
          if (qos > 0) {
            this.socket.write(Buffer.from([0x40, 2, buf[payloadAt]!, buf[payloadAt + 1]!]));
            payloadAt += 2;
          }
          this.onPublish(topic, buf.subarray(payloadAt, p + length));
          break;
        }
        case PUBACK:
          this.onPuback(buf.readUInt16BE(p));
          break;
        case CONNACK: {
          const code = buf[p + 1]!;
          if (code === 0) this.#connected?.resolve();
          else this.#connected?.reject(new Error(`connection refused: ${REFUSED[code] ?? `code ${code}`}`));
          this.#connected = undefined;
          break;
        }
        case SUBACK:
          this.#subscribed?.();
          this.#subscribed = undefined;
          break;
        default:
          break; // PINGRESP and the rest: nothing to do
      }
      at = p + length;
    }
    // A packet not complete yet waits for the next chunk.
    this.#input = at < buf.length ? buf.subarray(at) : undefined;
  }
}
