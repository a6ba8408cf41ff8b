/**
 * `npm run migrate -- --to postgres`: a single node used for a while (a user, an API token, a product with devices
 * and tags, a gateway link, an audit trail, deployed flows with a credential, a firmware image) copied into a real PostgreSQL, and what
 * a cluster node then reads from it: the same devices and secrets (with the data dir's keys), the same token, the
 * flows, the firmware image. A second run refuses to merge.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuthService } from '../server/auth/auth-service.ts';
import { createLogger } from '../server/logger.ts';
import { sqlFlowStorage } from '../server/node-red/sql-flow-storage.ts';
import { FirmwareFiles } from '../server/ota/firmware-files.ts';
import { createRegistry } from '../server/registry.ts';
import { SecretBox } from '../server/secrets/secret-box.ts';
import { testPostgres } from '../server/testing/test-postgres.ts';
import { startTestServer } from '../server/testing/test-server.ts';

const postgres = testPostgres();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-migrate-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const migrate = (url: string) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts', '--to', 'postgres', '--postgres-url', url, '--data-dir', dataDir], {
  cwd: path.resolve(import.meta.dirname, '..'), encoding: 'utf8', timeout: 60_000, env: { ...process.env, THINGWIRE_DATA_DIR: '' },
});

describe('npm run migrate -- --to postgres', () => {
  it('copies a single node into an empty PostgreSQL that a cluster node then reads, and refuses to copy twice', async () => {
    const tw = await startTestServer({ dataDir });
    let apiToken: string;
    let deviceSecret: string;
    let firmwareId: number;
    // A firmware image of 1.5 MiB: two pieces in the cluster's database.
    const image = randomBytes(1.5 * 1024 * 1024);
    try {
      const admin = { token: tw.adminToken };
      apiToken = (await tw.request('POST', '/api/v1/auth/tokens', { ...admin, body: { name: 'ci' } })).body.token;
      expect((await tw.request('POST', '/api/v1/products', { ...admin, body: { productKey: 'gwp', name: 'gateways', nodeType: 'gateway' } })).status).toBe(201);
      expect((await tw.request('POST', '/api/v1/products', { ...admin, body: { productKey: 'meters', name: 'meters', nodeType: 'sub-device' } })).status).toBe(201);
      const bulk = await tw.request('POST', '/api/v1/devices/bulk', {
        ...admin, body: { devices: Array.from({ length: 620 }, (_, i) => ({ productKey: 'meters', deviceName: `m${i}`, tags: { floor: String(i % 4) } })) },
      });
      expect(bulk.status).toBe(201);
      deviceSecret = bulk.body.items[7].deviceSecret;
      await tw.request('POST', '/api/v1/devices', { ...admin, body: { productKey: 'gwp', deviceName: 'gw1' } });
      expect(await tw.app.registry.topology.link({ productKey: 'gwp', deviceName: 'gw1' }, [{ productKey: 'meters', deviceName: 'm7' }], 'gateway')).toMatchObject({ ok: true });
      const { rev } = (await tw.request('GET', '/api/v1/flows', admin)).body;
      const flows = [
        { id: 'tab1', type: 'tab', label: 'API' },
        { id: 'req1', type: 'http request', z: 'tab1', x: 300, y: 200, method: 'GET', ret: 'txt', url: 'http://127.0.0.1:9/', authType: 'basic', credentials: { user: 'robot', password: 'pw-123456' }, wires: [[]] },
      ];
      expect((await tw.request('POST', '/api/v1/flows', { ...admin, body: { flows, rev } })).status).toBe(200);
      const upload = await fetch(`${tw.url}/api/v1/firmware?productKey=gwp&version=1.1.0`, {
        method: 'POST', headers: { authorization: `Bearer ${tw.adminToken}`, 'content-type': 'application/octet-stream' }, body: image,
      });
      expect(upload.status).toBe(201);
      firmwareId = ((await upload.json()) as { id: number }).id;
    } finally {
      await tw.close();
    }

    const { url, sql } = await postgres.connect('migrate');
    const run = migrate(url);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/devices\s+621 rows/);
    expect(run.stdout).toMatch(/device_tags\s+620 rows/);
    expect(run.stdout).toMatch(/Done: [\d,]+ rows in \d+ tables, in one transaction/);

    // A cluster node on the copy, with the data dir's keys.
    const secrets = SecretBox.fromKeyFile(path.join(dataDir, 'keys', 'secret.key'));
    const registry = createRegistry(sql, secrets, createLogger('silent'), { nodeId: 'node-1' });
    await registry.load();
    expect((await registry.devices.list({ productKey: 'meters', tags: [{ key: 'floor', value: '3' }] }, { limit: 500, offset: 0 })).total).toBe(155);
    expect(await registry.devices.revealSecret('meters', 'm7')).toBe(deviceSecret);
    expect(registry.topology.gatewayOf({ productKey: 'meters', deviceName: 'm7' })).toEqual({ productKey: 'gwp', deviceName: 'gw1' });
    // New rows take ids after the copied ones.
    await registry.devices.create({ productKey: 'meters', deviceName: 'after-the-move' });
    const auth = new AuthService(sql, createLogger('silent'), 3_600_000);
    expect(await auth.resolveToken(apiToken)).toMatchObject({ username: 'admin', via: 'api-token' });
    expect((await auth.listAudit(100)).map((e) => e.action)).toContain('token.create');
    await auth.audit('admin', 'cluster.joined', null);
    const stored = await sqlFlowStorage(sql).getFlows();
    expect(stored.map((n) => (n as { id: string }).id)).toEqual(['tab1', 'req1']);
    expect(JSON.stringify(await sqlFlowStorage(sql).getCredentials())).not.toContain('pw-123456');
    // The firmware image, which another node copies from the database to serve it.
    expect(run.stdout).toMatch(/ota_firmware_chunks\s+2 rows/);
    const otherNode = new FirmwareFiles(fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-migrate-node-')), 10_000_000, sql);
    expect(await otherNode.local(firmwareId!)).toBe(true);
    expect(fs.readFileSync(otherNode.fileOf(firmwareId!)).equals(image)).toBe(true);
    fs.rmSync(path.dirname(otherNode.dir), { recursive: true, force: true });

    const again = migrate(url);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already holds \d+ users: copy into an empty database/);
  });
});
