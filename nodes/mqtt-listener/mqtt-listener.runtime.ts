import { implementNode } from '../kit/implement-node.ts';
import { mqttListener } from './mqtt-listener.def.ts';

/** Takes its listener from the pool on start and gives it back on close, so deploys do not drop devices. */
export const mqttListenerNode = implementNode(mqttListener, ({ config, credentials, node, services }) => {
  if (config.keepaliveMin > config.keepaliveMax) throw new Error('Keepalive min is greater than keepalive max');
  const wantsTls = config.tlsPort > 0;
  if (wantsTls && (!config.tlsCert || !credentials.tlsKey)) throw new Error('TLS needs both a certificate and a key');
  services.mqttListeners
    .acquire(node.id, {
      port: config.port,
      host: config.host,
      tls: wantsTls ? { port: config.tlsPort, cert: config.tlsCert, key: credentials.tlsKey! } : undefined,
      wsPath: config.wsPath,
      maxPayloadBytes: config.maxPayloadBytes,
      ratePerDevice: config.ratePerDevice,
      keepaliveMin: config.keepaliveMin,
      keepaliveMax: config.keepaliveMax,
      replyTimeoutMs: config.replyTimeoutMs,
      signInTimeoutMs: config.signInTimeoutMs,
      maxPendingSignIns: config.maxPendingSignIns,
    })
    .then(
      () => node.log(`listening on ${config.host}:${config.port}${wantsTls ? `, TLS ${config.tlsPort}` : ''}${config.wsPath ? `, WebSocket ${config.wsPath}` : ''}`),
      (err: Error) => node.error(`cannot listen on ${config.host}:${config.port}: ${err.message}`),
    );
  return {
    onClose() {
      services.mqttListeners.release(node.id);
    },
  };
});
