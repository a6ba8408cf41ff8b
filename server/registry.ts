import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { AuthService } from './auth/auth-service.ts';
import type { Sql } from './db/sql.ts';
import { registerDeviceRoutes } from './devices/device-routes.ts';
import { DeviceStore } from './devices/device-store.ts';
import { DeviceTopology } from './devices/device-topology.ts';
import type { RouteTable } from './http/route-table.ts';
import { registerProductRoutes } from './products/product-routes.ts';
import { ProductStore } from './products/product-store.ts';
import type { SecretBox } from './secrets/secret-box.ts';
import { registerThingModelRoutes } from './thing-model/thing-model-routes.ts';
import { ThingModelStore } from './thing-model/thing-model-store.ts';
import { ThingModelValidators } from './thing-model/thing-model-validators.ts';
import type { ProductChange, RegistryEventMap, RegistryEvents } from './registry-events.ts';

type ThingModelPublished = RegistryEventMap['thing-model.published'][0];
type Reloader = (event: unknown) => Promise<void>;

/** Products, their thing models and their devices, with the REST routes over them. */
export interface Registry {
  products: ProductStore;
  /** Also the `thingModels` platform service: `compiledFor(productKey)` validates device messages. */
  thingModels: ThingModelStore;
  devices: DeviceStore;
  /** Which gateway each sub-device belongs to. */
  topology: DeviceTopology;
  events: RegistryEvents;
  /** Reads what the registry answers from memory (product settings, published thing models, topology) from the database. */
  load(): Promise<void>;
  /**
   * A change another node of the cluster made (`event.origin` set): brings this node's memory up to date from the
   * database, then announces it here as if made here, for the sessions and caches this node holds to follow.
   */
  follow<K extends keyof RegistryEventMap>(name: K, event: RegistryEventMap[K][0]): Promise<void>;
  /** What {@link follow} reloads for an event of a store kept outside the registry (the codecs). */
  reloadOn<K extends keyof RegistryEventMap>(name: K, reload: (event: RegistryEventMap[K][0]) => Promise<void>): void;
  registerRoutes(table: RouteTable, auth: AuthService): void;
}

/**
 * Builds the registry on the platform database (SQLite or PostgreSQL); `secrets` seals product and device secrets at
 * rest; `nodeId` names this node in a cluster (see DeviceStore). Call `load()` before serving.
 */
export function createRegistry(sql: Sql, secrets: SecretBox, logger: Logger, options: { nodeId?: string } = {}): Registry {
  const events: RegistryEvents = new EventEmitter<RegistryEventMap>();
  const products = new ProductStore(sql, secrets, events);
  const thingModels = new ThingModelStore(sql, products, new ThingModelValidators(), events);
  const devices = new DeviceStore(sql, secrets, products, events, options.nodeId);
  const topology = new DeviceTopology(sql, events);
  events.on('product.changed', ({ productKey, change }) => {
    if (change === 'deleted') thingModels.forget(productKey);
  });
  const reloaders = new Map<keyof RegistryEventMap, Reloader>([
    ['product.changed', (e) => products.reload((e as ProductChange).productKey)],
    ['thing-model.published', (e) => thingModels.reload((e as ThingModelPublished).productKey)],
  ]);
  const log = logger.child({ subsystem: 'registry' });
  events.on('thing-model.published', (e) => log.info(e, 'thing model published'));
  return {
    products,
    thingModels,
    devices,
    topology,
    events,
    load: async () => {
      await products.load();
      await thingModels.load();
      await topology.load();
    },
    async follow(name, event) {
      await reloaders.get(name)?.(event);
      // The topology's memory follows the event itself.
      (events.emit as (n: keyof RegistryEventMap, e: unknown) => boolean)(name, event);
    },
    reloadOn(name, reload) {
      reloaders.set(name, reload as Reloader);
    },
    registerRoutes(table, auth) {
      registerProductRoutes(table, products, auth);
      registerThingModelRoutes(table, thingModels, auth);
      registerDeviceRoutes(table, devices, products, auth);
    },
  };
}
