import type { Logger } from 'pino';
import type { CompiledThingModel } from './thing-model/compiled-thing-model.ts';

/**
 * The platform services handed to Node-RED in `settings.thingwire` by the composition root (`main.ts`), and from
 * there by the node kit to every node. Nodes depend on this interface only, never on server module state, so they run
 * the same in tests and under a stock Node-RED whose settings file builds the services.
 */
export interface ThingwireServices {
  logger: Logger;
  thingModels: {
    /** The validators of a product's currently published thing model; undefined if the product has none. */
    compiledFor(productKey: string): CompiledThingModel | undefined;
  };
}

/** The shape of `settings.thingwire` as Node-RED nodes read it (`RED.settings.thingwire`). */
export interface ThingwireSettings {
  services: ThingwireServices;
  /** Registers every Thingwire node type with the runtime; called by the palette shim Node-RED loads. */
  registerNodes(RED: unknown): void;
}
