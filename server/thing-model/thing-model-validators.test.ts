import { describe, expect, it } from 'vitest';
import { TslInvalidError } from './tsl-check.ts';
import { ThingModelValidators } from './thing-model-validators.ts';
import type { TslDocument } from '../../domain/thing-model/tsl-types.ts';

function docWithMax(max: number): TslDocument {
  return {
    properties: [{ identifier: 'level', name: 'Level', accessMode: 'rw', dataType: { type: 'int', specs: { min: '0', max: String(max) } } }],
  };
}

/** A loader that counts how often the cache had to compile. */
function counting(doc: TslDocument): { load: () => TslDocument; calls: () => number } {
  let calls = 0;
  return {
    load: () => {
      calls++;
      return doc;
    },
    calls: () => calls,
  };
}

describe('ThingModelValidators', () => {
  it('compiles each productKey@version once', () => {
    const validators = new ThingModelValidators();
    const loader = counting(docWithMax(10));
    const first = validators.get('pk', 1, loader.load);
    expect(validators.get('pk', 1, loader.load)).toBe(first);
    expect(loader.calls()).toBe(1);
    expect(first.validatePropertyPost({ level: 11 })).toMatchObject({ ok: false, code: 422 });
  });

  it('keeps versions apart: a device is checked against the version it is given', () => {
    const validators = new ThingModelValidators();
    const v1 = validators.get('pk', 1, () => docWithMax(10));
    const v2 = validators.get('pk', 2, () => docWithMax(100));
    expect(v1.validatePropertyPost({ level: 50 }).ok).toBe(false);
    expect(v2.validatePropertyPost({ level: 50 }).ok).toBe(true);
    expect(validators.size).toBe(2);
  });

  it('drops the least recently used version beyond maxEntries, and compiles it again when used', () => {
    const validators = new ThingModelValidators({ maxEntries: 2 });
    const a = counting(docWithMax(1));
    const b = counting(docWithMax(2));
    const c = counting(docWithMax(3));
    const modelA = validators.get('a', 1, a.load);
    validators.get('b', 1, b.load);
    validators.get('a', 1, a.load); // a is now the most recently used
    validators.get('c', 1, c.load); // evicts b
    expect(validators.size).toBe(2);
    validators.get('a', 1, a.load);
    expect(a.calls()).toBe(1);
    validators.get('b', 1, b.load);
    expect(b.calls()).toBe(2);
    // A caller still holding an evicted model can keep using it.
    expect(modelA.validatePropertyPost({ level: 1 }).ok).toBe(true);
  });

  it('forgets one version or a whole product on request', () => {
    const validators = new ThingModelValidators();
    validators.get('pk', 1, () => docWithMax(1));
    validators.get('pk', 2, () => docWithMax(2));
    validators.get('other', 1, () => docWithMax(3));
    validators.evict('pk', 1);
    expect(validators.size).toBe(2);
    validators.evict('pk');
    expect(validators.size).toBe(1);
  });

  it('caches nothing for an invalid document', () => {
    const validators = new ThingModelValidators();
    const invalid = { properties: [{ identifier: '1st', name: 'x', accessMode: 'r', dataType: { type: 'int' } }] } as TslDocument;
    expect(() => validators.get('pk', 1, () => invalid)).toThrow(TslInvalidError);
    expect(validators.size).toBe(0);
  });
});
