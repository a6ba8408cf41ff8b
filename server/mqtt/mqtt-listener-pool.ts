import type { Logger } from 'pino';
import { ListenerPool } from '../ingress/listener-pool.ts';
import { MqttListener, restartKey, type MqttListenerDeps } from './mqtt-listener.ts';
import type { MqttListenerConfig } from '../../domain/devices/mqtt-listener-config.ts';

/** The embedded brokers the MQTT listener nodes own, kept across deploys (see {@link ListenerPool}). */
export class MqttListenerPool extends ListenerPool<MqttListenerConfig, MqttListener> {
  constructor(deps: MqttListenerDeps, logger: Logger, graceMs?: number) {
    super('mqtt', (config) => new MqttListener(config, deps), restartKey, logger, graceMs);
  }
}
