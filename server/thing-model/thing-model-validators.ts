import type { CompiledThingModel } from '../../domain/thing-model/compiled-thing-model.ts';
import { compileThingModel, type TslThingModel } from './tsl-compiler.ts';
import type { TslDocument } from '../../domain/thing-model/tsl-types.ts';

/** Options of {@link ThingModelValidators}. */
export interface ThingModelValidatorsOptions {
  /** Compiled versions kept; the least recently used is dropped beyond this. Default 500. */
  maxEntries?: number;
}

/**
 * Compiled thing models by `productKey@version`, so each published version compiles once however many devices
 * report against it. Bounded (least recently used out) because every version ever published could otherwise stay in
 * memory with its ajv code; an evicted version simply compiles again on its next use.
 */
export class ThingModelValidators {
  private readonly maxEntries: number;
  /** Map iteration order is insertion order: re-inserting on use keeps the least recently used first. */
  private readonly entries = new Map<string, TslThingModel>();

  constructor(options: ThingModelValidatorsOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? 500);
  }

  /**
   * The compiled model of a published version. `loadDoc` is called only when the version is not cached; a document
   * that fails `checkTsl` throws `TslInvalidError` and nothing is cached.
   */
  get(productKey: string, version: number, loadDoc: () => TslDocument): CompiledThingModel {
    const key = `${productKey}@${version}`;
    const cached = this.entries.get(key);
    if (cached !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    const compiled = compileThingModel(productKey, version, loadDoc());
    this.entries.set(key, compiled);
    if (this.entries.size > this.maxEntries) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, TslThingModel];
      this.entries.delete(oldestKey);
      oldest.release();
    }
    return compiled;
  }

  /** Forgets one version, or every version of a product (e.g. when the product is deleted). */
  evict(productKey: string, version?: number): void {
    for (const [key, model] of this.entries) {
      if (version === undefined ? model.productKey === productKey : key === `${productKey}@${version}`) {
        this.entries.delete(key);
        model.release();
      }
    }
  }

  /** Number of compiled versions held. */
  get size(): number {
    return this.entries.size;
  }
}
