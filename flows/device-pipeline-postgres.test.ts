import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSql } from '../server/db/sql.ts';
import { StartupError } from '../server/http/port-check.ts';
import { connect, createDevices, deployListener, deviceOptions, freePort, request, subscribe, type TestDevice } from '../server/testing/mqtt-devices.ts';
import { pipelineFlow } from '../server/testing/pipeline-flow.ts';
import { testPostgres } from '../server/testing/test-postgres.ts';
import { startTestServer, type TestServer } from '../server/testing/test-server.ts';

/**
 * `--telemetry postgres`: the shipped device pipeline storing into a real PostgreSQL (Debian's, started for this
 * file) instead of telemetry.db. A real MQTT device posts; the reply comes after the commit, the row is in the
 * product's table, and the API reads it back. The server is started again on the same database: nothing is lost.
 */
const postgres = testPostgres();
let url: string;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-pg-pipeline-'));
let tw: TestServer | undefined;
let sensor: TestDevice;
const clients: MqttClient[] = [];
let nextId = 1;
const post = (params: object) => ({ id: String(++nextId), version: '1.0', sys: { ack: 1 }, method: 'thing.event.property.post', params });
const topic = (d: TestDevice, suffix: string) => `/sys/${d.productKey}/${d.deviceName}/${suffix}`;

beforeAll(async () => {
  url = await postgres.database('pipeline');
  tw = await startTestServer({ dataDir, config: { telemetry: 'postgres', postgres: { url } } });
  [sensor] = await createDevices(tw, 'thermo', ['hall']);
}, 60_000);
afterAll(async () => {
  for (const c of clients) c.end(true);
  await tw?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the device pipeline with telemetry in PostgreSQL', () => {
  it('stores a post in the product\'s table before answering 200, and serves it back through the API', async () => {
    const port = await deployListener(tw!, pipelineFlow({ alertForSeconds: 60 }));
    const c = await connect(`mqtt://127.0.0.1:${port}`, deviceOptions(sensor));
    clients.push(c);
    await subscribe(c, topic(sensor, 'thing/event/property/post_reply'));
    const reply = await request(c, topic(sensor, 'thing/event/property/post'), post({ temperature: 21.5, target: { value: 20, time: 1_700_000_000_000 } }));
    expect(reply).toMatchObject({ code: 200 });

    const db = PostgresSql.connect(url, { max: 1 });
    try {
      const rows = await db.all('SELECT device, ts, p_temperature AS temperature, p_target AS target FROM telemetry.t_thermo ORDER BY ts');
      expect(rows).toEqual([
        { device: 'hall', ts: 1_700_000_000_000, temperature: null, target: 20 },
        { device: 'hall', ts: expect.any(Number), temperature: 21.5, target: null },
      ]);
    } finally {
      await db.close();
    }
    const shadow = await tw!.request('GET', '/api/v1/devices/thermo/hall/properties', { token: tw!.adminToken });
    expect(Object.fromEntries((shadow.body.items as { identifier: string; value: unknown }[]).map((i) => [i.identifier, i.value]))).toEqual({ temperature: 21.5, target: 20 });
  });

  it('refuses to start, in one line saying what to check, when PostgreSQL cannot be reached', async () => {
    const nobody = `postgres://thingwire@127.0.0.1:${await freePort()}/thingwire`;
    const refused = await startTestServer({ config: { telemetry: 'postgres', postgres: { url: nobody } } }).then(
      async (server) => { await server.close(); return undefined; },
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(StartupError);
    expect((refused as Error).message).toMatch(/^PostgreSQL at postgres:\/\/thingwire@127\.0\.0\.1:\d+\/thingwire \(--postgres-url\) cannot be used for telemetry: .*ECONNREFUSED.*THINGWIRE_POSTGRES_PASSWORD/);
  });

  it('reads the same history after a restart on the same database', async () => {
    await tw!.close();
    tw = await startTestServer({ dataDir, config: { telemetry: 'postgres', postgres: { url } } });
    const history = await tw.request('GET', `/api/v1/devices/thermo/hall/properties/temperature/history?from=${Date.now() - 600_000}`, { token: tw.adminToken });
    expect(history.status, JSON.stringify(history.body)).toBe(200);
    expect(history.body.items.map((p: { value: number }) => p.value)).toEqual([21.5]);
  });
});
