import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startRedis, type RedisServer } from './redis-server.ts';

export interface TestRedis {
  /** The file's Redis (`redis://127.0.0.1:PORT`), once it has started. */
  readonly url: string;
  /** A connection to it (or to `url`), disconnected after the file. */
  connection(url?: string, options?: RedisOptions): Redis;
}

/** A real Redis for a test file (redis-server.ts): started before its tests, stopped after them with its connections. */
export function testRedis(): TestRedis {
  let server: RedisServer | undefined;
  const connections: Redis[] = [];
  beforeAll(async () => {
    server = await startRedis();
  }, 60_000);
  afterAll(async () => {
    for (const c of connections) c.disconnect();
    await server?.stop();
  });
  return {
    get url() {
      if (!server) throw new Error('testRedis(): the server starts in beforeAll; use it in a test');
      return server.url;
    },
    connection(url?: string, options: RedisOptions = {}) {
      const connection = new Redis(url ?? this.url, options);
      connections.push(connection);
      return connection;
    },
  };
}
