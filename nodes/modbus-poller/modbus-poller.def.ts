import { Type } from '@sinclair/typebox';
import { defineNode } from '../kit/define-node.ts';
import { PRODUCT_KEY_PATTERN } from '../../domain/products/identity.ts';
import { DEFAULT_MODBUS_POLLER_CONFIG as D } from '../../domain/modbus/modbus-poller-config.ts';

const help = `Reads Modbus slaves (TCP, RTU on a serial port, RTU over TCP) as their master, and reports what they hold
as the devices' property posts: they reach **device in** nodes (\`msg.thing.protocol\` is \`modbus\`) and go through
the same validation, storage and alerts as MQTT devices' posts.

It polls every enabled device that has a Modbus connection (host and port or serial path, unit id, interval: set on
the device, \`PUT /api/v1/devices/{pk}/{dn}/modbus\`) and whose product has a point table
(\`PUT /api/v1/products/{pk}/modbus/points\`), from the moment either is saved; docs/modbus.md says how.
Property sets to such a device (device out nodes, the API) become writes to its writable points and are answered
with the write's outcome, the slave's exception included.

A device is **online** from its first answered poll, and **offline** after *Failures before offline* unanswered
polls in a row (the last failure, such as \`timeout after 1000 ms\` or \`exception 11: gateway target device failed
to respond\`, is the reason in its connection history); offline devices are polled again after a wait that doubles
per failure, up to *Backoff cap*.

### Properties
- **Failures before offline**: unanswered polls in a row before the device goes offline.
- **Request timeout**: how long one request may take, for devices whose connection does not set one.
- **Requests in flight per TCP connection**: how many requests one Modbus TCP connection carries at once (devices
  behind one gateway share its connection). Serial lines and RTU over TCP always carry one.
- **Backoff cap**: the longest wait between polls of an offline device.
- **Products**: poll only these products' devices; none: every product. With several poller nodes, a device is
  polled by the first one that takes its product.

Redeploying keeps every device's polling state and session unless the node is removed.`;

/** The Modbus master: a config node owning one pooled poller. */
export const modbusPoller = defineNode({
  type: 'thing-modbus-poller',
  version: 1,
  label: 'Modbus poller',
  category: 'config',
  color: '#D8BFD8',
  icon: 'font-awesome/fa-exchange',
  inputs: 0,
  outputs: 0,
  isConfigNode: true,
  config: Type.Object({
    failuresBeforeOffline: Type.Integer({ title: 'Failures before offline', minimum: 1, maximum: 100, default: D.failuresBeforeOffline }),
    timeoutMs: Type.Integer({ title: 'Request timeout (ms)', minimum: 50, maximum: 60_000, default: D.timeoutMs }),
    maxInFlightPerTcpBus: Type.Integer({ title: 'Requests in flight per TCP connection', minimum: 1, maximum: 32, default: D.maxInFlightPerTcpBus }),
    backoffMaxMs: Type.Integer({ title: 'Backoff cap (ms)', description: 'Longest wait between polls of an offline device', minimum: 100, maximum: 3_600_000, default: D.backoffMaxMs }),
    products: Type.Array(Type.String({ pattern: PRODUCT_KEY_PATTERN }), { title: 'Products', description: 'None: every product', uniqueItems: true, maxItems: 1000, default: [] }),
  }),
  help,
});
