import { implementNode } from '../kit/implement-node.ts';
import { tokenListenerSettings } from '../kit/token-listener.ts';
import { httpListener } from './http-listener.def.ts';

/** Takes its listener from the pool on start and gives it back on close, so deploys keep devices' online state. */
export const httpListenerNode = implementNode(httpListener, ({ config, node, services }) => {
  const pool = services.httpListeners;
  if (!pool) throw new Error('this runtime has no HTTP device ingress');
  const where = config.port === 0 ? `the platform's HTTP port under ${config.path}` : `${config.host}:${config.port}${config.path}`;
  pool
    .acquire(node.id, { port: config.port, host: config.host, path: config.path, ...tokenListenerSettings(config) })
    .then(
      () => node.log(`HTTP devices on ${where}`),
      (err: Error) => node.error(`cannot listen on ${where}: ${err.message}`),
    );
  return {
    onClose() {
      pool.release(node.id);
    },
  };
});
