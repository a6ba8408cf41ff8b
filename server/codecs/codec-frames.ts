import type { DeviceHub } from '../device-hub/device-hub.ts';
import type { UplinkOptions } from '../device-hub/uplink-verdicts.ts';
import { badRequest } from '../errors.ts';
import type { DeviceSession } from '../device-hub/device-session.ts';
import { fingerprintOf } from '../device-hub/uplink-receipts.ts';
import type { DeviceClockRule, DeviceIdentity, DevicePublish } from '../dialects/dialect.ts';
import { generateMessageId } from '../dialects/dialect-codec.ts';
import { codecs as dialects } from '../dialects/index.ts';
import type { Dialect, ThingCommand, ThingMessage } from '../../domain/devices/thing-message.ts';
import { BUILTIN_METHODS } from '../../domain/thing-model/tsl-types.ts';
import type { DecodedMessage } from './codec-result.ts';
import type { CodecContext, CodecError, CodecFunction, CodecSandbox } from './codec-sandbox.ts';

/**
 * How the bytes of a device with a product codec (TCP, UDP) become device messages, and commands become bytes. One
 * path for every byte listener: what `decode` returns is written as the uplink the device would have published in
 * its dialect (topic and JSON envelope) and goes through that dialect's decoding, so a codec's message is checked,
 * numbered, timed (the clock rule) and logged exactly as an MQTT device's, under the topic it stands for.
 */

/** A product's published codec, loaded in the sandbox under its product key. */
export interface ProductCodec {
  sandbox: CodecSandbox;
  productKey: string;
}

/** The raw uplink topic (`…/thing/model/up_raw`): where a frame that decoded to nothing usable is logged. */
export function rawTopic(id: DeviceIdentity, dialect: Dialect): string {
  return `${thingBase(id, dialect)}/thing/model/up_raw`;
}

function thingBase(id: DeviceIdentity, dialect: Dialect): string {
  return dialect === 'alink' ? `/sys/${id.productKey}/${id.deviceName}` : `${id.productKey}/${id.deviceName}`;
}

/**
 * A decoded message (not `login`) as the uplink a device would publish in `dialect`: a post as the request envelope
 * (`{id, params, time}`, asking for a reply only when the codec said `ack`), a reply as `{id, code, data}` on the
 * command's `_reply` topic. A message without an id is numbered here, as raw uplinks are.
 */
export function uplinkOf(id: DeviceIdentity, dialect: Dialect, m: DecodedMessage): DevicePublish {
  const base = thingBase(id, dialect);
  const msgId = m.id ?? generateMessageId();
  const alink = dialect === 'alink';
  let topic: string;
  let envelope: Record<string, unknown>;
  switch (m.kind) {
    case 'property.post':
    case 'event.post': {
      const event = m.kind === 'event.post' ? m.eventId! : 'property';
      topic = `${base}/thing/event/${event}/post`;
      envelope = { id: msgId, params: m.params };
      if (m.time !== undefined) envelope.time = m.time;
      if (alink) {
        envelope.version = '1.0';
        envelope.method = m.kind === 'property.post' ? BUILTIN_METHODS.propertyPost : `thing.event.${event}.post`;
        envelope.sys = { ack: m.ack ? 1 : 0 };
      } else envelope.ack = m.ack ? 1 : 0;
      break;
    }
    case 'service.reply':
    case 'property.set.reply':
      topic = m.kind === 'service.reply' ? `${base}/thing/service/${m.serviceId!}_reply` : `${base}/thing/service/property/set_reply`;
      envelope = { id: msgId, code: m.code ?? 200, data: m.params ?? {} };
      break;
    default:
      throw new Error(`uplinkOf: ${m.kind} is not an uplink`);
  }
  return { topic, payload: Buffer.from(JSON.stringify(envelope)) };
}

/**
 * What `encode` is given for a command: `{kind, id, params, serviceId?}` (docs/codecs.md). The id is the message id
 * the device's reply must carry back (as `id` of a `service.reply` or `property.set.reply`) for the command to get it.
 */
export function commandForCodec(command: ThingCommand, messageId: string): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: command.kind, id: messageId, params: command.params ?? {} };
  if (command.serviceId !== undefined) out.serviceId = command.serviceId;
  return out;
}

/** What `encode` is given for the platform's verdict on a post the device sent with `ack`. */
export function replyForCodec(message: ThingMessage, code: number, data?: unknown, text?: string): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: 'reply', id: message.id, code, request: message.kind, data: data ?? {} };
  if (text !== undefined) out.message = text;
  if (message.eventId !== undefined) out.eventId = message.eventId;
  return out;
}

/** Bytes as spaced hex for logs and the message log: the first `max`, then how many more there were. */
export function hexOf(bytes: Uint8Array, max = 64): string {
  const shown = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, max)).toString('hex').replace(/(..)(?!$)/g, '$1 ');
  return bytes.byteLength > max ? `${shown} … (+${bytes.byteLength - max} bytes)` : shown;
}

/** A failed codec call as the message log says it: the function, the error, and the bytes it was given. */
export function codecFailure(fn: CodecFunction, error: CodecError, bytes?: Uint8Array): string {
  const what = `codec ${fn} failed (${error.kind}): ${error.message}`;
  return bytes ? `${what}; frame (${bytes.byteLength} bytes): ${hexOf(bytes)}` : what;
}

/** What a byte listener needs to hand a device's frame to the hub. */
export interface FrameDeps {
  hub: DeviceHub;
  clockRule?(productKey: string): DeviceClockRule;
  now(): number;
}

/** What became of a frame: the messages handed to the hub, and a `login` the codec read from it (ignored here). */
export interface FrameOutcome {
  /** Messages that went to the hub (each gets its verdict through the session's `replyUplink` and `onVerdict`). */
  taken: number;
  /** The frame, or one of its messages, was refused (recorded in the message log with the reason). */
  refused: number;
}

/**
 * Decodes one frame of an authenticated device with its product's codec and hands each message to the hub, as an
 * MQTT publish of it would be. A codec that throws, runs over or returns garbage, and a message its dialect refuses,
 * are recorded in the device's message log (with the frame in hex) and counted; nothing else happens to the frame.
 * `onVerdict` is called per message taken or refused, for transports that answer each one.
 */
export function takeFrame(
  deps: FrameDeps, session: DeviceSession, codec: ProductCodec, frame: Uint8Array, context: CodecContext,
  onVerdict?: UplinkOptions['onVerdict'],
): FrameOutcome {
  const topic = rawTopic(session, session.dialect);
  const decoded = codec.sandbox.decode(codec.productKey, frame, context);
  if (!decoded.ok) {
    deps.hub.refused(session, { topic, kind: 'raw.up' }, 400, codecFailure('decode', decoded.error, frame), onVerdict);
    return { taken: 0, refused: 1 };
  }
  const outcome: FrameOutcome = { taken: 0, refused: 0 };
  const now = deps.now();
  for (const m of decoded.value) {
    if (m.kind === 'login') {
      deps.hub.refused(session, { topic, kind: 'raw.up' }, 400, `codec decode returned a login on a signed-in connection; frame: ${hexOf(frame)}`, onVerdict);
      outcome.refused++;
      continue;
    }
    const uplink = uplinkOf(session, session.dialect, m);
    const result = dialects[session.dialect].decodeUplink(session, uplink.topic, uplink.payload, now, deps.clockRule?.(session.productKey));
    if (!result.ok) {
      deps.hub.refused(session, { id: result.id, topic: uplink.topic }, result.code, `${result.reason} (from codec decode of ${hexOf(frame)})`, onVerdict);
      outcome.refused++;
      continue;
    }
    const message = { ...result.message, protocol: session.protocol };
    deps.hub.uplink(session, message, { fingerprint: fingerprintOf(uplink.payload), ...(onVerdict ? { onVerdict } : {}) });
    outcome.taken++;
  }
  return outcome;
}

/**
 * The bytes of a command for a codec device; raw bytes (`raw.down`) go as they are. Throws a 400 when the codec has
 * no `encode`, fails or returns no bytes: the command is answered with that reason (the hub turns a session's throw
 * into the command's result) and nothing is sent.
 */
export function encodeCommand(codec: ProductCodec, command: ThingCommand, messageId: string, context: CodecContext): Uint8Array {
  if (command.kind === 'raw.down' && command.params instanceof Uint8Array) return command.params;
  if (!codec.sandbox.defines(codec.productKey, 'encode')) {
    throw badRequest(`The product's codec has no encode function, so it cannot send ${command.kind} commands.`);
  }
  const encoded = codec.sandbox.encode(codec.productKey, commandForCodec(command, messageId), context);
  if (!encoded.ok) throw badRequest(codecFailure('encode', encoded.error));
  return encoded.value;
}

/**
 * The bytes of the platform's verdict on a post that asked for one (`ack`), or undefined when it did not ask or the
 * codec has no `encode`. A failing `encode` is the error's text: the caller logs it (the device gets no answer).
 */
export function encodeReply(
  codec: ProductCodec, message: ThingMessage, code: number, data: unknown, text: string | undefined, context: CodecContext,
): Uint8Array | string | undefined {
  if (!message.ack || !codec.sandbox.defines(codec.productKey, 'encode')) return undefined;
  const encoded = codec.sandbox.encode(codec.productKey, replyForCodec(message, code, data, text), context);
  return encoded.ok ? encoded.value : codecFailure('encode', encoded.error);
}
