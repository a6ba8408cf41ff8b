import { ackFlag, createDialectCodec, OTA_INFORM, OTA_PROGRESS, routeThing, type UplinkRoute } from './dialect-codec.ts';
import type { DialectCodec } from './dialect.ts';
import { namespaces } from './topic-acl.ts';

/** `{pk}/{dn}/ota/{op}` uplinks; a Map, not an object, so a device-chosen `{op}` cannot reach the prototype. */
const OTA_UPLINKS: ReadonlyMap<string, UplinkRoute> = new Map([['version', OTA_INFORM], ['progress', OTA_PROGRESS]]);

/**
 * The things dialect (docs/protocol.md "Things topics"): `{pk}/{dn}/thing/…` with `{id, params, ack}` envelopes and no
 * `method`. Namespace: `{pk}/{dn}/#`. The `thing/…` subtree is alink's, so its raw uplink (`thing/model/up_raw`,
 * bytes as a Buffer in `params`) and OTA pull (`thing/ota/firmware/get`) work here too; OTA inform and progress are
 * `{pk}/{dn}/ota/version` and `{pk}/{dn}/ota/progress`, pushes go to `{pk}/{dn}/ota/upgrade`.
 */
export const things: DialectCodec = createDialectCodec({
  dialect: 'things',
  namespaces: namespaces('{pk}/{dn}/#'),
  thingBase: (id) => `${id.productKey}/${id.deviceName}`,
  otaUpgradeTopic: (id) => `${id.productKey}/${id.deviceName}/ota/upgrade`,
  locate(levels) {
    // At least one level below the device: `pk/dn` + `_reply` would name another device.
    if (levels.length < 3) return undefined;
    const target = { productKey: levels[0]!, deviceName: levels[1]! };
    switch (levels[2]) {
      case 'thing':
        return { ...target, route: routeThing(levels, 2), answerable: true };
      case 'ota':
        return { ...target, route: levels.length === 4 ? OTA_UPLINKS.get(levels[3]!) : undefined, answerable: false };
      default:
        return { ...target, route: undefined, answerable: true };
    }
  },
  ackOf: (envelope) => ackFlag(envelope.ack),
  methods: false,
});
