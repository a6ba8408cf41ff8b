import { codecs } from '../dialects/index.ts';
import type { DevicePublish } from '../dialects/dialect.ts';
import type { DeviceSession } from '../device-hub/device-session.ts';
import type { Dialect, IngressProtocol, ThingCommand, ThingMessage } from '../../domain/devices/thing-message.ts';

let sequence = 0;

/**
 * A DeviceSession with no transport behind it, for tests of the hub and of what builds on it: it records what the hub
 * asks of it, and `onCommand` lets a test play the device answering.
 */
export class FakeDeviceSession implements DeviceSession {
  readonly id: string;
  readonly protocol: IngressProtocol;
  readonly dialect: Dialect;
  readonly clientId: string;
  readonly remoteAddress: string;
  readonly connectedAt = Date.now();
  readonly replyTimeoutMs?: number;
  readonly replies: { message: ThingMessage; code: number; data?: unknown; text?: string }[] = [];
  readonly commands: { command: ThingCommand; messageId: string }[] = [];
  /** With `encode`: what each command became in the session's dialect, as a transport would publish it. */
  readonly published: DevicePublish[] = [];
  readonly #encode: boolean;
  readonly closes: string[] = [];
  /** Called after each command is recorded, e.g. to answer it through `hub.uplink`. */
  onCommand?: (command: ThingCommand, messageId: string) => void;

  constructor(
    readonly productKey: string,
    readonly deviceName: string,
    init: {
      protocol?: IngressProtocol; dialect?: Dialect; clientId?: string; remoteAddress?: string;
      /** The transport's reply timeout for uplinks (a listener setting); absent: the hub's default. */
      replyTimeoutMs?: number;
      /** Encode commands with the real dialect codec first, so a command it refuses throws as it would over MQTT. */
      encode?: boolean;
    } = {},
  ) {
    this.id = `fake-${++sequence}`;
    this.protocol = init.protocol ?? 'mqtt';
    this.dialect = init.dialect ?? 'alink';
    this.clientId = init.clientId ?? `${deviceName}-client`;
    this.remoteAddress = init.remoteAddress ?? '192.0.2.10';
    if (init.replyTimeoutMs !== undefined) this.replyTimeoutMs = init.replyTimeoutMs;
    this.#encode = init.encode ?? false;
  }

  replyUplink(message: ThingMessage, code: number, data?: unknown, text?: string): void {
    this.replies.push({ message, code, data, text });
  }

  sendCommand(command: ThingCommand, messageId: string): void {
    if (this.#encode) this.published.push(codecs[this.dialect].encodeCommand(this, command, messageId));
    this.commands.push({ command, messageId });
    this.onCommand?.(command, messageId);
  }

  close(reason: string): void {
    this.closes.push(reason);
  }

  /** An uplink as a transport would hand it over, from this session's device. */
  message(kind: ThingMessage['kind'], fields: Partial<Omit<ThingMessage, 'replyToken'>> = {}): Omit<ThingMessage, 'replyToken'> {
    return {
      id: String(++sequence), productKey: this.productKey, deviceName: this.deviceName, kind, params: {},
      receivedAt: Date.now(), protocol: this.protocol, dialect: this.dialect, ack: false, ...fields,
    };
  }
}
