import type { Logger } from 'pino';
import type { DeviceHub, RawUplinkDecoder } from '../device-hub/device-hub.ts';
import type { DeviceSession } from '../device-hub/device-session.ts';
import type { UplinkOptions } from '../device-hub/uplink-verdicts.ts';
import type { DeviceClockRule } from '../dialects/dialect.ts';
import type { ThingMessage } from '../../domain/devices/thing-message.ts';
import { takeFrame } from './codec-frames.ts';
import type { CodecStore } from './codec-store.ts';

export interface RawUplinkDeps {
  hub: DeviceHub;
  codecs: Pick<CodecStore, 'hasPublished' | 'published'>;
  clockRule?(productKey: string): DeviceClockRule;
  logger: Logger;
  now?: () => number;
}

/**
 * Raw uplinks (alink `…/thing/model/up_raw`, over MQTT, HTTP or CoAP) of a product with a published codec go through
 * its `decode`, as Alibaba IoT runs a product's script on them: each message it returns goes through the hub and the
 * flows like the same message published as JSON. The raw uplink itself is answered once all of them have their
 * verdicts, with the worst of them (`…/up_raw_reply`, the PUBACK of a QoS 1 publish, the HTTP response): 200 when all
 * were taken (or the frame held none), else the first refusal's code and reason. A product without a codec gets its
 * raw uplinks in flows as bytes, as before.
 */
export function rawUplinkDecoder(deps: RawUplinkDeps): RawUplinkDecoder {
  const now = deps.now ?? Date.now;
  const frameDeps = { hub: deps.hub, clockRule: deps.clockRule, now };
  return (session, message, options) => {
    if (!deps.codecs.hasPublished(session.productKey)) return false;
    const bytes = message.params as Uint8Array;
    const context = { productKey: session.productKey, deviceName: session.deviceName, protocol: session.protocol, topic: message.topic };
    deps.codecs.published(session.productKey).then(
      (codec) => {
        if (!codec) return answer(session, message, options, 503, 'the product\'s codec is gone; send it again', true);
        const verdicts: { code: number; text: string | null; retry: boolean }[] = [];
        let expected = Number.POSITIVE_INFINITY;
        const settle = () => {
          if (verdicts.length < expected) return;
          const worst = verdicts.find((v) => v.code >= 300);
          if (worst) answer(session, message, options, worst.code, worst.text ?? 'refused', verdicts.some((v) => v.retry));
          else answer(session, message, options, 200, expected === 0 ? 'the codec found no message in it' : null, false);
        };
        const outcome = takeFrame(frameDeps, session, { sandbox: codec.sandbox, productKey: session.productKey }, bytes, context, (code, text, retry) => {
          verdicts.push({ code, text, retry });
          settle();
        });
        expected = outcome.taken + outcome.refused;
        settle();
      },
      (err: unknown) => {
        deps.logger.error({ err, productKey: session.productKey }, 'loading a product codec for a raw uplink failed');
        answer(session, message, options, 503, 'the product\'s codec could not be loaded; send it again', true);
      },
    );
    return true;
  };
}

/** The raw uplink's own answer: its reply (when the device asked) before the transport's acknowledgement. */
function answer(
  session: DeviceSession, message: Omit<ThingMessage, 'replyToken'>, options: UplinkOptions, code: number, text: string | null, retry: boolean,
): void {
  if (message.ack) session.replyUplink(message as ThingMessage, code, undefined, text ?? undefined);
  options.onVerdict?.(code, text, retry);
}
