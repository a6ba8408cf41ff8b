/**
 * The flow message that carries a ThingMessage (docs/flows-and-nodes.md "The message a device sends, in a flow"): `msg.payload` holds the params
 * and `msg.thing` the rest.
 */
import type { ThingMessage } from '../../domain/devices/thing-message.ts';
import type { FieldError, PropertyValue } from '../../domain/thing-model/compiled-thing-model.ts';
import type { NodeMessage } from './node-red-api.ts';

export type { ThingMessageKind } from '../../domain/devices/thing-message.ts';

/** `msg.thing`: everything about a device message except its params (which are `msg.payload`). */
export type ThingMeta = Omit<ThingMessage, 'params'> & {
  /** Set by thing-validate on a valid `property.post`: each value with its time (device time, else receive time). */
  values?: PropertyValue[];
  /** Set by thing-validate with `unknownProperties: drop`: the identifiers left out. */
  dropped?: string[];
  /** Set by a node that rejects the message: the reply code the device gets. */
  replyCode?: number;
};

/** `msg.error` on a rejected device message. */
export interface ThingMessageError {
  code: number;
  message: string;
  details: FieldError[];
}

/** A flow message carrying a ThingMessage. */
export interface ThingFlowMessage extends NodeMessage {
  thing: ThingMeta;
  error?: ThingMessageError;
}
