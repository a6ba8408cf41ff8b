import type { ThingCommand } from '../../server/device-hub/thing-message.ts';
import { implementNode } from '../kit/implement-node.ts';
import { throttledStatus } from '../kit/throttled-status.ts';
import { deviceOut } from './device-out.def.ts';

const commandKinds = new Set(['property.set', 'service.invoke', 'raw.down']);

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
      const command: ThingCommand = {
        productKey, deviceName, kind: kind as ThingCommand['kind'], serviceId, params: msg.payload,
        timeoutMs: config.timeoutMs, whenOffline: config.whenOffline, ttlMs: config.queueTtlSeconds * 1000,
      };
      pending++;
      status.set({ fill: 'blue', shape: 'ring', text: `${pending} waiting` });
      try {
        const result = await services.deviceHub.sendCommand(command);
        if (result.code === 200) {
          send([{ ...msg, payload: result.data, reply: result }, null]);
        } else {
          send([null, { ...msg, error: { code: result.code, message: result.message ?? `device answered ${result.code}` }, reply: result }]);
        }
        status.set({ fill: result.code === 200 ? 'green' : 'red', shape: 'dot', text: `${result.code} ${deviceName}` });
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
