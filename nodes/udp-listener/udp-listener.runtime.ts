import { implementNode } from '../kit/implement-node.ts';
import { tokenListenerSettings } from '../kit/token-listener.ts';
import { udpListener } from './udp-listener.def.ts';

/** Takes its listener from the pool on start and gives it back on close, so deploys keep bindings and online state. */
export const udpListenerNode = implementNode(udpListener, ({ config, node, services }) => {
  const pool = services.udpListeners;
  if (!pool) throw new Error('this runtime has no UDP device ingress');
  const where = `UDP ${config.host}:${config.port}`;
  const { maxBodyBytes: _maxBodyBytes, ...settings } = tokenListenerSettings({ ...config, maxBodyBytes: config.maxDatagramBytes });
  pool
    .acquire(node.id, {
      port: config.port, host: config.host, productKey: config.productKey, bindAddress: config.bindAddress,
      maxDatagramBytes: config.maxDatagramBytes, ratePerAddress: config.ratePerAddress, maxBoundAddresses: config.maxBoundAddresses, ...settings,
    })
    .then(
      (listener) => node.log(`UDP devices on ${config.host}:${listener.port ?? config.port}`),
      (err: Error) => node.error(`cannot listen on ${where}: ${err.message}`),
    );
  return {
    onClose() {
      pool.release(node.id);
    },
  };
});
