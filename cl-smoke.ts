import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres } from './server/testing/postgres-server.ts';
import { startRedis } from './server/testing/redis-server.ts';
import { start, stop, killLeftovers } from './server/testing/main-process.ts';

const pg = await startPostgres();
const redis = await startRedis();
const dbUrl = await pg.createDatabase('cluster_smoke');
const keys = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-keys-'));
const env = { THINGWIRE_ADMIN_PASSWORD: 'cluster-admin-pw', THINGWIRE_LOG_FORMAT: 'json' };
const nodes = [];
try {
  for (const id of ['n1', 'n2']) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tw-${id}-`));
    fs.symlinkSync(keys, path.join(dir, 'keys'));
    const t0 = Date.now();
    const n = await start(dir, env, ['--cluster', '--postgres-url', dbUrl, '--redis-url', redis.url, '--node-id', id]);
    console.log(id, 'started in', Date.now() - t0, 'ms', n.url);
    nodes.push(n);
  }
  const login = await fetch(`${nodes[1]!.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'cluster-admin-pw' }) });
  console.log('login on n2', login.status);
  for (const n of nodes) console.log(n.stdout().split('\n').filter((l) => /leader|cluster|error|warn/i.test(l)).slice(0, 8).join('\n'));
} finally {
  for (const n of nodes) await stop(n.proc);
  killLeftovers();
  await redis.stop();
  await pg.stop();
}
