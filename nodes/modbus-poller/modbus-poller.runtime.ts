import { implementNode } from '../kit/implement-node.ts';
import { modbusPoller } from './modbus-poller.def.ts';

/** Takes its poller from the pool on start and gives it back on close, so deploys keep devices' polling state. */
export const modbusPollerNode = implementNode(modbusPoller, ({ config, node, services }) => {
  const pool = services.modbusPollers;
  if (!pool) throw new Error('this runtime has no Modbus poller');
  pool.acquire(node.id, { ...config, products: [...config.products] }).then(
    (poller) => node.log(`Modbus poller: ${poller.deviceCount} device${poller.deviceCount === 1 ? '' : 's'} to poll`),
    (err: Error) => node.error(`Modbus poller did not start: ${err.message}`),
  );
  return {
    onClose() {
      pool.release(node.id);
    },
  };
});
