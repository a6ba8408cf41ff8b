import { ackFlag, createDialectCodec, isEnvelope, OTA_INFORM, OTA_PROGRESS, routeThing, type UplinkRoute } from './dialect-codec.ts';
import type { DialectCodec } from './dialect.ts';
import { namespaces } from './topic-acl.ts';

/** `/ota/device/{op}/{pk}/{dn}` uplinks; a Map, not an object, so a device-chosen `{op}` cannot reach the prototype. */
const OTA_UPLINKS: ReadonlyMap<string, UplinkRoute> = new Map([['inform', OTA_INFORM], ['progress', OTA_PROGRESS]]);

/**
 * The alink dialect (docs/protocol.md "Alink topics"): Alibaba Cloud IoT's topics and envelopes, so Link SDK firmware
 * connects by changing only the host name. Namespace: `/sys/{pk}/{dn}/#`, `/ota/device/+/{pk}/{dn}` and the register
 * topics `/ext/session/{pk}/{dn}/…` (gateway sub-device sessions) and `/ext/ntp/{pk}/{dn}/…` (clock sync). The
 * `/ext/…` topics are allowed by the ACL but carry no ThingMessage: `decodeUplink` answers them 404 without a reply,
 * so a listener that serves NTP handles `/ext/ntp/{pk}/{dn}/request` before decoding.
 *
 * `thing/model/up_raw` uplinks decode with the payload bytes as a Buffer in `params` (what Node-RED nodes expect of
 * binary payloads) and a generated id; `raw.down` commands take a Buffer in `params`.
 */
export const alink: DialectCodec = createDialectCodec({
  dialect: 'alink',
  namespaces: namespaces('/sys/{pk}/{dn}/#', '/ota/device/+/{pk}/{dn}', '/ext/session/{pk}/{dn}/#', '/ext/ntp/{pk}/{dn}/#'),
  thingBase: (id) => `/sys/${id.productKey}/${id.deviceName}`,
  otaUpgradeTopic: (id) => `/ota/device/upgrade/${id.productKey}/${id.deviceName}`,
  locate(levels) {
    if (levels[0] !== '') return undefined;
    switch (levels[1]) {
      case 'sys':
        // At least one level below the device: `/sys/pk/dn` + `_reply` would name another device.
        if (levels.length < 5) return undefined;
        return { productKey: levels[2]!, deviceName: levels[3]!, route: levels[4] === 'thing' ? routeThing(levels, 4) : undefined, answerable: true };
      case 'ota':
        if (levels.length !== 6 || levels[2] !== 'device') return undefined;
        return { productKey: levels[4]!, deviceName: levels[5]!, route: OTA_UPLINKS.get(levels[3]!), answerable: false };
      case 'ext':
        if (levels.length < 6 || (levels[2] !== 'session' && levels[2] !== 'ntp')) return undefined;
        return { productKey: levels[3]!, deviceName: levels[4]!, route: undefined, answerable: false };
      default:
        return undefined;
    }
  },
  ackOf(envelope) {
    const sys = envelope.sys;
    if (sys === undefined) return true;
    return isEnvelope(sys) ? ackFlag(sys.ack) : undefined;
  },
  methods: true,
});
