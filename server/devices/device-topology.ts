import type { Db } from '../db/database.ts';
import type { RegistryEvents } from '../registry-events.ts';
import type { DeviceRef, DeviceStatus } from '../../domain/devices/device-schemas.ts';

/** Most sub-devices one gateway may have (Alibaba's limit is 1,500 as well). */
export const MAX_SUB_DEVICES_PER_GATEWAY = 1500;

/** A sub-device as the topology lists it. */
export interface TopologyEntry {
  productKey: string;
  deviceName: string;
  enabled: boolean;
  status: DeviceStatus;
  lastSeenAt: string | null;
  linkedAt: string;
}

/** Why a link cannot be made; the gateway service turns each into its reply code. */
export type LinkRefusal = 'self' | 'other-gateway' | 'too-many' | 'unknown-device';

/**
 * Gateways and their sub-devices (table `device_topology`): a sub-device belongs to at most one gateway. Node types
 * are the caller's to check (the gateway service checks them before linking). Every change is announced as
 * `topology.changed` after it is committed, so the device hub's log and live sessions follow.
 */
export class DeviceTopology {
  readonly #link;
  readonly #unlink;
  readonly #gatewayOf;
  readonly #subDevices;
  readonly #count;
  readonly #id;

  constructor(
    private readonly db: Db,
    private readonly events: RegistryEvents,
  ) {
    this.#id = db.prepare('SELECT id FROM devices WHERE product_key = ? AND device_name = ?').pluck();
    this.#link = db.prepare('INSERT INTO device_topology (sub_device_id, gateway_id, created_at) VALUES (?, ?, ?) ON CONFLICT (sub_device_id) DO NOTHING');
    this.#unlink = db.prepare('DELETE FROM device_topology WHERE sub_device_id = ? AND gateway_id = ?');
    this.#gatewayOf = db.prepare(`
      SELECT g.id, g.product_key AS productKey, g.device_name AS deviceName
      FROM device_topology l JOIN devices g ON g.id = l.gateway_id WHERE l.sub_device_id = ?`);
    this.#subDevices = db.prepare(`
      SELECT s.product_key AS productKey, s.device_name AS deviceName, s.enabled, s.status, s.last_seen_at AS lastSeenAt,
             l.created_at AS linkedAt
      FROM device_topology l JOIN devices s ON s.id = l.sub_device_id WHERE l.gateway_id = ?
      ORDER BY s.product_key, s.device_name`);
    this.#count = db.prepare('SELECT count(*) FROM device_topology WHERE gateway_id = ?').pluck();
  }

  /**
   * Links each sub-device to the gateway, all or none: a sub-device already linked to this gateway stays linked (not
   * announced again); one linked to another gateway, the gateway itself, an unknown device or a gateway that would
   * pass {@link MAX_SUB_DEVICES_PER_GATEWAY} refuses the whole call with the first offender.
   */
  link(gateway: DeviceRef, subDevices: readonly DeviceRef[], by: string): { ok: true; added: DeviceRef[] } | { ok: false; refusal: LinkRefusal; device: DeviceRef } {
    const refuse = (refusal: LinkRefusal, device: DeviceRef) => {
      throw new Refused({ ok: false, refusal, device });
    };
    let added: DeviceRef[];
    try {
      // A refusal throws, which rolls back what the call linked before it: all or none.
      added = this.db.transaction(() => {
        const linked: DeviceRef[] = [];
        const gatewayId = this.#id.get(gateway.productKey, gateway.deviceName) as number | undefined;
        if (gatewayId === undefined) return refuse('unknown-device', gateway);
        let count = this.#count.get(gatewayId) as number;
        const at = new Date().toISOString();
        for (const sub of subDevices) {
          const subId = this.#id.get(sub.productKey, sub.deviceName) as number | undefined;
          if (subId === undefined) return refuse('unknown-device', sub);
          if (subId === gatewayId) return refuse('self', sub);
          const current = this.#gatewayOf.get(subId) as { id: number } | undefined;
          if (current?.id === gatewayId) continue;
          if (current) return refuse('other-gateway', sub);
          if (++count > MAX_SUB_DEVICES_PER_GATEWAY) return refuse('too-many', sub);
          this.#link.run(subId, gatewayId, at);
          linked.push({ productKey: sub.productKey, deviceName: sub.deviceName });
        }
        return linked;
      })();
    } catch (err) {
      if (err instanceof Refused) return err.result;
      throw err;
    }
    for (const sub of added) this.events.emit('topology.changed', { gateway, subDevice: sub, change: 'added', by });
    return { ok: true, added };
  }

  /** Removes the sub-device's link to this gateway; false when it was not linked to it. */
  unlink(gateway: DeviceRef, subDevice: DeviceRef, by: string): boolean {
    const gatewayId = this.#id.get(gateway.productKey, gateway.deviceName) as number | undefined;
    const subId = this.#id.get(subDevice.productKey, subDevice.deviceName) as number | undefined;
    if (gatewayId === undefined || subId === undefined) return false;
    if (this.#unlink.run(subId, gatewayId).changes === 0) return false;
    this.events.emit('topology.changed', { gateway, subDevice, change: 'removed', by });
    return true;
  }

  /** The gateway the device is linked to, if any. */
  gatewayOf(subDevice: DeviceRef): DeviceRef | undefined {
    const subId = this.#id.get(subDevice.productKey, subDevice.deviceName) as number | undefined;
    if (subId === undefined) return undefined;
    const row = this.#gatewayOf.get(subId) as { productKey: string; deviceName: string } | undefined;
    return row && { productKey: row.productKey, deviceName: row.deviceName };
  }

  /** Whether the sub-device is linked to this gateway. */
  isLinked(gateway: DeviceRef, subDevice: DeviceRef): boolean {
    const linked = this.gatewayOf(subDevice);
    return linked !== undefined && linked.productKey === gateway.productKey && linked.deviceName === gateway.deviceName;
  }

  /** The gateway's sub-devices, by product key and name. */
  subDevices(gateway: DeviceRef): TopologyEntry[] {
    const gatewayId = this.#id.get(gateway.productKey, gateway.deviceName) as number | undefined;
    if (gatewayId === undefined) return [];
    return (this.#subDevices.all(gatewayId) as (Omit<TopologyEntry, 'enabled'> & { enabled: number })[])
      .map((r) => ({ ...r, enabled: r.enabled === 1 }));
  }
}

class Refused extends Error {
  constructor(readonly result: { ok: false; refusal: LinkRefusal; device: DeviceRef }) {
    super('topology link refused');
  }
}
