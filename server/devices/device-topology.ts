import { chunks, type Sql } from '../db/sql.ts';
import { deviceIdOf } from './device-store.ts';
import type { RegistryEvents, TopologyChange } from '../registry-events.ts';
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
 *
 * Who is linked to whom is also kept in memory, for what a gateway's traffic asks (may it subscribe to a sub-device's
 * topic, is a sub-device in its topology): {@link load} reads it at start and every `topology.changed` moves it on,
 * this store's own, a device deletion's, and (in a cluster) another node's.
 */
export class DeviceTopology {
  /** Sub-device key → its gateway. */
  readonly #gatewayOf = new Map<string, DeviceRef>();
  /** Gateway key → its sub-devices by key. */
  readonly #subsOf = new Map<string, Map<string, DeviceRef>>();

  constructor(
    private readonly sql: Sql,
    private readonly events: RegistryEvents,
  ) {
    events.on('topology.changed', (change) => this.#follow(change));
  }

  /** Reads every link into memory; before the first gateway connects. */
  async load(): Promise<void> {
    const rows = await this.sql.all<{ gk: string; gn: string; sk: string; sn: string }>(`
      SELECT g.product_key AS gk, g.device_name AS gn, s.product_key AS sk, s.device_name AS sn
      FROM device_topology l JOIN devices g ON g.id = l.gateway_id JOIN devices s ON s.id = l.sub_device_id`);
    this.#gatewayOf.clear();
    this.#subsOf.clear();
    for (const r of rows) this.#remember({ productKey: r.gk, deviceName: r.gn }, { productKey: r.sk, deviceName: r.sn });
  }

  /**
   * Links each sub-device to the gateway, all or none: a sub-device already linked to this gateway stays linked (not
   * announced again); one linked to another gateway, the gateway itself, an unknown device or a gateway that would
   * pass {@link MAX_SUB_DEVICES_PER_GATEWAY} refuses the whole call with the first offender.
   */
  async link(gateway: DeviceRef, subDevices: readonly DeviceRef[], by: string): Promise<{ ok: true; added: DeviceRef[] } | { ok: false; refusal: LinkRefusal; device: DeviceRef }> {
    const refuse = (refusal: LinkRefusal, device: DeviceRef) => {
      throw new Refused({ ok: false, refusal, device });
    };
    let added: DeviceRef[];
    try {
      // A refusal throws, which rolls back what the call linked before it: all or none.
      added = await this.sql.transaction(async (tx) => {
        // One link call per gateway at a time (on any node): its count and the limit hold.
        await tx.lock(`topology:${gateway.productKey}/${gateway.deviceName}`);
        const gatewayId = await deviceIdOf(tx, gateway);
        if (gatewayId === undefined) return refuse('unknown-device', gateway);
        // Every listed device with its gateway now, in one read: a gateway adds hundreds of sub-devices at once.
        const found = new Map<string, { id: number; gatewayId: number | null }>();
        for (const part of chunks(subDevices, 500)) {
          const rows = await tx.all<{ id: number; pk: string; dn: string; gw: number | null }>(`
            SELECT d.id, d.product_key AS pk, d.device_name AS dn, l.gateway_id AS gw
            FROM devices d LEFT JOIN device_topology l ON l.sub_device_id = d.id
            WHERE (d.product_key, d.device_name) IN (${part.map(() => '(?, ?)').join(', ')})`,
          part.flatMap((d) => [d.productKey, d.deviceName]));
          for (const r of rows) found.set(`${r.pk}/${r.dn}`, { id: r.id, gatewayId: r.gw });
        }
        let count = (await tx.get<{ n: number }>('SELECT count(*) AS n FROM device_topology WHERE gateway_id = ?', [gatewayId]))!.n;
        const linked: { ref: DeviceRef; id: number }[] = [];
        const seen = new Set<number>();
        for (const sub of subDevices) {
          const row = found.get(keyOf(sub));
          if (!row) return refuse('unknown-device', sub);
          if (row.id === gatewayId) return refuse('self', sub);
          if (row.gatewayId === gatewayId || seen.has(row.id)) continue;
          if (row.gatewayId !== null) return refuse('other-gateway', sub);
          if (++count > MAX_SUB_DEVICES_PER_GATEWAY) return refuse('too-many', sub);
          seen.add(row.id);
          linked.push({ ref: { productKey: sub.productKey, deviceName: sub.deviceName }, id: row.id });
        }
        const at = new Date().toISOString();
        for (const part of chunks(linked, 500)) {
          // Another gateway linking one of them this instant: the first one's insert wins, and this call refuses.
          const { changes } = await tx.run(
            `INSERT INTO device_topology (sub_device_id, gateway_id, created_at) VALUES ${part.map(() => '(?, ?, ?)').join(', ')}
             ON CONFLICT (sub_device_id) DO NOTHING`, part.flatMap((l) => [l.id, gatewayId, at]),
          );
          if (changes < part.length) {
            const taken = await tx.all<{ id: number }>(
              `SELECT sub_device_id AS id FROM device_topology WHERE gateway_id <> ? AND sub_device_id IN (${part.map(() => '?').join(', ')})`,
              [gatewayId, ...part.map((l) => l.id)],
            );
            const first = part.find((l) => taken.some((t) => t.id === l.id)) ?? part[0]!;
            return refuse('other-gateway', first.ref);
          }
        }
        return linked.map((l) => l.ref);
      });
    } catch (err) {
      if (err instanceof Refused) return err.result;
      throw err;
    }
    for (const sub of added) this.events.emit('topology.changed', { gateway, subDevice: sub, change: 'added', by });
    return { ok: true, added };
  }

  /** Removes the sub-device's link to this gateway; false when it was not linked to it. */
  async unlink(gateway: DeviceRef, subDevice: DeviceRef, by: string): Promise<boolean> {
    const { changes } = await this.sql.run(`
      DELETE FROM device_topology
      WHERE sub_device_id = (SELECT id FROM devices WHERE product_key = ? AND device_name = ?)
        AND gateway_id = (SELECT id FROM devices WHERE product_key = ? AND device_name = ?)`,
    [subDevice.productKey, subDevice.deviceName, gateway.productKey, gateway.deviceName]);
    if (changes === 0) return false;
    this.events.emit('topology.changed', { gateway, subDevice, change: 'removed', by });
    return true;
  }

  /** The gateway the device is linked to, if any. */
  gatewayOf(subDevice: DeviceRef): DeviceRef | undefined {
    return this.#gatewayOf.get(keyOf(subDevice));
  }

  /** Whether the sub-device is linked to this gateway. */
  isLinked(gateway: DeviceRef, subDevice: DeviceRef): boolean {
    const linked = this.#gatewayOf.get(keyOf(subDevice));
    return linked !== undefined && linked.productKey === gateway.productKey && linked.deviceName === gateway.deviceName;
  }

  /** The gateway's sub-devices, by product key and name, from memory (what `thing.topo.get` answers). */
  subDeviceRefs(gateway: DeviceRef): DeviceRef[] {
    const subs = [...(this.#subsOf.get(keyOf(gateway))?.values() ?? [])];
    return subs.sort((a, b) => compare(a.productKey, b.productKey) || compare(a.deviceName, b.deviceName));
  }

  /** The gateway's sub-devices with their state, by product key and name. */
  async subDevices(gateway: DeviceRef): Promise<TopologyEntry[]> {
    const rows = await this.sql.all<Omit<TopologyEntry, 'enabled'> & { enabled: number }>(`
      SELECT s.product_key AS "productKey", s.device_name AS "deviceName", s.enabled, s.status, s.last_seen_at AS "lastSeenAt",
             l.created_at AS "linkedAt"
      FROM device_topology l JOIN devices s ON s.id = l.sub_device_id JOIN devices g ON g.id = l.gateway_id
      WHERE g.product_key = ? AND g.device_name = ?
      ORDER BY s.product_key, s.device_name`, [gateway.productKey, gateway.deviceName]);
    return rows.map((r) => ({ ...r, enabled: r.enabled === 1 }));
  }

  #follow({ gateway, subDevice, change }: TopologyChange): void {
    if (change === 'added') {
      this.#remember(gateway, subDevice);
      return;
    }
    if (!this.isLinked(gateway, subDevice)) return;
    this.#gatewayOf.delete(keyOf(subDevice));
    const subs = this.#subsOf.get(keyOf(gateway));
    subs?.delete(keyOf(subDevice));
    if (subs?.size === 0) this.#subsOf.delete(keyOf(gateway));
  }

  #remember(gateway: DeviceRef, subDevice: DeviceRef): void {
    const g = { productKey: gateway.productKey, deviceName: gateway.deviceName };
    const s = { productKey: subDevice.productKey, deviceName: subDevice.deviceName };
    this.#gatewayOf.set(keyOf(s), g);
    let subs = this.#subsOf.get(keyOf(g));
    if (!subs) this.#subsOf.set(keyOf(g), (subs = new Map()));
    subs.set(keyOf(s), s);
  }
}

const keyOf = (d: DeviceRef) => `${d.productKey}/${d.deviceName}`;

/** Byte order, as the database's ORDER BY on these ASCII names. */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

class Refused extends Error {
  constructor(readonly result: { ok: false; refusal: LinkRefusal; device: DeviceRef }) {
    super('topology link refused');
  }
}
