/**
 * What the registry announces after a change is committed: the device hub ends sessions of disabled or deleted
 * devices, telemetry and alerts follow published thing models. Its own file, so the stores that emit and the services
 * that listen need not import the registry that wires them.
 */
import type { EventEmitter } from 'node:events';

/**
 * Set on an event another node of a cluster made (its node id; see cluster/cluster-bus.ts): this node's memory has
 * followed it already. A listener that writes something once per change (a log entry, a row) leaves such an event to
 * the node it came from; one that acts on what this node holds (its sessions, its caches) acts on every event.
 */
export interface Origin {
  origin?: string;
}

/** A product was created, changed (name, dialect, sign-in settings) or deleted. */
export interface ProductChange extends Origin {
  productKey: string;
  change: 'created' | 'updated' | 'deleted';
}

/**
 * Something happened to a device that live sessions may have to follow: the device hub ends the sessions of a device
 * that was `disabled`, `deleted` or had its secret rotated (`secret-rotated`).
 */
export interface DeviceChange extends Origin {
  productKey: string;
  deviceName: string;
  change: 'created' | 'updated' | 'enabled' | 'disabled' | 'deleted' | 'secret-rotated';
}

/**
 * A sub-device was linked to its gateway or unlinked (docs/protocol.md "Gateways and sub-devices"). `by` says who:
 * `gateway` (thing.topo.add/delete over its connection), `user {name}` (the API), or `device deleted`.
 */
export interface TopologyChange extends Origin {
  gateway: { productKey: string; deviceName: string };
  subDevice: { productKey: string; deviceName: string };
  change: 'added' | 'removed';
  by: string;
}

/** Events of the registry, emitted after the change is committed. */
export interface RegistryEventMap {
  'product.changed': [ProductChange];
  'device.changed': [DeviceChange];
  'topology.changed': [TopologyChange];
  /** A new thing model version is now what the product's device messages are validated against. */
  'thing-model.published': [{ productKey: string; version: number } & Origin];
  /** A new codec version is what the product's devices' frames are decoded with. */
  'codec.published': [{ productKey: string; version: number } & Origin];
}

export type RegistryEvents = EventEmitter<RegistryEventMap>;
