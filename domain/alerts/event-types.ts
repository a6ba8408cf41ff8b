/**
 * Event types (`info` / `alert` / `error`) from products' published thing models, for event rules that name a type
 * rather than an event. The compiled validators do not carry them, so they are read from the published TSL once per
 * product and version.
 */
import type { EventType, TslDocument } from '../thing-model/tsl-types.ts';

/** The part of the thing model store this needs (`ThingModelStore` has it). */
export interface PublishedThingModels {
  /** The product's published TSL JSON text and its version, held in memory; undefined when none is published. */
  publishedTsl(productKey: string): { version: number; tsl: string } | undefined;
}

/**
 * `eventTypeOf` for the alert engine. Asks for the published model (kept in memory by the store) on every call, so a
 * newly published model is used from its first event on; parses a TSL only when the version changed.
 */
export function thingModelEventTypes(models: PublishedThingModels): (productKey: string, eventId: string) => EventType | undefined {
  const cache = new Map<string, { version: number; types: Map<string, EventType> }>();
  return (productKey, eventId) => {
    const published = models.publishedTsl(productKey);
    if (published === undefined) return undefined;
    const { version } = published;
    let entry = cache.get(productKey);
    if (entry?.version !== version) {
      const tsl = JSON.parse(published.tsl) as TslDocument;
      entry = { version, types: new Map((tsl.events ?? []).map((event) => [event.identifier, event.type])) };
      cache.set(productKey, entry);
    }
    return entry.types.get(eventId);
  };
}
