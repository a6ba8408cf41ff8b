import type { ThingCommand } from '../../domain/devices/thing-message.ts';
import { implementNode } from '../kit/implement-node.ts';
import { throttledStatus } from '../kit/throttled-status.ts';
import { deviceOut } from './device-out.def.ts';

const commandKinds = new Set(['property.set', 'service.invoke', 'raw.down']);
/** Canonical base64 (padded, standard alphabet), at least one byte: anything else is refused, never half-decoded. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const NOT_BYTES = 'a raw downlink\'s msg.payload must be a Buffer or a base64 string';

/** Builds a ThingCommand from the message and the node's settings; the reply (or the failure) goes out as output. */
export const deviceOutNode = implementNode(deviceOut, ({ config, node, services }) => {
  const status = throttledStatus(node);
  let pending = 0;
  return {
    async onInput(msg, send, done) {
      const thing = (msg['thing'] ?? {}) as { productKey?: string; deviceName?: string };
      const productKey = config.product || thing.productKey;
      const deviceName = config.device || thing.deviceName;
      const kind = config.command === 'from-message' ? msg['command'] : config.command;
      const serviceId = config.service || (msg['serviceId'] as string | undefined);
      if (!productKey || !deviceName) throw new Error('no target device: set Product and Device, or send msg.thing.productKey/deviceName');
      if (typeof kind !== 'string' || !commandKinds.has(kind)) throw new Error(`msg.command must be property.set, service.invoke or raw.down, not ${JSON.stringify(kind)}`);
      if (kind === 'service.invoke' && !serviceId) throw new Error('service.invoke needs a Service (or msg.serviceId)');
      let params = msg.payload;
      if (kind === 'raw.down' && typeof params === 'string') {
        // Buffer.from(…, 'base64') skips what it cannot read: a typo would go out as other bytes, so check first.
        if (params.length === 0 || !BASE64.test(params)) {
          send([null, { ...msg, error: { code: 400, message: NOT_BYTES } }]);
          status.set({ fill: 'red', shape: 'dot', text: `400 ${deviceName}` });
          return done();
        }
        params = Buffer.from(params, 'base64');
      }
      const command: ThingCommand = {
        productKey, deviceName, kind: kind as ThingCommand['kind'], serviceId, params,
        timeoutMs: config.timeoutMs, whenOffline: config.whenOffline, ttlMs: config.queueTtlSeconds * 1000,
      };
      pending++;
      status.set({ fill: 'blue', shape: 'ring', text: `${pending} waiting` });
      try {
        const result = await services.deviceHub.sendCommand(command);
        // A raw downlink has no reply to wait for: sent (202) is its success.
        const ok = result.code === 200 || (kind === 'raw.down' && result.code === 202);
        if (ok) {
          send([{ ...msg, payload: result.data, reply: result }, null]);
        } else {
          // A command the thing model refused (422) lists its failing fields, as thing validate does for uplinks.
          const error = { code: result.code, message: result.message ?? `device answered ${result.code}`, ...(result.details ? { details: result.details } : {}) };
          send([null, { ...msg, error, reply: result }]);
        }
        status.set({ fill: ok ? 'green' : 'red', shape: 'dot', text: `${result.code} ${deviceName}` });
      } finally {
        pending--;
      }
      done();
    },
    onClose() {
      status.dispose();
    },
  };
});
