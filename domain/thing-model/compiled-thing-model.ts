/**
 * What the rest of the platform sees of a published thing model: validators compiled from the TSL, answering in
 * the terms of the device protocol (docs/protocol.md "Reply codes": 400/404/422).
 */

/** One failing field, as listed in a 422 reply's `data`. `field` is a dotted path: `power`, `pos.lat`, `list[2]`. */
export interface FieldError {
  field: string;
  reason: string;
}

/** A property value as reported: bare or `{value, time}`; `time` is device ms, absent when the device sent none. */
export interface PropertyValue {
  identifier: string;
  value: unknown;
  time?: number;
}

export type ValidationOutcome<T> =
  | { ok: true; value: T }
  /** 400: not an object at all; 404: an identifier the model does not define; 422: failed the model. */
  | { ok: false; code: 400 | 404 | 422; errors: FieldError[] };

export interface CompiledThingModel {
  productKey: string;
  /** Published version number this was compiled from. */
  version: number;
  /**
   * A `thing.event.property.post` params object. Unknown identifiers give 404 unless `dropUnknown` is set, in which
   * case they are left out of the result and reported in `dropped`.
   */
  validatePropertyPost(
    params: unknown,
    options?: { dropUnknown?: boolean },
  ): ValidationOutcome<{ values: PropertyValue[]; dropped: string[] }>;
  /** An event's params: `{value:{...outputData}, time?}` per docs/protocol.md "Events"; unknown event id → 404. */
  validateEvent(eventId: string, params: unknown): ValidationOutcome<{ value: Record<string, unknown>; time?: number }>;
  /** A service call's input (downlink) and the device's reply data (uplink); unknown service → 404. */
  validateServiceInput(serviceId: string, params: unknown): ValidationOutcome<Record<string, unknown>>;
  validateServiceOutput(serviceId: string, data: unknown): ValidationOutcome<Record<string, unknown>>;
  /** Property set (downlink): only `rw` properties may be set. */
  validatePropertySet(params: unknown): ValidationOutcome<Record<string, unknown>>;
  /**
   * Property get (downlink, `thing.service.property.get`): params is a list of property identifiers, not an object,
   * so it has its own check; unknown identifier → 404. The device's reply data is property values: check it with
   * `validateServiceOutput('get', data)`.
   */
  validatePropertyGet(params: unknown): ValidationOutcome<string[]>;
}
