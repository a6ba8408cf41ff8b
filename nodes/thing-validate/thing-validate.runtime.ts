import type { ThingwireServices } from '../../domain/platform-services.ts';
import type { FieldError, ValidationOutcome } from '../../domain/thing-model/compiled-thing-model.ts';
import type { NodeConfig } from '../kit/define-node.ts';
import { implementNode } from '../kit/implement-node.ts';
import type { NodeMessage } from '../kit/node-red-api.ts';
import type { ThingFlowMessage, ThingMessageError } from '../kit/thing-flow-message.ts';
import { throttledStatus } from '../kit/throttled-status.ts';
import { thingValidate } from './thing-validate.def.ts';

type Config = NodeConfig<typeof thingValidate>;

/** Validates device messages: valid ones (normalised) on output 1, rejected ones with a reply code on output 2. */
export const thingValidateNode = implementNode(thingValidate, ({ config, node, services }) => {
  let valid = 0;
  let invalid = 0;
  const status = throttledStatus(node);
  const counts = () => ({ fill: invalid ? 'yellow' : 'green', shape: 'dot', text: `${valid} valid, ${invalid} invalid` }) as const;
  return {
    onInput(message, send, done) {
      const rejection = validateInPlace(message, config, services.thingModels);
      if (rejection) {
        invalid++;
        message['error'] = rejection;
        if (isThingMeta(message['thing'])) {
          message['thing'].replyCode = rejection.code;
          // The first node that rejects a device message answers it (docs/flows-and-nodes.md "The message a device sends, in a flow").
          const token = message['thing'].replyToken;
          if (token) services.deviceHub?.reply(token, rejection.code, rejection.details, rejection.message);
        }
        send([null, message]);
      } else {
        valid++;
        send([message, null]);
      }
      status.set(counts);
      done();
    },
    onClose() {
      status.dispose();
    },
  };
});

/**
 * Checks one flow message against its product's thing model. On success normalises `msg.payload` (and fills
 * `msg.thing.values` / `dropped` / `deviceTime`) and returns undefined; on failure leaves the message as it was and
 * returns the reply to give.
 */
function validateInPlace(
  message: NodeMessage,
  config: Config,
  thingModels: ThingwireServices['thingModels'],
): ThingMessageError | undefined {
  const thing = message['thing'];
  if (!isThingMeta(thing)) return rejection(400, 'not a device message: msg.thing is missing');
  const msg = message as ThingFlowMessage;
  const productKey = config.product || thing.productKey;
  if (!productKey) return rejection(400, 'no product: msg.thing.productKey is empty and the node names none');

  const needsModel = thing.kind === 'property.post' || thing.kind === 'event.post' || thing.kind === 'service.reply';
  if (!needsModel) return undefined;
  const model = thingModels.compiledFor(productKey);
  if (!model) return rejection(404, `product ${productKey} has no published thing model`);

  switch (thing.kind) {
    case 'property.post': {
      const dropUnknown = config.unknownProperties === 'drop';
      return applyOutcome(model.validatePropertyPost(msg.payload, { dropUnknown }), ({ values, dropped }) => {
        const fallbackTime = thing.deviceTime ?? thing.receivedAt ?? Date.now();
        msg.payload = Object.fromEntries(values.map((v) => [v.identifier, v.value]));
        thing.values = values.map((v) => ({ ...v, time: v.time ?? fallbackTime }));
        if (dropped.length > 0) thing.dropped = dropped;
      });
    }
    case 'event.post': {
      if (!thing.eventId) return rejection(400, 'event message without msg.thing.eventId');
      return applyOutcome(model.validateEvent(thing.eventId, msg.payload), (value) => {
        msg.payload = value.value;
        if (value.time !== undefined) thing.deviceTime = value.time;
      });
    }
    case 'service.reply': {
      if (!thing.serviceId) return rejection(400, 'service reply without msg.thing.serviceId');
      return applyOutcome(model.validateServiceOutput(thing.serviceId, msg.payload), (value) => {
        msg.payload = value;
      });
    }
  }
}

/** Applies a successful outcome to the message; turns a failed one into the rejection. */
function applyOutcome<T>(
  outcome: ValidationOutcome<T>,
  apply: (value: T) => void,
): ThingMessageError | undefined {
  if (!outcome.ok) return rejectionOf(outcome);
  apply(outcome.value);
  return undefined;
}

const SUMMARY: Record<400 | 404 | 422, string> = {
  400: 'malformed params',
  404: 'not in the thing model',
  422: 'failed the thing model',
};

function rejectionOf(outcome: Extract<ValidationOutcome<unknown>, { ok: false }>): ThingMessageError {
  const listed = outcome.errors.slice(0, 3).map((e) => (e.field ? `${e.field}: ${e.reason}` : e.reason));
  const more = outcome.errors.length > 3 ? ` (and ${outcome.errors.length - 3} more)` : '';
  const message = listed.length ? `${SUMMARY[outcome.code]}: ${listed.join('; ')}${more}` : SUMMARY[outcome.code];
  return rejection(outcome.code, message, outcome.errors);
}

function rejection(code: number, message: string, details: FieldError[] = []): ThingMessageError {
  return { code, message, details };
}

function isThingMeta(value: unknown): value is ThingFlowMessage['thing'] {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string';
}
