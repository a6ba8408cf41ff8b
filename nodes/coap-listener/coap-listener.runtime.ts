import { implementNode } from '../kit/implement-node.ts';
import { tokenListenerSettings } from '../kit/token-listener.ts';
import { coapListener } from './coap-listener.def.ts';

/** Takes its listener from the pool on start and gives it back on close, so deploys keep devices' online state. */
export const coapListenerNode = implementNode(coapListener, ({ config, node, services }) => {
  const pool = services.coapListeners;
  if (!pool) throw new Error('this runtime has no CoAP device ingress');
  const where = `UDP ${config.host}:${config.port}`;
  pool
    .acquire(node.id, { port: config.port, host: config.host, ...tokenListenerSettings(config) })
    .then(
      (listener) => node.log(`CoAP devices on UDP ${config.host}:${listener.port ?? config.port}`),
      (err: Error) => node.error(`cannot listen on ${where}: ${err.message}`),
    );
  return {
    onClose() {
      pool.release(node.id);
    },
  };
});
