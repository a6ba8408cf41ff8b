/**
 * What makes the embedded brokers of a cluster's nodes one broker: aedes's own clustering packages on the cluster's
 * Redis. `mqemitter-redis` carries what one node's broker publishes to the others (a command published on one node
 * reaches the device's subscription on another; a client id connecting on one node closes its older connection on
 * another), and `aedes-persistence-redis` keeps sessions, subscriptions and QoS 1 messages queued for offline
 * persistent sessions where every node finds them, so a device resumes its session on whichever node it reconnects to.
 */
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { Redis } from 'ioredis';

const require = createRequire(import.meta.url);

interface Closable {
  close(cb: () => void): void;
}
interface Persistence {
  destroy(): Promise<void>;
  createRetainedStreamCombi(patterns: string[]): AsyncIterable<unknown>;
  createRetainedStream(pattern: string): AsyncIterable<unknown>;
}

export interface ClusterBrokerParts {
  /** For `Aedes.createBroker`: the emitter and the persistence. */
  options: { mq: Closable; persistence: Persistence };
  /** Ends the persistence's Redis connection once the broker is closed (aedes closes its emitter itself). */
  close(): Promise<void>;
}

export function clusterBrokerParts(redisUrl: string, nodeId: string): ClusterBrokerParts {
  const MQEmitterRedis = require('mqemitter-redis') as (opts: object) => Closable;
  const AsyncRedisPersistence = require('aedes-persistence-redis/asyncPersistence.js') as new (opts: object) => Persistence;
  const mq = MQEmitterRedis({ connectionString: redisUrl, connectionName: `thingwire-${nodeId}-broker` });
  const conn = new Redis(redisUrl, { connectionName: `thingwire-${nodeId}-sessions` });
  const persistence = new AsyncRedisPersistence({ conn });
  // aedes 1.2 pipes the retained messages of a subscription (`.pipe`); this persistence answers an async iterable,
  // which aedes takes everywhere else.
  const combi = persistence.createRetainedStreamCombi.bind(persistence);
  const single = persistence.createRetainedStream.bind(persistence);
  persistence.createRetainedStreamCombi = (patterns) => Readable.from(combi(patterns));
  persistence.createRetainedStream = (pattern) => Readable.from(single(pattern));
  return {
    options: { mq, persistence },
    async close() {
      await persistence.destroy().catch(() => undefined);
      conn.disconnect();
    },
  };
}
