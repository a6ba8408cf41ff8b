import type { ThingCommand } from '../devices/thing-message.ts';
import type { CompiledThingModel, FieldError, ValidationOutcome } from './compiled-thing-model.ts';

/**
 * Why a command may not go to its device: the fields that fail the product's published thing model. `field` is a
 * dotted path in the command: `params.mode`, `params.pos.lat`, `params.list[2]`, `serviceId`, or `params` itself.
 */
export interface CommandRefusal {
  message: string;
  details: FieldError[];
}

/** Where the published thing models come from (ThingModelStore). */
export interface PublishedThingModels {
  compiledFor(productKey: string): CompiledThingModel | undefined;
}

/** Failing fields named in the refusal's message; all of them are in `details`. */
const NAMED_IN_MESSAGE = 5;

/**
 * The device hub's `checkCommand`: commands checked against the product's currently published thing model, with the
 * validators uplinks are checked with (same types, ranges, enums and lengths, same reasons).
 *
 * - `property.set`: every param is a property of the model, writable (`rw`; `r` is refused), with a valid value.
 * - `service.invoke`: the service is in the model and its params are inputs of it with valid values.
 * - `raw.down`: not checked (bytes for the product's codec, which the thing model does not describe).
 * - A product with no published thing model: not checked, since there is nothing to check against; the command goes
 *   out as it did before thing models existed.
 *
 * Values are only checked, never rewritten: what the caller sent is what the device gets.
 */
export function thingModelCommandCheck(models: PublishedThingModels): (command: ThingCommand) => CommandRefusal | undefined {
  return (command) => {
    if (command.kind !== 'property.set' && command.kind !== 'service.invoke') return undefined;
    return checkCommand(models.compiledFor(command.productKey), command);
  };
}

/** Checks one command against a compiled thing model; undefined (no model, raw downlink, or it fits) lets it through. */
export function checkCommand(model: CompiledThingModel | undefined, command: ThingCommand): CommandRefusal | undefined {
  if (model === undefined) return undefined;
  let details: FieldError[];
  if (command.kind === 'property.set') {
    const outcome = model.validatePropertySet(command.params);
    if (outcome.ok) return undefined;
    details = inCommand(outcome);
  } else if (command.kind === 'service.invoke') {
    const serviceId = command.serviceId ?? '';
    // The dialects send a service call without params as `{}`: checked the same way.
    const outcome = model.validateServiceInput(serviceId, command.params ?? {});
    if (outcome.ok) return undefined;
    // Only an unknown service is 404 for a service's input; `set` stands for the property set, where 404 is an
    // unknown property.
    details = outcome.code === 404 && serviceId !== 'set'
      ? [{ field: 'serviceId', reason: `"${serviceId}" is not a service of the thing model` }]
      : inCommand(outcome);
  } else {
    return undefined;
  }
  const named = details.slice(0, NAMED_IN_MESSAGE).map((d) => `${d.field}: ${d.reason}`).join('; ');
  const more = details.length > NAMED_IN_MESSAGE ? ` (and ${details.length - NAMED_IN_MESSAGE} more)` : '';
  return {
    message: `not sent: the command does not fit the thing model of ${model.productKey} (version ${model.version}): ${named}${more}`,
    details,
  };
}

/**
 * A failed outcome's fields as paths in the command. The validators name fields relative to params, except when params
 * is not an object at all (400), where they name `params` itself.
 */
function inCommand(outcome: Extract<ValidationOutcome<unknown>, { ok: false }>): FieldError[] {
  if (outcome.code === 400) return outcome.errors.map(({ reason }) => ({ field: 'params', reason }));
  return outcome.errors.map(({ field, reason }) => ({ field: field === '' ? 'params' : `params.${field}`, reason }));
}
