import { implementNode } from '../kit/implement-node.ts';
import { throttledStatus } from '../kit/throttled-status.ts';
import { deviceIn } from './device-in.def.ts';

/** Subscribes to the device hub for as long as the node runs; each matching uplink becomes one flow message. */
export const deviceInNode = implementNode(deviceIn, ({ config, node, services }) => {
  const kinds = config.kinds.length ? new Set<string>(config.kinds) : undefined;
  const status = throttledStatus(node);
  let count = 0;
  const counted = () => ({ fill: 'green', shape: 'dot', text: count === 1 ? '1 message' : `${count.toLocaleString('en')} messages` }) as const;
  const unsubscribe = services.deviceHub.subscribe((message) => {
    // false: not this node's message (if no node takes it, the device hears 503 at once instead of 504 later).
    if (config.product && message.productKey !== config.product) return false;
    if (config.device && message.deviceName !== config.device) return false;
    if (kinds && !kinds.has(message.kind)) return false;
    if (config.dialect !== 'any' && message.dialect !== config.dialect) return false;
    const { params, ...thing } = message;
    node.send({ payload: params, thing, topic: `${message.productKey}/${message.deviceName}/${message.kind}` });
    count++;
    status.set(counted);
    return true;
  });
  return {
    onClose() {
      unsubscribe();
      status.dispose();
    },
  };
});
