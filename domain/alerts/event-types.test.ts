import { describe, expect, it } from 'vitest';
import type { TslDocument } from '../thing-model/tsl-types.ts';
import { thingModelEventTypes, type PublishedThingModels } from './event-types.ts';

function models(published: Record<string, TslDocument[]>): PublishedThingModels & { reads: number } {
  const store = {
    reads: 0,
    publishedTsl(productKey: string) {
      const versions = published[productKey];
      if (!versions?.length) return undefined;
      // The text as the store holds it; parsing it is the cost counted.
      return { version: versions.length, get tsl() { store.reads++; return JSON.stringify(versions.at(-1)); } };
    },
  };
  return store;
}

const v1: TslDocument = { events: [{ identifier: 'overheat', name: 'Overheat', type: 'alert' }] };
const v2: TslDocument = { events: [{ identifier: 'overheat', name: 'Overheat', type: 'error' }, { identifier: 'boot', name: 'Boot', type: 'info' }] };

describe('thingModelEventTypes', () => {
  it('answers from the published model, reading each version once, and follows a new publish', () => {
    const published: Record<string, TslDocument[]> = { thermo: [v1] };
    const store = models(published);
    const eventTypeOf = thingModelEventTypes(store);
    expect(eventTypeOf('thermo', 'overheat')).toBe('alert');
    expect(eventTypeOf('thermo', 'boot')).toBeUndefined();
    expect(store.reads).toBe(1);

    published['thermo']!.push(v2);
    expect(eventTypeOf('thermo', 'overheat')).toBe('error');
    expect(eventTypeOf('thermo', 'boot')).toBe('info');
    expect(store.reads).toBe(2);
  });

  it('knows no types for a product without a published model', () => {
    expect(thingModelEventTypes(models({}))('lamp', 'overheat')).toBeUndefined();
  });
});
