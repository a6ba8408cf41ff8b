import { implementNode } from '../kit/implement-node.ts';
import { tcpListener } from './tcp-listener.def.ts';

/** Takes its listener from the pool on start and gives it back on close, so deploys keep devices connected. */
export const tcpListenerNode = implementNode(tcpListener, ({ config, node, services }) => {
  const pool = services.tcpListeners;
  if (!pool) throw new Error('this runtime has no TCP device ingress');
  const where = `TCP ${config.host}:${config.port}`;
  const { idleTimeoutSeconds, ...rest } = config;
  pool
    .acquire(node.id, { ...rest, idleTimeoutMs: idleTimeoutSeconds * 1000 })
    .then(
      (listener) => node.log(`TCP devices on ${config.host}:${listener.port ?? config.port} (${config.framing} framing)`),
      (err: Error) => node.error(`cannot listen on ${where}: ${err.message}`),
    );
  return {
    onClose() {
      pool.release(node.id);
    },
  };
});
