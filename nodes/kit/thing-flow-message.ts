/**
 * The flow message that carries a ThingMessage (DESIGN.md "One internal message"): `msg.payload` holds the params
 * and `msg.thing` the rest. Declared here until the device hub exports its ThingMessage type; then this becomes a
 * re-export of it.
 */
import type { FieldError, PropertyValue } from '../../server/thing-model/compiled-thing-model.ts';
import type { NodeMessage } from './node-red-api.ts';

/** What a device message is, as decoded from any dialect. */
export type ThingMessageKind =
  | 'property.post'
  | 'event.post'
  | 'service.reply'
  | 'property.set.reply'
  | 'ota.inform'
  | 'ota.progress'
  | 'ota.get'
  | 'state';

/** `msg.thing`: everything about a device message except its params. */
export interface ThingMeta {
  id: string;
  productKey: string;
  deviceName: string;
  kind: ThingMessageKind;
  /** Event identifier of an `event.post`. */
  eventId?: string;
  /** Service identifier of a `service.reply`. */
  serviceId?: string;
  /** Device time of the whole message (ms), when the device sent one. */
  deviceTime?: number;
  /** Server receive time (ms). */
  receivedAt: number;
  protocol: string;
  dialect: string;
  /** Reply token for `hub.reply` (see DESIGN.md "Replies by token"). */
  ack: unknown;
  /** Set by thing-validate on a valid `property.post`: each value with its time (device time, else receive time). */
  values?: PropertyValue[];
  /** Set by thing-validate with `unknownProperties: drop`: the identifiers left out. */
  dropped?: string[];
  /** Set by a node that rejects the message: the reply code the device gets. */
  replyCode?: number;
}

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
